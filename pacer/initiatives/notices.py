"""What people are told about work (pacer.notifications, kind `work`): a task assigned to
them, an initiative they own blocked or overdue, its sync failing again and again.

Each notice is one row, written in the caller's transaction; pacer.messaging sends it by
the channels the person chose, batched, from the worker. A person hears only of work they
may see, and never of their own doing.
"""

from datetime import date

from pacer.accounts.models import User
from pacer.initiatives.models import Initiative, Task
from pacer.initiatives.selectors import initiatives_visible_to
from pacer.notifications import kinds
from pacer.notifications.services import notify
from pacer.okrs import progress as engine
from pacer.okrs.models import Cycle, Objective

FAILURES_BEFORE_NOTICE = 3  # one failed sync is often a blip; three in a row is not


def link_of(initiative: Initiative) -> str:
    return f"/initiatives/{initiative.ref}/"  # the initiative page (pacer.web)


def private_objective(initiative: Initiative) -> Objective | None:
    """The private objective the work is under, if any: the inbox hides the notice from
    someone who can no longer see it."""
    return Objective.objects.filter(
        key_results__initiatives=initiative, visibility=Objective.Visibility.PRIVATE
    ).first()


def tell(
    person: User | None, initiative: Initiative, *, key: str, title: str, by: User | None
) -> None:
    if person is None or (by is not None and person.pk == by.pk):
        return
    if not initiatives_visible_to(person).filter(pk=initiative.pk).exists():
        return
    notify(
        person=person,
        kind=kinds.WORK,
        key=key,
        title=title,
        url=link_of(initiative),
        objective=private_objective(initiative),
    )


def task_assigned(task: Task, by: User | None) -> None:
    initiative = task.initiative
    tell(
        task.assignee,
        initiative,
        key=f"task-assigned:{task.pk}:{task.assignee_id}",
        title=f"Task for you: “{task.title}” ({initiative.title})",
        by=by,
    )


def initiative_blocked(initiative: Initiative, by: User | None) -> None:
    """Each time it becomes blocked (its updated_at tells the occasions apart)."""
    tell(
        initiative.owner,
        initiative,
        key=f"initiative-blocked:{initiative.pk}:{initiative.updated_at.isoformat()}",
        title=f"“{initiative.title}” is blocked",
        by=by,
    )


def initiative_overdue(initiative: Initiative) -> None:
    """Once per due date (moving the date and missing it again tells again)."""
    tell(
        initiative.owner,
        initiative,
        key=f"initiative-overdue:{initiative.pk}:{initiative.due}",
        title=f"“{initiative.title}” is overdue (due {initiative.due})",
        by=None,
    )


def sync_failing(initiative: Initiative, failures: int, error: str) -> None:
    """Once per streak of failures, at the FAILURES_BEFORE_NOTICE-th."""
    if failures != FAILURES_BEFORE_NOTICE:
        return
    streak = initiative.synced_at.isoformat() if initiative.synced_at else "never"
    tell(
        initiative.owner,
        initiative,
        key=f"sync-failing:{initiative.pk}:{streak}",
        title=f"The link of “{initiative.title}” failed to sync {failures} times: {error[:200]}",
        by=None,
    )


def notify_overdue(today: date) -> int:
    """Tell the owners of open initiatives past their due date (the worker, daily)."""
    open_ = Initiative.objects.exclude(status__in=engine.CLOSED_INITIATIVE_STATUSES)
    overdue = open_.filter(due__lt=today, cycle__state=Cycle.State.ACTIVE).select_related("owner")
    count = 0
    for initiative in overdue.iterator():
        initiative_overdue(initiative)
        count += 1
    return count
