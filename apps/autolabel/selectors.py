"""Reads for the automated-labeling page and API (always one project of one organization)."""

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.projects.models import Project
from apps.tasks.models import Task

from . import stats
from .models import AutolabelRound, AutolabelSettings, SpotCheck
from .services import settings_of


@dataclass
class Summary:
    settings: AutolabelSettings
    items: int
    human_labeled: int
    model_labeled: int
    unlabeled: int
    # The latest round that auto-labeled: accuracy of its validation items above the
    # threshold, with its one-sided 95% bounds.
    validated_accuracy: float | None
    validated_low: float | None
    validated_high: float | None
    spot_checks: int
    spot_checks_correct: int
    spot_check_low: float | None
    spot_check_high: float | None
    # Validation and spot-check verdicts pooled: the running estimate of auto-label accuracy.
    estimated_accuracy: float | None
    estimated_low: float | None
    estimated_high: float | None


def autolabel_summary(*, project: Project) -> Summary:
    tasks = Task.objects.filter(organization_id=project.organization_id, project=project)
    tasks = tasks.filter(is_gold=False)
    items = tasks.count()
    model = tasks.exclude(label_model_version="").count()
    human = tasks.filter(status=Task.Status.ANSWERED, label_model_version="").count()
    validated = (
        AutolabelRound.objects.filter(project=project, outcome=AutolabelRound.Outcome.AUTO_LABELED)
        .order_by("-number")
        .first()
    )
    checks = SpotCheck.objects.filter(project=project)
    total, right = checks.count(), checks.filter(is_correct=True).count()
    spot_low, spot_high = stats.wilson(right, total) if total else (None, None)
    hits, n = float(right), total
    if validated is not None:
        hits += validated.accuracy_above * validated.validation_above
        n += validated.validation_above
    estimate, low, high = None, None, None
    if n:
        estimate = hits / n
        low, high = stats.wilson(hits, n)
    return Summary(
        settings=settings_of(project=project),
        items=items,
        human_labeled=human,
        model_labeled=model,
        unlabeled=items - human - model,
        validated_accuracy=validated.accuracy_above if validated else None,
        validated_low=validated.accuracy_above_low if validated else None,
        validated_high=validated.accuracy_above_high if validated else None,
        spot_checks=total,
        spot_checks_correct=right,
        spot_check_low=spot_low,
        spot_check_high=spot_high,
        estimated_accuracy=estimate,
        estimated_low=low,
        estimated_high=high,
    )


def autolabel_rounds(*, project: Project) -> QuerySet[AutolabelRound]:
    return AutolabelRound.objects.filter(
        organization_id=project.organization_id, project=project
    ).order_by("-number")


def spot_check_sample(*, project: Project, size: int = 20) -> QuerySet[Task]:
    """Auto-labeled tasks no one has checked yet, at random, with their items."""
    checked = SpotCheck.objects.filter(project=project).values("task_id")
    return (
        Task.objects.filter(organization_id=project.organization_id, project=project)
        .exclude(label_model_version="")
        .exclude(pk__in=checked)
        .select_related("item")
        .order_by("?")[:size]
    )
