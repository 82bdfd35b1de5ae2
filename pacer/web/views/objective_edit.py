"""Creating and editing objectives: new, edit, add a key result, move one, copy.

Each view finds the objective through `editable_objective` (404 if hidden, 403 if only
visible), validates a form, and calls one service; a `DomainError` from the service becomes
form errors on the field it names, with what was typed kept.
"""

import re
from collections.abc import Mapping, Sequence
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from pacer.accounts.models import User
from pacer.coach import role_templates
from pacer.okrs import permissions, selectors, services
from pacer.okrs.errors import DomainError
from pacer.okrs.models import Cycle, KeyResult, Objective, Team
from pacer.web.forms import (
    MAX_KEY_RESULTS,
    CopyForm,
    KeyResultBaseFormSet,
    KeyResultForm,
    KeyResultFormSet,
    MoveKeyResultForm,
    ObjectiveForm,
    show_problems,
    without_errors,
)
from pacer.web.selectors import read_only_reason
from pacer.web.views import okr_templates
from pacer.web.views.objective import editable_objective, person

FORM = "web/objective/form.html"
KR_PREFIX = re.compile(r"(key_results-[0-6]|new_kr|)")


def open_cycles(user: User) -> QuerySet[Cycle]:
    return Cycle.objects.filter(organization=user.organization).exclude(state=Cycle.State.CLOSED)


def default_cycle(user: User, ref: str) -> Cycle | None:
    """The cycle asked for, else the shortest active one (the quarter rather than the year)."""
    cycles = open_cycles(user)
    active = cycles.filter(state=Cycle.State.ACTIVE).order_by("end", "-start")
    ref = ref.replace("\x00", "")  # PostgreSQL refuses NUL in a query parameter (a 500)
    return cycles.filter(ref=ref).first() if ref else active.first()


def objective_form(
    user: User,
    data: object = None,
    current_team: Team | None = None,
    current_owner: User | None = None,
    **kwargs: object,
) -> ObjectiveForm:
    """The create/edit form; an edit may keep the objective's team even if `user` is not in
    it, and its owner."""
    teams = permissions.teams_to_file_under(user)
    if current_team is not None:
        teams = teams | Team.objects.filter(pk=current_team.pk)
    candidates = (
        selectors.without_read_only(selectors.objectives_visible_to(user))
        .select_related("cycle")
        .order_by("-cycle__start", "title")  # a picker shows the latest cycles' first
    )
    return ObjectiveForm(
        data,
        cycles=open_cycles(user),
        teams=teams.distinct().order_by("name"),
        parents=candidates,
        owners=permissions.owners_assignable_by(user, current_owner),
        **kwargs,  # type: ignore[arg-type]
    )


def edit_form(user: User, objective: Objective, data: object = None) -> ObjectiveForm:
    """The edit form of `objective`; it cannot become its own parent."""
    form = objective_form(
        user,
        data,
        objective.team,
        objective.owner,
        initial=edit_initial(user, objective),
        editing=True,
    )
    parents = form.fields["parents"]
    parents.queryset = parents.queryset.exclude(pk=objective.pk)  # type: ignore[attr-defined]
    return form


def edit_initial(user: User, objective: Objective) -> dict[str, object]:
    return {
        "title": objective.title,
        "description": objective.description,
        "team": objective.team_id,
        "owner": objective.owner_id,
        "kind": objective.kind,
        "visibility": objective.visibility,
        "parents": list(objective.parents.values_list("pk", flat=True)),
        "version": selectors.objective_version(objective, user),
    }


def refuse_if_read_only(request: HttpRequest, objective: Objective) -> HttpResponse | None:
    """Closed cycles and archived objectives are read-only: say so and go back."""
    reason = read_only_reason(objective)
    if not reason:
        return None
    messages.error(request, reason)
    return redirect("objective_detail", ref=objective.ref)


# --- New objective -----------------------------------------------------------------------


def key_result_choices(user: User) -> dict[str, object]:
    """What a key result form offers: its owner (default `user`) among the active people,
    and the objective a linked key result follows among those `user` sees."""
    objectives = selectors.objectives_visible_to(user).select_related("cycle")
    return {
        "people": permissions.active_people(user),
        "objectives": objectives.order_by("-cycle__start", "title"),
        "initial": {"owner": user.pk},
    }


def key_result_formset(
    user: User, data: QueryDict | None, prefill: Sequence[Mapping[str, object]] = ()
) -> KeyResultBaseFormSet:
    """The new form's key results; "Add key result" sent without JavaScript adds a block.
    An opened form shows a block per `prefill` row (a template's key results) instead of
    one empty block."""
    if data is not None and "add_key_result" in data:
        data = data.copy()
        total = data.get("key_results-TOTAL_FORMS", "")
        count = int(total) if total.isdigit() else 1
        data["key_results-TOTAL_FORMS"] = str(min(count + 1, MAX_KEY_RESULTS))
    formset = KeyResultFormSet(data, prefix="key_results", form_kwargs=key_result_choices(user))
    if data is None and prefill:
        # Blocks like the empty one (not "initial" forms): each keeps the default owner.
        formset.extra = min(len(prefill), MAX_KEY_RESULTS)
        for form, row in zip(formset.forms, prefill, strict=False):
            form.initial = {**form.initial, **row}
    return cast(KeyResultBaseFormSet, formset)


def only_refreshing(data: QueryDict | None) -> bool:
    """ "Add key result" or "Update fields" without JavaScript: show the form again, save
    nothing."""
    return data is not None and ("add_key_result" in data or "refresh" in data)


@login_required
def objective_new(request: HttpRequest) -> HttpResponse:
    user = person(request)
    template = okr_templates.prefill(request)  # ?template=NAME&objective=N
    initial = {**new_initial(user, request.GET), **template.objective, "owner": user.pk}
    data = request.POST if request.method == "POST" else None
    form = objective_form(user, data, initial=initial)
    formset = key_result_formset(user, data, template.key_results)
    if only_refreshing(data):
        without_errors(form, formset)
        context = {"form": form, "formset": formset, "creating": True, "max": MAX_KEY_RESULTS}
        return render(request, FORM, context)
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            objective = create_from_forms(user, form, formset, template.milestones)
        except DomainError as error:
            show_objective_problems(form, formset, error)
        else:
            messages.success(request, f"Created “{objective.title}”.")
            return redirect("objective_detail", ref=objective.ref)
    context = {"form": form, "formset": formset, "creating": True, "max": MAX_KEY_RESULTS}
    return render(request, FORM, context, status=400 if data else 200)


@login_required
def key_result_type_fields(request: HttpRequest) -> HttpResponse:
    """htmx: the fields of the type chosen in a key result form (`prefix` names the form)."""
    prefix = request.GET.get("prefix", "")
    if not KR_PREFIX.fullmatch(prefix):
        return HttpResponse("Unknown form.", status=400)
    chosen = request.GET.get(f"{prefix}-type" if prefix else "type", "")
    choices = key_result_choices(person(request))
    choices["initial"] = {**choices["initial"], "type": chosen}  # type: ignore[dict-item]
    form = KeyResultForm(prefix=prefix or None, **choices)  # type: ignore[arg-type]
    return render(request, "web/partials/objective/_kr_type_fields.html", {"form": form})


@login_required
def key_result_block(request: HttpRequest) -> HttpResponse:
    """htmx: one more empty key result block for the new form (`index` counts from 0)."""
    index = request.GET.get("index", "")
    if not index.isdigit() or not 0 < int(index) < MAX_KEY_RESULTS:
        return HttpResponse("No more key results.", status=400)
    choices = key_result_choices(person(request))
    kr_form = KeyResultForm(prefix=f"key_results-{index}", **choices)  # type: ignore[arg-type]
    context = {"kr_form": kr_form, "index": int(index), "max": MAX_KEY_RESULTS}
    return render(request, "web/partials/objective/_kr_block_added.html", context)


def new_initial(user: User, query: QueryDict) -> dict[str, object]:
    """The new form's cycle, and the team (`?team=<ref>`, only one `user` may file under)
    and parent (`?parent=<ref>`, a writable objective `user` sees) a link asked for."""
    initial: dict[str, object] = {"cycle": default_cycle(user, query.get("cycle", ""))}
    team_ref = query.get("team", "").replace("\x00", "")
    if team_ref:
        initial["team"] = permissions.teams_to_file_under(user).filter(ref=team_ref).first()
    parent_ref = query.get("parent", "").replace("\x00", "")
    if parent_ref:
        candidates = selectors.without_read_only(selectors.objectives_visible_to(user))
        initial["parents"] = list(candidates.filter(ref=parent_ref).values_list("pk", flat=True))
    return initial


def create_from_forms(
    user: User,
    form: ObjectiveForm,
    formset: KeyResultBaseFormSet,
    milestones: role_templates.MilestonesByTitle | None = None,
) -> Objective:
    fields = dict(form.cleaned_data)
    fields.pop("version", None)
    fields["owner"] = fields.get("owner") or user
    specs = [services.KeyResultSpec(**row) for row in formset.specs_input()]
    if milestones:  # from a template: its milestones key results keep their milestones
        return role_templates.objective_create_with_milestones(
            milestones=milestones, key_results=specs, **fields
        )
    return services.objective_create(key_results=specs, **fields)


def show_objective_problems(
    form: ObjectiveForm, formset: KeyResultBaseFormSet, error: DomainError
) -> None:
    """Key result problems (`key_results-<n>-<field>`) go to the n-th filled row."""
    filled = formset.filled_indexes()
    rest = []
    for name, message in error.problems:
        parts = name.split("-", 2)
        if parts[0] == "key_results" and len(parts) == 3:
            row = formset.forms[filled[int(parts[1])]]
            field = field_of(row, parts[2])
            row.add_error(field, message if field else f"{parts[2]}: {message}")
        else:
            rest.append((name, message))
    if rest:
        show_problems(form, DomainError(rest))


def field_of(form: KeyResultForm, name: str) -> str | None:
    """The form field a service problem names (a linked key result's is `objective`)."""
    name = "linked_objective" if name == "objective" else name
    return name if name in form.fields else None


# --- Edit, add a key result --------------------------------------------------------------


@login_required
def objective_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    objective = editable_objective(user, ref)
    if refused := refuse_if_read_only(request, objective):
        return refused
    data = request.POST if request.method == "POST" else None
    form = edit_form(user, objective, data)
    if only_refreshing(data):  # a picker's Find without JavaScript: nothing is saved
        without_errors(form)
        return render_edit(request, objective, form=form)
    if data is not None and form.is_valid():
        try:
            services.objective_update(objective=objective, editor=user, **form.cleaned_data)
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("objective_detail", ref=ref)
    return render_edit(request, objective, form=form, status=400 if data else 200)


def render_edit(
    request: HttpRequest,
    objective: Objective,
    *,
    form: ObjectiveForm | None = None,
    kr_form: KeyResultForm | None = None,
    move: MoveKeyResultForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The edit page: the objective's fields, a form to add a key result, the moves (`move`
    as sent, for its picker's Find)."""
    user = person(request)
    context = {
        "form": form or edit_form(user, objective),
        "objective": objective,
        "kr_form": kr_form or KeyResultForm(prefix="new_kr", **key_result_choices(user)),  # type: ignore[arg-type]
        "moves": move_forms(user, objective, move),
    }
    return render(request, FORM, context, status=status)


@login_required
@require_POST
def key_result_add(request: HttpRequest, ref: str) -> HttpResponse:
    """A new key result from the edit page, through `services.key_result_create`."""
    user = person(request)
    objective = editable_objective(user, ref)
    if refused := refuse_if_read_only(request, objective):
        return refused
    kr_form = KeyResultForm(request.POST, prefix="new_kr", **key_result_choices(user))  # type: ignore[arg-type]
    if only_refreshing(request.POST):
        without_errors(kr_form)
        return render_edit(request, objective, kr_form=kr_form)
    if kr_form.is_valid():
        row = KeyResultBaseFormSet.spec_input(kr_form.cleaned_data)
        try:
            kr = services.key_result_create(objective=objective, spec=services.KeyResultSpec(**row))
        except DomainError as error:
            show_key_result_problems(kr_form, error)
        else:
            messages.success(request, f"Added the key result “{kr.title}”.")
            return redirect(reverse("objective_detail", args=[ref]) + f"#kr-{kr.pk}")
    return render_edit(request, objective, kr_form=kr_form, status=400)


def show_key_result_problems(form: KeyResultForm, error: DomainError) -> None:
    """A service's problems at the key result form's fields (`field_of`), the rest on top."""
    for name, message in error.problems:
        field = field_of(form, name)
        prefix = f"{name.replace('_', ' ')}: " if name and not field else ""
        form.add_error(field, prefix + message)


# --- Move a key result, copy an objective ------------------------------------------------


def move_targets(user: User, objective: Objective) -> QuerySet[Objective]:
    """Objectives a key result may move to: open, not archived, editable by `user`."""
    editable = permissions.objectives_editable_by(user).exclude(pk=objective.pk)
    return selectors.without_read_only(editable).order_by("title")


def move_forms(
    user: User, objective: Objective, sent: MoveKeyResultForm | None = None
) -> list[tuple[KeyResult, MoveKeyResultForm]]:
    targets = move_targets(user, objective)
    return [
        (kr, sent if sent and sent.prefix == f"move{kr.pk}" else move_form(targets, kr))
        for kr in objective.key_results.order_by("position", "id")
    ]


def move_form(
    targets: QuerySet[Objective], kr: KeyResult, data: object = None
) -> MoveKeyResultForm:
    return MoveKeyResultForm(data, objectives=targets, prefix=f"move{kr.pk}")


@login_required
@require_POST
def key_result_move(request: HttpRequest, ref: str, kr_ref: str) -> HttpResponse:
    user = person(request)
    objective = editable_objective(user, ref)
    kr = get_object_or_404(objective.key_results.all(), ref=kr_ref)
    form = move_form(move_targets(user, objective), kr, request.POST)
    if "refresh" in request.POST:  # the picker's Find without JavaScript: nothing moves
        without_errors(form)
        return render_edit(request, objective, move=form)
    if not form.is_valid():
        messages.error(request, "Choose an objective you may change to move the key result to.")
        return redirect("objective_edit", ref=ref)
    target = form.cleaned_data["objective"]
    try:
        services.key_result_move(key_result=kr, objective=target)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("objective_edit", ref=ref)
    messages.success(request, f"Moved “{kr.title}” to “{target.title}”.")
    return redirect("objective_detail", ref=target.ref)


@login_required
def objective_copy(request: HttpRequest, ref: str) -> HttpResponse:
    user = person(request)
    objective = editable_objective(user, ref)
    data = request.POST if request.method == "POST" else None
    form = copy_form(user, objective, data)
    if data is not None and form.is_valid():
        try:
            copy = services.objective_copy(
                objective=objective,
                cycle=form.cleaned_data["cycle"],
                key_results=list(form.cleaned_data["key_results"].order_by("position", "id")),
                owner=user,
            )
        except DomainError as error:
            show_problems(form, error)
        else:
            messages.success(request, f"Copied into {copy.cycle.name}.")
            return redirect("objective_detail", ref=copy.ref)
    context = {"form": form, "objective": objective}
    return render(request, "web/objective/copy.html", context, status=400 if data else 200)


def copy_form(user: User, objective: Objective, data: object) -> CopyForm:
    """Which open cycle to copy into and which key results to take (all, at first)."""
    key_results = objective.key_results.order_by("position", "id")
    return CopyForm(
        data,
        cycles=open_cycles(user),
        key_results=key_results,
        initial={"key_results": list(key_results)},
    )
