"""Consolidation and worker quality: task labels + confidences, the project re-estimation.

Two paths, on purpose:
- `task_consolidate` runs inside `assignment_submit` when a task gets its last answer: a
  weighted vote over that task's few answers (worker accuracies from the last
  re-estimation), so the submit stays cheap;
- `project_reestimate` runs in the background (`project_reestimate_schedule`, debounced,
  at most one queued per project): Dawid-Skene over all the project's answers for
  single-label projects, then every answered task's label and every worker's quality.

The package: `consolidate` (consolidators per task type, the submit path), `masks`
(segmentation tasks, consolidated in a background job), `control` (gold,
auto-pause, dynamic overlap, settings), `reestimate` (the background job), `output` (labels
as output-manifest entries). Callers use the names re-exported here.
"""

from apps.tasks.quality.consolidate import (
    CONSOLIDATED_TYPES,
    answer_value,
    consolidate_one,
    task_consolidate,
)
from apps.tasks.quality.control import (
    GOLD_ANSWERS_NEEDED,
    SETTING_LIMITS,
    GoldItemInvalid,
    GoldItemNotFound,
    WorkerNotPaused,
    assignment_score_gold,
    gold_item_unset,
    gold_items_set,
    gold_tasks_mark,
    project_settings,
    project_settings_update,
    projects_for_worker,
    task_answers_extend,
    task_pick,
    worker_resume,
)
from apps.tasks.quality.masks import task_masks_consolidate
from apps.tasks.quality.output import (
    output_label,
    project_gold_item_ids,
    project_output_labels,
    project_output_lines,
    project_worker_responses,
)
from apps.tasks.quality.reestimate import (
    project_agreement,
    project_reestimate,
    project_reestimate_schedule,
)

__all__ = [
    "CONSOLIDATED_TYPES",
    "GOLD_ANSWERS_NEEDED",
    "SETTING_LIMITS",
    "GoldItemInvalid",
    "GoldItemNotFound",
    "WorkerNotPaused",
    "answer_value",
    "assignment_score_gold",
    "consolidate_one",
    "gold_item_unset",
    "gold_items_set",
    "gold_tasks_mark",
    "output_label",
    "project_agreement",
    "project_gold_item_ids",
    "project_output_labels",
    "project_output_lines",
    "project_reestimate",
    "project_reestimate_schedule",
    "project_settings",
    "project_worker_responses",
    "project_settings_update",
    "projects_for_worker",
    "task_answers_extend",
    "task_consolidate",
    "task_masks_consolidate",
    "task_pick",
    "worker_resume",
]
