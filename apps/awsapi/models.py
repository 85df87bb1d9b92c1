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


class LabelingJob(TenantModel):
    """What SageMaker's CreateLabelingJob was asked, around the Project that does the work:
    where the input manifest came from and where the output manifest goes."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.PROTECT, related_name="labeling_job"
    )
    manifest_import = models.ForeignKey(
        "datasets.ManifestImport", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    input_manifest_uri = models.CharField(max_length=1024)
    output_path = models.CharField(max_length=1024)  # OutputConfig.S3OutputPath, as given
    output_storage = models.ForeignKey(
        "datasets.Storage", on_delete=models.PROTECT, related_name="+"
    )
    output_prefix = models.CharField(max_length=1024, blank=True)
    request = models.JSONField()  # the CreateLabelingJob members echoed by Describe
    job_reference_code = models.CharField(max_length=64)
    failure_reason = models.CharField(max_length=1024, blank=True)
    output_key = models.CharField(max_length=1024, blank=True)
    output_written_at = models.DateTimeField(null=True, blank=True)

    # ListLabelingJobsForWorkteam shows a vendor the jobs of the requesters it works for,
    # and the periodic finisher spans organizations; everything else reads scoped.
    global_objects = models.Manager()

    class Meta:
        default_manager_name = "objects"

    def __str__(self) -> str:
        return self.project.name
