"""pacer.okrs.services.comments: who comments, what a comment holds, its mentions, its event."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from pacer.events import kinds
from pacer.events.models import Event
from pacer.okrs import rules, services
from pacer.okrs.models import Comment
from tests.factories import World, check_in, make_cycle, make_objective, make_person, refusal

pytestmark = pytest.mark.django_db


def test_a_comment_on_an_objective_records_its_event_in_the_same_write(world: World) -> None:
    comment = services.comment_create(
        author=world.teammate, objective=world.public, body="Ship it @owner@acme.test."
    )
    assert comment.organization_id == world.org.pk
    assert list(comment.mentions.all()) == [world.owner]
    event = Event.objects.get(kind=kinds.COMMENT_CREATED)
    assert (event.objective, event.actor) == (world.public, world.teammate)
    assert event.payload["comment"] == {
        "id": comment.pk,
        "body": "Ship it @owner@acme.test.",
        "author": "teammate@acme.test",
        "mentions": ["owner@acme.test"],
        "created_at": comment.created_at.isoformat(),
    }
    assert event.payload["objective"]["ref"] == "delivery"
    assert "key_result" not in event.payload and "checkin" not in event.payload


def test_a_comment_on_a_checkin_is_under_its_key_result_and_objective(world: World) -> None:
    checkin = world.adoption.checkins.get()
    comment = services.comment_create(author=world.outsider, checkin=checkin, body="Why 30?")
    assert (comment.objective, comment.key_result, comment.checkin) == (
        world.public,
        world.adoption,
        checkin,
    )
    payload = Event.objects.get(kind=kinds.COMMENT_CREATED).payload
    assert payload["key_result"]["ref"] == "adoption"
    assert payload["checkin"] == {"id": checkin.pk}


def test_a_comment_on_a_key_result(world: World) -> None:
    comment = services.comment_create(author=world.owner, key_result=world.adoption, body="ok")
    assert (comment.objective, comment.key_result, comment.checkin) == (
        world.public,
        world.adoption,
        None,
    )


def test_the_body_is_required_and_at_most_10000_characters(world: World) -> None:
    def create(body: str) -> object:
        return lambda: services.comment_create(
            author=world.owner, objective=world.public, body=body
        )

    assert refusal(create("   \n")) == {"body": "is required: write a comment"}
    assert "at most 10,000" in refusal(create("x" * 10_001))["body"]
    assert "NUL" in refusal(create("a\x00b"))["body"]
    assert not Comment.objects.exists()
    longest = services.comment_create(author=world.owner, objective=world.public, body="x" * 10_000)
    assert len(longest.body) == 10_000


def test_markup_is_stored_as_written(world: World) -> None:
    body = "<script>alert(1)</script> **bold** &amp;"
    comment = services.comment_create(author=world.owner, objective=world.public, body=body)
    assert Comment.objects.get(pk=comment.pk).body == body


def test_mentions_must_name_an_active_person_of_the_organization(world: World) -> None:
    for body in ("hi @nobody@acme.test", "hi @xavier@globex.test"):
        problems = refusal(
            lambda body=body: services.comment_create(
                author=world.owner, objective=world.public, body=body
            )
        )
        email = body.split("@", 1)[1]
        assert problems == {
            "body": f"no one in your organization has the email {email} (mentioned as @{email})"
        }
    world.outsider.is_active = False
    world.outsider.save()
    assert (
        "outsider@acme.test"
        in refusal(
            lambda: services.comment_create(
                author=world.owner, objective=world.public, body="@outsider@acme.test"
            )
        )["body"]
    )
    assert not Comment.objects.exists()


def test_a_mention_of_someone_who_cannot_see_a_private_objective_is_refused(
    world: World,
) -> None:
    problems = refusal(
        lambda: services.comment_create(
            author=world.owner,
            objective=world.private,
            body="@teammate@acme.test and @outsider@acme.test, look",
        )
    )
    assert problems == {
        "body": "@outsider@acme.test cannot see this private objective; "
        "they would not be able to read your comment"
    }
    assert (
        not Comment.objects.exists()
        and not Event.objects.filter(kind=kinds.COMMENT_CREATED).exists()
    )
    comment = services.comment_create(
        author=world.owner, objective=world.private, body="@teammate@acme.test @admin@acme.test"
    )
    assert set(comment.mentions.all()) == {world.teammate, world.admin}


def test_mentions_are_read_from_emails_after_an_at_sign() -> None:
    body = "@Ana@Acme.test, mail bo@acme.test or @ana@acme.test and @cy@acme.test."
    assert rules.mentioned_emails(body) == ["ana@acme.test", "cy@acme.test"]


def test_the_author_must_see_the_objective(world: World) -> None:
    problems = refusal(
        lambda: services.comment_create(author=world.outsider, objective=world.private, body="hi")
    )
    assert problems == {"objective": "you cannot see this objective"}


def test_a_closed_cycles_objective_takes_comments(world: World) -> None:
    closed = make_cycle(world.org, "2026-q1", date(2026, 1, 1), date(2026, 3, 31), state="closed")
    objective = make_objective(closed, "old", world.owner)
    comment = services.comment_create(author=world.teammate, objective=objective, body="Lessons")
    assert comment.objective == objective


def test_only_the_author_edits_and_deletes(world: World) -> None:
    comment = services.comment_create(author=world.owner, objective=world.public, body="first")
    for person in (world.teammate, world.admin):
        with pytest.raises(PermissionDenied):
            services.comment_update(comment=comment, editor=person, body="changed")
        with pytest.raises(PermissionDenied):
            services.comment_delete(comment=comment, person=person)
    assert Comment.objects.get().body == "first"
    services.comment_update(comment=comment, editor=world.owner, body="second @admin@acme.test")
    stored = Comment.objects.get()
    assert stored.body == "second @admin@acme.test" and stored.edited_at is not None
    assert list(stored.mentions.all()) == [world.admin]
    services.comment_delete(comment=comment, person=world.owner)
    assert not Comment.objects.exists()


def test_an_edit_is_checked_like_a_new_comment(world: World) -> None:
    comment = services.comment_create(author=world.owner, objective=world.private, body="first")
    with pytest.raises(Exception) as refused:
        services.comment_update(comment=comment, editor=world.owner, body="@outsider@acme.test")
    assert "cannot see this private objective" in str(refused.value)
    with pytest.raises(Exception, match="is required"):
        services.comment_update(comment=comment, editor=world.owner, body="")
    stored = Comment.objects.get()
    assert (stored.body, stored.edited_at) == ("first", None)


def test_a_checkin_of_another_objective_is_refused(world: World) -> None:
    checkin = world.adoption.checkins.get()
    problems = refusal(
        lambda: services.comment_create(
            author=world.owner, objective=world.private, checkin=checkin, body="hi"
        )
    )
    assert problems == {"key_result": "is not a key result of this objective"}


def test_comments_are_in_the_history(world: World) -> None:
    comment = services.comment_create(author=world.owner, objective=world.public, body="first")
    services.comment_update(comment=comment, editor=world.owner, body="second")
    services.comment_delete(comment=comment, person=world.owner)
    entries = LogEntry.objects.filter(content_type__model="comment").order_by("id")
    assert [e.action for e in entries] == [0, 1, 2]
    assert entries[0].additional_data["objective"] == world.public.pk
    assert entries[1].changes["body"] == ["first", "second"]


def test_a_new_person_can_be_mentioned(world: World) -> None:
    newcomer = make_person(world.org, "New@Acme.test")
    check_in(world.adoption, 40, date(2026, 4, 22))
    comment = services.comment_create(
        author=world.owner, objective=world.public, body="welcome @new@acme.test"
    )
    assert list(comment.mentions.all()) == [newcomer]
