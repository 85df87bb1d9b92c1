"""AddTags, ListTags and DeleteTags on labeling jobs and flow definitions through a real
boto3 client."""

import pytest
from botocore.exceptions import ClientError

from apps.projects.models import Project
from apps.reviews.models import FlowDefinition
from tests.awsapi.conftest import client
from tests.awsapi.test_a2i import code_of
from tests.awsapi.test_labeling_jobs import (  # noqa: F401  (the inputs fixture)
    account_arn,
    create_job,
    inputs,
)
from tests.awsapi.test_sagemaker_reviews import arn_of
from tests.reviews.conftest import make_flow


@pytest.fixture
def job_arn(sm, organization, team, inputs):  # noqa: F811
    create_job(sm, organization, inputs, tags=[{"Key": "team", "Value": "nlp"}])
    return f"{account_arn(organization)}:labeling-job/sentiment-job"


@pytest.fixture
def flow_arn(owner, organization, ui, team, local_storage, django_capture_on_commit_callbacks):
    make_flow(
        owner,
        ui,
        team,
        local_storage,
        django_capture_on_commit_callbacks,
        tags=[{"Key": "stage", "Value": "beta"}],
    )
    return arn_of(organization, "flow-definition", "fd-sentiment")


def test_labeling_job_tags_are_added_listed_and_deleted(sm, job_arn):
    assert sm.list_tags(ResourceArn=job_arn)["Tags"] == [{"Key": "team", "Value": "nlp"}]

    added = sm.add_tags(
        ResourceArn=job_arn,
        Tags=[{"Key": "team", "Value": "vision"}, {"Key": "cost center", "Value": "ü-42:+=@/"}],
    )
    listed = sm.list_tags(ResourceArn=job_arn, MaxResults=50)["Tags"]
    sm.delete_tags(ResourceArn=job_arn, TagKeys=["team", "never-there"])

    assert added["Tags"] == [
        {"Key": "team", "Value": "vision"},
        {"Key": "cost center", "Value": "ü-42:+=@/"},
    ]
    assert listed == added["Tags"]
    assert Project.objects.get(name="sentiment-job").tags == {"cost center": "ü-42:+=@/"}
    described = sm.describe_labeling_job(LabelingJobName="sentiment-job")
    assert described["Tags"] == [{"Key": "cost center", "Value": "ü-42:+=@/"}]


def test_flow_definition_tags_keep_their_list_form(sm, flow_arn):
    sm.add_tags(ResourceArn=flow_arn, Tags=[{"Key": "owner", "Value": "ml team"}])
    listed = sm.list_tags(ResourceArn=flow_arn)["Tags"]
    sm.delete_tags(ResourceArn=flow_arn, TagKeys=["stage"])

    assert listed == [{"Key": "stage", "Value": "beta"}, {"Key": "owner", "Value": "ml team"}]
    assert FlowDefinition.objects.get().tags == [{"Key": "owner", "Value": "ml team"}]


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        ([{"Key": "bad<key>", "Value": "x"}], "at 'tags[1].key' failed to satisfy constraint"),
        ([{"Key": "k", "Value": "v" * 257}], "at 'tags[1].value' failed to satisfy constraint"),
        ([{"Key": "k" * 129, "Value": "x"}], "at 'tags[1].key' failed to satisfy constraint"),
        ([{"Key": f"k{n}", "Value": ""} for n in range(50)], "at most 50 tags"),
    ],
)
def test_bad_tags_are_refused_and_nothing_changes(sm, job_arn, tags, message):
    with pytest.raises(ClientError) as refused:
        sm.add_tags(ResourceArn=job_arn, Tags=tags)

    assert code_of(refused) == ("ValidationException", 400)
    assert message in refused.value.response["Error"]["Message"]
    assert Project.objects.get(name="sentiment-job").tags == {"team": "nlp"}


def test_resources_without_tags_here_are_refused_by_kind(sm, organization, team):
    team_arn = arn_of(organization, "workteam", "private-crowd/reviewers")

    with pytest.raises(ClientError) as refused:
        sm.add_tags(ResourceArn=team_arn, Tags=[{"Key": "a", "Value": "b"}])

    assert code_of(refused) == ("ValidationException", 400)
    assert "tags on workteam resources" in refused.value.response["Error"]["Message"]


def test_another_organization_cannot_see_or_change_the_tags(
    live_server, sm, other_keys, job_arn, flow_arn
):
    other = client(live_server, "sagemaker", other_keys)
    # the same names in the other account, and our ARNs as they are
    own_names = [
        arn.replace(arn.split(":")[4], other_keys["credential"].organization.account_id)
        for arn in (job_arn, flow_arn)
    ]

    for resource_arn in [job_arn, flow_arn, *own_names]:
        for call in (
            lambda arn=resource_arn: other.list_tags(ResourceArn=arn),
            lambda arn=resource_arn: other.add_tags(
                ResourceArn=arn, Tags=[{"Key": "x", "Value": "y"}]
            ),
            lambda arn=resource_arn: other.delete_tags(ResourceArn=arn, TagKeys=["team"]),
        ):
            with pytest.raises(other.exceptions.ResourceNotFound):
                call()

    assert Project.objects.get(name="sentiment-job").tags == {"team": "nlp"}
    assert FlowDefinition.objects.get().tags == [{"Key": "stage", "Value": "beta"}]
