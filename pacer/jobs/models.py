"""The schedule's memory: when each periodic task was last enqueued.

Several workers may run the schedule; the one whose conditional UPDATE moves `last_run_at`
enqueues the task, so a periodic task is enqueued once per interval however many run.
"""

from django.db import models


class ScheduleRun(models.Model):
    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
