"""Deployment pages: the board, posting and removing officers, proposals, the order and team text.

HQ (Pimpinan and Kabag Ops) reads; only Kabag Ops writes. Every write calls one service.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from operations import exports, permissions
from operations.forms.deployment import (
    AssignmentForm,
    BoardFilterForm,
    OfficerSearchForm,
    ProposalForm,
    TeamLeaderForm,
)
from operations.jobs import (
    export_as_job,
    order_export_rows,
    order_export_start,
    proposal_as_job,
    proposal_job_start,
)
from operations.models import AllocationProposal, Assignment, Duty, Operation, Stage, VillageStanding
from operations.pages import allowed, export_offer, to_latest_operation
from operations.proposal_basis import basis_changes, proposal_basis
from operations.selectors.deployment import (
    VillageTeam,
    assignments_for_operation,
    deployment_board,
    free_officers,
    open_proposals,
    proposal_items,
)
from operations.selectors.map import board_map_data
from operations.selectors.order import order_polsek
from operations.services import assignments as assignment_services
from operations.services import proposals as proposal_services

OFFICER_RESULTS = 50


def _operation(operation_id: int) -> Operation:
    return get_object_or_404(Operation.objects.select_related("election", "pattern_set"), pk=operation_id)


def _team(operation: Operation, village_election_id: int) -> VillageTeam:
    standing = get_object_or_404(
        VillageStanding.objects.select_related("village_election__desa", "kecamatan", "polsek"),
        operation=operation,
        village_election_id=village_election_id,
    )
    members = list(
        assignments_for_operation(operation=operation).filter(village_election_id=village_election_id)
    )
    return VillageTeam(standing=standing, members=members)


@allowed(permissions.is_hq)
def board_latest(request: HttpRequest) -> HttpResponse:
    return to_latest_operation(request, "deployment-board")


UNDO_SESSION_KEY = "deployment_undo"


def _open_ids(request: HttpRequest) -> set[int]:
    return {int(value) for value in request.GET.getlist("open") if value.isdigit()}


@allowed(permissions.is_hq)
def board(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = _operation(operation_id)
    filters = BoardFilterForm(request.GET or None, operation=operation)
    chosen = filters.board_filters()
    map_data, map_missing = board_map_data(operation=operation, level=chosen["level"])
    # The last removal's undo, offered once on the board it happened on.
    undo = request.session.get(UNDO_SESSION_KEY)
    if undo and undo.get("operation") == operation.pk:
        del request.session[UNDO_SESSION_KEY]
    else:
        undo = None
    back = request.GET.copy()
    back.pop("open", None)
    proposals = open_proposals(operation=operation)
    return render(
        request,
        "operations/deployment_board.html",
        {
            "operation": operation,
            "board": deployment_board(operation=operation, open_village_ids=_open_ids(request), **chosen),
            "map_data": map_data,
            "map_missing": map_missing,
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "filters": filters,
            "filtered": any(value not in (None, "") for value in chosen.values()),
            "back": back.urlencode(),
            "undo": undo,
            "can_assign": permissions.can_assign(request.user),
            "proposal_form": ProposalForm(),
            "open_proposals": proposals,
            "any_stale": any(p.stale for p in proposals),
            "elsewhere_open": bool(chosen["search"]) or "elsewhere" in request.GET.getlist("open"),
        },
    )


@allowed(permissions.is_hq)
def team_panel(request: HttpRequest, operation_id: int, village_election_id: int) -> HttpResponse:
    """One village's team as the board shows it when opened: fetched by the board's ▸ button, so
    the collapsed board of hundreds of officers carries none of their rows."""
    operation = _operation(operation_id)
    return render(
        request,
        "operations/_board_team.html",
        {
            "operation": operation,
            "team": _team(operation, village_election_id),
            "can_assign": permissions.can_assign(request.user),
            # The board's filters, kept by the ✕ links so a removal returns to the same view.
            "back": request.GET.get("back", ""),
        },
    )


def _board_url(operation_id: int, back: str, village_election_id: int | None) -> str:
    """Back to the board as it was filtered, the village's team open and in view."""
    query = QueryDict(back, mutable=True)
    query.pop("open", None)
    query.appendlist("open", str(village_election_id) if village_election_id else "elsewhere")
    anchor = f"desa-{village_election_id}" if village_election_id else "elsewhere"
    url = reverse("deployment-board", args=[operation_id])
    return f"{url}?{query.urlencode()}#{anchor}"


@allowed(permissions.can_assign)
def assignment_add(request: HttpRequest, operation_id: int, village_election_id: int) -> HttpResponse:
    """Search free officers (name/NRP, unit, rank) and post one to the village."""
    operation = _operation(operation_id)
    team = _team(operation, village_election_id)
    village = team.standing.village_election
    search = OfficerSearchForm(request.GET or None)
    form = AssignmentForm(request.POST or None, village_election=village)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            assignment_services.assignment_create(
                operation=operation,
                officer=form.cleaned_data["officer"],
                duty=form.cleaned_data["duty"],
                village_election=village,
                candidate=form.cleaned_data["candidate"],
                note=form.cleaned_data["note"],
                command_reason=form.cleaned_data["command_reason"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(officer)s ditugaskan di %(desa)s.")
                % {"officer": form.cleaned_data["officer"], "desa": village.desa.name},
            )
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    if form.errors:
        status = 400
    candidates = free_officers(operation=operation, **search.filters())[:OFFICER_RESULTS]
    return render(
        request,
        "operations/deployment_add.html",
        {
            "operation": operation,
            "team": team,
            "search": search,
            "form": form,
            "officers": candidates,
            "query": request.GET.urlencode(),
        },
        status=status,
    )


@allowed(permissions.can_assign)
def assignment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """The board's ✕: GET asks for confirmation, POST releases the officer and offers an undo."""
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "officer__unit", "operation", "village_election__desa", "kecamatan"
        ),
        pk=pk,
    )
    back = request.POST.get("back", request.GET.get("back", ""))
    board_url = _board_url(assignment.operation_id, back, assignment.village_election_id)
    if request.method != "POST":
        return render(
            request,
            "operations/deployment_remove.html",
            {
                "assignment": assignment,
                "operation": assignment.operation,
                "back": back,
                "board_url": board_url,
            },
        )
    removal = assignment_services.assignment_delete(assignment=assignment, by=request.user)
    request.session[UNDO_SESSION_KEY] = {
        "operation": assignment.operation_id,
        "removal": removal.history_id,
        "back": back,
        "text": _("%(officer)s dilepas dari %(where)s.")
        % {"officer": assignment.officer, "where": assignment_services.posting_place(assignment)},
    }
    return redirect(board_url)


@require_POST
@allowed(permissions.can_assign)
def assignment_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a removal: the same posting again through the assignment service, or why not."""
    removal = get_object_or_404(Assignment.history.select_related("officer"), history_id=pk)
    try:
        restored = assignment_services.assignment_restore(removal_id=removal.history_id, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(officer)s kembali bertugas di %(where)s.")
            % {"officer": restored.officer, "where": assignment_services.posting_place(restored)},
        )
    return redirect(
        _board_url(removal.operation_id, request.POST.get("back", ""), removal.village_election_id)
    )


@require_POST
@allowed(permissions.can_assign)
def team_leader(request: HttpRequest, operation_id: int, village_election_id: int) -> HttpResponse:
    operation = _operation(operation_id)
    team = _team(operation, village_election_id)
    form = TeamLeaderForm(request.POST, team_officer_ids=[m.officer_id for m in team.members])
    if form.is_valid():
        assignment_services.team_leader_set(
            operation=operation,
            stage=Stage.VOTING,
            village_election=team.standing.village_election,
            officer=form.cleaned_data["officer"],
            by=request.user,
        )
        messages.success(request, _("Ketua tim diperbarui."))
    else:
        messages.error(request, " ".join(form.errors.get("officer", [])))
    return redirect("deployment-add", operation_id=operation.pk, village_election_id=village_election_id)


@allowed(permissions.is_hq)
def team_text(request: HttpRequest, operation_id: int, village_election_id: int) -> HttpResponse:
    operation = _operation(operation_id)
    text = exports.team_summary_text(operation=operation, team=_team(operation, village_election_id))
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_POST
@allowed(permissions.can_assign)
def proposal_create(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = _operation(operation_id)
    form = ProposalForm(request.POST)
    form.is_valid()
    if proposal_as_job(operation=operation):
        # A national operation takes seconds to plan: a job does it, its page leads to the proposal.
        job = proposal_job_start(
            operation=operation,
            exclude_bko=form.cleaned_data.get("exclude_bko", False),
            user=request.user,
            back_url=reverse("deployment-board", args=[operation.pk]),
        )
        return redirect("job-page", pk=job.pk)
    proposal = proposal_services.proposal_create(
        operation=operation, by=request.user, exclude_bko=form.cleaned_data.get("exclude_bko", False)
    )
    return redirect("deployment-proposal", pk=proposal.pk)


@allowed(permissions.is_hq)
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(AllocationProposal.objects.select_related("operation", "created_by"), pk=pk)
    is_open = proposal.status == AllocationProposal.Status.OPEN
    items_by_village: dict[int, list] = {}
    items_by_kecamatan: dict[int, list] = {}
    reserve = []
    for item in proposal_items(proposal=proposal):
        if item.duty == Duty.RESERVE:
            reserve.append(item)
        elif item.duty == Duty.PATROL:
            items_by_kecamatan.setdefault(item.kecamatan_id, []).append(item)
        else:
            items_by_village.setdefault(item.village_election_id, []).append(item)
    rows = [
        {**village, "officers": items_by_village.get(village["village_election_id"], [])}
        for village in proposal.summary.get("villages", [])
    ]
    patrols = [
        {**patrol, "officers": items_by_kecamatan.get(patrol["kecamatan_id"], [])}
        for patrol in proposal.summary.get("patrols", [])
    ]
    return render(
        request,
        "operations/deployment_proposal.html",
        {
            "proposal": proposal,
            "operation": proposal.operation,
            "rows": rows,
            "patrols": patrols,
            "reserve": reserve,
            "can_assign": permissions.can_assign(request.user),
            "is_open": is_open,
            # Said before the Kabag Ops presses "Terapkan", which would be refused.
            "stale": is_open
            and bool(
                basis_changes(
                    proposal=proposal,
                    current=proposal_basis(operation=proposal.operation, stage=proposal.stage),
                )
            ),
        },
    )


@require_POST
@allowed(permissions.can_assign)
def proposal_apply(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(AllocationProposal, pk=pk)
    try:
        created = proposal_services.proposal_apply(proposal=proposal, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("deployment-proposal", pk=pk)
    messages.success(request, _("Usulan diterapkan: %(n)s personel ditugaskan.") % {"n": len(created)})
    return redirect("deployment-board", operation_id=proposal.operation_id)


@require_POST
@allowed(permissions.can_assign)
def proposal_discard(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(AllocationProposal, pk=pk)
    try:
        proposal_services.proposal_discard(proposal=proposal, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("deployment-proposal", pk=pk)
    messages.success(request, _("Usulan dibatalkan."))
    return redirect("deployment-board", operation_id=proposal.operation_id)


@allowed(permissions.is_hq)
def order(request: HttpRequest, operation_id: int, file_format: str) -> HttpResponse:
    """The lampiran Sprin; ``?polsek=<unit id>`` gives that Polsek's extract."""
    operation = _operation(operation_id)
    try:
        polsek = order_polsek(value=request.GET.get("polsek"))
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages), content_type="text/plain; charset=utf-8")
    rows = order_export_rows(operation=operation, polsek=polsek)
    if export_as_job(rows):
        # Too long for a request at national scale: a job makes it, the job page serves it.
        back_url = reverse("deployment-board", args=[operation.pk])
        return export_offer(
            request,
            operation=operation,
            heading=_("Unduh lampiran Sprin"),
            rows=rows,
            back_url=back_url,
            start=lambda: order_export_start(
                operation=operation,
                file_format=file_format,
                polsek=polsek,
                user=request.user,
                back_url=back_url,
            ),
        )
    body, content_type, filename = exports.order_file(
        operation=operation, file_format=file_format, polsek=polsek
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
