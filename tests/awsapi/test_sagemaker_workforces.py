"""Workteams and workforces through a real boto3 client."""

import pytest
from botocore.exceptions import ClientError

from apps.workforces.models import OidcConfig, Workforce, Workteam
from tests.awsapi.conftest import REGION, client
from tests.awsapi.test_a2i import code_of

OIDC = {
    "ClientId": "groundwork",
    "ClientSecret": "s3cret-value",
    "Issuer": "https://93.184.216.34/realms/acme",
    "AuthorizationEndpoint": "https://93.184.216.34/realms/acme/auth",
    "TokenEndpoint": "https://93.184.216.34/realms/acme/token",
    "UserInfoEndpoint": "https://93.184.216.34/realms/acme/userinfo",
    "LogoutEndpoint": "https://93.184.216.34/realms/acme/logout",
    "JwksUri": "https://93.184.216.34/realms/acme/certs",
    "Scope": "openid email",
}


def members(*groups):
    return [{"OidcMemberDefinition": {"Groups": list(groups)}}]


def test_workteams_are_created_described_listed_updated_and_deleted(sm, organization):
    created = sm.create_workteam(
        WorkteamName="labelers", MemberDefinitions=members("annotators"), Description="Our team"
    )
    sm.create_workteam(WorkteamName="alpha", MemberDefinitions=members("a"), Description="A")
    described = sm.describe_workteam(WorkteamName="labelers")["Workteam"]
    by_name = sm.get_paginator("list_workteams").paginate(
        SortBy="Name", PaginationConfig={"PageSize": 1}
    )
    names = [[t["WorkteamName"] for t in page["Workteams"]] for page in by_name]
    containing = sm.list_workteams(NameContains="label")["Workteams"]
    updated = sm.update_workteam(
        WorkteamName="labelers", Description="Renamed", MemberDefinitions=members("x", "y")
    )["Workteam"]
    deleted = sm.delete_workteam(WorkteamName="alpha")

    account = organization.account_id
    assert created["WorkteamArn"] == (
        f"arn:aws:sagemaker:{REGION}:{account}:workteam/private-crowd/labelers"
    )
    assert described["WorkteamName"] == "labelers"
    assert described["MemberDefinitions"] == members("annotators")
    assert described["Description"] == "Our team"
    assert described["WorkforceArn"] == f"arn:aws:sagemaker:{REGION}:{account}:workforce/default"
    assert described["SubDomain"] == "http://testserver/work/tasks/"
    assert names == [["alpha"], ["labelers"]]
    assert [t["WorkteamName"] for t in containing] == ["labelers"]
    assert (updated["Description"], updated["MemberDefinitions"]) == ("Renamed", members("x", "y"))
    assert deleted["Success"] is True
    team = Workteam.objects.get()
    assert (team.name, team.oidc_groups) == ("labelers", ["x", "y"])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {
                "MemberDefinitions": [
                    {
                        "CognitoMemberDefinition": {
                            "UserPool": "us-east-1_abc",
                            "UserGroup": "g",
                            "ClientId": "c",
                        }
                    }
                ]
            },
            "CognitoMemberDefinition is not supported",
        ),
        (
            {
                "NotificationConfiguration": {
                    "NotificationTopicArn": "arn:aws:sns:us-east-1:123456789012:t"
                }
            },
            "NotificationTopicArn is not supported",
        ),
        ({"WorkteamName": "bad_name"}, "at 'workteamName'"),
        ({"Description": "x" * 201}, "at 'description'"),
    ],
)
def test_bad_workteams_are_refused(sm, fields, message):
    params = {"WorkteamName": "team", "MemberDefinitions": members("g"), "Description": "d"}

    with pytest.raises(ClientError) as error:
        sm.create_workteam(**{**params, **fields})

    assert code_of(error) == ("ValidationException", 400)
    assert message in error.value.response["Error"]["Message"]
    assert Workteam.objects.count() == 0


def test_a_workteam_name_in_use_and_unknown_teams(sm):
    sm.create_workteam(WorkteamName="team", MemberDefinitions=members("g"), Description="d")

    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.create_workteam(WorkteamName="team", MemberDefinitions=members("g"), Description="d")
    for call in (
        lambda: sm.describe_workteam(WorkteamName="nope"),
        lambda: sm.update_workteam(WorkteamName="nope", Description="x"),
        lambda: sm.delete_workteam(WorkteamName="nope"),
    ):
        with pytest.raises(sm.exceptions.ResourceNotFound):
            call()

    assert Workteam.objects.count() == 1


def test_a_workforce_is_created_with_ip_ranges_and_oidc_then_updated_and_deleted(sm, organization):
    created = sm.create_workforce(
        WorkforceName="acme-workers",
        SourceIpConfig={"Cidrs": ["203.0.113.7/24", "2001:db8::/32"]},
        OidcConfig=OIDC,
    )
    described = sm.describe_workforce(WorkforceName="acme-workers")["Workforce"]
    listed = sm.list_workforces()["Workforces"]
    updated = sm.update_workforce(
        WorkforceName="acme-workers", SourceIpConfig={"Cidrs": ["198.51.100.0/24"]}
    )["Workforce"]
    sm.delete_workforce(WorkforceName="acme-workers")

    account = organization.account_id
    assert created["WorkforceArn"] == f"arn:aws:sagemaker:{REGION}:{account}:workforce/acme-workers"
    assert described["SourceIpConfig"] == {"Cidrs": ["203.0.113.0/24", "2001:db8::/32"]}
    assert described["OidcConfig"] == {
        "ClientId": "groundwork",
        "Issuer": "https://93.184.216.34/realms/acme",
        "Scope": "openid email",
    }
    assert described["Status"] == "Active"
    assert [w["WorkforceName"] for w in listed] == ["acme-workers"]
    assert updated["SourceIpConfig"] == {"Cidrs": ["198.51.100.0/24"]}
    assert not Workforce.objects.filter(organization=organization).exists()
    assert not OidcConfig.objects.filter(organization=organization).exists()


def test_cognito_workforces_are_not_supported(sm):
    with pytest.raises(ClientError) as error:
        sm.create_workforce(
            WorkforceName="cognito", CognitoConfig={"UserPool": "us-east-1_abc", "ClientId": "c"}
        )

    assert code_of(error) == ("ValidationException", 400)
    assert "CognitoConfig is not supported" in error.value.response["Error"]["Message"]
    assert not Workforce.objects.exists()


def test_one_private_workforce_and_none_deleted_while_teams_use_it(sm, organization):
    sm.create_workforce(WorkforceName="mine")
    sm.create_workteam(
        WorkforceName="mine", WorkteamName="t", MemberDefinitions=members("g"), Description="d"
    )

    with pytest.raises(sm.exceptions.ResourceInUse):
        sm.create_workforce(WorkforceName="second")
    with pytest.raises(sm.exceptions.ResourceInUse) as deleting:
        sm.delete_workforce(WorkforceName="mine")
    with pytest.raises(sm.exceptions.ResourceNotFound):
        sm.create_workteam(
            WorkforceName="other", WorkteamName="u", MemberDefinitions=members("g"), Description="d"
        )

    assert "Workteams use this workforce" in deleting.value.response["Error"]["Message"]
    assert list(
        Workforce.objects.filter(organization=organization).values_list("name", flat=True)
    ) == ["mine"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"SourceIpConfig": {"Cidrs": ["10.0.0.300/8"]}}, "at 'sourceIpConfig.cidrs[1]'"),
        ({"SourceIpConfig": {"Cidrs": [f"10.0.{n}.0/24" for n in range(11)]}}, "At most 10"),
        (
            {
                "WorkforceVpcConfig": {
                    "VpcId": "vpc-1",
                    "SecurityGroupIds": ["sg-1"],
                    "Subnets": ["subnet-1"],
                }
            },
            "WorkforceVpcConfig is not supported",
        ),
        ({"OidcConfig": {**OIDC, "Issuer": "http://93.184.216.34"}}, "at 'oidcConfig.issuer'"),
        ({"IpAddressType": "ipv5"}, "at 'ipAddressType'"),
    ],
)
def test_bad_workforce_settings_are_refused_and_change_nothing(sm, organization, fields, message):
    sm.create_workforce(WorkforceName="mine", SourceIpConfig={"Cidrs": ["192.0.2.0/24"]})

    with pytest.raises(ClientError) as error:
        sm.update_workforce(WorkforceName="mine", **fields)

    assert code_of(error) == ("ValidationException", 400)
    assert message in error.value.response["Error"]["Message"]
    assert Workforce.objects.get(organization=organization).source_cidrs == ["192.0.2.0/24"]


def test_another_organization_sees_no_teams_or_workforce(live_server, sm, other_keys, organization):
    sm.create_workforce(WorkforceName="mine")
    sm.create_workteam(WorkteamName="t", MemberDefinitions=members("g"), Description="d")
    other = client(live_server, "sagemaker", other_keys)

    for call in (
        lambda: other.describe_workteam(WorkteamName="t"),
        lambda: other.update_workteam(WorkteamName="t", Description="x"),
        lambda: other.delete_workteam(WorkteamName="t"),
        lambda: other.describe_workforce(WorkforceName="mine"),
        lambda: other.update_workforce(WorkforceName="mine", SourceIpConfig={"Cidrs": []}),
        lambda: other.delete_workforce(WorkforceName="mine"),
    ):
        with pytest.raises(other.exceptions.ResourceNotFound):
            call()

    assert other.list_workteams()["Workteams"] == []
    assert other.list_workforces()["Workforces"] == []
    assert Workteam.objects.get().description == "d"


def test_a_workteam_used_by_a_flow_is_in_use(sm, flow):
    with pytest.raises(sm.exceptions.ResourceInUse) as error:
        sm.delete_workteam(WorkteamName="reviewers")

    assert "still used" in error.value.response["Error"]["Message"]
    assert Workteam.objects.filter(name="reviewers").exists()


def test_old_invocation_records_are_purged(sm, organization):
    from datetime import timedelta

    from django.utils import timezone

    from apps.awsapi.jobs import invocations_purge
    from apps.awsapi.models import Invocation

    sm.create_workteam(WorkteamName="t", MemberDefinitions=members("g"), Description="d")
    sm.create_workteam(WorkteamName="u", MemberDefinitions=members("g"), Description="d")
    Invocation.objects.filter(response__WorkteamArn__endswith="/t").update(
        created_at=timezone.now() - timedelta(days=2)
    )

    purged = invocations_purge()

    assert purged == 1
    assert [i.response["WorkteamArn"].rsplit("/", 1)[-1] for i in Invocation.objects.all()] == ["u"]
