"""HQ pages: the ranked villages of an operation and one village's risk in detail."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from operations import permissions
from operations.forms.reports import OverrideForm, RankingFilterForm
from operations.jobs import export_as_job, ranking_export_start
from operations.models import Operation, Unit
from operations.pages import allowed, export_offer, to_latest_operation
from operations.ranking_export import ranking_file
from operations.selectors.map import village_neighbourhood_map_data
from operations.selectors.ranking import level_counts, ranking_for_operation, ranking_table
from operations.selectors.villages import VillageDetail, village_elections_visible
from operations.selectors.villages import village_detail as village_detail_selector
from operations.services import reports as report_services
from villages.models import Kecamatan, VillageElection

PAGE_SIZE = 50


@allowed(permissions.is_hq)
def ranking_latest(request: HttpRequest) -> HttpResponse:
    """The nav's entry point: the most recent operation's ranking."""
    return to_latest_operation(request, "ranking")


def _filtered(request: HttpRequest, operation: Operation) -> tuple[RankingFilterForm, dict]:
    """The filter form of the ranking page and the selector arguments it gives (all when unbound)."""
    filters = RankingFilterForm(
        request.GET or None,
        kecamatan_queryset=Kecamatan.objects.filter(desa_set__village_elections__election=operation.election)
        .distinct()
        .order_by("name"),
        polsek_queryset=Unit.objects.filter(kind=Unit.Kind.POLSEK).order_by("name"),
    )
    selected = (
        filters.filters() if filters.is_bound else {"kecamatan_id": None, "polsek_id": None, "level": None}
    )
    selected["visible_kecamatan_ids"] = permissions.jurisdiction_kecamatan_ids(request.user)
    return filters, selected


@allowed(permissions.is_hq)
def ranking(request: HttpRequest, operation_id: int) -> HttpResponse:
    operation = get_object_or_404(
        Operation.objects.select_related("election", "pattern_set"), pk=operation_id
    )
    filters, selected = _filtered(request, operation)
    rows = ranking_for_operation(operation=operation, **selected)
    counts = level_counts(
        operation=operation,
        kecamatan_id=selected["kecamatan_id"],
        polsek_id=selected["polsek_id"],
        visible_kecamatan_ids=selected["visible_kecamatan_ids"],
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "operations/ranking.html",
        {
            "operation": operation,
            "operations": Operation.objects.order_by("-starts_on", "name"),
            "filters": filters,
            "counts": counts,
            "page": page,
            "rank_offset": page.start_index() - 1 if page.paginator.count else 0,
            "query": query.urlencode(),
            "export_as_job": export_as_job(page.paginator.count),
        },
    )


@allowed(permissions.is_hq)
def ranking_download(request: HttpRequest, operation_id: int, file_format: str) -> HttpResponse:
    """The whole ranking under the page's filters, as CSV or XLSX."""
    operation = get_object_or_404(Operation.objects.select_related("election"), pk=operation_id)
    _filters, selected = _filtered(request, operation)
    rows = ranking_for_operation(operation=operation, **selected).count()
    if export_as_job(rows):
        # Too long for a request (84,000 rows nationally): a job makes it, the job page serves it.
        back_url = f"{reverse('ranking', args=[operation.pk])}?{request.GET.urlencode()}"
        return export_offer(
            request,
            operation=operation,
            heading=_("Unduh peringkat"),
            rows=rows,
            back_url=back_url,
            start=lambda: ranking_export_start(
                operation=operation,
                file_format=file_format,
                filters=selected,
                user=request.user,
                back_url=back_url,
            ),
        )
    body, content_type, filename = ranking_file(
        operation=operation, rows=ranking_table(operation=operation, **selected), file_format=file_format
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@allowed(permissions.is_hq)
def village_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        detail = village_detail_selector(
            village_election_id=pk, visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(request.user)
        )
    except VillageElection.DoesNotExist as exc:
        raise Http404 from exc
    return _render_village(request, detail, OverrideForm(initial=_override_initial(detail)))


def _override_initial(detail: VillageDetail) -> dict:
    risk = detail.risk
    if risk is None or risk.override_level is None:
        return {}
    return {"level": risk.override_level, "reason": risk.override_reason}


def _render_village(
    request: HttpRequest, detail, override_form: OverrideForm, status: int = 200
) -> HttpResponse:
    # The map shows the village among its kecamatan under the latest operation that ranks it.
    standing = max(detail.standings, key=lambda s: s.operation_id, default=None)
    map_data, map_missing = village_neighbourhood_map_data(standing=standing) if standing else (None, 0)
    return render(
        request,
        "operations/village_detail.html",
        {
            "detail": detail,
            "ve": detail.village_election,
            "override_form": override_form,
            "can_override": permissions.can_verify_reports(request.user),
            "map_standing": standing,
            "map_data": map_data,
            "map_missing": map_missing,
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
        status=status,
    )


@require_POST
@allowed(permissions.can_verify_reports)
def village_override(request: HttpRequest, pk: int) -> HttpResponse:
    village_election = get_object_or_404(village_elections_visible(visible_kecamatan_ids=None), pk=pk)
    if "clear" in request.POST:
        report_services.risk_override_clear(village_election=village_election, by=request.user)
        messages.success(request, _("Penetapan tingkat dicabut; tingkat terhitung berlaku lagi."))
        return redirect("village-detail", pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            report_services.risk_override(
                village_election=village_election,
                level=form.cleaned_data["level"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Tingkat kerawanan desa ditetapkan."))
            return redirect("village-detail", pk=pk)
    detail = village_detail_selector(village_election_id=pk, visible_kecamatan_ids=None)
    return _render_village(request, detail, form, status=400)
