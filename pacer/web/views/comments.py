"""Comments on the objective page: write (htmx, or a plain form post), edit and delete your
own, and the @mention suggestions under the text box.

Reads start from `visible_objective` (a hidden objective is a 404, never a 403); the rules
are the service's (`services.comment_*`); a refused comment comes back with its error next
to the text box and nothing saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pacer.okrs import services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Comment, Objective
from pacer.web import comments
from pacer.web.forms import show_problems
from pacer.web.htmx import render_page_or_fragment, wants_fragment
from pacer.web.views.objective import PAGE, objective_page, person, visible_objective

SECTION = "web/partials/objective/_comments.html"


def anchor(ref: str, name: str) -> str:
    return reverse("objective_detail", args=[ref]) + "#" + name


@login_required
@require_POST
def comment_add(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    objective = visible_objective(user, ref)
    form = comments.CommentForm(request.POST)
    form.is_valid()  # every field is optional: the service says what is wrong
    data = form.cleaned_data
    target = comments.target_of(
        objective, key_result=data.get("key_result", ""), checkin=data.get("checkin")
    )
    try:
        comment = services.comment_create(
            author=user,
            body=data.get("body", ""),
            objective=objective,
            key_result=target.key_result,
            checkin=target.checkin,
        )
    except DomainError as error:
        show_problems(form, error)
        return section_or_page(request, objective, target=target, form=form)
    if not wants_fragment(request):
        return redirect(anchor(ref, f"comment-{comment.pk}"))
    return section_or_page(request, objective)


def section_or_page(
    request: HttpRequest,
    objective: Objective,
    *,
    target: comments.Target | None = None,
    form: comments.CommentForm | None = None,
) -> HttpResponse:
    """htmx: the Comments section; without scripts: the page again with the form's errors."""
    user = person(request)
    context: dict[str, object] = {
        "comments": comments.section(user, objective, target=target, form=form)
    }
    if not wants_fragment(request):
        context["page"] = objective_page(user, objective)
    return render_page_or_fragment(request, PAGE, SECTION, context, page_status=400)


def own_comment(request: HttpRequest, ref: str, comment_id: int) -> tuple[Objective, Comment]:
    """The comment under a visible objective (404 otherwise), if it is the caller's (403)."""
    user = person(request)
    objective = visible_objective(user, ref)
    comment = get_object_or_404(
        Comment.objects.select_related("author", "key_result", "checkin"),
        pk=comment_id,
        objective=objective,
    )
    if not comments.may_change(user, comment):
        raise PermissionDenied("Only the author edits or deletes a comment.")
    return objective, comment


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, ref: str, comment_id: int) -> HttpResponse:
    objective, comment = own_comment(request, ref, comment_id)
    form = comments.CommentForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_update(
                comment=comment, editor=person(request), body=form.cleaned_data["body"]
            )
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "Comment saved.")
            return redirect(anchor(ref, f"comment-{comment.pk}"))
    context = {"objective": objective, "comment": comment, "form": form}
    status = 400 if form.errors else 200
    return render(request, "web/objective/comment_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request: HttpRequest, ref: str, comment_id: int) -> HttpResponse:
    """A confirmation page, then the deletion."""
    objective, comment = own_comment(request, ref, comment_id)
    if request.method == "POST":
        services.comment_delete(comment=comment, person=person(request))
        messages.success(request, "Comment deleted.")
        return redirect(anchor(ref, "comments"))
    context = {"objective": objective, "comment": comment}
    return render(request, "web/objective/comment_delete.html", context)


@login_required
@require_GET
def mention_suggestions(request: HttpRequest, ref: str) -> HttpResponse:
    """The listbox under the text box: people who may see the objective matching what is
    typed after the last "@" (nothing while no "@" is being typed)."""
    objective = visible_objective(person(request), ref)
    typed = comments.typed_mention(request.GET.get("body", ""))
    people = [] if typed is None else comments.mention_suggestions(objective, typed)
    context = {"people": people, "typed": typed}
    return render(request, "web/partials/objective/_mentions.html", context)
