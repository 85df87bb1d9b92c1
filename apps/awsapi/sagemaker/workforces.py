"""Workteams and workforces over apps.workforces (SourceIpConfig -> the workforce's IP
ranges, OidcConfig -> the organization's OIDC settings, OIDC groups -> team members)."""

from django.conf import settings

from apps.accounts import permissions
from apps.awsapi import selectors as awsapi_selectors
from apps.awsapi import services as awsapi_services
from apps.awsapi.dispatch import Call, Operation
from apps.awsapi.errors import validation
from apps.awsapi.protocol import drop_none, epoch, page
from apps.awsapi.sagemaker.common import (
    not_found,
    sort_descending,
    unsupported,
    workforce_arn,
    workteam_arn,
    workteam_named,
)
from apps.workforces import services
from apps.workforces.models import Workforce, Workteam
from apps.workforces.selectors import oidc_config_find, workteam_list

VIEW = permissions.WORKFORCE_VIEW
TEAMS = permissions.WORKTEAMS_MANAGE
WORKFORCE = permissions.WORKFORCE_MANAGE


def _portal() -> str:
    return settings.BASE_URL + "/work/tasks/"


# Workteams


def _groups(definitions: list[dict] | None) -> list[str] | None:
    """MemberDefinitions -> the IdP groups whose people are the team (OIDC only)."""
    if definitions is None:
        return None
    if any("CognitoMemberDefinition" in definition for definition in definitions):
        raise unsupported(
            "CognitoMemberDefinition",
            "workers sign in with the organization's OIDC provider; use OidcMemberDefinition.",
        )
    groups: list[str] = []
    for definition in definitions:
        oidc = definition.get("OidcMemberDefinition")
        if oidc is None:
            raise validation("Each MemberDefinition needs an OidcMemberDefinition.")
        groups += [group for group in oidc.get("Groups", []) if group not in groups]
    return groups


def _check_notifications(params: dict) -> None:
    topic = (params.get("NotificationConfiguration") or {}).get("NotificationTopicArn")
    if topic:
        raise unsupported(
            "NotificationConfiguration.NotificationTopicArn",
            "new-work notices go to the team's webhook, set in Groundwork.",
        )


def _workteam_shape(call: Call, workteam: Workteam) -> dict:
    groups = workteam.oidc_groups
    return drop_none(
        {
            "WorkteamName": workteam.name,
            "MemberDefinitions": [{"OidcMemberDefinition": {"Groups": groups}}] if groups else [],
            "WorkteamArn": workteam_arn(call, workteam),
            "WorkforceArn": workforce_arn(call, workteam.workforce),
            "Description": workteam.description or workteam.name,
            "SubDomain": _portal(),
            "CreateDate": epoch(workteam.created_at),
            "LastUpdatedDate": epoch(workteam.updated_at),
            "NotificationConfiguration": {},
        }
    )


def create_workteam(call: Call, params: dict) -> dict:
    _check_notifications(params)
    workforce_name = params.get("WorkforceName")
    if workforce_name is not None:
        private = awsapi_selectors.workforce_list(organization=call.organization).filter(
            kind=Workforce.Kind.PRIVATE, name=workforce_name
        )
        if not private.exists():
            raise not_found(f"Workforce '{workforce_name}' does not exist.")
    workteam = services.workteam_create(
        organization=call.organization,
        name=params["WorkteamName"],
        kind="private",
        actor=call.actor,
        description=params["Description"],
        oidc_groups=_groups(params["MemberDefinitions"]),
    )
    return {"WorkteamArn": workteam_arn(call, workteam)}


def describe_workteam(call: Call, params: dict) -> dict:
    return {"Workteam": _workteam_shape(call, workteam_named(call, params["WorkteamName"]))}


def _named_page(queryset, params: dict):
    """ListWorkteams / ListWorkforces: NameContains, SortBy Name|CreateDate, ascending."""
    if params.get("NameContains"):
        queryset = queryset.filter(name__icontains=params["NameContains"])
    return page(
        queryset,
        order=("name", "id") if params.get("SortBy") == "Name" else ("id",),
        descending=sort_descending(params, "Ascending"),
        max_results=params.get("MaxResults"),
        next_token=params.get("NextToken"),
    )


def list_workteams(call: Call, params: dict) -> dict:
    rows, token = _named_page(workteam_list(organization=call.organization), params)
    return drop_none(
        {"Workteams": [_workteam_shape(call, team) for team in rows], "NextToken": token}
    )


def update_workteam(call: Call, params: dict) -> dict:
    _check_notifications(params)
    workteam = workteam_named(call, params["WorkteamName"])
    changes = {}
    if "Description" in params:
        changes["description"] = params["Description"]
    groups = _groups(params.get("MemberDefinitions"))
    if groups is not None:
        changes["oidc_groups"] = groups
    workteam = services.workteam_update(workteam=workteam, actor=call.actor, **changes)
    return {"Workteam": _workteam_shape(call, workteam)}


def delete_workteam(call: Call, params: dict) -> dict:
    services.workteam_delete(
        workteam=workteam_named(call, params["WorkteamName"]), actor=call.actor
    )
    return {"Success": True}


# Workforces


def _workforce(call: Call, name: str) -> Workforce:
    workforce = (
        awsapi_selectors.workforce_list(organization=call.organization).filter(name=name).first()
    )
    if workforce is None:
        raise not_found(f"Workforce '{name}' does not exist.")
    return workforce


def _check_unsupported(params: dict) -> None:
    if params.get("CognitoConfig") is not None:
        raise unsupported("CognitoConfig", "use OidcConfig with any OpenID Connect provider.")
    if params.get("WorkforceVpcConfig") is not None:
        raise unsupported("WorkforceVpcConfig", "limit access by SourceIpConfig instead.")


def _apply(call: Call, workforce: Workforce, params: dict) -> None:
    if params.get("SourceIpConfig") is not None:
        services.workforce_update_source_cidrs(
            workforce=workforce, cidrs=params["SourceIpConfig"]["Cidrs"], actor=call.actor
        )
    oidc = params.get("OidcConfig")
    if oidc is not None:
        # The endpoints come from the issuer's discovery document; only these are kept.
        services.oidc_config_set(
            organization=call.organization,
            actor=call.actor,
            issuer=oidc["Issuer"],
            client_id=oidc["ClientId"],
            client_secret=oidc["ClientSecret"],
            scope=oidc.get("Scope") or "openid email profile",
            extra_params=oidc.get("AuthenticationRequestExtraParams") or {},
        )


def _workforce_shape(call: Call, workforce: Workforce) -> dict:
    workforce.refresh_from_db()
    config = oidc_config_find(organization=call.organization)
    oidc = None
    if config is not None and workforce.kind == Workforce.Kind.PRIVATE:
        oidc = drop_none(
            {
                "ClientId": config.client_id,
                "Issuer": config.issuer,
                "Scope": config.scope,
                "AuthenticationRequestExtraParams": config.extra_params or None,
            }
        )
    return drop_none(
        {
            "WorkforceName": workforce.name,
            "WorkforceArn": workforce_arn(call, workforce),
            "LastUpdatedDate": epoch(workforce.updated_at),
            "SourceIpConfig": {"Cidrs": workforce.source_cidrs},
            "SubDomain": _portal(),
            "OidcConfig": oidc,
            "CreateDate": epoch(workforce.created_at),
            "Status": "Active",
        }
    )


def create_workforce(call: Call, params: dict) -> dict:
    _check_unsupported(params)
    workforce = awsapi_services.workforce_private_create(
        organization=call.organization, name=params["WorkforceName"], actor=call.actor
    )
    _apply(call, workforce, params)
    return {"WorkforceArn": workforce_arn(call, workforce)}


def describe_workforce(call: Call, params: dict) -> dict:
    return {"Workforce": _workforce_shape(call, _workforce(call, params["WorkforceName"]))}


def list_workforces(call: Call, params: dict) -> dict:
    workforces = awsapi_selectors.workforce_list(organization=call.organization)
    rows, token = _named_page(workforces, params)
    return drop_none(
        {"Workforces": [_workforce_shape(call, item) for item in rows], "NextToken": token}
    )


def update_workforce(call: Call, params: dict) -> dict:
    _check_unsupported(params)
    workforce = _workforce(call, params["WorkforceName"])
    _apply(call, workforce, params)
    return {"Workforce": _workforce_shape(call, workforce)}


def delete_workforce(call: Call, params: dict) -> dict:
    workforce = _workforce(call, params["WorkforceName"])
    awsapi_services.workforce_private_delete(workforce=workforce, actor=call.actor)
    return {}


OPERATIONS = {
    "CreateWorkteam": Operation(create_workteam, TEAMS, is_create=True),
    "DescribeWorkteam": Operation(describe_workteam, VIEW),
    "ListWorkteams": Operation(list_workteams, VIEW),
    "UpdateWorkteam": Operation(update_workteam, TEAMS),
    "DeleteWorkteam": Operation(delete_workteam, TEAMS),
    "CreateWorkforce": Operation(create_workforce, WORKFORCE, is_create=True),
    "DescribeWorkforce": Operation(describe_workforce, VIEW),
    "ListWorkforces": Operation(list_workforces, VIEW),
    "UpdateWorkforce": Operation(update_workforce, WORKFORCE),
    "DeleteWorkforce": Operation(delete_workforce, WORKFORCE),
}
