from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiCredentialScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.ApiCredentialAuthentication"
    name = "apiCredential"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "<access_key_id>:<secret_access_key>",
            "description": "An organization's API credential (create one under API credentials).",
        }
