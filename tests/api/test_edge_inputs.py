"""Edge inputs that once could reach the database badly: each must be answered below 500."""

from typing import Any

import pytest

from tests.api.conftest import ApiClient, World

CASES = [
    ("POST", "/objectives", '{"cycle": "2026-q2", "title": "\\ud800"}'),
    ("POST", "/objectives", '{"cycle": "2026-q2", "title": "ok", "ref": "ABC"}'),
    ("POST", "/objectives", '{"cycle": "2026-q2", "title": "ok", "owner": "x@y"}'),
    ("POST", "/objectives", "[]"),
    ("POST", "/objectives", '"x"'),
    ("POST", "/objectives", "null"),
    ("POST", "/checkins/bulk", '{"items": []}'),
    (
        "POST",
        "/checkins/bulk",
        '{"items": [{"key_result": "adoption", "value": 1, "at": "0001-01-01T00:00:00-05:00"}]}',
    ),
    (
        "POST",
        "/checkins/bulk",
        '{"items": [{"key_result": "adoption", "value": 1, "at": "9999-12-31T23:59:59-05:00"}]}',
    ),
    ("POST", "/key-results/adoption/checkins", '{"value": 123456789012345678}'),
    ("POST", "/key-results/adoption/checkins", '{"value": 99999999999999999.999999}'),
    ("POST", "/key-results/adoption/checkins", '{"value": -0.0000001}'),
    ("POST", "/key-results/adoption/checkins", '{"value": true}'),
    ("PATCH", "/key-results/adoption", '{"due": "9999-12-31"}'),
    ("PATCH", "/key-results/adoption", '{"type": null}'),
    ("PATCH", "/key-results/adoption", '{"weight": 99999.999}'),
    ("PATCH", "/cycles/2026-q2", '{"start": "0001-01-01", "end": "9999-12-31"}'),
    ("POST", "/cycles", '{"ref": "a", "name": "a", "start": "0001-01-01", "end": "9999-12-31"}'),
    ("PATCH", "/organization", '{"at_risk_gap": 1, "off_track_gap": 1}'),
    ("PUT", "/objectives/delivery/retrospective", '{"score_override": 1.05}'),
    ("GET", "/objectives?limit=99999999999999999999999", None),
    ("GET", "/objectives?as_of=9999-12-31", None),
    ("GET", "/objectives?as_of=0001-01-01&status=on_track", None),
    ("GET", "/objectives?status=done&as_of=9999-12-31", None),
    ("GET", "/checkins?since=9999-12-31T23:59:59-05:00", None),
    ("GET", "/people/%00@x", None),
    ("GET", "/people/a%40b%2Fc", None),
    ("GET", "/deletions", None),
    ("GET", "/objectives/%C3%A9", None),
    ("POST", "/objectives/delivery/parents/delivery", None),
    ("POST", "/key-results/adoption/move", '{"objective": "delivery"}'),
    ("POST", "/objectives/delivery/copy", '{"cycle": "2026-q2"}'),
    ("POST", "/cycles/2026-q2/reopen?state=closed", None),
    ("DELETE", "/objectives/delivery/parents/secret-merger", None),
]


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_edge_input_is_never_a_server_error(
    world: World, admin_api: ApiClient, method: str, path: str, body: Any
) -> None:
    response = admin_api.generic(
        method,
        "/api/v1" + path,
        body or "",
        content_type="application/json",
        headers={"Authorization": f"Bearer {admin_api.token}"},
    )
    assert response.status_code < 500, response.content
