"""The project's automated-labeling page: settings, honest figures, rounds, spot-checks."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.accounts import permissions
from apps.accounts.views import organization_page
from apps.autolabel import learners, selectors, services
from apps.core.errors import DomainError
from apps.projects.selectors import project_get
from apps.reporting import charts

PAGE = {"GET": permissions.REPORTS_VIEW, "POST": permissions.PROJECTS_MANAGE}
SPOT_CHECK = {"POST": permissions.REVIEWS_REVIEW}


@organization_page(PAGE)
def autolabel_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get(organization=request.organization, project_id=project_id)
    if request.method == "POST":
        try:
            target = request.POST.get("target_accuracy") or "0.95"
            services.autolabel_configure(
                project=project,
                actor=request.user,
                enabled=request.POST.get("enabled") == "1",
                target_accuracy=float(target),
            )
            messages.success(request, "Automated labeling updated.")
        except ValueError:
            messages.error(request, "The target accuracy must be a number such as 0.95.")
        except DomainError as error:
            messages.error(request, str(error))
        return redirect("autolabel_page", org_slug=request.organization.slug, project_id=project.pk)
    summary = selectors.autolabel_summary(project=project)
    rounds = list(selectors.autolabel_rounds(project=project)[:100])
    timeline = list(reversed(rounds))
    context = {
        "project": project,
        "summary": summary,
        "rounds": rounds,
        "sample": list(selectors.spot_check_sample(project=project, size=10)),
        "models": sorted(learners.registered()),
        "human_chart": charts.bar_chart(
            [(f"r{r.number}", r.human_labeled_total) for r in timeline],
            title="Labeled by people, after each round",
            x_label="round",
            y_label="items",
        ),
        "model_chart": charts.bar_chart(
            [(f"r{r.number}", r.model_labeled_total) for r in timeline],
            title="Labeled by the model, after each round",
            x_label="round",
            y_label="items",
        ),
    }
    return render(request, "autolabel/page.html", context)


@organization_page(SPOT_CHECK)
def spot_check_submit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_get(organization=request.organization, project_id=project_id)
    try:
        services.spot_check_record(
            project=project,
            actor=request.user,
            task_id=int(request.POST.get("task_id", "0")),
            is_correct=request.POST.get("verdict") == "correct",
            corrected_label=request.POST.get("corrected_label", ""),
        )
        messages.success(request, "Verdict recorded.")
    except ValueError:
        messages.error(request, "Unknown task.")
    except DomainError as error:
        messages.error(request, str(error))
    return redirect("autolabel_page", org_slug=request.organization.slug, project_id=project.pk)
