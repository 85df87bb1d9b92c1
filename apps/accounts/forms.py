from django import forms

from apps.accounts.models import Role


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=60,
        required=False,
        label="Short name",
        help_text="Used in URLs; leave empty to derive it from the name.",
    )


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.WORKER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ApiCredentialForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'training pipeline'.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ADMIN)


class InvitationSignupForm(forms.Form):
    name = forms.CharField(max_length=150, required=False, label="Your name")
    password1 = forms.CharField(widget=forms.PasswordInput, label="Password")
    password2 = forms.CharField(widget=forms.PasswordInput, label="Password (again)")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return cleaned
