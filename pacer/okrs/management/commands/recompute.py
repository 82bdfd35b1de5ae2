from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q

from pacer.initiatives import impacts
from pacer.initiatives.models import Initiative
from pacer.okrs import progress as engine
from pacer.okrs import rollup
from pacer.okrs.management.commands._base import PacerCommand
from pacer.okrs.models import KeyResult, Objective, Organization

KR_FIELDS = rollup.KR_FIELDS


class Command(PacerCommand):
    help = (
        "Recompute stored progress and forecasts from check-ins, milestones and tasks; "
        "with --check, only report differences."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="change nothing; exit 1 and name every stored value that differs",
        )

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        differences = []
        with transaction.atomic():
            for organization in Organization.objects.all():
                differences += self.recompute(organization, write=not check)
        for line in differences:
            self.stdout.write(line)
        if check and differences:
            raise CommandError(
                f"{len(differences)} stored value(s) differ from a fresh computation"
            )
        verb = "fixed" if differences else "all stored values are up to date"
        self.stdout.write(f"{len(differences)} value(s) {verb}" if differences else verb)

    def recompute(self, organization: Organization, *, write: bool) -> list[str]:
        # Each initiative's q first: the key results of type `initiatives` take the mean of
        # the stored q (rollup.work_progress_by_key_result), so a fixed q must be in place.
        differences = self.recompute_work(organization, write=write)
        snapshot = rollup.compute_all(organization)
        stale_krs, stale_objectives = [], []
        for kr in KeyResult.objects.filter(organization=organization).order_by("ref"):
            fresh = snapshot.key_results[kr.pk]
            for name in KR_FIELDS:
                stored, computed = getattr(kr, name), getattr(fresh, name)
                if stored != computed:
                    differences.append(
                        f"key result {kr.ref}: {name} is {stored}, computed {computed}"
                    )
            if rollup.apply_derived(kr, fresh):
                stale_krs.append(kr)
        for objective in Objective.objects.filter(organization=organization).order_by("ref"):
            fresh_objective = rollup.ObjectiveNumbers(
                progress=snapshot.objectives[objective.pk],
                forecast_progress=snapshot.objective_forecasts[objective.pk],
            )
            for name in rollup.OBJECTIVE_FIELDS:
                stored, computed = getattr(objective, name), getattr(fresh_objective, name)
                if stored != computed:
                    differences.append(
                        f"objective {objective.ref}: {name} is {stored}, computed {computed}"
                    )
            if rollup.apply_objective_numbers(objective, fresh_objective):
                stale_objectives.append(objective)
        if write:
            KeyResult.objects.bulk_update(stale_krs, KR_FIELDS, batch_size=500)
            Objective.objects.bulk_update(stale_objectives, rollup.OBJECTIVE_FIELDS, batch_size=500)
        # Impacts read the key results' stored progress: after it was fixed, when writing.
        stale = impacts.stale_impacts(organization)
        for row in stale:
            differences.append(
                f"initiative {row.ref}: impact is {row.stored}, computed {row.computed}"
            )
        if write:
            impacts.store({row.pk: row.computed for row in stale})
        return differences

    def recompute_work(self, organization: Organization, *, write: bool) -> list[str]:
        """The stored q of each initiative against its tasks, link and status."""
        differences, stale = [], []
        for initiative, computed in work_progress(organization):
            if initiative.progress != computed:
                differences.append(
                    f"initiative {initiative.ref}: progress is {initiative.progress}, "
                    f"computed {computed}"
                )
                initiative.progress = computed
                stale.append(initiative)
        if write:
            Initiative.objects.bulk_update(stale, ["progress"], batch_size=500)
        return differences


def work_progress(organization: Organization) -> Iterator[tuple[Initiative, Decimal]]:
    """Each initiative of the organization with its q as `services.progress_of` computes it,
    the task counts of all of them read in one query (progress_of reads them one initiative
    at a time: 100,000 queries and minutes at the bench's large size). A test holds the
    two to the same answers."""
    counted = (
        Initiative.objects.filter(organization=organization)
        .annotate(tasks_total=Count("tasks"), tasks_done=Count("tasks", filter=Q(tasks__done=True)))
        .order_by("ref")
    )
    for initiative in counted.iterator(chunk_size=2000):
        facts = engine.InitiativeFacts(
            status=initiative.status,
            tasks_done=initiative.tasks_done,
            tasks_total=initiative.tasks_total,
            has_link=bool(initiative.link_url),
            synced=initiative.synced,
        )
        yield initiative, engine.quantize_progress(engine.initiative_progress(facts))
