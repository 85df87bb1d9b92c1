from django import forms

from apps.projects.models import TaskType


class MarketplaceFilterForm(forms.Form):
    SORTS = [("newest", "Newest"), ("best_paid", "Best paid")]
    q = forms.CharField(required=False, label="Search")
    task_type = forms.ChoiceField(
        required=False, label="Task type", choices=[("", "Any"), *TaskType.choices]
    )
    min_price = forms.DecimalField(required=False, min_value=0, label="Minimum price per task")
    qualified_only = forms.BooleanField(required=False, label="Only work I qualify for")
    sort = forms.ChoiceField(choices=SORTS, required=False, initial="newest")
