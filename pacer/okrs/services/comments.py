"""Comments on an objective, one of its key results or one of their check-ins.

Anyone who may see the objective comments (`permissions.can_comment`); only the author edits
or deletes. Comments are discussion, not numbers: they are allowed on a closed cycle's and
on an archived objective (the read-only rule freezes numbers, not conversation).

A mention is "@" and a person's email (`rules.mentioned_emails`); each must name an active
person of the organization who may see the objective, or the comment is refused.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pacer.accounts.models import User
from pacer.events import kinds, payloads
from pacer.events import record as events
from pacer.okrs import permissions, rules, selectors
from pacer.okrs.errors import DomainError, raise_if
from pacer.okrs.models import CheckIn, Comment, KeyResult, Objective


def comment_target(
    objective: Objective | None, key_result: KeyResult | None, checkin: CheckIn | None
) -> tuple[Objective, KeyResult | None]:
    """The objective and key result a comment is under; what is named must agree."""
    if checkin is not None:
        if key_result is not None and checkin.key_result_id != key_result.pk:
            raise DomainError("is not a check-in of this key result", "checkin")
        key_result = checkin.key_result
    if key_result is not None:
        if objective is not None and key_result.objective_id != objective.pk:
            raise DomainError("is not a key result of this objective", "key_result")
        objective = key_result.objective
    if objective is None:
        raise DomainError("name the objective, key result or check-in to comment on", "objective")
    return objective, key_result


def mentioned_people(objective: Objective, body: str) -> list[User]:
    """The people `body` mentions, or a DomainError naming each who cannot be mentioned."""
    emails = rules.mentioned_emails(body)
    if not emails:
        return []
    in_org = User.objects.filter(
        organization_id=objective.organization_id, is_active=True, email__in=emails
    )
    found = {person.email.lower(): person for person in in_org}
    seeing = set(
        selectors.people_who_see(objective).filter(pk__in=[p.pk for p in found.values()])
        .values_list("pk", flat=True)
    )  # fmt: skip
    raise_if(
        rules.mention_problems(
            unknown=[e for e in emails if e not in found],
            cannot_see=[e for e in emails if e in found and found[e].pk not in seeing],
        )
    )
    return [found[email] for email in emails]


@transaction.atomic
def comment_create(
    *,
    author: User,
    body: str,
    objective: Objective | None = None,
    key_result: KeyResult | None = None,
    checkin: CheckIn | None = None,
) -> Comment:
    """A comment and its comment.created event, in one transaction."""
    objective, key_result = comment_target(objective, key_result, checkin)
    if not permissions.can_comment(author, objective):
        raise DomainError("you cannot see this objective", "objective")
    raise_if(rules.comment_problems(body))
    mentions = mentioned_people(objective, body)
    comment = Comment.objects.create(
        organization_id=objective.organization_id,
        objective=objective,
        key_result=key_result,
        checkin=checkin,
        author=author,
        body=body,
    )
    comment.mentions.set(mentions)
    payload = {
        "comment": payloads.comment_data(comment, [person.email for person in mentions]),
        "objective": payloads.objective_data(objective),
    }
    if key_result is not None:
        payload["key_result"] = payloads.key_result_data(key_result)
    if checkin is not None:
        payload["checkin"] = {"id": checkin.pk}
    events.record(kinds.COMMENT_CREATED, objective=objective, actor=author, payload=payload)
    return comment


def require_author(person: User, comment: Comment) -> None:
    if not permissions.can_change_comment(person, comment):
        raise PermissionDenied("Only the author edits or deletes a comment.")


@transaction.atomic
def comment_update(*, comment: Comment, editor: User, body: str) -> Comment:
    """New text (and so new mentions), marked edited. No event: people mentioned anew are
    not told (an edit is a correction, not a new message)."""
    require_author(editor, comment)
    raise_if(rules.comment_problems(body))
    mentions = mentioned_people(comment.objective, body)
    comment.body, comment.edited_at = body, timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    comment.mentions.set(mentions)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, person: User) -> None:
    require_author(person, comment)
    comment.delete()
