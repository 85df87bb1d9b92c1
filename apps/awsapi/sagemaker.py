"""The SageMaker operations (aws-compat spec, section 6) over the other apps' services."""

OPERATIONS: dict = {}
