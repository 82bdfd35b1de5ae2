"""Templates by role (docs/coach.md, "Templates by role"): OKR files whose objectives a
person copies into a cycle, from `pacer templates apply` or, through the New objective form,
from the web ("Start from a template").

A template is an OKR file (docs/okr-file.md): `organization` holds its title, and its
objectives name the placeholders `cycle: template` and `owner: owner@template.invalid`,
replaced by the cycle and the owner chosen when it is applied. The built-in ones live in
`okr_templates/`; an organization adds its own in the folder PACER_TEMPLATE_DIR names.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from pacer.accounts.models import User
from pacer.okrs import permissions, rules, services
from pacer.okrs import progress as engine
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import Cycle, Objective, Team
from pacer.okrs.okrfile.loader import (
    FileProblem,
    format_path,
    line_of,
    load_with_lines,
    read_file,
)
from pacer.okrs.okrfile.loader import Path as ValuePath
from pacer.okrs.okrfile.schema import KeyResultIn, MilestoneIn, ObjectiveIn, OkrFile
from pacer.okrs.okrfile.shape import check_shape

logger = logging.getLogger(__name__)

BUILT_IN = Path(__file__).parent / "okr_templates"
PLACEHOLDER_CYCLE = "template"
PLACEHOLDER_OWNER = "owner@template.invalid"

# A milestones key result's milestones, by the key result's title.
MilestonesByTitle = Mapping[str, Sequence[MilestoneIn]]


class TemplateError(Exception):
    """A template that cannot be used; the message says which and why."""


class UnknownTemplate(TemplateError):
    """No template by that name, or no objective at that position in it."""


class InvalidTemplate(TemplateError):
    """A template file that is not a valid OKR file: the message names the file and line."""


@dataclass(frozen=True)
class Template:
    name: str  # the file's name without .yaml: what `apply` and the web link take
    title: str  # the file's `organization`
    path: Path
    doc: OkrFile

    @property
    def objective_count(self) -> int:
        return len(self.doc.objectives)

    @property
    def key_result_count(self) -> int:
        return sum(len(objective.key_results) for objective in self.doc.objectives)


# --- Finding and reading templates -------------------------------------------------------


def template_paths() -> dict[str, Path]:
    """Every template's file by name: the built-in ones, then the organization's own (a file
    there with a built-in's name takes its place in the list)."""
    paths = {path.stem: path for path in sorted(BUILT_IN.glob("*.yaml"))}
    own = settings.PACER_TEMPLATE_DIR
    if own and not Path(own).is_dir():
        # A typo in the setting should not hide the built-in templates: say it in the log.
        logger.warning("PACER_TEMPLATE_DIR %s is not a folder: no templates of your own", own)
    elif own:
        paths.update({path.stem: path for path in sorted(Path(own).glob("*.yaml"))})
    return paths


def available() -> list[Template]:
    """Every template, read (InvalidTemplate names the first file that cannot be)."""
    return [template_at(name, path) for name, path in template_paths().items()]


def template_at(name: str, path: Path) -> Template:
    doc = parse(path)
    return Template(name=name, title=doc.organization, path=path, doc=doc)


def load(name: str) -> OkrFile:
    path = template_paths().get(name)
    if path is None:
        raise UnknownTemplate(f"no template named {name!r} (`pacer templates list` names them)")
    return parse(path)


def parse(path: Path) -> OkrFile:
    """The template at `path` as an OKR file: read and checked as `pacer import` reads one,
    and each key result checked as the services will check it, so a mistake is reported
    with its line before anything is written."""
    try:
        data, lines = load_with_lines(read_file(str(path)))
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidTemplate(f"{path}: cannot be read: {error}") from error
    except FileProblem as problem:
        found = [describe(path, line, where, message) for line, where, message in problem.problems]
        raise InvalidTemplate("\n".join(found)) from problem
    if not isinstance(data, dict):
        raise InvalidTemplate(f"{path}:1: a template is an OKR file: a mapping with `organization`")
    shape = check_shape(data)
    problems = shape.problems or (template_problems(shape.doc) if shape.doc else [])
    if problems or shape.doc is None:
        found = [describe(path, line_of(lines, where), where, msg) for where, msg in problems]
        raise InvalidTemplate("\n".join(found))
    return shape.doc


def template_problems(doc: OkrFile) -> list[tuple[ValuePath, str]]:
    """What the schema lets through but applying would refuse or the coach would flag: no
    objectives, a key result the services refuse, milestones on a key result of another type
    or none on a milestones one, a linked key result (it would follow one of the file's)."""
    if not doc.objectives:
        return [(("objectives",), "a template holds at least one objective")]
    problems: list[tuple[ValuePath, str]] = []
    for i, objective in enumerate(doc.objectives):
        for j, kr in enumerate(objective.key_results):
            where: ValuePath = ("objectives", i, "key_results", j)
            problems += [((*where, field), message) for field, message in kr_problems(kr)]
    return problems


def kr_problems(kr: KeyResultIn) -> list[rules.Problem]:
    if kr.type == engine.LINKED:
        return [("type", "a template cannot hold linked key results")]
    problems = rules.key_result_problems(**numbers_of(kr), weight=kr.weight)
    if kr.milestones:
        problems += rules.has_milestones_problems(kr.type)
    elif kr.type == engine.MILESTONES:
        problems.append(("milestones", "a milestones key result lists its milestones"))
    return problems


def numbers_of(kr: KeyResultIn) -> dict[str, Any]:
    return {
        "type": kr.type,
        "start": kr.start,
        "target": kr.target,
        "threshold": kr.threshold,
        "low": kr.low,
        "high": kr.high,
    }


def describe(path: Path, line: int | None, where: ValuePath, message: str) -> str:
    """`file:line: objectives[0].title: message`, as `pacer import` reports a problem."""
    place = f"{path}:{line}" if line else str(path)
    return f"{place}: {format_path(where)}: {message}" if where else f"{place}: {message}"


def template_objective(name: str, number: str) -> ObjectiveIn:
    """The objective at `number` (counted from 1, as the templates page shows them)."""
    objectives = load(name).objectives
    if not (number.isascii() and number.isdigit() and 1 <= int(number) <= len(objectives)):
        raise UnknownTemplate(f"no objective {number!r} in the template {name!r}")
    return objectives[int(number) - 1]


def milestones_of(objective: ObjectiveIn) -> dict[str, list[MilestoneIn]]:
    return {kr.title: kr.milestones for kr in objective.key_results if kr.milestones}


# --- Applying a template -----------------------------------------------------------------


@transaction.atomic
def apply(
    name: str, *, cycle: Cycle, owner: User, team: Team | None = None, by: User | None
) -> list[Objective]:
    """Create every objective of the template `name` in `cycle` for `owner` (under `team`),
    with its key results and milestones: all of them or, on any problem, none.

    `by` must be allowed to create objectives for `owner` under `team` (as in the web);
    None is the operator of the installation (the command line without `--by`)."""
    doc = load(name)
    raise_if(apply_problems(by, cycle=cycle, owner=owner, team=team))
    created = []
    for number, objective in enumerate(doc.objectives, start=1):
        try:
            created.append(create_objective(objective, cycle=cycle, owner=owner, team=team))
        except DomainError as error:  # say which of the template's objectives it was
            where = f"objective {number} ({objective.title})"
            problems = [(f"{where}, {f}" if f else where, m) for f, m in error.problems]
            raise DomainError(problems) from error
    return created


def apply_problems(
    by: User | None, *, cycle: Cycle, owner: User, team: Team | None
) -> list[rules.Problem]:
    if by is None:
        return []
    if by.organization_id != cycle.organization_id:
        return [("cycle", "belongs to another organization")]
    if not permissions.can_file_under_team(by, team):
        return [("team", "you may file objectives only under a team of yours that is active")]
    if not permissions.can_create_objective_for(by, owner=owner, team=team):
        return [("owner", "only an admin creates objectives for someone else")]
    return []


def create_objective(
    objective: ObjectiveIn, *, cycle: Cycle, owner: User, team: Team | None
) -> Objective:
    return objective_create_with_milestones(
        milestones=milestones_of(objective),
        cycle=cycle,
        owner=owner,
        team=team,
        title=objective.title,
        description=objective.description,
        kind=objective.kind,
        visibility=objective.visibility,
        key_results=[spec_of(kr, owner) for kr in objective.key_results],
    )


def spec_of(kr: KeyResultIn, owner: User) -> services.KeyResultSpec:
    """A template key result for `owner`; its due date, if any, was another cycle's."""
    return services.KeyResultSpec(
        title=kr.title,
        unit=kr.unit,
        weight=kr.weight,
        description=kr.description,
        owner=owner,
        **numbers_of(kr),
    )


@transaction.atomic
def objective_create_with_milestones(*, milestones: MilestonesByTitle, **fields: Any) -> Objective:
    """`services.objective_create(**fields)`, then each new milestones key result gets the
    milestones `milestones` lists under its title (the New objective form has no milestones:
    a template's come along when its key result keeps its title)."""
    objective = services.objective_create(**fields)
    for kr in objective.key_results.filter(type=engine.MILESTONES).order_by("position"):
        for milestone in milestones.get(kr.title, ()):
            services.milestone_create(key_result=kr, title=milestone.title, weight=milestone.weight)
    return objective
