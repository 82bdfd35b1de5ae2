"""URLs of comments on objective pages."""

from django.urls import URLPattern, path

from pacer.web.views import comments

urlpatterns: list[URLPattern] = [
    path("objectives/<slug:ref>/comments/", comments.comment_add, name="comment_add"),
    path(
        "objectives/<slug:ref>/comments/<int:comment_id>/edit/",
        comments.comment_edit,
        name="comment_edit",
    ),
    path(
        "objectives/<slug:ref>/comments/<int:comment_id>/delete/",
        comments.comment_delete,
        name="comment_delete",
    ),
    path(
        "objectives/<slug:ref>/mentions/",
        comments.mention_suggestions,
        name="comment_mentions",
    ),
]
