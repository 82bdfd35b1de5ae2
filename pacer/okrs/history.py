"""Change history: who changed what (old -> new), when, and through which path.

django-auditlog writes one `LogEntry` per created, changed or deleted row of the models
registered here, with the changed fields as `{field: [old, new]}` (text, as auditlog keeps
them). Pacer adds to each entry's `additional_data`:

- `via`: the path of the write, `web`, `api`, `cli` or `import` (see `context`);
- `organization` and, for everything that belongs to an objective, `objective`: the feed
  of an objective page and the visibility filter of `pacer history export` use these.

The actor comes from auditlog's middleware for browser sessions and from `context` (or
`set_actor`, for API tokens) elsewhere. Derived numbers (progress, current value...) are not
tracked: roll-up saves name only such fields and leave no entry (and cost no query).
Bulk writes send no signals; the few services that use them call `log_bulk` instead.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.db.models.signals import pre_delete, pre_save
from django.http import HttpRequest, HttpResponse
from django.utils.encoding import smart_str

WEB, API, CLI, IMPORT = "web", "api", "cli", "import"

# Derived or bookkeeping columns: never a change of their own.
EXCLUDED: dict[str, list[str]] = {
    "Organization": ["updated_at"],
    "Team": ["updated_at"],
    "Membership": [],
    "Cycle": ["updated_at"],
    "Objective": ["progress", "forecast_progress", "created_at", "updated_at"],
    "Alignment": ["created_at"],
    "KeyResult": [
        "current",
        "confidence",
        "last_checkin_at",
        "progress",
        "forecast",
        "forecast_progress",
        "created_at",
        "updated_at",
    ],
    "Milestone": ["updated_at"],
    "CheckIn": ["created_at"],
    "Comment": ["created_at", "organization"],
    # Initiatives: their progress and sync state are derived from tasks and trackers.
    "Initiative": [
        "organization",
        "progress",
        "link_open",
        "link_closed",
        "synced_at",
        "sync_error",
        "sync_failed_at",
        "sync_failures",
        "sync_next_at",
        "sync_retry_after",
        "created_at",
        "updated_at",
    ],
    "Task": ["done_at", "created_at", "updated_at"],
    "StatusUpdate": [],
}
PERSON_FIELDS = ["email", "name", "organization", "role", "time_zone", "is_active"]


@dataclass
class Context:
    via: str | None = None
    actor: Any = None


_current: ContextVar[Context | None] = ContextVar("pacer_history", default=None)


@contextmanager
def context(*, via: str | None = None, actor: Any = None) -> Iterator[Context]:
    """Writes inside are recorded as made through `via` by `actor` (None keeps the outer's)."""
    outer = _current.get()
    inner = Context(
        via=via or (outer.via if outer else None),
        actor=actor if actor is not None else (outer.actor if outer else None),
    )
    token = _current.set(inner)
    try:
        yield inner
    finally:
        _current.reset(token)


def current_actor() -> Any:
    """Who is making the current writes, as far as the context knows (None: unknown)."""
    current = _current.get()
    return current.actor if current is not None else None


def set_actor(actor: Any) -> None:
    """Name the actor of the current request (API tokens authenticate inside the view)."""
    current = _current.get()
    if current is not None:
        current.actor = actor


class HistoryMiddleware:
    """Marks writes of a request as made through the web app or the API (`/api/...`) by the
    signed-in person (as auditlog's own middleware does, which also notes the address; this
    one covers bulk writes too). API tokens name theirs later, with `set_actor`."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = API if request.path.startswith("/api/") else WEB
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
        with context(via=via, actor=actor):
            return self.get_response(request)


# --- What each entry is about ----------------------------------------------------------


def scope_of(instance: Model) -> dict[str, int]:
    """The organization and objective an entry belongs to (no query on the usual paths)."""
    from pacer.okrs import models as m

    organization: int | None
    objective: int | None = None
    if isinstance(instance, m.Organization):
        organization = instance.pk
    elif isinstance(instance, m.Membership):
        organization = instance.team.organization_id
    elif isinstance(instance, m.Objective):
        organization, objective = instance.organization_id, instance.pk
    elif isinstance(instance, m.Alignment):
        organization, objective = instance.child.organization_id, instance.child_id
    elif isinstance(instance, m.KeyResult | m.Comment):
        organization, objective = instance.organization_id, instance.objective_id
    elif isinstance(instance, m.Milestone | m.CheckIn):
        kr = instance.key_result
        organization, objective = kr.organization_id, kr.objective_id
    elif (initiative := initiative_of(instance)) is not None:
        # Work may support several objectives: its entries are seen by whoever sees it
        # (`entries_visible_to`), never by the organization at large.
        return {"organization": initiative.organization_id, "initiative": initiative.pk}
    else:  # Team, Cycle, a person
        organization = getattr(instance, "organization_id", None)
    scope = {"organization": organization, "objective": objective}
    return {name: value for name, value in scope.items() if value is not None}


def initiative_of(instance: Model) -> Any:
    """The initiative an entry is about (itself, or the one of its task or update)."""
    from pacer.initiatives import models as work

    if isinstance(instance, work.Initiative):
        return instance
    if isinstance(instance, work.Task | work.StatusUpdate):
        return instance.initiative
    return None


def additional_data(instance: Model) -> dict[str, Any]:
    """What auditlog stores in `additional_data` (it calls `get_additional_data()`)."""
    return scope_of(instance)


def _stamp(entry: Any) -> None:
    """Add the path and, where auditlog's middleware had none, the actor."""
    current = _current.get()
    data = dict(entry.additional_data or {})
    if current is not None and current.via and "via" not in data:
        data["via"] = current.via
    entry.additional_data = data or None
    if entry.actor_id is None and current is not None and current.actor is not None:
        entry.actor = current.actor
        entry.actor_email = current.actor.email


def _stamp_receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance._state.adding:
        _stamp(instance)


# --- Bulk writes ----------------------------------------------------------------------


def log_bulk(
    action: str, rows: Iterable[Model], changes: Mapping[int, Mapping[str, tuple[Any, Any]]]
) -> None:
    """One entry per row for writes that send no signals (bulk_create, bulk_update,
    queryset.update). `changes[pk]` maps field names to (old, new); a row without changes
    gets no entry. `action` is "create" or "update"."""
    from auditlog.models import LogEntry

    codes = {"create": LogEntry.Action.CREATE, "update": LogEntry.Action.UPDATE}
    entries = []
    for row in rows:
        diff = changes.get(row.pk)
        if not diff:
            continue
        entry = LogEntry(
            content_type=ContentType.objects.get_for_model(row),
            object_pk=smart_str(row.pk),
            object_id=row.pk,
            object_repr=smart_str(row),
            action=codes[action],
            changes={name: [smart_str(old), smart_str(new)] for name, (old, new) in diff.items()},
            additional_data=additional_data(row),
        )
        _stamp(entry)
        entries.append(entry)
    LogEntry.objects.bulk_create(entries, batch_size=500)


def log_created(rows: Iterable[Model]) -> None:
    """Entries for rows written with bulk_create (their primary keys must be known)."""
    from auditlog.diff import model_instance_diff

    rows = list(rows)
    log_bulk("create", rows, {row.pk: model_instance_diff(None, row) or {} for row in rows})


# --- Registration ---------------------------------------------------------------------


def register() -> None:
    """Register Pacer's models with auditlog (from OkrsConfig.ready)."""
    from auditlog.models import LogEntry
    from auditlog.receivers import check_disable, log_update
    from auditlog.registry import auditlog

    from pacer.accounts.models import User
    from pacer.initiatives import models as work
    from pacer.okrs import models as m

    @check_disable
    def update_receiver(sender: Any, instance: Model, **kwargs: Any) -> None:
        """auditlog's, minus the query for the old row when only untracked fields are saved
        (every roll-up save): such a save has nothing to record."""
        fields = kwargs.get("update_fields")
        tracked = tracked_fields.get(sender)
        if fields is not None and tracked is not None and not set(fields) & tracked:
            return
        log_update(sender, instance, **kwargs)

    tracked_fields: dict[type[Model], set[str]] = {}
    for model in (
        m.Organization, m.Team, m.Membership, m.Cycle, m.Objective, m.Alignment,
        m.KeyResult, m.Milestone, m.CheckIn, m.Comment, User,
        work.Initiative, work.Task, work.StatusUpdate,
    ):  # fmt: skip
        # Named fields only: a created row's diff would otherwise list reverse relations.
        if model is User:
            tracked = set(PERSON_FIELDS)
        else:
            excluded = set(EXCLUDED[model.__name__])
            tracked = {f.name for f in model._meta.concrete_fields} - excluded - {"id"}
        auditlog.register(model, include_fields=sorted(tracked))
        tracked_fields[model] = tracked | {f"{name}_id" for name in tracked}
        pre_save.disconnect(sender=model, dispatch_uid=auditlog._dispatch_uid(pre_save, log_update))
        pre_save.connect(
            update_receiver, sender=model, dispatch_uid="pacer-history-update", weak=False
        )
        if not hasattr(model, "get_additional_data"):
            model.get_additional_data = additional_data  # type: ignore[union-attr]
    pre_save.connect(_stamp_receiver, sender=LogEntry, dispatch_uid="pacer-history-stamp")
    pre_delete.connect(_refuse_person_delete, sender=User, dispatch_uid="pacer-person-delete")


def _refuse_person_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    """People are deactivated, never deleted: someone the history names as an author stays
    (what they own or checked in is kept by PROTECT foreign keys already)."""
    from auditlog.models import LogEntry

    from pacer.okrs.errors import DomainError

    if LogEntry.objects.filter(actor_id=instance.pk).exists():
        raise DomainError(
            f"{instance} cannot be deleted: the history names them as an author; "
            "deactivate them instead",
            "person",
        )


# --- Reading --------------------------------------------------------------------------


def entries() -> Any:
    """Every entry, newest first, with its actor and content type."""
    from auditlog.models import LogEntry

    return LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")


def entries_of_objective(objective_id: int) -> Any:
    """The entries about an objective, its key results, milestones, check-ins, alignments."""
    return entries().filter(additional_data__objective=objective_id)


def entries_visible_to(person: Any) -> Any:
    """Entries of the person's organization, less those about objectives and initiatives
    they may not see (private ones of others; the visibility is today's, so a now private
    objective's past is hidden too)."""
    from pacer.initiatives.selectors import initiatives_visible_to
    from pacer.okrs.selectors import objectives_visible_to

    if person.organization_id is None:
        return entries().none()
    visible = list(objectives_visible_to(person).values_list("pk", flat=True))
    work = list(initiatives_visible_to(person).values_list("pk", flat=True))
    return (
        entries()
        .filter(additional_data__organization=person.organization_id)
        .filter(
            Q(additional_data__objective__isnull=True) | Q(additional_data__objective__in=visible)
        )
        .filter(
            Q(additional_data__initiative__isnull=True) | Q(additional_data__initiative__in=work)
        )
    )


def via_of(entry: Any) -> str:
    return str((entry.additional_data or {}).get("via", ""))


def changes_of(entry: Any) -> dict[str, tuple[str, str]]:
    """`{field: (old, new)}` as auditlog stored them (text; "None" for no value)."""
    return {name: (pair[0], pair[1]) for name, pair in (entry.changes or {}).items()}


ACTIONS = {0: "create", 1: "update", 2: "delete", 3: "access"}


def action_of(entry: Any) -> str:
    return ACTIONS.get(entry.action, str(entry.action))
