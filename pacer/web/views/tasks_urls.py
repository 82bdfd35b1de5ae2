"""URLs of the admins' Background tasks page."""

from django.urls import URLPattern, path

from pacer.web.views import tasks

urlpatterns: list[URLPattern] = [
    path("settings/tasks/", tasks.tasks, name="tasks"),
    path("settings/tasks/<uuid:result_id>/run-again/", tasks.run_again, name="task_run_again"),
]
