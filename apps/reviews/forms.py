"""Page forms for creating task UIs and flow definitions; the services do the checking."""

from django import forms

from apps.reviews.services.flows import REQUEST_SOURCES
from apps.taskui.templating import TEMPLATE_MAX_CHARS


class HumanTaskUiForm(forms.Form):
    name = forms.CharField(max_length=63, help_text="Lower-case letters, digits and hyphens.")
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        max_length=TEMPLATE_MAX_CHARS,
        strip=False,
        label="Template",
        help_text="HTML + Liquid with crowd elements inside <crowd-form>; the input is task.input.",
    )


class FlowDefinitionForm(forms.Form):
    name = forms.CharField(max_length=63, help_text="Lower-case letters, digits and hyphens.")
    human_task_ui = forms.ChoiceField(label="Task UI")
    workteam = forms.TypedChoiceField(coerce=int, label="Team")
    output_storage = forms.TypedChoiceField(coerce=int, label="Output storage")
    output_prefix = forms.CharField(required=False, max_length=900)
    task_title = forms.CharField(max_length=128)
    task_description = forms.CharField(max_length=255)
    task_count = forms.IntegerField(initial=1, min_value=1, max_value=3, label="Answers per loop")
    task_time_limit_seconds = forms.IntegerField(initial=3600, label="Time per task (s)")
    task_availability_lifetime_seconds = forms.IntegerField(
        initial=10 * 24 * 3600, label="Loop lifetime (s)"
    )
    price_per_task = forms.DecimalField(
        required=False, min_value=0, max_digits=10, decimal_places=4, help_text="Public/vendor."
    )
    activation_conditions = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text='A2I\'s conditions, e.g. {"Conditions": [...]}; empty: the client decides.',
    )
    request_source = forms.ChoiceField(
        required=False, choices=[("", "Custom (our API)")] + [(s, s) for s in REQUEST_SOURCES]
    )
    webhook_url = forms.CharField(required=False, max_length=500)
    webhook_secret = forms.CharField(required=False, max_length=200, widget=forms.PasswordInput)

    def __init__(self, *args, task_uis, workteams, storages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["human_task_ui"].choices = [(ui.name, ui.name) for ui in task_uis]
        self.fields["workteam"].choices = [(team.id, team.name) for team in workteams]
        self.fields["output_storage"].choices = [(store.id, store.name) for store in storages]
