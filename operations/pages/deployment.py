"""Deployment pages: the board, posting and removing officers, proposals, the order and team text.

HQ (Pimpinan and Kabag Ops) reads; only Kabag Ops writes. Every write calls one service.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
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
from operations.models import AllocationProposal, Assignment, Operation, Stage, VillageStanding
from operations.pages import allowed, to_latest_operation
from operations.selectors.deployment import (
    VillageTeam,
    assignments_for_operation,
    deployment_board,
    free_officers,
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


@allowed(permissions.is_hq)
def board(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = _operation(operation_id)
    filters = BoardFilterForm(request.GET or None)
    level = filters.cleaned_data["level"] if filters.is_valid() else None
    map_data, map_missing = board_map_data(operation=operation, level=level)
    return render(
        request,
        "operations/deployment_board.html",
        {
            "operation": operation,
            "board": deployment_board(operation=operation, level=level),
            "map_data": map_data,
            "map_missing": map_missing,
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "filters": filters,
            "can_assign": permissions.can_assign(request.user),
            "proposal_form": ProposalForm(),
            "open_proposals": operation.proposals.filter(status=AllocationProposal.Status.OPEN)[:5],
        },
    )


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


@require_POST
@allowed(permissions.can_assign)
def assignment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(Assignment.objects.select_related("officer", "operation"), pk=pk)
    assignment_services.assignment_delete(assignment=assignment, by=request.user)
    messages.success(request, _("%(officer)s dilepas dari tugasnya.") % {"officer": assignment.officer})
    return redirect("deployment-board", operation_id=assignment.operation_id)


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
    proposal = proposal_services.proposal_create(
        operation=operation, by=request.user, exclude_bko=form.cleaned_data.get("exclude_bko", False)
    )
    return redirect("deployment-proposal", pk=proposal.pk)


@allowed(permissions.is_hq)
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(AllocationProposal.objects.select_related("operation", "created_by"), pk=pk)
    items_by_village: dict[int, list] = {}
    for item in proposal_items(proposal=proposal):
        items_by_village.setdefault(item.village_election_id, []).append(item)
    rows = [
        {**village, "officers": items_by_village.get(village["village_election_id"], [])}
        for village in proposal.summary.get("villages", [])
    ]
    return render(
        request,
        "operations/deployment_proposal.html",
        {
            "proposal": proposal,
            "operation": proposal.operation,
            "rows": rows,
            "can_assign": permissions.can_assign(request.user),
            "is_open": proposal.status == AllocationProposal.Status.OPEN,
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
    body, content_type, filename = exports.order_file(
        operation=operation, file_format=file_format, polsek=polsek
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
