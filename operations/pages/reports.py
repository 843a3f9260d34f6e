"""Polsek officers write and submit risk reports; Kabag Ops reviews them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from operations import permissions
from operations.forms.reports import ReturnForm, RiskReportForm
from operations.models import RiskReport
from operations.pages import allowed
from operations.selectors.reports import indicators_active, reports_of_author, review_queue
from operations.selectors.villages import village_elections_visible
from operations.services import reports as report_services


def _report_form(request: HttpRequest, *, data=None, files=None, initial=None, fixed_village=False):
    return RiskReportForm(
        data,
        files,
        initial=initial or {},
        village_elections=village_elections_visible(
            visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(request.user)
        ),
        indicators=list(indicators_active()),
        fixed_village=fixed_village,
    )


def _apply_service_errors(form: RiskReportForm, exc: ValidationError) -> None:
    """Put a service's errors on the form: known fields stay field errors, the rest go on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _saved(request: HttpRequest, report: RiskReport) -> HttpResponse:
    if request.POST.get("action") == "submit":
        report_services.report_submit(report=report, by=request.user)
        messages.success(request, _("Laporan diajukan ke Kabag Ops."))
    else:
        messages.success(request, _("Draf laporan disimpan."))
    return redirect("report-list")


@allowed(permissions.is_polsek)
def report_list(request: HttpRequest) -> HttpResponse:
    reports = reports_of_author(author=request.user).order_by("-created_at")
    return render(request, "operations/report_list.html", {"reports": reports})


@allowed(permissions.is_polsek)
def report_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if "desa" in request.GET:
        # A village outside the jurisdiction answers as if it did not exist.
        visible = village_elections_visible(
            visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(request.user)
        )
        initial["village_election"] = get_object_or_404(visible, pk=_int_or_404(request.GET["desa"]))
    form = _report_form(
        request,
        data=request.POST if request.method == "POST" else None,
        files=request.FILES if request.method == "POST" else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = report_services.report_create(
                village_election=form.cleaned_data["village_election"],
                author=request.user,
                narrative=form.cleaned_data["narrative"],
                answers=form.answers(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
            return _saved(request, report)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
    return render(request, "operations/report_form.html", {"form": form, "report": None})


@allowed(permissions.is_polsek)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(reports_of_author(author=request.user), pk=pk)
    if not report.is_editable:
        messages.warning(request, _("Laporan ini tidak dapat diubah lagi; buat laporan baru bila perlu."))
        return redirect("report-list")
    form = _report_form(
        request,
        data=request.POST if request.method == "POST" else None,
        files=request.FILES if request.method == "POST" else None,
        initial=RiskReportForm.initial_from(report),
        fixed_village=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = report_services.report_update(
                report=report,
                by=request.user,
                narrative=form.cleaned_data["narrative"],
                answers=form.answers(),
            )
            return _saved(request, report)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
    return render(request, "operations/report_form.html", {"form": form, "report": report})


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise Http404 from exc


@allowed(permissions.can_verify_reports)
def report_review_queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "operations/review_queue.html",
        {"reports": review_queue(), "return_form": ReturnForm(), "failed": None},
    )


@require_POST
@allowed(permissions.can_verify_reports)
def report_verify(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(RiskReport, pk=pk)
    try:
        report = report_services.report_verify(report=report, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Laporan %(desa)s diverifikasi: skor %(score)s, %(level)s.")
            % {
                "desa": report.village_election.desa.name,
                "score": report.score,
                "level": report.get_computed_level_display(),
            },
        )
    return redirect("report-review")


@require_POST
@allowed(permissions.can_verify_reports)
def report_return(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(RiskReport, pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        context = {"reports": review_queue(), "return_form": ReturnForm(), "failed": (report.pk, form)}
        return render(request, "operations/review_queue.html", context, status=400)
    try:
        report_services.report_return(report=report, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Laporan dikembalikan ke Polsek."))
    return redirect("report-review")
