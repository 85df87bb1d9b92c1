from django import forms


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").replace(",", "\n").splitlines() if line.strip()]


class SourceCidrsForm(forms.Form):
    source_cidrs = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Allowed IP ranges",
        help_text="One CIDR per line (IPv4 or IPv6), at most 10. Empty: any address.",
    )

    def clean_source_cidrs(self) -> list[str]:
        return _lines(self.cleaned_data["source_cidrs"])


class OidcConfigForm(forms.Form):
    issuer = forms.CharField(max_length=500, help_text="https:// URL of your identity provider.")
    client_id = forms.CharField(max_length=1024)
    client_secret = forms.CharField(
        max_length=1024,
        required=False,
        widget=forms.PasswordInput,
        help_text="Leave empty to keep the stored secret.",
    )
    scope = forms.CharField(max_length=1024, initial="openid email profile")
    groups_claim = forms.CharField(max_length=100, initial="groups")
    is_enabled = forms.BooleanField(required=False, initial=True, label="Enabled")


class WorkteamForm(forms.Form):
    name = forms.CharField(max_length=63, help_text="Letters, digits and hyphens.")
    kind = forms.ChoiceField(
        choices=[
            ("private", "Private (your people)"),
            ("public", "Public crowd"),
            ("vendor", "Vendor"),
        ]
    )
    description = forms.CharField(max_length=200, required=False)
    vendor_subscription_id = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Vendor subscription"
    )
    oidc_groups = forms.CharField(
        required=False, label="IdP groups", help_text="Private teams: one group per line."
    )
    qualification_ids = forms.TypedMultipleChoiceField(
        coerce=int, required=False, label="Required qualifications"
    )
    webhook_url = forms.CharField(max_length=500, required=False, label="Webhook URL")
    webhook_secret = forms.CharField(
        max_length=200, required=False, label="Webhook signing secret", widget=forms.PasswordInput
    )

    def __init__(self, *args, subscriptions=(), qualifications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor_subscription_id"].choices = [("", "—")] + [
            (s.pk, s.vendor.name) for s in subscriptions
        ]
        self.fields["qualification_ids"].choices = [(q.pk, q.name) for q in qualifications]

    def clean_oidc_groups(self) -> list[str]:
        return _lines(self.cleaned_data["oidc_groups"])


class MemberAddForm(forms.Form):
    user_id = forms.TypedChoiceField(coerce=int, label="Worker")

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user_id"].choices = [(m.user_id, m.user.email) for m in memberships]


class QualificationForm(forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    pass_score = forms.DecimalField(
        min_value=0,
        max_value=1,
        decimal_places=3,
        required=False,
        help_text="0-1; empty: granted manually only.",
    )


class BlockForm(forms.Form):
    worker_id = forms.CharField(max_length=40, label="Worker id")
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class SubscribeForm(forms.Form):
    vendor = forms.CharField(max_length=60, label="Vendor short name")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OfferingForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    task_types = forms.CharField(required=False, help_text="Comma-separated.")
    languages = forms.CharField(required=False, help_text="Comma-separated.")
    price_terms = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_published = forms.BooleanField(required=False, label="Published")

    def clean_task_types(self) -> list[str]:
        return _lines(self.cleaned_data["task_types"])

    def clean_languages(self) -> list[str]:
        return _lines(self.cleaned_data["languages"])


class RoutesForm(forms.Form):
    team_ids = forms.TypedMultipleChoiceField(coerce=int, required=False, label="Teams")

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team_ids"].choices = [(t.pk, t.name) for t in teams]


class ProfileForm(forms.Form):
    display_name = forms.CharField(max_length=80, required=False)
    is_public_crowd = forms.BooleanField(
        required=False, label="Take public marketplace work (join the public crowd)"
    )
