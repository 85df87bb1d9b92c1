"""The SageMaker operations (aws-compat spec, section 6), one module per resource group."""

from apps.awsapi.sagemaker import labeling, reviews, tags, workforces

OPERATIONS = {
    **reviews.OPERATIONS,
    **workforces.OPERATIONS,
    **labeling.OPERATIONS,
    **tags.OPERATIONS,
}
