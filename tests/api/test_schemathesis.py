"""Schemathesis against the live app (real HTTP to pytest-django's `live_server`).

The demo organization is loaded and an admin's write token sends every request. Two phases:

1. Every operation of the served OpenAPI document, with generated valid and invalid inputs
   (path parameters are often refs that exist, so requests get past the 404s).
2. Stateful sequences along the spec's OpenAPI links: create a cycle, an objective, a key
   result, a milestone or a check-in, then read, change, close, move or delete it.

Checks: no server error, every response matches its documented schema, status code and
content type. The number of requests made is printed (run with `-s` to see it) and must be at
least 1,000. Runs on SQLite and PostgreSQL (`make test` runs both).
"""

import io
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pacer.accounts.models import User
from pacer.api.tokens import token_create
from pacer.okrs.demo import ADMIN_EMAIL
from pacer.okrs.models import CheckIn, Cycle, KeyResult, Milestone, Objective, Team

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
DEMO_DAY = "2026-05-16"
MIN_REQUESTS = 1000
EXAMPLES_PER_OPERATION = 16  # per generation mode (valid, invalid): 39 operations x 32
STATEFUL_RUNS = 6  # each until done, or until a replay diverges (see below)
STATEFUL_SCENARIOS = 10
STATEFUL_STEPS = 8
QUIET = settings(
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: failures are collected
)


class Known:
    """Refs and ids that exist, so that generated requests find something."""

    def __init__(self) -> None:
        def refs(model: Any) -> list[Any]:
            return list(model.objects.values_list("ref", flat=True)[:30])

        self.cycles = refs(Cycle)
        self.teams = refs(Team)
        self.objectives = refs(Objective)
        self.key_results = refs(KeyResult)
        self.people = list(User.objects.values_list("email", flat=True)[:30])
        self.milestones = list(Milestone.objects.values_list("pk", flat=True)[:30])
        self.checkins = list(CheckIn.objects.values_list("pk", flat=True)[:30])

    def for_path(self, path: str, name: str) -> list[Any]:
        collection = path.removeprefix("/api/v1/").split("/")[0]
        by_name = {
            "parent_ref": self.objectives,
            "email": self.people,
            "milestone_id": self.milestones,
            "checkin_id": self.checkins,
        }
        by_collection = {
            "cycles": self.cycles,
            "teams": self.teams,
            "objectives": self.objectives,
            "key-results": self.key_results,
        }
        return by_name.get(name) or by_collection.get(collection, [])

    def mix(self, values: list[Any], generated: Any) -> st.SearchStrategy[Any]:
        """Mostly a value that exists, sometimes the generated one."""
        if not values:
            return st.just(generated)
        return st.one_of(st.sampled_from(values), st.sampled_from(values), st.just(generated))


def install_hooks(schema: Any, known: Known) -> None:
    """Point generated path parameters and body references at things that exist."""

    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
        path = context.operation.path
        if not path_parameters:
            return st.just(path_parameters)
        return st.fixed_dictionaries(
            {
                name: known.mix(known.for_path(path, name), value)
                for name, value in path_parameters.items()
            }
        )

    def flatmap_body(context: Any, body: Any) -> Any:
        if not isinstance(body, dict):
            return st.just(body)
        fields: dict[str, list[Any]] = {
            "cycle": known.cycles,
            "team": known.teams,
            "objective": known.objectives,
            "owner": known.people,
        }
        strategies = {
            name: known.mix(fields[name], value) if name in fields else st.just(value)
            for name, value in body.items()
        }
        if isinstance(body.get("items"), list):  # bulk check-ins
            strategies["items"] = st.tuples(*[bulk_item(item) for item in body["items"]]).map(list)
        return st.fixed_dictionaries(strategies)

    def bulk_item(item: Any) -> st.SearchStrategy[Any]:
        if not isinstance(item, dict) or "key_result" not in item:
            return st.just(item)
        refs = known.mix(known.key_results, item["key_result"])
        return refs.map(lambda ref: {**item, "key_result": ref})

    schema.hook(flatmap_path_parameters)
    schema.hook(flatmap_body)


class Tally:
    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self.interrupted = 0  # stateful runs ended early by a diverging replay

    def record(self, label: str, response: Any) -> None:
        self.requests[label] += 1
        self.statuses[response.status_code] += 1

    def validate(self, label: str, case: Any, response: Any, headers: dict[str, str]) -> None:
        """Run the checks; a failure is recorded, not raised: Hypothesis would replay the
        case, and the API's state has changed since (the replay would look flaky)."""
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as error:
            self.failures.append(f"{label}: {type(error).__name__}: {str(error)[:3000]}")

    def run(self, label: str, test: Callable[[], None]) -> None:
        try:
            test()
        except (Exception, BaseExceptionGroup) as error:  # e.g. the server is unreachable
            self.failures.append(f"{label}: {type(error).__name__}: {str(error)[:3000]}")


def fuzz(operation: Any, mode: Any, headers: dict[str, str], tally: Tally) -> Callable[[], None]:
    """A Hypothesis test sending generated requests to one operation."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(QUIET, max_examples=EXAMPLES_PER_OPERATION)
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        tally.record(label, response)
        tally.validate(label, case, response, headers)

    return check


@pytest.fixture
def demo_api(live_server: Any) -> tuple[Any, dict[str, str], Known]:
    call_command("demo", today=DEMO_DAY, stdout=io.StringIO())
    admin = User.objects.get(email=ADMIN_EMAIL)
    _, token = token_create(user=admin, name="schemathesis", scope="write", expires_in_days=1)
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    schema.config.update(base_url=live_server.url)
    known = Known()
    install_hooks(schema, known)
    return schema, {"Authorization": f"Bearer {token}"}, known


def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    demo_api: tuple[Any, dict[str, str], Known],
) -> None:
    schema, headers, _ = demo_api
    tally = Tally()
    started = time.monotonic()

    operations = [result.ok() for result in schema.get_all_operations()]
    spec_operations = {
        (method.upper(), path)
        for path, item in schema.raw_schema["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    }
    assert {(op.method.upper(), op.path) for op in operations} == spec_operations

    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            tally.run(f"{label} ({mode.value})", fuzz(operation, mode, headers, tally))

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def call(self, case: Any, **kwargs: Any) -> Any:
            response = super().call(case, **kwargs)
            tally.record(
                f"stateful {case.operation.method.upper()} {case.operation.path}", response
            )
            return response

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            label = f"stateful {case.operation.method.upper()} {case.operation.path}"
            tally.validate(label, case, response, headers)

    stateful_before = sum(tally.requests.values())
    for _ in range(STATEFUL_RUNS):
        try:
            Sequences.run(
                settings=settings(
                    QUIET, max_examples=STATEFUL_SCENARIOS, stateful_step_count=STATEFUL_STEPS
                )
            )
        except Flaky:
            # Hypothesis replays the start of earlier scenarios to vary them; the API's
            # state has changed since, so the replay may go elsewhere: that ends this run
            # (failed checks are recorded by `tally.validate`, never raised).
            tally.interrupted += 1
        except (Exception, BaseExceptionGroup) as error:
            tally.failures.append(f"stateful: {type(error).__name__}: {str(error)[:3000]}")
    total = sum(tally.requests.values())
    stateful = total - stateful_before
    seconds = time.monotonic() - started

    summary = (
        f"schemathesis: {total} requests ({stateful} in stateful sequences) over "
        f"{len(operations)} operations in {seconds:.0f} s; "
        f"statuses {dict(sorted(tally.statuses.items()))}; "
        f"{len(tally.failures)} failures; {tally.interrupted} of {STATEFUL_RUNS} stateful runs "
        "ended early"
    )
    print("\n" + summary)
    untested = [
        f"{method} {path}"
        for method, path in sorted(spec_operations)
        if not tally.requests[f"{method} {path}"]
    ]
    assert not tally.failures, summary + "\n\n" + "\n\n".join(tally.failures)
    assert not untested, f"operations without a request: {untested}"
    assert tally.statuses[500] == 0
    assert total >= MIN_REQUESTS, summary
    assert stateful > 0, summary
