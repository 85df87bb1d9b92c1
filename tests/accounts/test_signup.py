import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "ada@example.com",
    "password1": "an-unguessable-pass",
    "password2": "an-unguessable-pass",
}


def test_signup_creates_an_unverified_account_and_emails_a_confirmation(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    user = User.objects.get(email="ada@example.com")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_login_requires_a_confirmed_email_then_works(client):
    client.post(reverse("account_signup"), SIGNUP)
    confirm_path = re.search(r"(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)

    blocked = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )
    assert blocked.status_code == 302 and blocked.url == reverse("account_email_verification_sent")

    client.post(confirm_path)
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["email"], "password": SIGNUP["password1"]}
    )

    assert response.status_code == 302 and response.url == reverse("home")
    assert EmailAddress.objects.get(email="ada@example.com").verified is True


def test_signup_with_a_taken_email_is_a_clear_400(client):
    UserFactory(email="ada@example.com")

    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "ADA@example.com"})

    assert response.status_code == 400
    assert "already registered with this email" in response.content.decode()
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert mail.outbox == []


def test_signup_with_mismatched_passwords_is_a_400(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "password2": "something-else-1"})

    assert response.status_code == 400
    assert not User.objects.exists()


def test_password_reset_sends_a_link(client):
    user = UserFactory()

    response = client.post(reverse("account_reset_password"), {"email": user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_login_with_email_and_password(client):
    user = UserFactory()

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.id
