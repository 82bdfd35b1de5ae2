"""The objective page's Comments section: its comments (one query), what each is on, the
form (for the objective, a key result or a check-in: the page's `?on=`), and the people a
mention may name (`mention_suggestions`).

The rules (who comments, mentions, length) are the service's (pacer.okrs.services.comments);
this module only reads and shapes what the templates show.
"""

import re
from dataclasses import dataclass

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from pacer.accounts.models import User
from pacer.okrs import permissions, selectors
from pacer.okrs.models import CheckIn, Comment, KeyResult, Objective

SUGGESTIONS = 10
# The mention being typed: an "@" at the end of the text, and what follows it so far.
TYPING = re.compile(r"(?:^|\s)@([^\s@]*(?:@[^\s@]*)?)$")


class CommentForm(forms.Form):
    """The text, and what it is on (none: the objective). The service checks the text."""

    body = forms.CharField(
        required=False,
        strip=False,
        label="Comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mention someone with @ and their email; plain text, no formatting.",
    )
    key_result = forms.CharField(required=False, widget=forms.HiddenInput)
    checkin = forms.IntegerField(required=False, widget=forms.HiddenInput)


@dataclass(frozen=True)
class Target:
    """What a comment is (or will be) on."""

    key_result: KeyResult | None = None
    checkin: CheckIn | None = None

    @property
    def label(self) -> str:
        if self.checkin is not None and self.key_result is not None:
            day = date_format(timezone.localtime(self.checkin.at), "j M Y")
            return f"the check-in of {day} on “{self.key_result.title}”"
        if self.key_result is not None:
            return f"key result “{self.key_result.title}”"
        return "the objective"


@dataclass(frozen=True)
class Shown:
    comment: Comment
    target: Target
    mine: bool


@dataclass(frozen=True)
class Section:
    objective: Objective
    comments: list[Shown]
    form: CommentForm
    target: Target
    can_comment: bool


def comments_of(objective: Objective) -> QuerySet[Comment]:
    return Comment.objects.filter(objective=objective).select_related(
        "author", "key_result", "checkin"
    )


def target_of(objective: Objective, *, key_result: str = "", checkin: object = None) -> Target:
    """The target a form or a link names, among the objective's own; None found: the
    objective (a stale link comments on the objective rather than failing)."""
    if str(checkin).isdigit():
        found = (
            CheckIn.objects.filter(pk=int(str(checkin)), key_result__objective=objective)
            .select_related("key_result")
            .first()
        )
        if found is not None:
            return Target(found.key_result, found)
    if key_result:
        kr = objective.key_results.filter(ref=key_result).first()
        if kr is not None:
            return Target(kr)
    return Target()


def target_from_link(objective: Objective, on: str) -> Target:
    """`?on=kr:<ref>` or `?on=checkin:<id>` of a key result's or a check-in's Comment link."""
    kind, _, value = on.partition(":")
    if kind == "kr":
        return target_of(objective, key_result=value)
    if kind == "checkin":
        return target_of(objective, checkin=value)
    return Target()


def blank_form(target: Target) -> CommentForm:
    initial = {
        "key_result": target.key_result.ref if target.key_result else "",
        "checkin": target.checkin.pk if target.checkin else None,
    }
    return CommentForm(initial=initial)


def section(
    user: User,
    objective: Objective,
    *,
    target: Target | None = None,
    form: CommentForm | None = None,
) -> Section:
    """The section as shown to `user` (who may see the objective), in one query."""
    target = target or Target()
    shown = [
        Shown(c, Target(c.key_result, c.checkin), c.author_id == user.pk)
        for c in comments_of(objective)
    ]
    return Section(
        objective=objective,
        comments=shown,
        form=form or blank_form(target),
        target=target,
        can_comment=user.is_authenticated,  # whoever sees the page may comment
    )


def typed_mention(text: str) -> str | None:
    """What follows the "@" being typed at the end of `text`; None when none is."""
    found = TYPING.search(text)
    return found.group(1) if found else None


def mention_suggestions(objective: Objective, typed: str) -> list[User]:
    """Up to SUGGESTIONS people who may see the objective whose name or email contains
    `typed` (everyone who may see it, for an empty one)."""
    people = selectors.people_who_see(objective)
    if typed:
        people = people.filter(Q(name__icontains=typed) | Q(email__icontains=typed))
    return list(people.order_by("name", "email")[:SUGGESTIONS])


def may_change(user: User, comment: Comment) -> bool:
    return permissions.can_change_comment(user, comment)
