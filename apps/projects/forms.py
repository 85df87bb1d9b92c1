from django import forms

from apps.projects.models import TaskType

LABELS_HELP = "One per line: the label, optionally followed by ':' and a description."


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=63, help_text="Letters, digits and hyphens.")
    dataset = forms.TypedChoiceField(coerce=int)
    task_type = forms.ChoiceField(choices=TaskType.choices, initial=TaskType.TEXT_CLASSIFICATION)
    label_attribute_name = forms.CharField(
        max_length=127, help_text="The key the labels get in the output manifest."
    )
    labels = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text=LABELS_HELP
    )
    short_instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    full_instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="Shown a click away: good and bad examples; HTML and images allowed.",
    )
    ui_template = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        required=False,
        label="Custom task UI",
        help_text="Liquid + HTML with crowd elements; empty: the built-in UI.",
    )
    workteam = forms.TypedChoiceField(coerce=int)
    answers_per_item = forms.IntegerField(min_value=1, max_value=9, initial=3)
    task_time_limit_seconds = forms.IntegerField(
        min_value=30, max_value=28800, initial=300, label="Time limit per task (s)"
    )
    task_availability_lifetime_seconds = forms.IntegerField(
        min_value=60, initial=864000, label="Available for (s)"
    )
    max_concurrent_tasks_per_worker = forms.IntegerField(min_value=1, max_value=5000, initial=1)
    price_per_task = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=4,
        help_text="Public and vendor work only.",
    )
    max_human_labeled_items = forms.IntegerField(
        required=False, min_value=1, label="Stop after N items"
    )
    max_percentage_labeled = forms.IntegerField(
        required=False, min_value=1, max_value=100, label="Stop at % labeled"
    )
    priority = forms.IntegerField(initial=0, min_value=-100, max_value=100)
    auto_approval_delay_seconds = forms.IntegerField(
        required=False,
        initial=3 * 24 * 3600,
        min_value=0,
        max_value=30 * 24 * 3600,
        label="Auto-approve after (seconds)",
        help_text="Answers not reviewed by then are approved (and paid).",
    )

    def __init__(self, *args, datasets, workteams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].choices = [
            (d.id, f"{d.name} ({d.item_count} items)") for d in datasets
        ]
        self.fields["workteam"].choices = [(t.id, t.name) for t in workteams]

    def clean_auto_approval_delay_seconds(self) -> int:
        value = self.cleaned_data["auto_approval_delay_seconds"]
        return self.fields["auto_approval_delay_seconds"].initial if value is None else value

    def clean_labels(self) -> list[dict]:
        labels = []
        for line in self.cleaned_data["labels"].splitlines():
            if line.strip():
                label, _, description = line.partition(":")
                labels.append({"label": label.strip(), "description": description.strip()})
        return labels

    @staticmethod
    def initial_from(project) -> dict:
        initial = {
            field: getattr(project, field)
            for field in ProjectForm.base_fields
            if hasattr(project, field)
        }
        initial["dataset"], initial["workteam"] = project.dataset_id, project.workteam_id
        initial["labels"] = "\n".join(
            f"{label['label']}: {label['description']}"
            if label.get("description")
            else label["label"]
            for label in project.labels
        )
        return initial
