"""Background jobs of the boto3-compatible layer: thin, safe to run twice."""

from celery import shared_task

from apps.core.jobs import OrganizationJob

IMPORT_WAIT_RETRIES = 120


@shared_task(base=OrganizationJob, bind=True, name="awsapi.labeling_job_advance", max_retries=None)
def labeling_job_advance(self, *, organization_id: int, job_id: int) -> str:
    """Start the job's project once its manifest is imported (or fail the job)."""
    from apps.awsapi.services import ImportPending
    from apps.awsapi.services import labeling_job_advance as advance

    try:
        return advance(job_id=job_id)
    except ImportPending:
        if self.request.is_eager or self.request.retries >= IMPORT_WAIT_RETRIES:
            raise
        raise self.retry(countdown=min(5 * 2**self.request.retries, 60)) from None


@shared_task(base=OrganizationJob, name="awsapi.labeling_job_output_write")
def labeling_job_output_write(*, organization_id: int, job_id: int) -> str:
    from apps.awsapi.services import labeling_job_output_write as write

    return write(job_id=job_id)


@shared_task(name="awsapi.labeling_jobs_finish")
def labeling_jobs_finish() -> int:
    """Queue the output manifest of every ended job that has none yet."""
    from apps.awsapi.services import labeling_jobs_ended_unwritten

    jobs = labeling_jobs_ended_unwritten()
    for organization_id, job_id in jobs:
        labeling_job_output_write.delay(organization_id=organization_id, job_id=job_id)
    return len(jobs)


@shared_task(name="awsapi.invocations_purge")
def invocations_purge() -> int:
    from apps.awsapi.services import invocations_purge as purge

    return purge()
