"""The SageMaker operations (aws-compat spec, section 6), one module per resource group."""

from apps.awsapi.sagemaker import labeling, reviews, workforces

OPERATIONS = {**reviews.OPERATIONS, **workforces.OPERATIONS, **labeling.OPERATIONS}
