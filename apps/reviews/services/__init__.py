"""Writes of the reviews app, by sub-domain; import the functions from here."""

from apps.reviews.services.approvals import (
    AssignmentNotReviewable,
    assignment_approve,
    assignment_reject,
    assignments_approve,
    assignments_auto_approve,
)
from apps.reviews.services.chaining import project_chain_create
from apps.reviews.services.events import human_loop_event_attempt, human_loop_event_record
from apps.reviews.services.flows import (
    FlowDefinitionInUse,
    flow_definition_activate,
    flow_definition_create,
    flow_definition_delete,
)
from apps.reviews.services.loops import (
    FlowDefinitionNotActive,
    HumanLoopNameTaken,
    HumanLoopNotFinished,
    HumanLoopNotInProgress,
    StartResult,
    human_loop_complete,
    human_loop_delete,
    human_loop_fail,
    human_loop_output,
    human_loop_start,
    human_loop_stop,
    human_loops_expired,
    output_key,
)
from apps.reviews.services.taskuis import (
    HumanTaskUiInUse,
    NameTaken,
    RenderResult,
    human_task_ui_create,
    human_task_ui_delete,
    human_task_ui_render,
    template_problems,
)

__all__ = [
    "AssignmentNotReviewable",
    "FlowDefinitionInUse",
    "FlowDefinitionNotActive",
    "HumanLoopNameTaken",
    "HumanLoopNotFinished",
    "HumanLoopNotInProgress",
    "HumanTaskUiInUse",
    "NameTaken",
    "RenderResult",
    "StartResult",
    "assignment_approve",
    "assignment_reject",
    "assignments_approve",
    "assignments_auto_approve",
    "flow_definition_activate",
    "flow_definition_create",
    "flow_definition_delete",
    "human_loop_complete",
    "human_loop_delete",
    "human_loop_event_attempt",
    "human_loop_event_record",
    "human_loop_fail",
    "human_loop_output",
    "human_loop_start",
    "human_loop_stop",
    "human_loops_expired",
    "human_task_ui_create",
    "human_task_ui_delete",
    "human_task_ui_render",
    "output_key",
    "project_chain_create",
    "template_problems",
]
