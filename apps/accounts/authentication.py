"""API credentials as bearer tokens: `Authorization: Bearer <access_key_id>:<secret_access_key>`."""

import hmac

from rest_framework import authentication, exceptions

from apps.accounts.selectors import api_credential_find_active
from apps.accounts.services import api_credential_mark_used
from apps.core.crypto import InvalidToken, decrypt

INVALID = "Invalid API credential: unknown or revoked access key id, or wrong secret."


class ApiCredentialAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.keyword.lower():
            return None  # not ours: let session authentication try
        access_key_id, separator, secret = token.strip().partition(":")
        if not separator or not access_key_id or not secret:
            raise exceptions.AuthenticationFailed(
                "Malformed bearer token; expected <access_key_id>:<secret_access_key>."
            )
        credential = api_credential_find_active(access_key_id=access_key_id)
        if credential is None or not _secret_matches(credential.secret_encrypted, secret):
            raise exceptions.AuthenticationFailed(INVALID)
        api_credential_mark_used(credential=credential)
        # The creator is the acting user for audit; the credential's role governs access.
        return credential.created_by, credential

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


def _secret_matches(secret_encrypted: str, secret: str) -> bool:
    try:
        expected = decrypt(secret_encrypted)
    except InvalidToken:  # encryption key changed: the credential can no longer be verified
        return False
    return hmac.compare_digest(expected.encode(), secret.encode())
