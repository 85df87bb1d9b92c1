"""What the boto3-compatible layer keeps of its own: the answers to create calls, so that a
client's retry of the same call (same `amz-sdk-invocation-id`) gets the first answer
instead of creating twice or failing with ResourceInUse."""

from django.db import models

from apps.core.models import TenantModel


class Invocation(TenantModel):
    invocation_id = models.CharField(max_length=64)
    operation = models.CharField(max_length=64)
    response = models.JSONField()

    # The daily purge spans organizations; everything else reads through the scoped manager.
    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "invocation_id"], name="awsapi_invocation_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.invocation_id}"
