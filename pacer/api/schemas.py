"""Input and output shapes of every operation (they are the OpenAPI document's schemas).

Inputs are strict: text lengths match the model fields, numbers stay within what is stored
(24 digits, 6 after the point: `pacer.okrs.rules`), refs are slugs, text holds no NUL,
dates and moments are ISO 8601 text (never a number of seconds).
"""

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints

from pacer.initiatives import rules as initiative_rules
from pacer.okrs import rules
from pacer.okrs.models import REF_LENGTH

# --- Building blocks ---------------------------------------------------------------------


def storable_text(value: str) -> str:
    """Text that can be stored and shown (rules.text_problems: no NUL, lone surrogate or
    control character), refused here with the same words as everywhere else."""
    for _, message in rules.text_problems("", value):
        raise ValueError(message)
    return value


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_text(value: object) -> object:
    """Dates and moments come as ISO 8601 text: pydantic alone would read a number, or
    digits such as "20261005", as seconds since 1970."""
    if isinstance(value, date) or (isinstance(value, str) and ISO_DAY.match(value)):
        return value
    raise ValueError("must be an ISO 8601 date (2026-05-04) or date-time (2026-05-04T09:30:00Z)")


def aware_utc(value: datetime) -> datetime:
    """Naive date-times mean UTC; every moment is kept in UTC."""
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError as error:
        raise ValueError("lies outside the supported range of dates") from error


SLUG = r"^[-a-zA-Z0-9_]+$"
Ref = Annotated[
    str,
    StringConstraints(min_length=1, max_length=REF_LENGTH, pattern=SLUG),
    Field(examples=["adoption"]),
]
# A new ref: lower-case words joined by single - or _ (what slugify leaves unchanged).
NewRef = Annotated[
    str,
    StringConstraints(max_length=REF_LENGTH, pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"),
    Field(examples=["2026-q3"]),
]
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=300),
    AfterValidator(storable_text),
    Field(examples=["Enhance project delivery efficiency and quality"]),
]
LongText = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(storable_text)]
Unit = Annotated[str, StringConstraints(max_length=30), AfterValidator(storable_text)]
CycleName = Annotated[
    str, StringConstraints(min_length=1, max_length=100), AfterValidator(storable_text)
]
SearchText = Annotated[str, StringConstraints(max_length=300), AfterValidator(storable_text)]
Email = Annotated[
    str,
    StringConstraints(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$"),
    AfterValidator(storable_text),
    Field(examples=["ada@example.com"]),
]
Moment = Annotated[
    datetime,
    BeforeValidator(iso_text),
    AfterValidator(aware_utc),
    Field(examples=["2026-05-04T09:30:00Z"]),
]
Day = Annotated[date, BeforeValidator(iso_text)]
Value = Annotated[
    Decimal,
    Field(
        gt=-rules.MAX_VALUE,
        lt=rules.MAX_VALUE,
        max_digits=rules.MAX_INTEGER_DIGITS + rules.DECIMAL_PLACES,
        decimal_places=rules.DECIMAL_PLACES,
        allow_inf_nan=False,
        examples=[45],
    ),
]
Weight = Annotated[
    Decimal,
    Field(
        ge=0,
        lt=rules.MAX_WEIGHT,
        max_digits=8,
        decimal_places=rules.WEIGHT_PLACES,
        allow_inf_nan=False,
        examples=[1],
    ),
]
Gap = Annotated[Decimal, Field(ge=0, le=1, max_digits=4, decimal_places=3, allow_inf_nan=False)]
Grade = Annotated[Decimal, Field(ge=0, le=1, max_digits=2, decimal_places=1, allow_inf_nan=False)]
Kind = Literal["committed", "aspirational"]
Cadence = Literal["weekly", "biweekly", "monthly"]  # periods.CADENCES
Visibility = Literal["public", "private"]
KeyResultType = Literal[
    "metric", "boolean", "milestones", "stay_above", "stay_below", "range", "linked", "initiatives"
]
Confidence = Literal["on_track", "at_risk", "off_track"]
# KeyResult.MissReason (tests/insights/test_miss_reason.py ties the two).
MissReason = Literal[
    "too_ambitious",
    "priorities_changed",
    "dependency",
    "under_resourced",
    "wrong_metric",
    "external",
    "other",
]
Status = Literal["done", "on_track", "at_risk", "off_track"]
Color = Literal["red", "yellow", "green"]
OpenState = Literal["planning", "active"]


class Strict(Schema):
    """Inputs refuse unknown fields: a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Errors ------------------------------------------------------------------------------


class ProblemItem(Schema):
    field: str = Field(examples=["body.items[3].value"])
    message: str = Field(examples=["is required"])


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str = Field(examples=["urn:pacer:problem:validation"])
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["value: is required"])
    errors: list[ProblemItem]


# --- Organization, teams, people ---------------------------------------------------------


class OrganizationOut(Schema):
    name: str = Field(examples=["Demo Product Co"])
    at_risk_gap: float = Field(examples=[0.1])
    off_track_gap: float = Field(examples=[0.25])
    checkin_cadence: Cadence = Field(examples=["weekly"])
    reminder_weekday: int = Field(examples=[0], description="0 Monday .. 6 Sunday")
    reminder_time: str = Field(examples=["09:00"], description="in each person's time zone")
    updated_at: datetime


class OrganizationPatch(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"at_risk_gap": 0.1, "off_track_gap": 0.2},
                {"checkin_cadence": "biweekly", "reminder_weekday": 0, "reminder_time": "09:00"},
            ]
        },
    )
    at_risk_gap: Gap | None = None
    off_track_gap: Gap | None = None
    checkin_cadence: Cadence | None = None
    reminder_weekday: Annotated[int, Field(ge=0, le=6)] | None = None
    reminder_time: time | None = None


class MemberOut(Schema):
    email: str
    name: str
    is_lead: bool


class TeamOut(Schema):
    ref: str = Field(examples=["platform"])
    name: str = Field(examples=["Platform"])
    parent: str | None = Field(examples=["engineering"])
    checkin_cadence: Cadence | Literal[""] = Field(
        examples=[""], description="blank: the organization's cadence"
    )
    members: list[MemberOut]
    updated_at: datetime


class TeamList(Schema):
    items: list[TeamOut]
    next_cursor: str | None


class PersonOut(Schema):
    email: str = Field(examples=["ada@example.com"])
    name: str = Field(examples=["Ada Lovelace"])
    role: Literal["admin", "member"]
    active: bool
    teams: list[str] = Field(examples=[["platform"]])


class PersonList(Schema):
    items: list[PersonOut]
    next_cursor: str | None


# --- Cycles ------------------------------------------------------------------------------


class CycleOut(Schema):
    ref: str = Field(examples=["2026-q2"])
    name: str = Field(examples=["2026 Q2"])
    start: date
    end: date
    state: Literal["planning", "active", "closed"]
    closed_at: datetime | None
    updated_at: datetime


class CycleList(Schema):
    items: list[CycleOut]
    next_cursor: str | None


class CycleIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"ref": "2026-q3", "name": "2026 Q3", "start": "2026-07-01", "end": "2026-09-30"}
            ]
        },
    )
    ref: NewRef
    name: CycleName
    start: Day
    end: Day
    state: OpenState = "active"


class CyclePatch(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Q3 (extended)", "end": "2026-10-15"}]},
    )
    name: CycleName | None = None
    start: Day | None = None
    end: Day | None = None
    state: OpenState | None = None


# --- Key results and milestones ----------------------------------------------------------


class MilestoneOut(Schema):
    id: int
    title: str = Field(examples=["January feedback session"])
    weight: float
    done: bool
    position: int
    updated_at: datetime


class MilestoneList(Schema):
    items: list[MilestoneOut]
    next_cursor: str | None


class MilestoneIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"title": "March feedback session"}]}
    )
    title: Title
    weight: Weight = Decimal(1)
    done: bool = False


class MilestonePatch(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"done": True}]})
    title: Title | None = None
    weight: Weight | None = None
    done: bool | None = None


class Pace(Schema):
    """Computed at `as_of` (default: today), exactly as docs/semantics.md defines them."""

    progress: float = Field(examples=[0.5])
    expected: float = Field(examples=[0.42])
    status: Status
    score: float = Field(examples=[0.5])
    color: Color
    final_score: float | None = Field(description="the score frozen when the cycle closed")


ForecastLabel = Literal["likely", "possible", "unlikely"]
FORECAST_PROGRESS = (
    "the progress forecast for the window's end (docs/forecast.md); null until computed"
)
FORECAST_LABEL = "likely at 1, possible from 0.7, unlikely below"


class KeyResultOut(Schema):
    """`Pace` at `as_of`, with one exception: a linked key result that follows an objective
    the caller may not see names no objective and shows none of the numbers it takes from
    it (`linked_objective`, `current`, `progress`, `status`, `score`, `color`,
    `final_score` and the forecast's fields are null; docs/semantics.md)."""

    progress: float | None = Field(examples=[0.5])
    expected: float = Field(examples=[0.42])
    status: Status | None
    score: float | None = Field(examples=[0.5])
    color: Color | None
    final_score: float | None = Field(description="the score frozen when the cycle closed")
    forecast: float | None = Field(
        examples=[81],
        description="a metric's least-squares value at its window's end; null for other "
        "types and before two check-ins at distinct times (docs/forecast.md)",
    )
    forecast_progress: float | None = Field(examples=[0.9], description=FORECAST_PROGRESS)
    forecast_label: ForecastLabel | None = Field(
        description=FORECAST_LABEL + "; null for a metric without a forecast"
    )
    ref: str = Field(examples=["adoption"])
    objective: str = Field(examples=["delivery"])
    title: str = Field(examples=["Tool adoption reaches 90 %"])
    description: str
    type: KeyResultType
    unit: str = Field(examples=["%"])
    start: float | None = Field(examples=[0])
    target: float | None = Field(examples=[90])
    threshold: float | None
    low: float | None
    high: float | None
    linked_objective: str | None
    weight: float
    due: date | None
    owner: str | None
    position: int
    current: float | None = Field(examples=[45])
    confidence: Confidence | None
    last_checkin_at: datetime | None
    score_override: float | None
    override_reason: str
    miss_reason: MissReason | None = Field(
        description="why it was missed (a score below 0.7), set at close; docs/review.md"
    )
    miss_note: str = Field(description="a note on the miss reason, required for other")
    milestones: list[MilestoneOut]
    as_of: date
    created_at: datetime
    updated_at: datetime


class KeyResultList(Schema):
    items: list[KeyResultOut]
    next_cursor: str | None


KR_EXAMPLE: dict[str, Any] = {
    "title": "Tool adoption reaches 90 %",
    "type": "metric",
    "unit": "%",
    "start": 0,
    "target": 90,
}


class KeyResultIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [KR_EXAMPLE]})
    title: Title
    type: KeyResultType = "metric"
    description: LongText = ""
    unit: Unit = ""
    start: Value | None = None
    target: Value | None = None
    threshold: Value | None = None
    low: Value | None = None
    high: Value | None = None
    weight: Weight = Decimal(1)
    due: Day | None = None
    linked_objective: Ref | None = None
    owner: Email | None = Field(None, description="an active person of the organization")


class KeyResultPatch(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"target": 95}]})
    title: Title | None = None
    type: KeyResultType | None = None
    description: LongText | None = None
    unit: Unit | None = None
    start: Value | None = None
    target: Value | None = None
    threshold: Value | None = None
    low: Value | None = None
    high: Value | None = None
    weight: Weight | None = None
    due: Day | None = None
    linked_objective: Ref | None = None
    owner: Email | None = Field(
        None, description="an active person of the organization; null: none"
    )


class MoveIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"objective": "growth"}]}
    )
    objective: Ref


# --- Objectives --------------------------------------------------------------------------


class ObjectiveOut(Pace):
    forecast_progress: float | None = Field(
        examples=[0.82],
        description="the weighted mean of its key results' forecast_progress "
        "(docs/forecast.md); null until computed",
    )
    forecast_label: ForecastLabel | None = Field(description=FORECAST_LABEL)
    ref: str = Field(examples=["delivery"])
    title: str = Field(examples=["Enhance project delivery efficiency and quality"])
    description: str
    cycle: str = Field(examples=["2026-q2"])
    team: str | None = Field(examples=["pmo"])
    owner: str = Field(examples=["ada@example.com"])
    kind: Kind
    visibility: Visibility
    parents: list[str] = Field(description="refs of the parents the caller may see")
    key_results: list[str] = Field(description="refs of its key results, in order")
    archived_at: datetime | None
    score_override: float | None
    override_reason: str
    went_well: str
    went_wrong: str
    learned: str
    version: str = Field(description="send it back in a PATCH to refuse overwriting others' edits")
    as_of: date
    created_at: datetime
    updated_at: datetime


class ObjectiveList(Schema):
    items: list[ObjectiveOut]
    next_cursor: str | None


class ObjectiveIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cycle": "2026-q2",
                    "title": "Enhance project delivery efficiency and quality",
                    "team": "pmo",
                    "kind": "committed",
                    "key_results": [KR_EXAMPLE],
                }
            ]
        },
    )
    cycle: Ref
    title: Title
    ref: NewRef | None = None
    description: LongText = ""
    team: Ref | None = None
    owner: Email | None = Field(None, description="admins may name another owner; default: you")
    kind: Kind = "aspirational"
    visibility: Visibility = "public"
    parents: Annotated[list[Ref], Field(max_length=50)] = []
    key_results: Annotated[list[KeyResultIn], Field(max_length=50)] = []


class ObjectivePatch(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Deliver faster", "kind": "committed"}]},
    )
    title: Title | None = None
    description: LongText | None = None
    team: Ref | None = None
    kind: Kind | None = None
    visibility: Visibility | None = None
    parents: Annotated[list[Ref], Field(max_length=50)] | None = None
    owner: Email | None = Field(
        None, description="an active person of the organization; members may name only themselves"
    )
    version: Annotated[str, StringConstraints(max_length=64, pattern=r"^[0-9a-f]*$")] | None = None


class CopyIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"cycle": "2026-q3", "key_results": ["adoption"]}]},
    )
    cycle: Ref
    key_results: Annotated[list[Ref], Field(max_length=50)] | None = Field(
        None, description="refs of the key results to copy; default: all"
    )


class RetrospectiveIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "score_override": 0.7,
                    "override_reason": "The last deal signed a day after close.",
                    "went_well": "Weekly check-ins",
                    "went_wrong": "Late start",
                    "learned": "Plan the pilot earlier",
                }
            ]
        },
    )
    score_override: Grade | None = None
    override_reason: LongText = ""
    went_well: LongText = ""
    went_wrong: LongText = ""
    learned: LongText = ""


# --- Check-ins ---------------------------------------------------------------------------


class CheckInOut(Schema):
    id: int
    key_result: str = Field(examples=["adoption"])
    value: float | None = Field(examples=[45])
    confidence: Confidence | None
    note: str
    author: str | None = Field(examples=["ada@example.com"])
    at: datetime
    created_at: datetime


class CheckInList(Schema):
    items: list[CheckInOut]
    next_cursor: str | None


class CheckInIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"value": 45, "confidence": "on_track", "note": "pilot live"}]
        },
    )
    value: Value | None = None
    confidence: Confidence | None = None
    note: LongText = ""
    at: Moment | None = Field(
        None,
        description="when it was true (default: now): from its cycle's first day to now",
    )


class BulkItem(CheckInIn):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"key_result": "adoption", "value": 45}]}
    )
    key_result: Ref


class BulkIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"key_result": "adoption", "value": 45},
                        {"key_result": "nps", "value": 31},
                    ]
                }
            ]
        },
    )
    items: Annotated[list[BulkItem], Field(min_length=1, max_length=rules.MAX_BULK_CHECKINS)]


class BulkOut(Schema):
    items: list[CheckInOut]


# --- Sync --------------------------------------------------------------------------------


class DeletionOut(Schema):
    kind: Literal["cycle", "objective", "key_result", "milestone", "checkin", "initiative", "kpi"]
    ref: str = Field(description="the ref; for milestones and check-ins their id")
    deleted_at: datetime


class DeletionList(Schema):
    items: list[DeletionOut]
    next_cursor: str | None


# --- Query parameters --------------------------------------------------------------------

Limit = Annotated[int, Field(ge=1, le=200, description="items per page (1 to 200)")]
Cursor = Annotated[
    str,
    StringConstraints(max_length=200, pattern=r"^[A-Za-z0-9_=-]*$"),
    Field(description="`next_cursor` of the previous page"),
]


class PageQuery(Schema):
    limit: Limit = 50
    cursor: Cursor | None = None


class SyncQuery(PageQuery):
    updated_since: Moment | None = Field(
        None, description="only what changed at or after this moment (incremental sync)"
    )


class AsOfQuery(Schema):
    as_of: Day | None = Field(None, description="the date of expected progress and status")


class ObjectiveQuery(SyncQuery):
    as_of: Day | None = Field(None, description="the date of expected progress and status")
    cycle: Ref | None = None
    team: Ref | None = None
    owner: Email | None = None
    status: Status | None = None
    kind: Kind | None = None
    visibility: Visibility | None = None
    archived: bool | None = Field(None, description="true: only archived; false: none archived")
    q: SearchText | None = Field(None, description="text the title contains (any case)")


class KeyResultQuery(SyncQuery):
    as_of: Day | None = Field(None, description="the date of expected progress and status")
    objective: Ref | None = None
    cycle: Ref | None = None
    type: KeyResultType | None = None


class CheckInQuery(PageQuery):
    key_result: Ref | None = None
    objective: Ref | None = None
    author: Email | None = None
    since: Moment | None = Field(None, description="check-ins whose `at` is at or after this")
    until: Moment | None = Field(None, description="check-ins whose `at` is before this")
    updated_since: Moment | None = Field(None, description="check-ins written at or after this")


class DeletionQuery(PageQuery):
    since: Moment = Field(description="deletions at or after this moment")


Id = Annotated[int, Field(ge=1, le=2**53)]


# --- Initiatives and tasks ---------------------------------------------------------------

# The engine's INITIATIVE_STATUSES (tests/api/test_initiatives.py checks they agree).
InitiativeStatus = Literal["planned", "in_progress", "blocked", "done", "cancelled"]
LinkUrl = Annotated[
    str,
    StringConstraints(max_length=2000),
    AfterValidator(storable_text),
    Field(examples=["https://github.com/acme/app/milestone/4"]),
]
SupportedRefs = Annotated[
    list[Ref],
    Field(max_length=initiative_rules.MAX_KEY_RESULTS, description="refs of key results"),
]


class LinkOut(Schema):
    url: str = Field(examples=["https://github.com/acme/app/milestone/4"])
    open: int | None = Field(description="open items at the last successful sync")
    closed: int | None = Field(description="closed items at the last successful sync")
    synced_at: datetime | None = Field(description="the last successful sync")
    sync_error: str = Field(description="why the last attempt failed; blank if it did not")


class InitiativeOut(Schema):
    ref: str = Field(examples=["migrate-billing"])
    title: str = Field(examples=["Migrate billing to the new provider"])
    description: str
    cycle: str = Field(examples=["2026-q2"])
    owner: str = Field(examples=["ada@example.com"])
    team: str | None = Field(examples=["platform"])
    status: InitiativeStatus
    start: date | None
    due: date | None
    key_results: list[str] = Field(description="refs of the key results it supports")
    link: LinkOut | None = Field(description="the tracker it is linked to, if any")
    progress: float = Field(
        examples=[0.5],
        description="done tasks / tasks; else the link's closed share; else 1 "
        "when done (docs/semantics.md)",
    )
    impact: float = Field(
        examples=[0.25],
        description="how much of its goals it can still move: Σ (w_k / W_k)·(1 - p_k) over "
        "the key results it supports; 0 when done or cancelled",
    )
    overdue: bool = Field(description="past its due date and neither done nor cancelled")
    tasks: int = Field(examples=[4], description="how many tasks it has")
    open_tasks: int = Field(examples=[2], description="how many of them are not done")
    created_at: datetime
    updated_at: datetime = Field(description="its last change, or its tasks' last change")


class InitiativeList(Schema):
    items: list[InitiativeOut]
    next_cursor: str | None


class InitiativeIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "cycle": "2026-q2",
                    "title": "Migrate billing to the new provider",
                    "team": "platform",
                    "status": "in_progress",
                    "due": "2026-06-15",
                    "key_results": ["adoption"],
                }
            ]
        },
    )
    cycle: Ref
    title: Title
    description: LongText = ""
    owner: Email | None = Field(
        None, description="an active person of the organization; default: you"
    )
    team: Ref | None = None
    status: InitiativeStatus = "planned"
    start: Day | None = None
    due: Day | None = None
    key_results: SupportedRefs = []
    link: LinkUrl = Field(
        "", description="a tracker's milestone, epic or query (http:// or https://)"
    )


class InitiativePatch(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "blocked", "due": "2026-06-30"}]},
    )
    title: Title | None = None
    description: LongText | None = None
    owner: Email | None = Field(None, description="an active person of the organization")
    team: Ref | None = Field(None, description="null: no team")
    status: InitiativeStatus | None = None
    start: Day | None = Field(None, description="null: none")
    due: Day | None = Field(None, description="null: none")
    key_results: SupportedRefs | None = None
    link: LinkUrl | None = Field(None, description="blank or null: no link")


class TaskOut(Schema):
    id: int
    title: str = Field(examples=["Export the customer list"])
    done: bool
    assignee: str | None = Field(examples=["grace@example.com"])
    due: date | None
    position: int = Field(description="its place in the initiative's checklist, from 0")
    done_at: datetime | None
    updated_at: datetime


class TaskList(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class TaskIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Export the customer list", "assignee": "grace@example.com"}]
        },
    )
    title: Title
    assignee: Email | None = Field(None, description="an active person of the organization")
    due: Day | None = None
    done: bool = False


class TaskPatch(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"done": True}]})
    title: Title | None = None
    assignee: Email | None = Field(None, description="null: nobody")
    due: Day | None = Field(None, description="null: none")
    done: bool | None = Field(None, description="its assignee may tick it, too")
    position: Annotated[int, Field(ge=0, le=initiative_rules.MAX_TASKS)] | None = Field(
        None, description="move it to this place in the checklist (0: first)"
    )


class StatusUpdateOut(Schema):
    id: int
    status: InitiativeStatus
    note: str = Field(examples=["Waiting for the provider's sandbox"])
    author: str | None = Field(examples=["ada@example.com"])
    at: datetime


class StatusUpdateList(Schema):
    items: list[StatusUpdateOut]
    next_cursor: str | None


class StatusUpdateIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "blocked", "note": "Waiting for the provider's sandbox"}]
        },
    )
    status: InitiativeStatus
    note: LongText = ""


class InitiativeQuery(SyncQuery):
    cycle: Ref | None = None
    team: Ref | None = None
    owner: Email | None = None
    status: InitiativeStatus | None = None
    key_result: Ref | None = Field(None, description="work that supports this key result")
    overdue: bool | None = Field(
        None, description="true: past due and neither done nor cancelled; false: the others"
    )
