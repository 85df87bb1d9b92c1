"""Labeling jobs over apps.projects/tasks (CreateLabelingJob = a dataset imported from the
S3 manifest and a project over it) and the vendor views of them."""

from django.db.models import Count, F, Q
from django_scopes import scope

from apps.accounts import permissions
from apps.awsapi import services as awsapi_services
from apps.awsapi.dispatch import Call, Operation
from apps.awsapi.errors import validation
from apps.awsapi.jobs import labeling_job_output_write
from apps.awsapi.models import LabelingJob
from apps.awsapi.protocol import arn, drop_none, epoch, page, parse_time
from apps.awsapi.sagemaker.common import (
    not_found,
    price_from_usd,
    resolve_name,
    sort_descending,
    unsupported,
    workteam_arn,
    workteam_named,
    workteam_referenced,
)
from apps.core.errors import NotFound
from apps.core.jobs import enqueue_on_commit
from apps.projects.models import Project, TaskType
from apps.reviews import selectors as review_selectors
from apps.tasks.models import Task
from apps.workforces.models import VendorRoute, Workteam
from apps.workforces.selectors import workteam_list

MANAGE = permissions.PROJECTS_MANAGE
VIEW = permissions.WORKFORCE_VIEW

# Built-in task types, chosen by the `PRE-<Type>` / `ACS-<Type>` Lambda names whatever their
# region and account (aws-compat spec, section 6.5).
BUILT_IN = {
    "TextMultiClass": TaskType.TEXT_CLASSIFICATION,
    "TextMultiClassMultiLabel": TaskType.TEXT_CLASSIFICATION_MULTILABEL,
    "NamedEntityRecognition": TaskType.NAMED_ENTITY_RECOGNITION,
    "ImageMultiClass": TaskType.IMAGE_CLASSIFICATION,
    "ImageMultiClassMultiLabel": TaskType.IMAGE_CLASSIFICATION_MULTILABEL,
    "BoundingBox": TaskType.BOUNDING_BOX,
    "SemanticSegmentation": TaskType.SEMANTIC_SEGMENTATION,
    "VerificationBoundingBox": TaskType.LABEL_VERIFICATION,
    "VerificationSemanticSegmentation": TaskType.LABEL_VERIFICATION,
    "VideoMultiClass": TaskType.VIDEO_CLASSIFICATION,
    "VideoClassification": TaskType.VIDEO_CLASSIFICATION,
    "VideoObjectDetection": TaskType.VIDEO_OBJECT_DETECTION,
    "VideoObjectTracking": TaskType.VIDEO_OBJECT_TRACKING,
}


def _built_in(config: dict) -> str:
    names = []
    for member, prefix in (
        ("PreHumanTaskLambdaArn", "PRE-"),
        ("AnnotationConsolidationLambdaArn", "ACS-"),
    ):
        value = config.get(member) or (config.get("AnnotationConsolidationConfig") or {}).get(
            member, ""
        )
        function = value.rsplit(":function:", 1)[-1] if ":function:" in value else ""
        if function:
            if not function.startswith(prefix) or function[len(prefix) :] not in BUILT_IN:
                raise unsupported(
                    member,
                    f"'{value}' is not a built-in task type's function; custom Lambdas cannot "
                    f"be called (built-in types: {', '.join(sorted(BUILT_IN))}).",
                )
            names.append(function[len(prefix) :])
    if not names:
        raise validation("Name the task type with PreHumanTaskLambdaArn (PRE-<Type>).")
    if len({BUILT_IN[name] for name in names}) != 1:
        raise validation("PreHumanTaskLambdaArn and AnnotationConsolidationLambdaArn disagree.")
    return BUILT_IN[names[0]]


def _storage_path(call: Call, uri: str, member: str):
    try:
        return review_selectors.storage_for_output_path(organization=call.organization, uri=uri)
    except NotFound:
        raise validation(
            f"No registered storage covers {member} '{uri}'; register the bucket (and prefix) "
            "as a storage first."
        ) from None


def labeling_job_named(call: Call, name: str) -> LabelingJob:
    job = (
        LabelingJob.objects.filter(organization=call.organization, project__name=name)
        .select_related("project__workteam__workforce", "organization")
        .first()
    )
    if job is None:
        raise not_found(f"Could not find labeling job '{name}'.")
    return job


def create_labeling_job(call: Call, params: dict) -> dict:
    source = params["InputConfig"]["DataSource"]
    if source.get("SnsDataSource") is not None or source.get("S3DataSource") is None:
        raise unsupported("SnsDataSource", "streaming jobs; give an S3DataSource manifest.")
    if params.get("LabelingJobAlgorithmsConfig") is not None:
        raise unsupported("LabelingJobAlgorithmsConfig", "automated data labeling.")
    if (params["OutputConfig"].get("SnsTopicArn") or "").strip():
        raise unsupported("OutputConfig.SnsTopicArn", "per-object output notifications.")
    config = params["HumanTaskConfig"]
    task_type = _built_in(config)
    manifest_uri = source["S3DataSource"]["ManifestS3Uri"]
    manifest = _storage_path(call, manifest_uri, "ManifestS3Uri")
    output = _storage_path(call, params["OutputConfig"]["S3OutputPath"], "S3OutputPath")
    label_uri = params.get("LabelCategoryConfigS3Uri")
    label_config = _storage_path(call, label_uri, "LabelCategoryConfigS3Uri") if label_uri else None
    ui_arn = (config.get("UiConfig") or {}).get("HumanTaskUiArn")
    template = ""
    if ui_arn:
        name = resolve_name(call, ui_arn, "human-task-ui", "Human task UI")
        try:
            ui = review_selectors.human_task_ui_get(organization=call.organization, name=name)
        except NotFound:
            raise validation(f"Human task UI '{ui_arn}' does not exist.") from None
        template = ui.content
    workteam = workteam_referenced(call, config["WorkteamArn"])
    stopping = params.get("StoppingConditions") or {}
    job = awsapi_services.labeling_job_create(
        organization=call.organization,
        actor=call.actor,
        name=params["LabelingJobName"],
        manifest=manifest,
        manifest_uri=manifest_uri,
        output=output,
        output_path=params["OutputConfig"]["S3OutputPath"],
        label_config=label_config,
        request={key: value for key, value in params.items() if key != "LabelingJobName"},
        task_type=task_type,
        label_attribute_name=params["LabelAttributeName"],
        short_instructions=config["TaskTitle"],
        full_instructions=config["TaskDescription"],
        ui_template=template,
        workteam=workteam,
        answers_per_item=config["NumberOfHumanWorkersPerDataObject"],
        task_time_limit_seconds=config["TaskTimeLimitInSeconds"],
        task_availability_lifetime_seconds=config.get("TaskAvailabilityLifetimeInSeconds", 864000),
        max_concurrent_tasks_per_worker=config.get("MaxConcurrentTaskCount", 1000),
        price_per_task=price_from_usd(config.get("PublicWorkforceTaskPrice")),
        max_human_labeled_items=stopping.get("MaxHumanLabeledObjectCount"),
        max_percentage_labeled=stopping.get("MaxPercentageOfInputDatasetLabeled"),
        tags=awsapi_services.tags_as_map(params.get("Tags") or []),
    )
    return {"LabelingJobArn": arn(call.organization, call.region, "labeling-job", job.project.name)}


def _status(job: LabelingJob) -> str:
    """AWS reports a job Completed/Stopped once its output manifest is written."""
    status = job.project.status
    written = job.output_written_at is not None
    if job.failure_reason or status == Project.Status.FAILED:
        return "Failed"
    if status in (Project.Status.DRAFT, Project.Status.STARTING):
        return "Initializing"
    if status == Project.Status.COMPLETED:
        return "Completed" if written else "InProgress"
    if status == Project.Status.STOPPED:
        return "Stopped" if written else "Stopping"
    if status == Project.Status.STOPPING:
        return "Stopping"
    return "InProgress"


_STATUS_FILTERS = {
    "Failed": Q(project__status="failed") | ~Q(failure_reason=""),
    "Initializing": Q(project__status__in=["draft", "starting"], failure_reason=""),
    "InProgress": Q(project__status="in_progress")
    | Q(project__status="completed", output_written_at__isnull=True),
    "Completed": Q(project__status="completed", output_written_at__isnull=False),
    "Stopping": Q(project__status="stopping")
    | Q(project__status="stopped", output_written_at__isnull=True),
    "Stopped": Q(project__status="stopped", output_written_at__isnull=False),
}


def _counters(project: Project) -> dict:
    counts = Task.objects.filter(
        organization_id=project.organization_id, project=project, is_gold=False
    ).aggregate(
        total=Count("id"),
        labeled=Count("id", filter=Q(consolidated_label__isnull=False)),
        failed=Count("id", filter=Q(status=Task.Status.WITHDRAWN, consolidated_label__isnull=True)),
    )
    return {
        "TotalLabeled": counts["labeled"],
        "HumanLabeled": counts["labeled"],
        "MachineLabeled": 0,
        "FailedNonRetryableError": counts["failed"],
        "Unlabeled": counts["total"] - counts["labeled"] - counts["failed"],
    }


def _output(job: LabelingJob) -> dict | None:
    if job.output_written_at is None:
        if job.project.status in awsapi_services.ENDED:  # clients poll: write it now
            enqueue_on_commit(
                labeling_job_output_write, organization_id=job.organization_id, job_id=job.pk
            )
        return None
    path = job.output_path.rstrip("/")
    return {"OutputDatasetS3Uri": f"{path}/{job.project.name}/manifests/output/output.manifest"}


def _last_modified(job: LabelingJob):
    return max(job.updated_at, job.project.updated_at)


def describe_labeling_job(call: Call, params: dict) -> dict:
    job = labeling_job_named(call, params["LabelingJobName"])
    project = job.project
    request = job.request
    config = dict(request["HumanTaskConfig"])
    config["WorkteamArn"] = workteam_arn(call, project.workteam)
    return drop_none(
        {
            "LabelingJobStatus": _status(job),
            "LabelCounters": _counters(project),
            "FailureReason": job.failure_reason or project.failure_reason or None,
            "CreationTime": epoch(job.created_at),
            "LastModifiedTime": epoch(_last_modified(job)),
            "JobReferenceCode": job.job_reference_code,
            "LabelingJobName": project.name,
            "LabelingJobArn": arn(call.organization, call.region, "labeling-job", project.name),
            "LabelAttributeName": project.label_attribute_name,
            "InputConfig": request["InputConfig"],
            "OutputConfig": request["OutputConfig"],
            "RoleArn": request["RoleArn"],
            "LabelCategoryConfigS3Uri": request.get("LabelCategoryConfigS3Uri"),
            "StoppingConditions": request.get("StoppingConditions"),
            "HumanTaskConfig": config,
            "Tags": awsapi_services.tags_as_list(project.tags) or None,  # AddTags changes them
            "LabelingJobOutput": _output(job),
        }
    )


def list_labeling_jobs(call: Call, params: dict) -> dict:
    jobs = LabelingJob.objects.filter(organization=call.organization).select_related(
        "project__workteam__workforce", "organization"
    )
    for member, lookup in (
        ("CreationTimeAfter", "created_at__gt"),
        ("CreationTimeBefore", "created_at__lt"),
        ("LastModifiedTimeAfter", "project__updated_at__gt"),
        ("LastModifiedTimeBefore", "project__updated_at__lt"),
    ):
        moment = parse_time(params.get(member), member[:1].lower() + member[1:])
        if moment is not None:
            jobs = jobs.filter(**{lookup: moment})
    if params.get("NameContains"):
        jobs = jobs.filter(project__name__icontains=params["NameContains"])
    if params.get("StatusEquals"):
        jobs = jobs.filter(_STATUS_FILTERS[params["StatusEquals"]])
    jobs = jobs.annotate(job_name=F("project__name"), job_status=F("project__status"))
    order = {"Name": ("job_name", "id"), "Status": ("job_status", "id")}.get(
        params.get("SortBy", ""), ("id",)
    )
    rows, token = page(
        jobs,
        order=order,
        descending=sort_descending(params, "Ascending"),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )
    summaries = []
    for job in rows:
        config = job.request["HumanTaskConfig"]
        summaries.append(
            drop_none(
                {
                    "LabelingJobName": job.project.name,
                    "LabelingJobArn": arn(
                        call.organization, call.region, "labeling-job", job.project.name
                    ),
                    "CreationTime": epoch(job.created_at),
                    "LastModifiedTime": epoch(_last_modified(job)),
                    "LabelingJobStatus": _status(job),
                    "LabelCounters": _counters(job.project),
                    "WorkteamArn": workteam_arn(call, job.project.workteam),
                    "PreHumanTaskLambdaArn": config.get("PreHumanTaskLambdaArn"),
                    "AnnotationConsolidationLambdaArn": (
                        config.get("AnnotationConsolidationConfig") or {}
                    ).get("AnnotationConsolidationLambdaArn"),
                    "FailureReason": job.failure_reason or None,
                    "LabelingJobOutput": _output(job),
                    "InputConfig": job.request["InputConfig"],
                }
            )
        )
    return drop_none({"LabelingJobSummaryList": summaries, "NextToken": token})


def stop_labeling_job(call: Call, params: dict) -> dict:
    awsapi_services.labeling_job_stop(
        job=labeling_job_named(call, params["LabelingJobName"]), actor=call.actor
    )
    return {}


# Vendor views


def list_labeling_jobs_for_workteam(call: Call, params: dict) -> dict:
    """The jobs one of the caller's teams works: its own organization's, and those of the
    requesters whose subscriptions the caller (a vendor) routes this team to."""
    team = workteam_named(call, params["WorkteamArn"])
    routed = VendorRoute.objects.filter(organization=call.organization, team=team).values(
        "subscription_id"
    )
    served = Workteam.global_objects.filter(subscription_id__in=routed).values("id")
    jobs = LabelingJob.global_objects.filter(
        Q(project__workteam=team) | Q(project__workteam_id__in=served)
    ).select_related("project", "organization")
    for member, lookup in (
        ("CreationTimeAfter", "created_at__gt"),
        ("CreationTimeBefore", "created_at__lt"),
    ):
        moment = parse_time(params.get(member), member[:1].lower() + member[1:])
        if moment is not None:
            jobs = jobs.filter(**{lookup: moment})
    if params.get("JobReferenceCodeContains"):
        jobs = jobs.filter(job_reference_code__icontains=params["JobReferenceCodeContains"])
    rows, token = page(
        jobs,
        order=("id",),
        descending=sort_descending(params, "Ascending"),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )
    summaries = []
    for job in rows:
        with scope(organization=job.organization_id):  # a requester's tasks, for its vendor
            counters = _counters(job.project)
        summaries.append(
            {
                "LabelingJobName": job.project.name,
                "JobReferenceCode": job.job_reference_code,
                "WorkRequesterAccountId": job.organization.account_id,
                "CreationTime": epoch(job.created_at),
                "LabelCounters": {
                    "HumanLabeled": counters["HumanLabeled"],
                    "PendingHuman": counters["Unlabeled"],
                    "Total": counters["HumanLabeled"] + counters["Unlabeled"],
                },
                "NumberOfHumanWorkersPerDataObject": job.project.answers_per_item,
            }
        )
    return drop_none({"LabelingJobSummaryList": summaries, "NextToken": token})


def _subscribed(call: Call, team: Workteam) -> dict:
    subscription = team.subscription
    offering = subscription.offering
    return drop_none(
        {
            "WorkteamArn": workteam_arn(call, team),
            "MarketplaceTitle": offering.title[:200] or None,
            "SellerName": subscription.vendor.name,
            "MarketplaceDescription": offering.description[:200] or None,
            "ListingId": f"groundwork-offering-{offering.pk}",
        }
    )


def _subscribed_teams(call: Call):
    return (
        workteam_list(organization=call.organization)
        .filter(subscription__isnull=False, subscription__status="active")
        .select_related("subscription__offering", "subscription__vendor")
    )


def list_subscribed_workteams(call: Call, params: dict) -> dict:
    teams = _subscribed_teams(call)
    if params.get("NameContains"):
        teams = teams.filter(name__icontains=params["NameContains"])
    rows, token = page(
        teams,
        order=("id",),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )
    return drop_none(
        {"SubscribedWorkteams": [_subscribed(call, team) for team in rows], "NextToken": token}
    )


def describe_subscribed_workteam(call: Call, params: dict) -> dict:
    name = resolve_name(call, params["WorkteamArn"], "workteam", "Workteam")
    team = _subscribed_teams(call).filter(name=name).first()
    if team is None:
        raise not_found(f"Subscribed workteam '{params['WorkteamArn']}' does not exist.")
    return {"SubscribedWorkteam": _subscribed(call, team)}


OPERATIONS = {
    "CreateLabelingJob": Operation(create_labeling_job, MANAGE, is_create=True),
    "DescribeLabelingJob": Operation(describe_labeling_job, MANAGE),
    "ListLabelingJobs": Operation(list_labeling_jobs, MANAGE),
    "StopLabelingJob": Operation(stop_labeling_job, MANAGE),
    "ListLabelingJobsForWorkteam": Operation(list_labeling_jobs_for_workteam, VIEW),
    "ListSubscribedWorkteams": Operation(list_subscribed_workteams, VIEW),
    "DescribeSubscribedWorkteam": Operation(describe_subscribed_workteam, VIEW),
}
