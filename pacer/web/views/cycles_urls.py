"""URLs of the cycle pages for admins: new, edit, delete, plan the next one.

Included before the overview's `cycles/<ref>/`, so that `cycles/new/` is this page (a
cycle's ref is never `new`: `rules.RESERVED_CYCLE_REFS`).
"""

from django.urls import URLPattern, path

from pacer.web.views import cycles

urlpatterns: list[URLPattern] = [
    path("cycles/new/", cycles.cycle_new, name="cycle_new"),
    path("cycles/<slug:ref>/edit/", cycles.cycle_edit, name="cycle_edit"),
    path("cycles/<slug:ref>/delete/", cycles.cycle_delete, name="cycle_delete"),
    path("cycles/<slug:ref>/plan-next/", cycles.cycle_plan_next, name="cycle_plan_next"),
]
