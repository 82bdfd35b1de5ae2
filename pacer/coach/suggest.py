"""Alignment suggestions (docs/coach.md): the objectives an objective being written most
likely supports, ranked by `similarity` over their titles, descriptions and key results.

Candidates are what the objective could be aligned to: objectives the viewer sees
(`objectives_visible_to`, so a private objective they may not see is never suggested, nor
counted in the ranking's word weights), open (`without_read_only`, as the form's parent
picker), in the objective's cycle or one around it (`Cycle.encloses`). When editing, the
objective and its descendants are left out with the rule that refuses a loop
(`rules.closes_loop`, as `services.alignments` does). A few queries whatever the size: the
candidates' texts, their key results' titles, the suggested objectives, and the
alignments around them when editing.

Objectives cascade down the team tree, so a candidate of the team just above the objective's
team counts `TEAM_ABOVE` times its similarity: on the demo, that puts the real parent first
for 13 of its 19 aligned objectives in open cycles (68 %), against 8 (42 %) from the words
alone. A candidate sharing no word is never suggested, whatever its team.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from pacer.accounts.models import User
from pacer.coach import similarity
from pacer.okrs import rules, selectors
from pacer.okrs.models import Alignment, Cycle, KeyResult, Objective, Team

MAX_QUERY = 5_000  # characters of the objective being written that are compared
TEAM_ABOVE = 3.0  # on the demo: 12 of 19 at 1.5 or 2, 13 at 3 to 6


@dataclass(frozen=True)
class Suggestion:
    objective: Objective  # with its cycle
    score: float  # `similarity.Ranked.score`
    shared: list[str]  # "shares: delivery, client satisfaction"


def parent_suggestions(
    viewer: User,
    *,
    title: str,
    description: str,
    key_result_titles: Iterable[str],
    cycle: Cycle,
    team: Team | None = None,
    exclude_ids: Collection[int] = (),
    limit: int = 3,
) -> list[Suggestion]:
    """The `limit` likeliest parents, best first, for an objective of `cycle` and `team` with
    this text; `exclude_ids` (the objective being edited) and their descendants are never
    among them."""
    query = similarity.objective_text(title, description, key_result_titles)[:MAX_QUERY]
    if not query.strip():
        return []
    docs, teams = candidate_docs(parent_candidates(viewer, cycle))
    above = team.parent_id if team is not None else None
    boost = {key: TEAM_ABOVE for key, team_id in teams.items() if above and team_id == above}
    among = {doc.key for doc in docs} - set(exclude_ids)
    refused = loop_rule(cycle, exclude_ids)
    ranked = allowed_ranking(query, docs, among, limit, boost=boost, refused=refused)
    found = Objective.objects.select_related("cycle").in_bulk([r.key for r in ranked])
    return [Suggestion(found[r.key], r.score, r.shared) for r in ranked if r.key in found]


def parent_candidates(viewer: User, cycle: Cycle) -> QuerySet[Objective]:
    """What an objective of `cycle` could support: visible, open, same or enclosing cycle."""
    visible = selectors.without_read_only(selectors.objectives_visible_to(viewer))
    return visible.filter(cycle__start__lte=cycle.start, cycle__end__gte=cycle.end)


def candidate_docs(
    candidates: QuerySet[Objective],
) -> tuple[list[similarity.Doc], dict[int, int | None]]:
    """Each candidate's text with its key results' titles, in a stable order (by id), so
    that the same candidates give the same index (`similarity.index_of`); and its team."""
    rows = list(candidates.order_by("pk").values_list("pk", "title", "description", "team_id"))
    titles = key_result_titles(candidates)
    docs = [
        similarity.Doc(pk, similarity.objective_text(title, description, [titles.get(pk, "")]))
        for pk, title, description, _ in rows
    ]
    return docs, {pk: team_id for pk, _, _, team_id in rows}


def key_result_titles(candidates: QuerySet[Objective]) -> dict[int, str]:
    """Each candidate's key results' titles, one a line (one query).

    Strings rather than a list per objective: thousands of lists alive during a request
    made Python's full garbage collection run every tenth request at the large bench size
    (some 80 ms each); strings, and tuples of them, are not tracked by the collector."""
    key_results = KeyResult.objects.filter(objective__in=candidates.values("pk"))
    ordered = key_results.order_by("objective_id", "position", "id")
    titles: dict[int, str] = {}
    for objective_id, title in ordered.values_list("objective_id", "title").iterator(2000):
        known = titles.get(objective_id)
        titles[objective_id] = title if known is None else f"{known}\n{title}"
    return titles


def allowed_ranking(
    query: str,
    docs: list[similarity.Doc],
    among: set[int],
    limit: int,
    *,
    boost: dict[int, float],
    refused: Callable[[int], bool],
) -> list[similarity.Ranked]:
    """The best `limit` candidates that are not `refused`: asks for more while refused ones
    (descendants, which read alike) fill the places."""
    asked = limit
    while True:
        ranked = similarity.rank(query, docs, limit=asked, among=among, boost=boost)
        kept = [r for r in ranked if not refused(r.key)]
        if len(kept) >= limit or len(ranked) < asked:
            return kept[:limit]
        asked *= 4


def loop_rule(cycle: Cycle, exclude_ids: Collection[int]) -> Callable[[int], bool]:
    """Whether aligning one of `exclude_ids` to a candidate would close a loop (the candidate
    is one of them or a descendant): the service's rule, over the alignments read once."""
    if not exclude_ids:
        return lambda candidate: False
    parents = alignments_around(cycle)

    def parents_of(objective_id: int) -> list[int]:
        return parents.get(objective_id, [])

    return lambda candidate: any(
        rules.closes_loop(parents_of, child, candidate) for child in exclude_ids
    )


def alignments_around(cycle: Cycle) -> dict[int, list[int]]:
    """The parents of each objective in `cycle` or a cycle around it (one query): enough to
    walk up from any candidate, whose ancestors all lie in such cycles."""
    rows = Alignment.objects.filter(
        child__organization_id=cycle.organization_id,
        child__cycle__start__lte=cycle.start,
        child__cycle__end__gte=cycle.end,
    ).values_list("child_id", "parent_id")
    parents: dict[int, list[int]] = defaultdict(list)
    for child, parent in rows:
        parents[child].append(parent)
    return parents
