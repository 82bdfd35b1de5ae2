"""Comments in a real browser, reached by clicking from `/`: a teammate opens "Deliver
faster", clicks Comment on the key result "Adoption", mentions the owner by choosing them
from the @ suggestions with the keyboard, posts (htmx), edits and deletes the comment.
"""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from pacer.okrs.models import Comment
from tests.factories import World
from tests.web.test_browser_flows import sign_in
from tests.web.test_browser_key_results import key_result_row, open_objective

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_comment_with_a_mention_then_edit_and_delete_it(
    page: Page, live_server: Any, world: World
) -> None:
    world.teammate.set_password("pw")
    world.teammate.save()
    sign_in(page, live_server, world.teammate, then="/")
    open_objective(page, world)

    key_result_row(page, "Adoption").locator(".facts").get_by_role("link", name="Comment").click()
    form = page.locator("#comment-form")
    expect(form).to_contain_text("Commenting on key result “Adoption”")
    box = page.get_by_role("textbox", name="Your comment")
    box.press_sequentially("Numbers look low, @own")
    option = page.get_by_role("option", name="Owner owner@acme.test")
    expect(option).to_be_visible()
    expect(page.locator("#mention-list").get_by_role("option")).to_have_count(1)
    box.press("ArrowDown")
    expect(option).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_be_focused()
    expect(box).to_have_value("Numbers look low, @owner@acme.test ")
    box.press_sequentially("<b>please</b> check")
    page.get_by_role("button", name="Comment").click()

    comments = page.locator("#comments")
    expect(comments.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(comments).to_contain_text("on key result “Adoption”")
    expect(comments).to_contain_text("@owner@acme.test <b>please</b> check")
    comment = Comment.objects.get()
    assert (comment.key_result, list(comment.mentions.all())) == (world.adoption, [world.owner])

    comments.get_by_role("link", name="Edit").click()
    page.get_by_label("Your comment").fill("Numbers look fine after all")
    page.get_by_role("button", name="Save comment").click()
    expect(page.get_by_text("Comment saved.")).to_be_visible()
    expect(page.locator("#comments")).to_contain_text("Numbers look fine after all")
    expect(page.locator("#comments")).to_contain_text("(edited)")

    page.locator("#comments").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete your comment?")).to_be_visible()
    page.get_by_role("button", name="Delete comment").click()
    expect(page.get_by_text("Comment deleted.")).to_be_visible()
    expect(page.locator("#comments")).to_contain_text("No comments yet.")
    assert not Comment.objects.exists()
