"""Events to people's notifications (a subscriber of pacer.events.dispatch).

Each event tells each person at most one thing (key "event:<id>", so a re-dispatched
event creates nothing twice): the most specific kind that applies to them, e.g. a comment
that mentions the objective's owner is a mention, not also a comment on theirs. Nobody is
told of their own doing, and nobody hears of an objective they may not see
(`people_who_see`, the converse of `objectives_visible_to`): the check is made here, when
it is told, and again by the inbox.

Queries are per batch (followers, comments, key results, people) plus one visibility query
per distinct objective; `notify` then writes each notification.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from pacer.accounts.models import User
from pacer.events import kinds as events
from pacer.events.models import Event
from pacer.notifications import kinds
from pacer.notifications.models import Follow
from pacer.notifications.services import notify
from pacer.okrs import selectors
from pacer.okrs.models import Comment, Cycle, KeyResult, Objective
from pacer.okrs.progress import AT_RISK, OFF_TRACK

# The more specific kind wins when several apply to one person.
PRIORITY = (
    kinds.MENTIONED,
    kinds.COMMENT_ON_MINE,
    kinds.AT_RISK,
    kinds.ALIGNMENT,
    kinds.CYCLE_CLOSED,
    kinds.ACTIVITY,
)
WORRYING = {AT_RISK: "at risk", OFF_TRACK: "off track"}
STATUS_WORDS = {**WORRYING, "on_track": "on track", "done": "done"}
ACTIVITY_EVENTS = {
    events.CHECKIN_CREATED,
    events.OBJECTIVE_CREATED,
    events.OBJECTIVE_UPDATED,
    events.OBJECTIVE_STATUS_CHANGED,
}
BODY_LENGTH = 280


@dataclass
class Batch:
    """What a batch of events needs from the database, read once."""

    followers_of_objective: dict[int, set[int]] = field(default_factory=dict)
    followers_of_team: dict[int, set[int]] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    key_results: dict[tuple[int, str], KeyResult] = field(default_factory=dict)
    parents: dict[tuple[int, str], Objective] = field(default_factory=dict)
    cycles: dict[tuple[int, str], Cycle] = field(default_factory=dict)
    cycle_owners: dict[int, set[int]] = field(default_factory=dict)

    def followers(self, objective: Objective) -> set[int]:
        found = set(self.followers_of_objective.get(objective.pk, ()))
        if objective.team_id:
            found |= self.followers_of_team.get(objective.team_id, set())
        return found


def ref_of(event: Event, key: str) -> str:
    return str((event.payload.get(key) or {}).get("ref") or "")


def load_followers(batch: Batch, objectives: list[Objective]) -> None:
    ids = {o.pk for o in objectives}
    teams = {o.team_id for o in objectives if o.team_id}
    rows = Follow.objects.filter(Q(objective_id__in=ids) | Q(team_id__in=teams))
    for person_id, objective_id, team_id in rows.values_list(
        "person_id", "objective_id", "team_id"
    ):
        if objective_id:
            batch.followers_of_objective.setdefault(objective_id, set()).add(person_id)
        else:
            batch.followers_of_team.setdefault(team_id, set()).add(person_id)


def load_comments(batch: Batch, found: list[Event]) -> None:
    ids = [e.payload["comment"]["id"] for e in found if (e.payload.get("comment") or {}).get("id")]
    if ids:
        rows = Comment.objects.filter(pk__in=ids).select_related(
            "key_result", "checkin__key_result"
        )
        batch.comments = {c.pk: c for c in rows.prefetch_related("mentions")}


def load_key_results(batch: Batch, found: list[Event]) -> None:
    wanted = {(e.organization_id, ref_of(e, "key_result")) for e in found}
    if wanted:
        refs = {ref for _, ref in wanted}
        orgs = {org for org, _ in wanted}
        rows = KeyResult.objects.filter(organization_id__in=orgs, ref__in=refs)
        batch.key_results = {(kr.organization_id, kr.ref): kr for kr in rows}


def load_parents(batch: Batch, found: list[Event]) -> None:
    wanted = {(e.organization_id, ref_of(e, "parent")) for e in found}
    if wanted:
        rows = Objective.objects.filter(
            organization_id__in={org for org, _ in wanted}, ref__in={ref for _, ref in wanted}
        )
        batch.parents = {(o.organization_id, o.ref): o for o in rows}


def load_cycles(batch: Batch, found: list[Event]) -> None:
    wanted = {(e.organization_id, ref_of(e, "cycle")) for e in found}
    if not wanted:
        return
    rows = Cycle.objects.filter(
        organization_id__in={org for org, _ in wanted}, ref__in={ref for _, ref in wanted}
    )
    batch.cycles = {(c.organization_id, c.ref): c for c in rows}
    ids = [c.pk for c in batch.cycles.values()]
    owners = Objective.objects.filter(cycle_id__in=ids, owner__isnull=False)
    kr_owners = KeyResult.objects.filter(objective__cycle_id__in=ids, owner__isnull=False)
    pairs = [*owners.values_list("cycle_id", "owner_id")]
    pairs += kr_owners.values_list("objective__cycle_id", "owner_id")
    for cycle_id, owner_id in pairs:
        batch.cycle_owners.setdefault(cycle_id, set()).add(owner_id)


def load(found: Sequence[Event]) -> Batch:
    batch = Batch()
    of_kind: dict[str, list[Event]] = {}
    for event in found:
        of_kind.setdefault(event.kind, []).append(event)
    objectives = [e.objective for e in found if e.objective is not None]
    if objectives:
        load_followers(batch, objectives)
    load_comments(batch, of_kind.get(events.COMMENT_CREATED, []))
    load_key_results(batch, of_kind.get(events.KEY_RESULT_STATUS_CHANGED, []))
    aligned = of_kind.get(events.OBJECTIVE_ALIGNED, []) + of_kind.get(
        events.OBJECTIVE_UNALIGNED, []
    )
    load_parents(batch, aligned)
    load_cycles(batch, of_kind.get(events.CYCLE_CLOSED, []))
    return batch


# --- Who is told what, per event kind: {person id: notification kind} --------------------

Plan = dict[int, str]


def add(plan: Plan, people: Iterable[int | None], kind: str) -> None:
    """`kind` for each of `people`, unless a more specific kind already applies."""
    for person_id in people:
        if person_id is None:
            continue
        current = plan.get(person_id)
        if current is None or PRIORITY.index(kind) < PRIORITY.index(current):
            plan[person_id] = kind


def comment_plan(event: Event, batch: Batch, objective: Objective) -> Plan:
    plan: Plan = {}
    comment = batch.comments.get((event.payload.get("comment") or {}).get("id") or 0)
    if comment is not None:
        add(plan, (p.pk for p in comment.mentions.all()), kinds.MENTIONED)
        kr = comment.key_result or (comment.checkin.key_result if comment.checkin else None)
        add(plan, [kr.owner_id if kr else None], kinds.COMMENT_ON_MINE)
    else:  # the comment is gone (deleted before dispatch): the payload still names them
        emails = (event.payload.get("comment") or {}).get("mentions") or []
        mentioned = User.objects.filter(organization_id=event.organization_id, email__in=emails)
        add(plan, mentioned.values_list("pk", flat=True), kinds.MENTIONED)
    add(plan, [objective.owner_id, *batch.followers(objective)], kinds.COMMENT_ON_MINE)
    return plan


def status_plan(event: Event, batch: Batch, objective: Objective) -> Plan:
    plan: Plan = {}
    if event.payload.get("to") in WORRYING:
        kr = batch.key_results.get((event.organization_id, ref_of(event, "key_result")))
        owner = kr.owner_id if kr is not None and kr.owner_id else objective.owner_id
        add(plan, [owner, *batch.followers(objective)], kinds.AT_RISK)
    return plan


def recipients(event: Event, batch: Batch) -> Plan:
    objective = event.objective
    if event.kind == events.CYCLE_CLOSED:
        cycle = batch.cycles.get((event.organization_id, ref_of(event, "cycle")))
        return (
            {p: kinds.CYCLE_CLOSED for p in batch.cycle_owners.get(cycle.pk, ())} if cycle else {}
        )
    if objective is None:  # deleted since: nothing left to point at
        return {}
    if event.kind == events.COMMENT_CREATED:
        return comment_plan(event, batch, objective)
    if event.kind == events.KEY_RESULT_STATUS_CHANGED:
        return status_plan(event, batch, objective)
    if event.kind in (events.OBJECTIVE_ALIGNED, events.OBJECTIVE_UNALIGNED):
        return {objective.owner_id: kinds.ALIGNMENT} if objective.owner_id else {}
    if event.kind in ACTIVITY_EVENTS:
        return {p: kinds.ACTIVITY for p in batch.followers(objective)}
    return {}


# --- What they are told --------------------------------------------------------------------


def quoted(text: object) -> str:
    return f"“{text}”"


def actor_name(event: Event) -> str:
    actor = event.actor
    return (actor.get_full_name() or actor.email) if actor is not None else "Someone"


def title_of(event: Event) -> str:
    objective = event.payload.get("objective") or {}
    return str(objective.get("title") or (event.objective.title if event.objective else ""))


def alignment_text(event: Event, parent_visible: bool) -> str:
    """The parent is named only to an owner who may see it."""
    parent = event.payload.get("parent") or {}
    named = quoted(parent.get("title")) if parent_visible else "an objective you cannot see"
    if event.kind == events.OBJECTIVE_ALIGNED:
        return f"{quoted(title_of(event))} now supports {named}"
    return f"{quoted(title_of(event))} no longer supports {named}"


def activity_text(event: Event) -> str:
    who, title = actor_name(event), quoted(title_of(event))
    if event.kind == events.CHECKIN_CREATED:
        kr = (event.payload.get("key_result") or {}).get("title") or ""
        return f"{who} checked in on {quoted(kr)} ({title})"
    if event.kind == events.OBJECTIVE_CREATED:
        return f"{who} created {title}"
    if event.kind == events.OBJECTIVE_UPDATED:
        return f"{who} changed {title}"
    to = STATUS_WORDS.get(str(event.payload.get("to")), str(event.payload.get("to")))
    return f"{title} is now {to}"


TEXTS: dict[str, Callable[[Event], str]] = {
    kinds.MENTIONED: lambda e: f"{actor_name(e)} mentioned you on {quoted(title_of(e))}",
    kinds.COMMENT_ON_MINE: lambda e: f"{actor_name(e)} commented on {quoted(title_of(e))}",
    kinds.AT_RISK: lambda e: "{} is now {} ({})".format(
        quoted((e.payload.get("key_result") or {}).get("title") or ""),
        WORRYING.get(str(e.payload.get("to")), ""),
        quoted(title_of(e)),
    ),
    kinds.CYCLE_CLOSED: lambda e: "{} is closed: its scores are final".format(
        (e.payload.get("cycle") or {}).get("name") or "A cycle"
    ),
    kinds.ACTIVITY: activity_text,
}


def body_of(event: Event, kind: str) -> str:
    if kind in (kinds.MENTIONED, kinds.COMMENT_ON_MINE):
        body = str((event.payload.get("comment") or {}).get("body") or "")
        return body if len(body) <= BODY_LENGTH else body[: BODY_LENGTH - 1] + "…"
    if event.kind == events.CHECKIN_CREATED:
        return str((event.payload.get("checkin") or {}).get("note") or "")
    return ""


def url_of(event: Event) -> str:
    if event.objective is not None:
        return reverse("objective_detail", args=[event.objective.ref])
    cycle = event.payload.get("cycle") or {}
    return reverse("cycle_overview", args=[cycle["ref"]]) if cycle.get("ref") else "/"


# --- The subscriber --------------------------------------------------------------------------


def who_sees(objectives: Iterable[Objective], people: set[int]) -> dict[int, set[int]]:
    """Which of `people` may see each objective, now (`people_who_see`, the converse of
    `objectives_visible_to`): one query per distinct objective of the batch."""
    return {
        objective.pk: set(
            selectors.people_who_see(objective).filter(pk__in=people).values_list("pk", flat=True)
        )
        for objective in {o.pk: o for o in objectives}.values()
    }


def parent_of(event: Event, batch: Batch) -> Objective | None:
    return batch.parents.get((event.organization_id, ref_of(event, "parent")))


def on_events(found: Sequence[Event]) -> None:
    batch = load(found)
    plans: list[tuple[Event, Plan]] = []
    for event in found:
        plan = recipients(event, batch)
        plan.pop(event.actor_id or 0, None)  # never of one's own doing
        if plan:
            plans.append((event, plan))
    ids = {person_id for _, plan in plans for person_id in plan}
    people = {p.pk: p for p in User.objects.filter(pk__in=ids, is_active=True)}
    objectives = [e.objective for e, _ in plans if e.objective is not None]
    seers = who_sees([*objectives, *batch.parents.values()], set(people))
    for event, plan in plans:
        for person_id, kind in plan.items():
            person = people.get(person_id)
            if person is None:
                continue
            if event.objective_id and person_id not in seers.get(event.objective_id, ()):
                continue
            tell(event, person, kind, batch, seers)


def tell(event: Event, person: User, kind: str, batch: Batch, seers: dict[int, set[int]]) -> None:
    if kind == kinds.ALIGNMENT:
        parent = parent_of(event, batch)
        title = alignment_text(event, parent is not None and person.pk in seers[parent.pk])
    else:
        title = TEXTS[kind](event)
    notify(
        person=person,
        kind=kind,
        key=f"event:{event.pk}",
        title=title,
        body=body_of(event, kind),
        url=url_of(event),
        event=event,
        objective=event.objective,
    )
