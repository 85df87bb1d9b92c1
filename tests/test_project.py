"""Project-level guarantees: the OpenAPI schema, production settings, the demo seed."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.accounts.models import Membership, Organization, User

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "ENV_FILE": "/dev/null",
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_SECRET_KEY": "k" * 20 + "production-secret-with-enough-variety-0123456789",
    "DJANGO_ALLOWED_HOSTS": "groundwork.example.com",
    "SECURE_HSTS_PRELOAD": "1",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_openapi_schema_validates(tmp_path):
    path = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    assert "/api/v1/orgs/{org_slug}/members/" in path.read_text()


def test_check_deploy_passes_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr + result.stdout


def test_settings_refuse_to_start_without_a_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "DJANGO_SECRET_KEY"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_its_credential_works(capsys):
    call_command("seed_demo")
    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    capsys.readouterr()

    call_command("seed_demo", "--json")
    seeded = json.loads(capsys.readouterr().out)

    assert (
        User.objects.count(),
        Organization.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert counts == (10, 2, 10)
    roles = {(user["email"], user["role"], user["organization"]) for user in seeded["users"]}
    assert ("manager@vendor.test", "vendor_manager", "demo-vendor") in roles
    assert sum(1 for _, role, org in roles if role == "worker" and org == "demo") == 3
    assert Organization.objects.get(slug="demo-vendor").is_vendor is True

    client = APIClient(
        HTTP_AUTHORIZATION=f"Bearer {seeded['access_key_id']}:{seeded['secret_access_key']}"
    )
    response = client.get("/api/v1/orgs/demo/members/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 6


@pytest.mark.django_db
def test_demo_users_can_sign_in_with_the_printed_password(client):
    call_command("seed_demo", stdout=io.StringIO())

    response = client.post(
        "/accounts/login/", {"login": "worker1@demo.test", "password": "groundwork-demo"}
    )

    assert response.status_code == 302 and response.url == "/"
