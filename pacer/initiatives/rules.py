"""What the domain forbids for initiatives and tasks: pure checks over plain values, each
problem naming its field (pacer.okrs.rules conventions)."""

from collections.abc import Iterable
from datetime import date

from pacer.okrs import progress as engine
from pacer.okrs import rules
from pacer.okrs.rules import Problem

MAX_KEY_RESULTS = 20  # an initiative supports a few goals, not a cycle's worth
MAX_TASKS = 200  # a checklist, not a project plan (that lives in the tracker it links to)


def initiative_problems(
    *, title: str, description: str, status: str, start: date | None, due: date | None
) -> list[Problem]:
    problems = rules.text_required("title", title)
    problems += rules.texts_problems(title=title, description=description)
    if status not in engine.INITIATIVE_STATUSES:
        choices = ", ".join(engine.INITIATIVE_STATUSES)
        problems.append(("status", f"must be one of {choices}, not {status!r}"))
    if start is not None and due is not None and due < start:
        problems.append(("due", f"must not be before the start ({start})"))
    return problems


def supported_problems(
    *, cycle_ref: str, key_results: Iterable[tuple[str, str, str]]
) -> list[Problem]:
    """The key results an initiative supports, as (ref, its cycle's ref, its type): all in
    the initiative's cycle, at most MAX_KEY_RESULTS."""
    chosen = list(key_results)
    if len(chosen) > MAX_KEY_RESULTS:
        return [("key_results", f"at most {MAX_KEY_RESULTS} key results, not {len(chosen)}")]
    return [
        ("key_results", f"{ref} is in the cycle {kr_cycle}, not {cycle_ref}")
        for ref, kr_cycle, _ in chosen
        if kr_cycle != cycle_ref
    ]


def task_problems(*, title: str, count: int = 0) -> list[Problem]:
    """A task's title; `count`: how many tasks the initiative has before this one."""
    problems = rules.text_required("title", title) + rules.texts_problems(title=title)
    if count >= MAX_TASKS:
        problems.append(("title", f"an initiative has at most {MAX_TASKS} tasks"))
    return problems
