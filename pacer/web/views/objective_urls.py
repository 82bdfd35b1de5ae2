"""URLs of objective pages: detail, check-ins, create and edit, close a cycle."""

from django.urls import URLPattern, path

from pacer.web.views import (
    checkin,
    cycle_close,
    key_result_edit,
    milestones,
    objective,
    objective_edit,
)

urlpatterns: list[URLPattern] = [
    path("checkin/", checkin.checkin_week, name="checkin_week"),
    path("objectives/new/", objective_edit.objective_new, name="objective_new"),
    path(
        "objectives/new/key-result-fields/",
        objective_edit.key_result_type_fields,
        name="key_result_type_fields",
    ),
    path(
        "objectives/new/key-result-block/",
        objective_edit.key_result_block,
        name="key_result_block",
    ),
    path("objectives/<slug:ref>/", objective.objective_detail, name="objective_detail"),
    path("objectives/<slug:ref>/edit/", objective_edit.objective_edit, name="objective_edit"),
    path("objectives/<slug:ref>/copy/", objective_edit.objective_copy, name="objective_copy"),
    path("objectives/<slug:ref>/archive/", objective.objective_archive, name="objective_archive"),
    path("objectives/<slug:ref>/restore/", objective.objective_restore, name="objective_restore"),
    path(
        "objectives/<slug:ref>/retrospective/",
        objective.objective_retrospective,
        name="objective_retrospective",
    ),
    path(
        "objectives/<slug:ref>/key-results/new/",
        objective_edit.key_result_add,
        name="key_result_add",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/checkin/",
        objective.key_result_checkin,
        name="key_result_checkin",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/edit/",
        key_result_edit.key_result_edit,
        name="key_result_edit",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/delete/",
        key_result_edit.key_result_delete,
        name="key_result_delete",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/milestones/",
        milestones.milestone_add,
        name="key_result_milestone_add",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/milestones/<int:milestone_id>/",
        milestones.milestone_done,
        name="key_result_milestone_done",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/milestones/<int:milestone_id>/edit/",
        milestones.milestone_edit,
        name="key_result_milestone_edit",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/milestones/<int:milestone_id>/move/",
        milestones.milestone_move,
        name="key_result_milestone_move",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/milestones/<int:milestone_id>/delete/",
        milestones.milestone_delete,
        name="key_result_milestone_delete",
    ),
    path(
        "objectives/<slug:ref>/key-results/<slug:kr_ref>/move/",
        objective_edit.key_result_move,
        name="key_result_move",
    ),
    path(
        "objectives/<slug:ref>/milestones/<int:milestone_id>/",
        objective.milestone_toggle,
        name="milestone_toggle",
    ),
    path("cycles/<slug:ref>/close/", cycle_close.cycle_close, name="cycle_close"),
]
