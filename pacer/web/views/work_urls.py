"""URLs of the work behind key results: the Work page of a cycle, initiatives and tasks.

Included before the overview's `cycles/<ref>/` (its `cycles/<ref>/work/` does not clash).
"""

from django.urls import URLPattern, path

from pacer.web.views import initiatives, work

urlpatterns: list[URLPattern] = [
    path("work/", work.work_home, name="work_home"),
    path("cycles/<slug:ref>/work/", work.cycle_work, name="cycle_work"),
    path("cycles/<slug:ref>/work/timeline/", work.cycle_work_timeline, name="cycle_work_timeline"),
    path(
        "cycles/<slug:ref>/initiatives/new/",
        initiatives.initiative_new,
        name="cycle_initiative_new",
    ),
    path("initiatives/<slug:ref>/", initiatives.initiative_detail, name="initiative_detail"),
    path("initiatives/<slug:ref>/edit/", initiatives.initiative_edit, name="initiative_edit"),
    path("initiatives/<slug:ref>/delete/", initiatives.initiative_delete, name="initiative_delete"),
    path("initiatives/<slug:ref>/status/", initiatives.initiative_status, name="initiative_status"),
    path(
        "initiatives/<slug:ref>/carry-over/",
        initiatives.initiative_carry_over,
        name="initiative_carry_over",
    ),
    path("initiatives/<slug:ref>/move/", work.initiative_move, name="initiative_move"),
    path("initiatives/<slug:ref>/tasks/", initiatives.task_add, name="initiative_task_add"),
    path(
        "initiatives/<slug:ref>/tasks/<int:task_id>/done/",
        initiatives.task_done,
        name="initiative_task_done",
    ),
    path(
        "initiatives/<slug:ref>/tasks/<int:task_id>/edit/",
        initiatives.task_edit,
        name="initiative_task_edit",
    ),
    path(
        "initiatives/<slug:ref>/tasks/<int:task_id>/move/",
        initiatives.task_move,
        name="initiative_task_move",
    ),
    path(
        "initiatives/<slug:ref>/tasks/<int:task_id>/delete/",
        initiatives.task_delete,
        name="initiative_task_delete",
    ),
]
