from django import forms

from apps.datasets.models import Storage


class DatasetForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    storage = forms.ModelChoiceField(
        queryset=Storage.objects.none(),
        required=False,
        help_text="Where relative source-refs of this dataset point.",
    )

    def __init__(self, *args, organization=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["storage"].queryset = Storage.objects.filter(organization=organization)


class UploadForm(forms.Form):
    file = forms.FileField(label="Manifest (JSON Lines)")
    skip_invalid = forms.BooleanField(
        required=False, help_text="Import the valid lines and report the others."
    )


class StorageForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=Storage.Kind.choices)
    path = forms.CharField(
        max_length=500, required=False, help_text="Local: a folder under this organization's root."
    )
    bucket = forms.CharField(max_length=63, required=False)
    prefix = forms.CharField(max_length=900, required=False)
    region = forms.CharField(max_length=32, required=False)
    endpoint_url = forms.CharField(
        label="Endpoint URL",
        max_length=500,
        required=False,
        help_text="S3-compatible services only (e.g. MinIO).",
    )
    access_key_id = forms.CharField(max_length=128, required=False)
    secret_access_key = forms.CharField(
        max_length=256,
        required=False,
        widget=forms.PasswordInput,
        help_text="Leave both keys empty to use the server's own AWS credentials.",
    )


class AutoSetupForm(forms.Form):
    """Automatic data setup: one Item per object under a prefix with chosen extensions."""

    storage = forms.ModelChoiceField(queryset=Storage.objects.none())
    prefix = forms.CharField(max_length=900, required=False)
    extensions = forms.CharField(
        max_length=200, initial="jpg, jpeg, png", help_text="Comma-separated; empty: every object."
    )

    def __init__(self, *args, organization=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["storage"].queryset = Storage.objects.filter(organization=organization)

    def clean_extensions(self) -> list[str]:
        return [part.strip() for part in self.cleaned_data["extensions"].split(",") if part.strip()]
