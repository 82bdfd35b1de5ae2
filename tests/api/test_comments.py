"""Comments over the API: list, write (on an objective, a key result, a check-in), edit and
delete your own; hidden objectives are 404s, others' comments 403s."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from pacer.okrs import services
from pacer.okrs.models import Comment
from tests.api.conftest import ApiClient, World, assert_problem


def test_write_and_list_comments(world: World, owner_api: ApiClient) -> None:
    checkin = world.adoption.checkins.get()
    body = {"body": "Why 30, @teammate@acme.test?", "checkin": checkin.pk}
    response = owner_api.call("POST", "/objectives/delivery/comments", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["author"] == "owner@acme.test"
    assert created["mentions"] == ["teammate@acme.test"]
    assert (created["objective"], created["key_result"], created["checkin"]) == (
        "delivery",
        "adoption",
        checkin.pk,
    )
    assert created["edited_at"] is None
    owner_api.call("POST", "/objectives/delivery/comments", {"body": "<b>x</b>"})
    listed = world.client(world.outsider).get_json("/objectives/delivery/comments?limit=1")
    assert [c["body"] for c in listed["items"]] == ["Why 30, @teammate@acme.test?"]
    rest = world.client(world.outsider).get_json(
        f"/objectives/delivery/comments?cursor={listed['next_cursor']}"
    )
    assert [c["body"] for c in rest["items"]] == ["<b>x</b>"] and rest["next_cursor"] is None


def test_the_list_has_an_etag(world: World, owner_api: ApiClient) -> None:
    first = owner_api.call("GET", "/objectives/delivery/comments")
    again = owner_api.call(
        "GET", "/objectives/delivery/comments", headers={"If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304


def test_a_hidden_objective_is_a_404_not_a_403(world: World) -> None:
    outsider = world.client(world.outsider)
    assert_problem(outsider.call("GET", "/objectives/secret-merger/comments"), 404)
    assert_problem(outsider.call("POST", "/objectives/secret-merger/comments", {"body": "x"}), 404)
    comment = services.comment_create(author=world.owner, objective=world.private, body="psst")
    assert_problem(outsider.call("PATCH", f"/comments/{comment.pk}", {"body": "y"}), 404)
    assert_problem(outsider.call("DELETE", f"/comments/{comment.pk}"), 404)
    assert Comment.objects.get().body == "psst"


def test_refusals_name_the_field(world: World, owner_api: ApiClient) -> None:
    url = "/objectives/secret-merger/comments"
    refused = owner_api.call("POST", url, {"body": "@outsider@acme.test look"})
    problem = assert_problem(refused, 422)
    assert problem["errors"] == [
        {
            "field": "body.body",
            "message": "@outsider@acme.test cannot see this private objective; "
            "they would not be able to read your comment",
        }
    ]
    long = owner_api.call("POST", url, {"body": "x" * 10_001})
    assert assert_problem(long, 422)["errors"][0]["field"] == "body.body"
    wrong_kr = owner_api.call("POST", url, {"body": "x", "key_result": "adoption"})
    assert assert_problem(wrong_kr, 422)["errors"][0]["field"] == "body.key_result"
    assert not Comment.objects.exists()


def test_only_the_author_edits_and_deletes(world: World, owner_api: ApiClient) -> None:
    comment = services.comment_create(author=world.owner, objective=world.public, body="first")
    admin = world.client(world.admin)
    assert_problem(admin.call("PATCH", f"/comments/{comment.pk}", {"body": "no"}), 403)
    assert_problem(admin.call("DELETE", f"/comments/{comment.pk}"), 403)
    edited = owner_api.call("PATCH", f"/comments/{comment.pk}", {"body": "@admin@acme.test hi"})
    assert edited.status_code == 200, edited.content
    assert edited.json()["mentions"] == ["admin@acme.test"] and edited.json()["edited_at"]
    assert owner_api.call("DELETE", f"/comments/{comment.pk}").status_code == 204
    assert not Comment.objects.exists()


def test_the_list_costs_a_fixed_number_of_queries(world: World, owner_api: ApiClient) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            owner_api.get_json("/objectives/delivery/comments")
        return len(captured.captured_queries)

    services.comment_create(author=world.owner, objective=world.public, body="@admin@acme.test")
    queries()  # the first call also notes the token's use
    one = queries()
    for i in range(20):
        services.comment_create(
            author=world.teammate, key_result=world.adoption, body=f"{i} @owner@acme.test"
        )
    assert queries() == one
