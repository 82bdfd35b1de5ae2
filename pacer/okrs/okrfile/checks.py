"""Checks an OKR file against itself and the organization's data before anything is written.

Every problem carries the path of the value it concerns, so the importer can name the line.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.utils import timezone

from pacer.accounts.models import User
from pacer.initiatives import rules as initiative_rules
from pacer.initiatives import services as initiative_services
from pacer.okrs import rules
from pacer.okrs.models import Alignment, CheckIn, Cycle, KeyResult, Objective, Organization, Team
from pacer.okrs.okrfile.loader import Path
from pacer.okrs.okrfile.schema import CheckinIn, InitiativeIn, KeyResultIn, ObjectiveIn, OkrFile

PathProblem = tuple[Path, str]
MISS_REASONS = tuple(KeyResult.MissReason.values)


def checkin_moment(at: datetime | date) -> datetime:
    """A date means midnight UTC; a date-time without a zone is taken as UTC."""
    if not isinstance(at, datetime):
        return datetime.combine(at, time.min, tzinfo=UTC)
    return at if timezone.is_aware(at) else at.replace(tzinfo=UTC)


@dataclass
class Existing:
    """What the organization already holds, by ref (empty for a new organization)."""

    organization: Organization | None = None
    emails: set[str] = field(default_factory=set)
    team_parents: dict[str, str | None] = field(default_factory=dict)
    cycles: dict[str, tuple[date, date, str]] = field(default_factory=dict)
    objective_cycles: dict[str, str] = field(default_factory=dict)
    objective_parents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    key_result_types: dict[str, str] = field(default_factory=dict)
    key_result_objectives: dict[str, str] = field(default_factory=dict)  # ref -> objective ref
    # key result ref -> (its objective's ref, the ref of the objective it follows)
    key_result_links: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, organization: Organization | None) -> "Existing":
        existing = cls()
        if organization is None:
            return existing
        existing.emails = set(
            User.objects.filter(organization=organization).values_list("email", flat=True)
        )
        teams = Team.objects.filter(organization=organization)
        existing.team_parents = dict(teams.values_list("ref", "parent__ref"))
        for ref, start, end, state in Cycle.objects.filter(organization=organization).values_list(
            "ref", "start", "end", "state"
        ):
            existing.cycles[ref] = (start, end, state)
        existing.objective_cycles = dict(
            Objective.objects.filter(organization=organization).values_list("ref", "cycle__ref")
        )
        for child, parent in Alignment.objects.filter(child__organization=organization).values_list(
            "child__ref", "parent__ref"
        ):
            existing.objective_parents[child].add(parent)
        existing.organization = organization
        for ref, kr_type, objective in KeyResult.objects.filter(
            organization=organization
        ).values_list("ref", "type", "objective__ref"):
            existing.key_result_types[ref] = kr_type
            existing.key_result_objectives[ref] = objective
        for ref, objective, linked in KeyResult.objects.filter(
            organization=organization, linked_objective__isnull=False
        ).values_list("ref", "objective__ref", "linked_objective__ref"):
            existing.key_result_links[ref] = (objective, linked)
        return existing


class FileChecker:
    """Collects every problem of a parsed file; `problems` is empty when it may be imported."""

    def __init__(
        self,
        doc: OkrFile,
        existing: Existing,
        *,
        now: datetime | None = None,
        left_out: dict[str, set[str]] | None = None,
    ) -> None:
        """`left_out`: refs of items whose shape was wrong (reported already), per section;
        they count as known so that nothing is reported twice."""
        self.doc = doc
        self.existing = existing
        self.now = now or timezone.now()
        self.problems: list[PathProblem] = []
        left_out = left_out or {}
        self.emails = (
            existing.emails | {p.email for p in doc.people} | left_out.get("people", set())
        )
        self.cycles = dict(existing.cycles)
        self.cycles.update({c.ref: (c.start, c.end, c.state) for c in doc.cycles})
        self.left_out_cycles = left_out.get("cycles", set())
        self.left_out_teams = left_out.get("teams", set())
        self.objective_cycles = dict.fromkeys(left_out.get("objectives", set()), "")
        self.objective_cycles.update(existing.objective_cycles)
        self.objective_cycles.update({o.ref: o.cycle for o in doc.objectives})
        self.left_out_key_results = left_out.get("key_results", set())

    def run(self) -> list[PathProblem]:
        self.check_people()
        self.check_teams()
        self.check_cycles()
        self.check_objectives()
        self.check_initiatives()
        return self.problems

    def add(self, path: Path, message: str) -> None:
        self.problems.append((path, message))

    def check_email(self, path: Path, email: str | None) -> None:
        if email is not None and email not in self.emails:
            self.add(path, f"unknown person {email!r} (list them under people)")

    def check_duplicates(self, section: str, refs: list[str], what: str = "ref") -> None:
        seen: set[str] = set()
        for index, ref in enumerate(refs):
            if ref in seen:
                self.add((section, index, what), f"duplicate {what} {ref!r}")
            seen.add(ref)

    def check_people(self) -> None:
        self.check_duplicates("people", [p.email for p in self.doc.people], "email")
        elsewhere = set(
            User.objects.filter(email__in=[p.email for p in self.doc.people])
            .exclude(email__in=self.existing.emails)
            .exclude(organization__isnull=True)
            .values_list("email", flat=True)
        )
        for index, person in enumerate(self.doc.people):
            if person.email in elsewhere:
                self.add(
                    ("people", index, "email"), f"{person.email} belongs to another organization"
                )

    def check_teams(self) -> None:
        self.check_duplicates("teams", [t.ref for t in self.doc.teams])
        parents: dict[str, str | None] = dict.fromkeys(self.left_out_teams)
        parents.update(self.existing.team_parents)
        parents.update({t.ref: t.parent for t in self.doc.teams})
        for index, team in enumerate(self.doc.teams):
            if team.parent is not None and team.parent not in parents:
                self.add(("teams", index, "parent"), f"unknown team {team.parent!r}")
            elif team.parent is not None and self._team_loop(parents, team.ref):
                self.add(("teams", index, "parent"), f"team {team.ref!r} would be its own ancestor")
            for key in ("members", "leads"):
                for position, email in enumerate(getattr(team, key)):
                    self.check_email(("teams", index, key, position), email)

    @staticmethod
    def _team_loop(parents: dict[str, str | None], ref: str) -> bool:
        def parent_of(node: str) -> list[str]:
            parent = parents.get(node)
            return [parent] if parent else []

        parent = parents.get(ref)
        return parent is not None and rules.closes_loop(parent_of, ref, parent)

    def check_cycles(self) -> None:
        self.check_duplicates("cycles", [c.ref for c in self.doc.cycles])
        for index, cycle in enumerate(self.doc.cycles):
            for name, message in rules.cycle_problems(start=cycle.start, end=cycle.end):
                self.add(("cycles", index, name), message)

    def check_objectives(self) -> None:
        self.check_duplicates("objectives", [o.ref for o in self.doc.objectives])
        self.check_key_result_refs()
        team_refs = (
            set(self.existing.team_parents) | {t.ref for t in self.doc.teams} | self.left_out_teams
        )
        for index, objective in enumerate(self.doc.objectives):
            path: Path = ("objectives", index)
            if objective.cycle not in self.cycles and objective.cycle not in self.left_out_cycles:
                self.add((*path, "cycle"), f"unknown cycle {objective.cycle!r}")
            if objective.team is not None and objective.team not in team_refs:
                self.add((*path, "team"), f"unknown team {objective.team!r}")
            self.check_email((*path, "owner"), objective.owner)
            self.check_parents(path, objective)
            self.check_override(path, objective.score_override, objective.override_reason)
            for kr_index, kr in enumerate(objective.key_results):
                self.check_key_result((*path, "key_results", kr_index), objective, kr)
        self.check_link_loops()

    def check_key_result_refs(self) -> None:
        seen: dict[str, Path] = {}
        for index, objective in enumerate(self.doc.objectives):
            for kr_index, kr in enumerate(objective.key_results):
                path: Path = ("objectives", index, "key_results", kr_index, "ref")
                if kr.ref in seen:
                    self.add(path, f"duplicate key result ref {kr.ref!r}")
                seen[kr.ref] = path

    def check_parents(self, path: Path, objective: ObjectiveIn) -> None:
        graph = self.alignment_graph()
        for position, parent in enumerate(objective.parents):
            where = (*path, "parents", position)
            if parent not in self.objective_cycles:
                self.add(where, f"unknown objective {parent!r}")
                continue
            for _, message in rules.alignment_problems(
                child_ref=objective.ref,
                parent_ref=parent,
                child_cycle_ref=objective.cycle,
                parent_cycle_ref=self.objective_cycles[parent],
                parent_cycle_encloses=self.encloses(self.objective_cycles[parent], objective.cycle),
                closes_a_loop=rules.closes_loop(
                    lambda node: graph.get(node, set()), objective.ref, parent
                ),
            ):
                self.add(where, message)

    def alignment_graph(self) -> dict[str, set[str]]:
        if not hasattr(self, "_alignment_graph"):
            graph = {k: set(v) for k, v in self.existing.objective_parents.items()}
            graph.update({o.ref: set(o.parents) for o in self.doc.objectives})
            self._alignment_graph = graph
        return self._alignment_graph

    def encloses(self, outer_ref: str, inner_ref: str) -> bool:
        if outer_ref not in self.cycles or inner_ref not in self.cycles:
            return True  # reported as an unknown cycle already
        outer, inner = self.cycles[outer_ref], self.cycles[inner_ref]
        return rules.cycle_encloses(
            parent_start=outer[0], parent_end=outer[1], child_start=inner[0], child_end=inner[1]
        )

    def check_override(self, path: Path, override: Decimal | None, reason: str) -> None:
        for name, message in rules.override_problems(score_override=override, reason=reason):
            self.add((*path, name), message)

    def check_key_result(self, path: Path, objective: ObjectiveIn, kr: KeyResultIn) -> None:
        cycle = self.cycles.get(objective.cycle)
        for name, message in rules.key_result_problems(
            type=kr.type,
            start=kr.start,
            target=kr.target,
            threshold=kr.threshold,
            low=kr.low,
            high=kr.high,
            weight=kr.weight,
            due=kr.due,
            cycle_start=cycle[0] if cycle else None,
            cycle_end=cycle[1] if cycle else None,
            has_linked_objective=kr.objective is not None,
        ):
            self.add((*path, name), message)
        link = rules.link_problems(
            type=kr.type, objective_ref=objective.ref, linked_ref=kr.objective, closes_a_loop=False
        )
        for _, message in link:
            self.add((*path, "objective"), message)
        if kr.objective is not None and not link and kr.objective not in self.objective_cycles:
            self.add((*path, "objective"), f"unknown objective {kr.objective!r}")
        if kr.milestones:
            for name, message in rules.has_milestones_problems(kr.type):
                self.add((*path, name), message)
        self.check_email((*path, "owner"), kr.owner)
        self.check_override(path, kr.score_override, kr.override_reason)
        # The score is not known before the import computes it: the importer checks it.
        for name, message in rules.miss_reason_problems(
            reason=kr.miss_reason, note=kr.miss_note, score=None, reasons=MISS_REASONS
        ):
            self.add((*path, name), message)
        self.check_checkins(path, kr, cycle[0] if cycle else None)
        self.check_type_change(path, kr)

    def check_type_change(self, path: Path, kr: KeyResultIn) -> None:
        """A new type must suit the stored check-ins the file leaves as they are."""
        old_type = self.existing.key_result_types.get(kr.ref)
        if old_type is None or old_type == kr.type:
            return
        listed = {checkin_moment(c.at) for c in kr.checkins}
        stored = CheckIn.objects.filter(
            key_result__organization=self.existing.organization, key_result__ref=kr.ref
        ).exclude(at__in=listed)
        for name, message in rules.type_change_problems(
            new_type=kr.type, stored=stored.values_list("at", "value"), now=self.now
        ):
            self.add((*path, name), message)

    def check_checkins(self, path: Path, kr: KeyResultIn, cycle_start: date | None) -> None:
        moments: set[datetime] = set()
        for index, checkin in enumerate(kr.checkins):
            where: Path = (*path, "checkins", index)
            at = checkin_moment(checkin.at)
            for name, message in rules.checkin_moment_problems(at, taken=at in moments):
                self.add((*where, name), message)
            moments.add(at)
            self.check_checkin_value(where, kr, checkin, at, cycle_start)
            self.check_email((*where, "by"), checkin.by)

    def check_checkin_value(
        self,
        where: Path,
        kr: KeyResultIn,
        checkin: CheckinIn,
        at: datetime,
        cycle_start: date | None,
    ) -> None:
        for name, message in rules.checkin_problems(
            type=kr.type,
            value=checkin.value,
            confidence=checkin.confidence,
            at=at,
            now=self.now,
            cycle_start=cycle_start,
        ):
            self.add((*where, name), message)

    def check_link_loops(self) -> None:
        # Key results the file lists replace their stored selves; the others keep their links.
        edges = dict(self.existing.key_result_links)
        for objective in self.doc.objectives:
            for kr in objective.key_results:
                edges.pop(kr.ref, None)
                if kr.objective:
                    edges[kr.ref] = (objective.ref, kr.objective)
        links: dict[str, set[str]] = defaultdict(set)
        followers: dict[str, set[str]] = defaultdict(set)
        for source, target in edges.values():
            links[source].add(target)
            followers[target].add(source)
        for index, objective in enumerate(self.doc.objectives):
            for kr_index, kr in enumerate(objective.key_results):
                followed = kr.objective
                if not followed or kr.type != "linked" or followed == objective.ref:
                    continue  # no link, or a wrong one reported by check_key_result
                problems = rules.link_problems(
                    type=kr.type,
                    objective_ref=objective.ref,
                    linked_ref=followed,
                    closes_a_loop=self._link_loop(links, objective.ref, followed),
                )
                # A new or changed link may not make a chain longer than rules.MAX_LINK_DEPTH.
                kept = self.existing.key_result_links.get(kr.ref) == (objective.ref, followed)
                if not problems and not kept:
                    problems = self._link_depth(links, followers, objective.ref, followed)
                for _, message in problems:
                    self.add(("objectives", index, "key_results", kr_index, "objective"), message)

    @staticmethod
    def _link_loop(links: dict[str, set[str]], source: str, target: str) -> bool:
        return rules.closes_loop(lambda node: links.get(node, set()), source, target)

    @staticmethod
    def _link_depth(
        links: dict[str, set[str]], followers: dict[str, set[str]], source: str, target: str
    ) -> list[rules.Problem]:
        def step(graph: dict[str, set[str]]) -> Callable[[frozenset[str]], set[str]]:
            return lambda refs: {other for ref in refs for other in graph.get(ref, ())}

        return rules.link_depth_problems(
            linked_ref=target,
            above=rules.chain_length(step(followers), source, limit=rules.MAX_LINK_DEPTH),
            below=rules.chain_length(step(links), target, limit=rules.MAX_LINK_DEPTH),
        )

    # --- Initiatives (pacer.initiatives: the same rules as its services) -----------------

    def check_initiatives(self) -> None:
        self.check_duplicates("initiatives", [i.ref for i in self.doc.initiatives])
        team_refs = (
            set(self.existing.team_parents) | {t.ref for t in self.doc.teams} | self.left_out_teams
        )
        kr_cycles = self.key_result_cycles()
        for index, initiative in enumerate(self.doc.initiatives):
            path: Path = ("initiatives", index)
            if initiative.cycle not in self.cycles and initiative.cycle not in self.left_out_cycles:
                self.add((*path, "cycle"), f"unknown cycle {initiative.cycle!r}")
            if initiative.team is not None and initiative.team not in team_refs:
                self.add((*path, "team"), f"unknown team {initiative.team!r}")
            self.check_email((*path, "owner"), initiative.owner)
            for name, message in initiative_rules.initiative_problems(
                title=initiative.title,
                description=initiative.description,
                status=initiative.status,
                start=initiative.start,
                due=initiative.due,
            ):
                self.add((*path, name), message)
            self.check_supported(path, initiative, kr_cycles)
            self.check_tasks(path, initiative)
            for name, message in self.link_problems(initiative.link):
                self.add((*path, name), message)

    def key_result_cycles(self) -> dict[str, str]:
        """The cycle of every key result the file or the organization holds, by ref (the
        file's objective wins: it may move a key result, or its objective, to another)."""
        cycles = {
            ref: self.objective_cycles.get(objective, "")
            for ref, objective in self.existing.key_result_objectives.items()
        }
        cycles.update({kr.ref: objective.cycle for _, objective, kr in iter_key_results(self.doc)})
        return cycles

    def check_supported(
        self, path: Path, initiative: InitiativeIn, kr_cycles: dict[str, str]
    ) -> None:
        refs = initiative.key_results
        # The count alone (every key result given the initiative's own cycle)...
        for name, message in initiative_rules.supported_problems(
            cycle_ref=initiative.cycle, key_results=[(ref, initiative.cycle, "") for ref in refs]
        ):
            self.add((*path, name), message)
        seen: set[str] = set()
        for position, ref in enumerate(refs):
            where: Path = (*path, "key_results", position)
            if ref in seen:
                self.add(where, f"duplicate key result ref {ref!r}")
            seen.add(ref)
            if ref in self.left_out_key_results:
                continue  # its shape was reported already
            if ref not in kr_cycles:
                self.add(where, f"no key result {ref!r} in this file or in Pacer")
                continue
            if not kr_cycles[ref]:
                continue  # under an objective whose shape was reported already
            # ...then each one's cycle, so that its problem names its place in the list.
            for _, message in initiative_rules.supported_problems(
                cycle_ref=initiative.cycle, key_results=[(ref, kr_cycles[ref], "")]
            ):
                self.add(where, message)

    def check_tasks(self, path: Path, initiative: InitiativeIn) -> None:
        for position, task in enumerate(initiative.tasks):
            where: Path = (*path, "tasks", position)
            for name, message in initiative_rules.task_problems(title=task.title, count=position):
                self.add((*where, name), message)
            self.check_email((*where, "assignee"), task.assignee)

    def link_problems(self, url: str) -> list[rules.Problem]:
        """The services' check of a tracker link (against the organization's connections;
        a new organization has none yet), once per distinct link."""
        if not url:
            return []
        if not hasattr(self, "_links"):
            self._links: dict[str, list[rules.Problem]] = {}
        if url not in self._links:
            organization = self.existing.organization
            self._links[url] = initiative_services.link_problems(
                organization.pk if organization else 0, url
            )
        return self._links[url]


def iter_key_results(doc: OkrFile) -> Iterator[tuple[Path, ObjectiveIn, KeyResultIn]]:
    for index, objective in enumerate(doc.objectives):
        for kr_index, kr in enumerate(objective.key_results):
            yield ("objectives", index, "key_results", kr_index), objective, kr
