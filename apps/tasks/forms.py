from django import forms

from apps.projects.models import Project, TaskType
from apps.tasks.quality import SETTING_LIMITS
from apps.tasks.quality.consolidate import SINGLE_LABEL


class MarketplaceFilterForm(forms.Form):
    SORTS = [("newest", "Newest"), ("best_paid", "Best paid")]
    q = forms.CharField(required=False, label="Search")
    task_type = forms.ChoiceField(
        required=False, label="Task type", choices=[("", "Any"), *TaskType.choices]
    )
    min_price = forms.DecimalField(required=False, min_value=0, label="Minimum price per task")
    qualified_only = forms.BooleanField(required=False, label="Only work I qualify for")
    sort = forms.ChoiceField(choices=SORTS, required=False, initial="newest")


def _limited(field: type[forms.Field], name: str, label: str, help_text: str, **options):
    lowest, highest = SETTING_LIMITS[name]
    return field(min_value=lowest, max_value=highest, label=label, help_text=help_text, **options)


class QualitySettingsForm(forms.Form):
    """The project's quality-control settings; empty optional fields switch a rule off."""

    gold_rate = _limited(
        forms.FloatField, "gold_rate", "Gold rate", "Share of claims served a gold item (0-0.5)."
    )
    gold_min_answers = _limited(
        forms.IntegerField,
        "gold_min_answers",
        "Minimum gold answers",
        "Gold answers a worker gives before the pause rule applies.",
    )
    gold_pause_below = _limited(
        forms.FloatField,
        "gold_pause_below",
        "Pause below gold accuracy",
        "Pause a worker whose gold accuracy falls below this (0-1); empty: never pause.",
        required=False,
    )
    overlap_confidence_below = _limited(
        forms.FloatField,
        "overlap_confidence_below",
        "Ask for more answers below confidence",
        "Dynamic overlap: one more answer while an item's confidence is below this (0-1).",
        required=False,
    )
    overlap_max_answers = _limited(
        forms.IntegerField,
        "overlap_max_answers",
        "At most answers per item",
        "Dynamic overlap stops at this many answers; it is on when both fields are set.",
        required=False,
    )


class _JsonAnswerField(forms.JSONField):
    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)  # an empty box, not "null"


class GoldItemForm(forms.Form):
    """Mark one dataset line as gold with its known answer: a label for single-label
    projects, else the answer value as JSON (as the worker's crowd element submits it)."""

    line = forms.IntegerField(min_value=1, label="Dataset line", help_text="1 is the first line.")

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_single_label = project.task_type in SINGLE_LABEL
        if self.is_single_label:
            self.fields["answer"] = forms.ChoiceField(
                label="Known answer", choices=[(name, name) for name in project.label_names]
            )
        else:
            self.fields["answer"] = _JsonAnswerField(
                label="Known answer (JSON)",
                help_text='e.g. {"labels": ["cat"]} or {"boundingBoxes": [...]}',
            )

    def answer_value(self) -> object:
        answer = self.cleaned_data["answer"]
        return {"label": answer} if self.is_single_label else answer
