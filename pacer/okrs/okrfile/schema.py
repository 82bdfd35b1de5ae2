"""The shape of an OKR file (docs/okr-file.md). Unknown keys are refused."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from pacer.okrs import progress as engine
from pacer.okrs import rules


def printable(value: str) -> str:
    """No NUL or other control character but tab and line breaks (`rules.text_problems`)."""
    for _, message in rules.text_problems("", value):
        raise PydanticCustomError("text", "{problem}", {"problem": message})
    return value


Printable = AfterValidator(printable)
Text = Annotated[str, Printable]

Ref = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]+$", max_length=100)
]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254), Printable
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), Printable
]
Number = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=24, decimal_places=6)]
Confidence = Literal["on_track", "at_risk", "off_track"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SettingsIn(Strict):
    at_risk_gap: Number = engine.DEFAULT_AT_RISK_GAP
    off_track_gap: Number = engine.DEFAULT_OFF_TRACK_GAP


class PersonIn(Strict):
    email: Email
    name: Text = ""
    admin: bool = False
    active: bool = True

    @field_validator("email")
    @classmethod
    def looks_like_email(cls, value: str) -> str:
        if "@" not in value or value.startswith("@") or value.endswith("@"):
            raise ValueError(f"{value!r} is not an email address")
        return value


class TeamIn(Strict):
    ref: Ref
    name: Title
    parent: Ref | None = None
    members: list[Email] = []
    leads: list[Email] = []


class CycleIn(Strict):
    ref: Ref
    name: Title
    start: date
    end: date
    state: Literal["planning", "active", "closed"] = "active"


class CheckinIn(Strict):
    at: datetime | date
    value: Number | None = None
    confidence: Confidence | None = None
    note: Text = ""
    by: Email | None = None


class MilestoneIn(Strict):
    title: Title
    weight: Annotated[Number, Field(ge=0)] = Decimal(1)
    done: bool = False


class KeyResultIn(Strict):
    ref: Ref
    title: Title
    description: Text = ""
    type: Literal[
        "metric",
        "boolean",
        "milestones",
        "stay_above",
        "stay_below",
        "range",
        "linked",
        "initiatives",
    ]
    unit: Annotated[str, StringConstraints(max_length=30), Printable] = ""
    start: Number | None = None
    target: Number | None = None
    threshold: Number | None = None
    low: Number | None = None
    high: Number | None = None
    objective: Ref | None = None
    weight: Number = Decimal(1)
    due: date | None = None
    owner: Email | None = None
    milestones: list[MilestoneIn] = []
    checkins: list[CheckinIn] = []
    score_override: Number | None = None
    override_reason: Text = ""
    # Why it was missed, set at close (rules.miss_reason_problems; KeyResult.MissReason).
    miss_reason: (
        Literal[
            "too_ambitious",
            "priorities_changed",
            "dependency",
            "under_resourced",
            "wrong_metric",
            "external",
            "other",
        ]
        | Literal[""]
    ) = ""
    miss_note: Text = ""


class ObjectiveIn(Strict):
    ref: Ref
    title: Title
    description: Text = ""
    cycle: Ref
    team: Ref | None = None
    owner: Email
    kind: Literal["committed", "aspirational"] = "aspirational"
    visibility: Literal["public", "private"] = "public"
    parents: list[Ref] = []
    archived: bool = False
    key_results: list[KeyResultIn] = []
    score_override: Number | None = None
    override_reason: Text = ""
    went_well: Text = ""
    went_wrong: Text = ""
    learned: Text = ""


class TaskIn(Strict):
    title: Title
    done: bool = False
    assignee: Email | None = None
    due: date | None = None


# engine.INITIATIVE_STATUSES (tests/test_okrfile_initiatives.py ties the two).
InitiativeStatus = Literal["planned", "in_progress", "blocked", "done", "cancelled"]
Link = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), Printable]


class InitiativeIn(Strict):
    """The work behind key results (docs/okr-file.md, "Initiatives"); `cycle` is named like
    an objective's, and every key result it supports must be of that cycle."""

    ref: Ref
    title: Title
    description: Text = ""
    cycle: Ref
    team: Ref | None = None
    owner: Email
    status: InitiativeStatus = "planned"
    start: date | None = None
    due: date | None = None
    link: Link = ""
    key_results: list[Ref] = []
    tasks: list[TaskIn] = []


class OkrFile(Strict):
    organization: Title
    settings: SettingsIn = SettingsIn()
    people: list[PersonIn] = []
    teams: list[TeamIn] = []
    cycles: list[CycleIn] = []
    objectives: list[ObjectiveIn] = []
    initiatives: list[InitiativeIn] = []
