"""Labeling jobs from S3 manifests through a real boto3 client, and the vendor views."""

import json
import time

import pytest
from botocore.exceptions import ClientError

from apps.awsapi.models import LabelingJob
from apps.projects.models import Project
from apps.tasks import services as task_services
from tests.awsapi.conftest import MOTO_BUCKET, REGION, client
from tests.awsapi.test_a2i import code_of
from tests.workforces.helpers import subscribed_vendor_team, vendor_with_team

ROLE = "arn:aws:iam::123456789012:role/ground-truth"
LAMBDA = "arn:aws:lambda:us-east-1:432418664414:function:"
TEXTS = ["Great room", "Dirty bathroom", "Friendly staff"]


@pytest.fixture
def inputs(moto_server, s3_storage, s3_prefix):
    s3 = moto_server.client()
    manifest = "".join(json.dumps({"source": text, "id": n}) + "\n" for n, text in enumerate(TEXTS))
    s3.put_object(Bucket=MOTO_BUCKET, Key=f"{s3_prefix}in/input.manifest", Body=manifest.encode())
    labels = {
        "document-version": "2018-11-28",
        "labels": [{"label": "positive"}, {"label": "negative"}],
    }
    s3.put_object(Bucket=MOTO_BUCKET, Key=f"{s3_prefix}in/labels.json", Body=json.dumps(labels))
    return f"s3://{MOTO_BUCKET}/{s3_prefix}"


def account_arn(organization) -> str:
    return f"arn:aws:sagemaker:{REGION}:{organization.account_id}"


def create_job(sm, organization, root, name="sentiment-job", team="reviewers", tags=None, **config):
    return sm.create_labeling_job(
        **({"Tags": tags} if tags else {}),
        LabelingJobName=name,
        LabelAttributeName="sentiment",
        InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": f"{root}in/input.manifest"}}},
        OutputConfig={"S3OutputPath": f"{root}out/"},
        RoleArn=ROLE,
        LabelCategoryConfigS3Uri=f"{root}in/labels.json",
        HumanTaskConfig={
            "WorkteamArn": f"{account_arn(organization)}:workteam/private-crowd/{team}",
            "UiConfig": {"UiTemplateS3Uri": f"{root}in/template.liquid"},
            "PreHumanTaskLambdaArn": LAMBDA + "PRE-TextMultiClass",
            "TaskTitle": "Sentiment",
            "TaskDescription": "Is the review positive or negative?",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": LAMBDA + "ACS-TextMultiClass"
            },
            **config,
        },
    )


def wait_for(sm, name, status, attempts=50):
    for _ in range(attempts):
        described = sm.describe_labeling_job(LabelingJobName=name)
        if described["LabelingJobStatus"] == status:
            return described
        time.sleep(0.1)
    raise AssertionError(f"{name} is {described['LabelingJobStatus']}, not {status}")


def test_a_labeling_job_runs_from_an_s3_manifest_to_an_s3_output_manifest(
    sm, organization, team, workers, inputs, moto_server, s3_prefix
):
    created = create_job(sm, organization, inputs)
    running = wait_for(sm, "sentiment-job", "InProgress")
    for worker, label in zip(workers, ["positive", "negative", "positive"], strict=True):
        assignment = task_services.assignment_next(worker=worker, workteam_ids=[team.pk])
        task_services.assignment_submit(
            assignment=assignment, worker=worker, answer={"crowd-classifier": {"label": label}}
        )
    done = wait_for(sm, "sentiment-job", "Completed")
    listed = sm.list_labeling_jobs(StatusEquals="Completed")["LabelingJobSummaryList"]

    output_uri = f"{inputs}out/sentiment-job/manifests/output/output.manifest"
    body = (
        moto_server.client()
        .get_object(
            Bucket=MOTO_BUCKET, Key=f"{s3_prefix}out/sentiment-job/manifests/output/output.manifest"
        )["Body"]
        .read()
    )
    lines = [json.loads(line) for line in body.decode().splitlines()]
    assert created["LabelingJobArn"] == (
        f"arn:aws:sagemaker:{REGION}:{organization.account_id}:labeling-job/sentiment-job"
    )
    assert running["LabelCounters"] == {
        "TotalLabeled": 0,
        "HumanLabeled": 0,
        "MachineLabeled": 0,
        "FailedNonRetryableError": 0,
        "Unlabeled": 3,
    }
    assert done["LabelCounters"]["HumanLabeled"] == 3
    assert done["LabelCounters"]["Unlabeled"] == 0
    assert done["LabelingJobOutput"] == {"OutputDatasetS3Uri": output_uri}
    assert done["HumanTaskConfig"]["PreHumanTaskLambdaArn"] == LAMBDA + "PRE-TextMultiClass"
    assert done["LabelAttributeName"] == "sentiment"
    assert len(done["JobReferenceCode"]) == 32
    assert [job["LabelingJobName"] for job in listed] == ["sentiment-job"]
    assert [(line["source"], line["id"]) for line in lines] == [(t, n) for n, t in enumerate(TEXTS)]
    assert [line["sentiment-metadata"]["class-name"] for line in lines] == [
        "positive",
        "negative",
        "positive",
    ]
    assert {line["sentiment-metadata"]["type"] for line in lines} == {
        "groundtruth/text-classification"
    }


def test_a_stopped_job_writes_what_it_has(sm, organization, team, workers, inputs):
    create_job(sm, organization, inputs)
    wait_for(sm, "sentiment-job", "InProgress")
    assignment = task_services.assignment_next(worker=workers[0], workteam_ids=[team.pk])
    task_services.assignment_submit(
        assignment=assignment, worker=workers[0], answer={"crowd-classifier": {"label": "positive"}}
    )

    sm.stop_labeling_job(LabelingJobName="sentiment-job")
    stopped = wait_for(sm, "sentiment-job", "Stopped")

    assert stopped["LabelCounters"]["HumanLabeled"] == 1
    assert stopped["LabelCounters"]["FailedNonRetryableError"] == 2
    assert stopped["LabelingJobOutput"]["OutputDatasetS3Uri"].endswith("output.manifest")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:my-pre"},
            "custom Lambdas cannot be called",
        ),
        (
            {"PreHumanTaskLambdaArn": LAMBDA + "PRE-3DPointCloudObjectDetection"},
            "is not a built-in task type's function",
        ),
        ({"NumberOfHumanWorkersPerDataObject": 10}, "numberOfHumanWorkersPerDataObject"),
        (
            {"WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/x"},
            "Workteam",
        ),
    ],
)
def test_bad_labeling_jobs_are_refused_and_nothing_is_created(
    sm, organization, team, inputs, change, message
):
    with pytest.raises(ClientError) as error:
        create_job(sm, organization, inputs, **change)

    assert code_of(error) == ("ValidationException", 400)
    assert message in error.value.response["Error"]["Message"]
    assert not Project.objects.exists()
    assert not LabelingJob.objects.exists()


def test_a_manifest_outside_every_storage_is_refused(sm, organization, team, inputs):
    with pytest.raises(ClientError) as error:
        create_job(sm, organization, "s3://another-bucket/")

    assert code_of(error) == ("ValidationException", 400)
    assert "No registered storage covers ManifestS3Uri" in error.value.response["Error"]["Message"]


def test_job_names_in_use_unknown_jobs_and_other_organizations(
    live_server, sm, other_keys, organization, team, inputs
):
    create_job(sm, organization, inputs)
    other = client(live_server, "sagemaker", other_keys)

    with pytest.raises(sm.exceptions.ResourceInUse):
        create_job(sm, organization, inputs)
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.describe_labeling_job(LabelingJobName="nope")
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.stop_labeling_job(LabelingJobName="nope")
    for call in (
        lambda: other.describe_labeling_job(LabelingJobName="sentiment-job"),
        lambda: other.stop_labeling_job(LabelingJobName="sentiment-job"),
    ):
        with pytest.raises(other.exceptions.ResourceNotFound):
            call()

    assert other.list_labeling_jobs()["LabelingJobSummaryList"] == []
    assert Project.objects.get().status == "in_progress"


def test_the_labeling_job_paginator_sorts_by_name(sm, organization, team, inputs):
    for name in ("job-c", "job-a", "job-b"):
        create_job(sm, organization, inputs, name=name)

    pages = sm.get_paginator("list_labeling_jobs").paginate(
        SortBy="Name", SortOrder="Descending", PaginationConfig={"PageSize": 2}
    )

    assert [[j["LabelingJobName"] for j in page["LabelingJobSummaryList"]] for page in pages] == [
        ["job-c", "job-b"],
        ["job-a"],
    ]


def test_a_vendor_sees_the_jobs_its_team_works_and_requesters_see_subscriptions(
    live_server, sm, owner, organization, inputs
):
    vendor_owner, vendor_team, _ = vendor_with_team("Acme Labeling")
    requester_team, _ = subscribed_vendor_team(owner, vendor_owner, vendor_team, name="acme")
    create_job(
        sm,
        organization,
        inputs,
        team="acme",
        PublicWorkforceTaskPrice={
            "AmountInUsd": {"Dollars": 0, "Cents": 3, "TenthFractionsOfACent": 6}
        },
    )
    from tests.awsapi.conftest import keys_of

    vendor = client(live_server, "sagemaker", keys_of(vendor_owner))
    vendor_arn = (
        f"arn:aws:sagemaker:{REGION}:{vendor_owner.organization.account_id}"
        ":workteam/vendor-crowd/vendor-team"
    )

    jobs = vendor.list_labeling_jobs_for_workteam(WorkteamArn=vendor_arn)["LabelingJobSummaryList"]
    subscribed = sm.list_subscribed_workteams()["SubscribedWorkteams"]
    described = sm.describe_subscribed_workteam(WorkteamArn=subscribed[0]["WorkteamArn"])

    job = LabelingJob.objects.get()
    assert [(j["JobReferenceCode"], j["WorkRequesterAccountId"]) for j in jobs] == [
        (job.job_reference_code, organization.account_id)
    ]
    assert subscribed == [
        {
            "WorkteamArn": f"{account_arn(organization)}:workteam/vendor-crowd/acme",
            "MarketplaceTitle": "Acme Labeling labeling",
            "SellerName": "Acme Labeling",
            "MarketplaceDescription": "Trained annotators.",
            "ListingId": subscribed[0]["ListingId"],
        }
    ]
    assert described["SubscribedWorkteam"] == subscribed[0]
    assert requester_team.subscription_id is not None


def test_a_manifest_that_cannot_be_imported_fails_the_job_with_the_reason(
    sm, organization, team, inputs, moto_server, s3_prefix
):
    moto_server.client().delete_object(Bucket=MOTO_BUCKET, Key=f"{s3_prefix}in/input.manifest")

    create_job(sm, organization, inputs)
    failed = wait_for(sm, "sentiment-job", "Failed")

    assert failed["FailureReason"].startswith("The input manifest could not be imported: ")
    assert Project.objects.get().status == "draft"


def test_the_periodic_finisher_writes_the_output_of_ended_jobs(
    sm, organization, team, workers, inputs
):
    from apps.awsapi.jobs import labeling_jobs_finish

    create_job(sm, organization, inputs)
    wait_for(sm, "sentiment-job", "InProgress")
    sm.stop_labeling_job(LabelingJobName="sentiment-job")

    queued = labeling_jobs_finish()

    job = LabelingJob.objects.get()
    assert queued == 1
    assert job.output_key.endswith("out/sentiment-job/manifests/output/output.manifest")
    assert job.output_written_at is not None
    assert labeling_jobs_finish() == 0


def test_vendor_views_of_another_organization_are_not_found(
    live_server, sm, other_keys, owner, organization, inputs
):
    vendor_owner, vendor_team, _ = vendor_with_team("Acme Labeling")
    subscribed_vendor_team(owner, vendor_owner, vendor_team, name="acme")
    other = client(live_server, "sagemaker", other_keys)
    vendor_arn = (
        f"arn:aws:sagemaker:{REGION}:{vendor_owner.organization.account_id}"
        ":workteam/vendor-crowd/vendor-team"
    )
    requester_arn = f"{account_arn(organization)}:workteam/vendor-crowd/acme"

    with pytest.raises(other.exceptions.ResourceNotFound):
        other.list_labeling_jobs_for_workteam(WorkteamArn=vendor_arn)
    with pytest.raises(other.exceptions.ResourceNotFound):
        other.describe_subscribed_workteam(WorkteamArn=requester_arn)

    assert other.list_subscribed_workteams()["SubscribedWorkteams"] == []
