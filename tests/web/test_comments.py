"""Comments on the objective page: the section, writing with and without htmx, edit and
delete by the author, escaping, bounded queries, and the @mention suggestions."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from pacer.okrs import services
from pacer.okrs.models import Comment
from tests.factories import World

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>"


def page_of(world: World, objective: Any = None) -> str:
    return reverse("objective_detail", args=[(objective or world.public).ref])


def signed_in(client: Client, person: Any) -> Client:
    client.force_login(person)
    return client


def test_the_page_shows_comments_with_their_target_escaped(client: Client, world: World) -> None:
    checkin = world.adoption.checkins.get()
    services.comment_create(author=world.owner, objective=world.public, body=f"On it {XSS}")
    services.comment_create(author=world.teammate, key_result=world.adoption, body="kr\nline 2")
    services.comment_create(author=world.outsider, checkin=checkin, body="why?")
    html = signed_in(client, world.teammate).get(page_of(world)).content.decode()
    assert "Comments (3)" in html
    assert XSS not in html and "On it &lt;img src=x onerror=alert(1)&gt;" in html
    assert "on the objective" in html and "on key result “Adoption”" in html
    assert "kr<br>line 2" in html
    assert "on the check-in of 20 Apr 2026 on" in html
    assert html.count(">Edit</a>\n        <a") == 1  # only the teammate's own comment
    assert f"?on=kr:{world.adoption.ref}#comment-form" in html
    assert f"?on=checkin:{checkin.pk}#comment-form" in html


def test_a_comment_link_opens_the_form_for_its_target(client: Client, world: World) -> None:
    checkin = world.adoption.checkins.get()
    c = signed_in(client, world.teammate)
    html = c.get(page_of(world) + f"?on=checkin:{checkin.pk}").content.decode()
    assert "Commenting on the check-in of 20 Apr 2026" in html
    assert f'name="checkin" value="{checkin.pk}"' in html
    html = c.get(page_of(world) + f"?on=kr:{world.adoption.ref}").content.decode()
    assert "Commenting on key result" in html


def test_writing_without_scripts_redirects_to_the_comment(client: Client, world: World) -> None:
    url = reverse("comment_add", args=[world.public.ref])
    c = signed_in(client, world.teammate)
    answer = c.post(url, {"body": "hi @owner@acme.test", "key_result": world.adoption.ref})
    comment = Comment.objects.get()
    assert answer.status_code == 302 and answer.url.endswith(f"#comment-{comment.pk}")
    assert (comment.key_result, list(comment.mentions.all())) == (world.adoption, [world.owner])


def test_writing_with_htmx_answers_the_section(client: Client, world: World) -> None:
    url = reverse("comment_add", args=[world.public.ref])
    answer = signed_in(client, world.teammate).post(url, {"body": "hello"}, HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert answer.status_code == 200 and html.lstrip().startswith(
        '<section class="card" id="comments"'
    )
    assert "hello" in html and "Comments (1)" in html


def test_a_refused_comment_names_the_field_and_saves_nothing(client: Client, world: World) -> None:
    url = reverse("comment_add", args=[world.private.ref])
    c = signed_in(client, world.owner)
    answer = c.post(url, {"body": "@outsider@acme.test see this"})
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "cannot see this private objective; they would not be able to read your comment" in html
    assert "@outsider@acme.test see this</textarea>" in html
    answer = c.post(url, {"body": " "}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "is required: write a comment" in answer.content.decode()
    assert not Comment.objects.exists()


def test_a_hidden_objective_is_a_404(client: Client, world: World) -> None:
    c = signed_in(client, world.outsider)
    assert (
        c.post(reverse("comment_add", args=[world.private.ref]), {"body": "x"}).status_code == 404
    )
    assert c.get(reverse("comment_mentions", args=[world.private.ref])).status_code == 404


def test_only_the_author_edits_and_deletes(client: Client, world: World) -> None:
    comment = services.comment_create(author=world.owner, objective=world.public, body="first")
    edit = reverse("comment_edit", args=[world.public.ref, comment.pk])
    delete = reverse("comment_delete", args=[world.public.ref, comment.pk])
    other = signed_in(Client(), world.admin)
    assert other.get(edit).status_code == 403 and other.post(delete).status_code == 403
    c = signed_in(client, world.owner)
    assert "first</textarea>" in c.get(edit).content.decode()
    assert c.post(edit, {"body": ""}).status_code == 400
    assert c.post(edit, {"body": "second"}).status_code == 302
    assert Comment.objects.get().edited_at is not None
    assert "(edited)" in c.get(page_of(world)).content.decode()
    assert "gone for good" in c.get(delete).content.decode()
    assert c.post(delete).status_code == 302 and not Comment.objects.exists()


def test_many_comments_cost_no_more_queries(
    client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    c = signed_in(client, world.teammate)
    services.comment_create(author=world.owner, key_result=world.adoption, body="one")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        c.get(page_of(world))
    checkin = world.adoption.checkins.get()
    for i in range(30):
        services.comment_create(author=world.teammate, checkin=checkin, body=f"c{i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "Comments (31)" in c.get(page_of(world)).content.decode()


def test_the_activity_list_tells_comments(client: Client, world: World) -> None:
    services.comment_create(author=world.owner, key_result=world.adoption, body="Looks good")
    html = signed_in(client, world.teammate).get(page_of(world)).content.decode()
    assert "commented on key result “Adoption”" in html


def test_suggestions_list_only_people_who_may_see_the_objective(
    client: Client, world: World
) -> None:
    url = reverse("comment_mentions", args=[world.private.ref])
    c = signed_in(client, world.owner)
    html = c.get(url, {"body": "Hello @"}).content.decode()
    assert 'data-mention="teammate@acme.test"' in html and 'data-mention="admin@acme.test"' in html
    assert "outsider@acme.test" not in html and "xavier@globex.test" not in html
    html = c.get(url, {"body": "Hello @team"}).content.decode()
    assert html.count("data-mention=") == 1
    assert "data-mention" not in c.get(url, {"body": "no mention here"}).content.decode()
    public = reverse("comment_mentions", args=[world.public.ref])
    assert "outsider@acme.test" in c.get(public, {"body": "@out"}).content.decode()
