"""`pacer import`: creates or updates an organization's OKRs from a file, all or nothing.

The file is parsed (with line numbers), validated in shape (`schema`) and against itself and
the database (`checks`), then written in one transaction. Progress is recomputed for the
whole organization at the end with the same engine the services use.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from pacer.accounts.models import User
from pacer.initiatives import impacts
from pacer.initiatives import services as initiative_services
from pacer.initiatives.models import Initiative, Task
from pacer.okrs import history, rollup, rules, services
from pacer.okrs.models import (
    Alignment,
    CheckIn,
    Cycle,
    KeyResult,
    Membership,
    Milestone,
    Objective,
    Organization,
    Team,
)
from pacer.okrs.okrfile.checks import Existing, FileChecker, PathProblem, checkin_moment
from pacer.okrs.okrfile.loader import (
    FileProblem,
    LineMap,
    format_path,
    line_of,
    load_with_lines,
    read_file,
)
from pacer.okrs.okrfile.schema import InitiativeIn, KeyResultIn, ObjectiveIn, OkrFile, TaskIn
from pacer.okrs.okrfile.shape import check_shape

# What may still change on an objective or key result once its cycle is closed.
EDITABLE_AFTER_CLOSE = {
    "score_override",
    "override_reason",
    "went_well",
    "went_wrong",
    "learned",
    "miss_reason",
    "miss_note",
}


class ImportFailed(Exception):
    """The file was refused; nothing was written. `errors` are ready-to-print lines."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated)

    def summary(self) -> str:
        if not self.changed:
            return f"{self.source}: nothing to change."
        parts = [f"created {n} {kind}" for kind, n in sorted(self.created.items()) if n]
        parts += [f"updated {n} {kind}" for kind, n in sorted(self.updated.items()) if n]
        verb = "would be" if self.dry_run else "was"
        return f"{self.source} {verb} imported: " + ", ".join(parts) + "."


class _DryRun(Exception):
    """Raised to roll back a dry run after every write was tried."""


def import_file(path: str, *, dry_run: bool = False, by: User | None = None) -> ImportReport:
    try:
        data, lines = load_with_lines(read_file(path))
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFailed([f"{path}: cannot be read: {error}"]) from error
    except FileProblem as problem:
        errors = [_describe(path, line, where, msg) for line, where, msg in problem.problems]
        raise ImportFailed(errors) from problem
    return import_document(data, source=path, lines=lines, dry_run=dry_run, by=by)


def import_document(
    data: Any,
    *,
    source: str,
    lines: LineMap | None = None,
    dry_run: bool = False,
    by: User | None = None,
) -> ImportReport:
    """Every write is recorded in the history as made through `import` by `by` (if given)."""
    with history.context(via=history.IMPORT, actor=by):
        return _import_document(data, source=source, lines=lines or {}, dry_run=dry_run)


def _import_document(data: Any, *, source: str, lines: LineMap, dry_run: bool) -> ImportReport:

    def refuse(problems: list[PathProblem]) -> ImportFailed:
        return ImportFailed(
            [_describe(source, line_of(lines, path), path, msg) for path, msg in problems]
        )

    if not isinstance(data, dict):
        raise refuse([((), "the file must be a mapping with an `organization` key")])
    shape = check_shape(data)
    if shape.doc is None:
        raise refuse(shape.problems)
    doc = shape.doc
    organization = Organization.objects.filter(name=doc.organization).first()
    checker = FileChecker(doc, Existing.load(organization), left_out=shape.left_out)
    problems = shape.problems + [(shape.locate(path), msg) for path, msg in checker.run()]
    if problems:
        raise refuse(sorted(problems, key=lambda problem: line_of(lines, problem[0]) or 0))
    report = ImportReport(source=source, dry_run=dry_run)
    try:
        with transaction.atomic():
            problems = _Writer(doc, report).write()
            if problems:
                raise refuse(problems)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _describe(source: str, line: int | None, path: tuple[Any, ...], message: str) -> str:
    where = f"{source}:{line}" if line else source
    return f"{where}: {format_path(path)}: {message}" if path else f"{where}: {message}"


class _Writer:
    """Applies a checked file. Saves only what differs, so a second import changes nothing."""

    def __init__(self, doc: OkrFile, report: ImportReport) -> None:
        self.doc = doc
        self.report = report
        self.problems: list[PathProblem] = []
        self.people: dict[str, User] = {}
        self.teams: dict[str, Team] = {}
        self.cycles: dict[str, Cycle] = {}
        self.objectives: dict[str, Objective] = {}
        self.frozen_cycles: set[int] = set()

    def write(self) -> list[PathProblem]:
        self.organization = self.write_organization()
        self.write_people()
        self.write_teams()
        self.write_cycles()
        self.write_objectives()
        for index, objective in enumerate(self.doc.objectives):
            self.write_key_results(index, objective)
        self.write_initiatives()
        if self.problems:
            return self.problems
        self.store_progress()
        self.close_cycles()
        self.write_closing_notes()
        return self.problems

    # --- helpers -----------------------------------------------------------------------

    def sync(self, obj: Model, kind: str, path: tuple[Any, ...], /, **values: Any) -> bool:
        """Create or update `obj` with `values`; count it; refuse changes to closed cycles."""
        creating = obj.pk is None
        changed = [name for name, value in values.items() if creating or _differs(obj, name, value)]
        if not creating and not changed:
            return False
        # Closed cycles are frozen both ways: nothing moves out of one, nothing into one.
        was_frozen = not creating and self.is_frozen(obj)
        for name in changed:
            setattr(obj, name, values[name])
        frozen = was_frozen or self.is_frozen(obj)
        if frozen and (creating or set(changed) - EDITABLE_AFTER_CLOSE):
            what = "cannot add to it" if creating else f"cannot change {changed[0]}"
            self.problems.append((path, f"belongs to a closed cycle; {what}"))
            return False
        if creating:
            obj.save()
        else:
            # Only the changed columns: other instances may have stored newer derived values.
            stamp = ["updated_at"] if hasattr(obj, "updated_at") else []
            obj.save(update_fields=[*changed, *stamp])
        (self.report.created if creating else self.report.updated)[kind] += 1
        return True

    def is_frozen(self, obj: Model) -> bool:
        if isinstance(obj, Objective):
            return obj.cycle_id in self.frozen_cycles
        if isinstance(obj, KeyResult):
            return obj.objective.cycle_id in self.frozen_cycles
        if isinstance(obj, CheckIn):
            return obj.key_result.objective.cycle_id in self.frozen_cycles
        if isinstance(obj, Initiative):
            return obj.cycle_id in self.frozen_cycles
        if isinstance(obj, Task):
            return obj.initiative.cycle_id in self.frozen_cycles
        return False

    def person(self, email: str | None) -> User | None:
        if email is None:
            return None
        if email not in self.people:
            self.people[email] = User.objects.get(email=email)
        return self.people[email]

    # --- sections ----------------------------------------------------------------------

    def write_organization(self) -> Organization:
        organization = Organization.objects.filter(name=self.doc.organization).first()
        organization = organization or Organization(name=self.doc.organization)
        self.sync(
            organization,
            "organizations",
            ("settings",),
            at_risk_gap=self.doc.settings.at_risk_gap,
            off_track_gap=self.doc.settings.off_track_gap,
        )
        return organization

    def write_people(self) -> None:
        existing = {u.email: u for u in User.objects.filter(organization=self.organization)}
        for index, person in enumerate(self.doc.people):
            user = existing.get(person.email) or User.objects.filter(email=person.email).first()
            if user is None:
                user = User(email=person.email)
                user.set_unusable_password()
            self.sync(
                user,
                "people",
                ("people", index),
                name=person.name,
                organization=self.organization,
                role=User.Role.ADMIN if person.admin else User.Role.MEMBER,
                is_active=person.active,
            )
            self.people[person.email] = user

    def write_teams(self) -> None:
        self.teams = {t.ref: t for t in Team.objects.filter(organization=self.organization)}
        # Parents may come later in the file: create new teams parents first, so that each
        # is written (and recorded in the history) once, with its parent.
        pending = [team for team in self.doc.teams if team.ref not in self.teams]
        created = set()
        while pending:
            ready = [t for t in pending if not t.parent or t.parent in self.teams]
            for team in ready or pending:  # `or`: a loop (refused by the checks) still ends
                parent = self.teams.get(team.parent) if team.parent else None
                self.teams[team.ref] = Team.objects.create(
                    organization=self.organization, ref=team.ref, name=team.name, parent=parent
                )
                created.add(team.ref)
            pending = [team for team in pending if team.ref not in created]
        self.report.created["teams"] += len(created)
        for index, team in enumerate(self.doc.teams):
            row = self.teams[team.ref]
            if team.ref not in created:
                parent = self.teams[team.parent] if team.parent else None
                self.sync(row, "teams", ("teams", index), name=team.name, parent=parent)
            self.write_memberships(row, team.members, team.leads)

    def write_memberships(self, team: Team, members: list[str], leads: list[str]) -> None:
        wanted = {email: email in leads for email in [*members, *leads]}
        current = {m.person.email: m for m in team.memberships.select_related("person")}
        for email, membership in current.items():
            if email not in wanted:
                membership.delete()
                self.report.updated["memberships"] += 1
        for email, is_lead in wanted.items():
            membership = current.get(email) or Membership(team=team, person=self.person(email))
            self.sync(membership, "memberships", ("teams",), is_lead=is_lead)

    def write_cycles(self) -> None:
        self.cycles = {c.ref: c for c in Cycle.objects.filter(organization=self.organization)}
        for index, cycle in enumerate(self.doc.cycles):
            row = self.cycles.get(cycle.ref) or Cycle(organization=self.organization, ref=cycle.ref)
            if row.pk and row.is_closed and cycle.state != Cycle.State.CLOSED:
                services.cycle_reopen(cycle=row, state=cycle.state)
                self.report.updated["cycles"] += 1
            # A cycle to be closed stays open until its check-ins are loaded (close_cycles).
            state = row.state if row.is_closed else _open_state(cycle.state)
            self.sync(
                row,
                "cycles",
                ("cycles", index),
                name=cycle.name,
                start=cycle.start,
                end=cycle.end,
                state=state,
            )
            self.cycles[cycle.ref] = row
        self.frozen_cycles = {c.pk for c in self.cycles.values() if c.is_closed}

    def write_objectives(self) -> None:
        self.objectives = {
            o.ref: o for o in Objective.objects.filter(organization=self.organization)
        }
        for index, objective in enumerate(self.doc.objectives):
            self.write_objective(index, objective)
        for index, objective in enumerate(self.doc.objectives):
            self.write_alignments(index, objective)

    def write_objective(self, index: int, objective: ObjectiveIn) -> None:
        row = self.objectives.get(objective.ref) or Objective(
            organization=self.organization, ref=objective.ref
        )
        archived = (row.archived_at or timezone.now()) if objective.archived else None
        self.sync(
            row,
            "objectives",
            ("objectives", index),
            title=objective.title,
            description=objective.description,
            cycle=self.cycles[objective.cycle],
            team=self.teams[objective.team] if objective.team else None,
            owner=self.person(objective.owner),
            kind=objective.kind,
            visibility=objective.visibility,
            archived_at=archived,
        )
        self.objectives[objective.ref] = row

    def write_alignments(self, index: int, objective: ObjectiveIn) -> None:
        child = self.objectives[objective.ref]
        wanted = {self.objectives[ref].pk for ref in objective.parents}
        current = set(Alignment.objects.filter(child=child).values_list("parent_id", flat=True))
        if wanted == current:
            return
        if child.cycle_id in self.frozen_cycles:
            self.problems.append((("objectives", index, "parents"), "belongs to a closed cycle"))
            return
        # One by one (rarely more than a few): each is recorded in the history.
        for alignment in Alignment.objects.filter(child=child, parent_id__in=current - wanted):
            alignment.child = child
            alignment.delete()
        for parent_id in sorted(wanted - current):
            Alignment.objects.create(child=child, parent_id=parent_id)
        self.report.created["alignments"] += len(wanted - current)

    def write_key_results(self, index: int, objective: ObjectiveIn) -> None:
        existing = {
            kr.ref: kr
            for kr in KeyResult.objects.filter(
                organization=self.organization, ref__in=[k.ref for k in objective.key_results]
            )
        }
        for kr_index, kr in enumerate(objective.key_results):
            path = ("objectives", index, "key_results", kr_index)
            row = existing.get(kr.ref) or KeyResult(organization=self.organization, ref=kr.ref)
            self.sync(row, "key results", path, **self.key_result_values(objective, kr_index, kr))
            if row.pk is None:
                continue
            self.write_milestones(path, row, kr)
            self.write_checkins(path, row, kr)

    def key_result_values(self, objective: ObjectiveIn, position: int, kr: KeyResultIn) -> dict:
        return {
            "objective": self.objectives[objective.ref],
            "title": kr.title,
            "description": kr.description,
            "type": kr.type,
            "unit": kr.unit,
            "start": kr.start,
            "target": kr.target,
            "threshold": kr.threshold,
            "low": kr.low,
            "high": kr.high,
            "linked_objective": self.objectives[kr.objective] if kr.objective else None,
            "weight": kr.weight,
            "due": kr.due,
            "owner": self.person(kr.owner),
            "position": position,
        }

    def write_milestones(self, path: tuple[Any, ...], row: KeyResult, kr: KeyResultIn) -> None:
        wanted = [(m.title, m.weight, m.done) for m in kr.milestones]
        current = list(row.milestones.order_by("position", "id"))
        if [(m.title, m.weight, m.done) for m in current] == wanted:
            return
        if self.is_frozen(row):
            self.problems.append(((*path, "milestones"), "belongs to a closed cycle"))
            return
        # Position by position: a milestone that stays is updated in place, so the history
        # shows what changed (done, a new title...) rather than a delete and a create.
        for position, (title, weight, done) in enumerate(wanted):
            milestone = (
                current[position]
                if position < len(current)
                else Milestone(key_result=row, position=position)
            )
            milestone.key_result = row
            self.sync(
                milestone,
                "milestones",
                (*path, "milestones", position),
                title=title,
                weight=weight,
                done=done,
                position=position,
            )
        for milestone in current[len(wanted) :]:
            milestone.key_result = row
            milestone.delete()
            self.report.updated["milestones"] += 1

    def write_checkins(self, path: tuple[Any, ...], row: KeyResult, kr: KeyResultIn) -> None:
        current = {c.at: c for c in row.checkins.all()}
        for index, checkin in enumerate(kr.checkins):
            at = checkin_moment(checkin.at)
            target = current.get(at) or CheckIn(key_result=row, at=at)
            self.sync(
                target,
                "check-ins",
                (*path, "checkins", index),
                value=checkin.value,
                confidence=checkin.confidence or "",
                note=checkin.note,
                author=self.person(checkin.by),
            )

    def write_initiatives(self) -> None:
        """Initiatives by ref, their key results and tasks as the file lists them; then each
        one's progress q as pacer.initiatives computes it (store_progress rolls it up)."""
        if not self.doc.initiatives:
            return
        existing = {
            i.ref: i
            for i in Initiative.objects.filter(
                organization=self.organization, ref__in=[i.ref for i in self.doc.initiatives]
            )
        }
        wanted = {ref for item in self.doc.initiatives for ref in item.key_results}
        key_results = {
            kr.ref: kr
            for kr in KeyResult.objects.filter(organization=self.organization, ref__in=wanted)
        }
        for index, item in enumerate(self.doc.initiatives):
            path = ("initiatives", index)
            row = existing.get(item.ref) or Initiative(organization=self.organization, ref=item.ref)
            changed = self.sync(row, "initiatives", path, **self.initiative_values(row, item))
            if row.pk is None:
                continue  # refused: a closed cycle
            supported = [key_results[ref] for ref in item.key_results]
            if self.write_supported(path, row, supported) and not changed:
                self.report.updated["initiatives"] += 1
            self.write_tasks(path, row, item.tasks)
            progress = initiative_services.progress_of(row)
            if progress != row.progress and not self.is_frozen(row):
                row.progress = progress
                Initiative.objects.filter(pk=row.pk).update(progress=progress)

    def initiative_values(self, row: Initiative, item: InitiativeIn) -> dict[str, Any]:
        values = {
            "title": item.title,
            "description": item.description,
            "cycle": self.cycles[item.cycle],
            "team": self.teams[item.team] if item.team else None,
            "owner": self.person(item.owner),
            "status": item.status,
            "start": item.start,
            "due": item.due,
            "link_url": item.link,
        }
        if row.pk is not None and row.link_url != item.link:
            # Another link: what was synced no longer holds (as initiative_update does).
            values |= dict.fromkeys(["link_open", "link_closed", "synced_at", "sync_failed_at"])
            values |= {"sync_error": "", "sync_failures": 0, "sync_next_at": None}
        return values

    def write_supported(
        self, path: tuple[Any, ...], row: Initiative, key_results: list[KeyResult]
    ) -> bool:
        """Whether the key results it supports changed."""
        wanted = {kr.pk for kr in key_results}
        if set(row.key_results.values_list("pk", flat=True)) == wanted:
            return False
        if self.is_frozen(row):
            self.problems.append(((*path, "key_results"), "belongs to a closed cycle"))
            return False
        row.key_results.set(key_results)
        return True

    def write_tasks(self, path: tuple[Any, ...], row: Initiative, tasks: list[TaskIn]) -> None:
        """Position by position, like milestones: a task that stays is updated in place."""
        wanted = [(t.title, t.done, self.person(t.assignee), t.due) for t in tasks]
        current = list(row.tasks.order_by("position", "id"))
        as_stored = [(t.title, t.done, t.assignee_id, t.due) for t in current]
        listed = [(t, d, p.pk if p else None, due) for t, d, p, due in wanted]
        if as_stored == listed:
            return
        if self.is_frozen(row):
            same = [a == b for a, b in zip(as_stored, listed, strict=False)]
            first = same.index(False) if False in same else len(same)
            where = (*path, "tasks", first) if first < len(listed) else (*path, "tasks")
            self.problems.append((where, "belongs to a closed cycle"))
            return
        now = timezone.now()
        for position, (title, done, assignee, due) in enumerate(wanted):
            task = current[position] if position < len(current) else Task(position=position)
            task.initiative = row
            kept = task.pk is not None and task.done == done
            self.sync(
                task,
                "tasks",
                (*path, "tasks", position),
                title=title,
                done=done,
                assignee=assignee,
                due=due,
                position=position,
                done_at=task.done_at if kept else (now if done else None),
            )
        for task in current[len(wanted) :]:
            task.initiative = row
            task.delete()
            self.report.updated["tasks"] += 1

    def store_progress(self) -> None:
        """Recompute the organization with the engine and store what differs."""
        snapshot = rollup.compute_all(self.organization)
        krs = [
            kr
            for kr in KeyResult.objects.filter(organization=self.organization)
            if rollup.apply_derived(kr, snapshot.key_results[kr.pk])
        ]
        KeyResult.objects.bulk_update(krs, rollup.KR_FIELDS, batch_size=500)
        objectives = [
            objective
            for objective in Objective.objects.filter(organization=self.organization)
            if rollup.apply_objective_numbers(
                objective,
                rollup.ObjectiveNumbers(
                    progress=snapshot.objectives[objective.pk],
                    forecast_progress=snapshot.objective_forecasts[objective.pk],
                ),
            )
        ]
        Objective.objects.bulk_update(objectives, rollup.OBJECTIVE_FIELDS, batch_size=500)
        impacts.refresh_organization(self.organization)

    def close_cycles(self) -> None:
        for cycle in self.doc.cycles:
            row = self.cycles[cycle.ref]
            if cycle.state == Cycle.State.CLOSED and not row.is_closed:
                services.cycle_close(cycle=row)
                self.frozen_cycles.add(row.pk)

    def write_closing_notes(self) -> None:
        key_results = {
            kr.ref: kr
            for kr in KeyResult.objects.filter(organization=self.organization).select_related(
                "objective"
            )
        }
        for index, objective in enumerate(self.doc.objectives):
            row = self.objectives[objective.ref]
            self.sync(
                row,
                "objectives",
                ("objectives", index),
                score_override=objective.score_override,
                override_reason=objective.override_reason,
                went_well=objective.went_well,
                went_wrong=objective.went_wrong,
                learned=objective.learned,
            )
            for kr_index, kr in enumerate(objective.key_results):
                path = ("objectives", index, "key_results", kr_index)
                stored = key_results[kr.ref]
                self.sync(
                    stored,
                    "key results",
                    path,
                    score_override=kr.score_override,
                    override_reason=kr.override_reason,
                )
                self.write_miss_reason(path, stored, kr)

    def write_miss_reason(self, path: tuple[Any, ...], row: KeyResult, kr: KeyResultIn) -> None:
        """The miss reason once the key result's score is known (after the override)."""
        problems = rules.miss_reason_problems(
            reason=kr.miss_reason,
            note=kr.miss_note,
            score=row.score if kr.miss_reason else None,
            reasons=KeyResult.MissReason.values,
        )
        for name, message in problems:
            self.problems.append(((*path, name), message))
        if not problems:
            note = kr.miss_note.strip() if kr.miss_reason else ""
            self.sync(row, "key results", path, miss_reason=kr.miss_reason, miss_note=note)


def _differs(obj: Model, name: str, value: Any) -> bool:
    """Compare foreign keys by id, so checking for a change loads no related row."""
    if isinstance(value, Model) or (value is None and f"{name}_id" in obj.__dict__):
        return getattr(obj, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _open_state(state: str) -> str:
    return Cycle.State.ACTIVE if state == Cycle.State.CLOSED else state
