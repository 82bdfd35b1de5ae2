"""Comments: list and write them under an objective (on it, one of its key results or one
of their check-ins), change or delete your own. The rules are the service's
(pacer.okrs.services.comments): a hidden objective is a 404, another's comment a 403."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError
from pydantic import ConfigDict

from pacer.accounts.models import User
from pacer.api import queries
from pacer.api.auth import caller
from pacer.api.endpoints.common import NO_CONTENT, links, ok
from pacer.api.errors import NotFound
from pacer.api.pagination import paged
from pacer.api.schemas import Id, PageQuery, Ref, Strict
from pacer.okrs import selectors, services
from pacer.okrs.models import CheckIn, Comment, KeyResult, Objective

router = Router(tags=["comments"])

Body = Annotated[
    str,
    Field(
        description="plain text, at most 10,000 characters; mention with @ and an email",
        examples=["Nice progress, @ada@example.com: can we ship it?"],
    ),
]


class CommentOut(Schema):
    id: int
    body: str
    author: str = Field(examples=["ada@example.com"])
    mentions: list[str] = Field(examples=[["grace@example.com"]])
    objective: str = Field(examples=["deliver-faster"])
    key_result: str | None = Field(examples=["adoption"])
    checkin: int | None = Field(examples=[42])
    created_at: datetime
    edited_at: datetime | None


class CommentList(Schema):
    items: list[CommentOut]
    next_cursor: str | None


class CommentIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"body": "Why the dip?", "key_result": "adoption"}]},
    )
    body: Body
    key_result: Ref | None = Field(None, description="a key result of the objective")
    checkin: Id | None = Field(None, description="a check-in of one of its key results")


class CommentPatch(Strict):
    body: Body


def comments(user: User) -> QuerySet[Comment]:
    """Comments under objectives `user` may see."""
    visible = selectors.objectives_visible_to(user).filter(pk=OuterRef("objective_id"))
    return (
        Comment.objects.filter(Exists(visible))
        .select_related("author", "objective", "key_result")
        .prefetch_related(Prefetch("mentions", queryset=User.objects.order_by("email")))
    )


def comment_out(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "body": comment.body,
        "author": comment.author.email,
        "mentions": [person.email for person in comment.mentions.all()],
        "objective": comment.objective.ref,
        "key_result": comment.key_result.ref if comment.key_result else None,
        "checkin": comment.checkin_id,
        "created_at": comment.created_at,
        "edited_at": comment.edited_at,
    }


def present(rows: Sequence[Comment]) -> list[dict[str, Any]]:
    return [comment_out(c) for c in rows]


def own_comment(user: User, comment_id: int) -> Comment:
    found = comments(user).filter(pk=comment_id).first()
    if found is None:
        raise NotFound("comment")
    return found


def target(objective: Objective, payload: CommentIn) -> tuple[KeyResult | None, CheckIn | None]:
    """The key result or check-in named, among the objective's; an unknown one is a 422."""
    kr = checkin = None
    if payload.key_result is not None:
        kr = objective.key_results.filter(ref=payload.key_result).first()
        if kr is None:
            raise ValidationError(
                [{"loc": ("body", "key_result"), "msg": "no key result of this objective"}]
            )
    if payload.checkin is not None:
        checkin = (
            CheckIn.objects.filter(pk=payload.checkin, key_result__objective=objective)
            .select_related("key_result__objective")
            .first()
        )
        if checkin is None:
            raise ValidationError(
                [{"loc": ("body", "checkin"), "msg": "no check-in of this objective"}]
            )
    return kr, checkin


@router.get(
    "/objectives/{ref}/comments", response=ok(CommentList), summary="List an objective's comments"
)
def list_comments(request: HttpRequest, ref: Path[Ref], query: Query[PageQuery]) -> dict[str, Any]:
    """The comments on the objective, its key results and their check-ins, oldest first."""
    user = caller(request)
    objective = queries.objective(user, ref)
    rows = comments(user).filter(objective=objective)
    return paged(rows, cursor=query.cursor, limit=query.limit, present=present)


@router.post(
    "/objectives/{ref}/comments",
    response=ok(CommentOut, 201),
    summary="Comment",
    openapi_extra=links(201, {"comment_id": "$response.body#/id"}, "comments.delete_comment"),
)
def create_comment(request: HttpRequest, ref: Path[Ref], payload: CommentIn) -> Status[Any]:
    """On the objective, or one of its key results (`key_result`) or check-ins (`checkin`).
    Anyone who may see the objective comments, also once its cycle is closed. Each
    `@email` mention names an active person of the organization who may see the objective."""
    user = caller(request)
    objective = queries.objective(user, ref)
    kr, checkin = target(objective, payload)
    comment = services.comment_create(
        author=user, objective=objective, key_result=kr, checkin=checkin, body=payload.body
    )
    return Status(201, comment_out(own_comment(user, comment.pk)))


@router.patch("/comments/{comment_id}", response=ok(CommentOut), summary="Edit your comment")
def update_comment(
    request: HttpRequest, comment_id: Path[Id], payload: CommentPatch
) -> dict[str, Any]:
    """Only its author; the mentions are read again from the new text."""
    user = caller(request)
    comment = own_comment(user, comment_id)
    services.comment_update(comment=comment, editor=user, body=payload.body)
    return comment_out(own_comment(user, comment_id))


@router.delete("/comments/{comment_id}", response=NO_CONTENT, summary="Delete your comment")
def delete_comment(request: HttpRequest, comment_id: Path[Id]) -> Status[None]:
    """Only its author."""
    user = caller(request)
    services.comment_delete(comment=own_comment(user, comment_id), person=user)
    return Status(204, None)
