"""Polsek officers write and submit risk reports; Kabag Ops reviews them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format, time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from operations import permissions
from operations.forms.reports import ReturnForm, RiskReportForm
from operations.models import RiskReport
from operations.pages import allowed
from operations.selectors.report_facts import known_facts
from operations.selectors.reports import indicators_active, reports_of_author, review_queue_with_previews
from operations.selectors.villages import village_elections_visible
from operations.services import reports as report_services


def _report_form(
    request: HttpRequest, *, data=None, files=None, initial=None, fixed_village=False, facts=None
):
    village_elections = village_elections_visible(
        visible_kecamatan_ids=permissions.jurisdiction_kecamatan_ids(request.user)
    )
    if facts is None:
        # Every offered village's record: the page follows the officer's choice without a request.
        facts = known_facts(village_election_ids=village_elections.values("pk"))
    return RiskReportForm(
        data,
        files,
        initial=initial or {},
        village_elections=village_elections,
        indicators=list(indicators_active()),
        facts=facts,
        fixed_village=fixed_village,
        submitting=data is not None and _submitting(request),
    )


def _apply_service_errors(form: RiskReportForm, exc: ValidationError) -> None:
    """Put a service's errors on the form: known fields stay field errors, an error keyed by an
    indicator's code goes under that indicator's answer, the rest go on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            if field not in form.fields and form.value_name_of(field) in form.fields:
                field = form.value_name_of(field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _wants_json(request: HttpRequest) -> bool:
    """The phone form's script saves in the background and asks for JSON; a plain form post gets HTML."""
    return "application/json" in request.headers.get("Accept", "")


def _submitting(request: HttpRequest) -> bool:
    return request.POST.get("action") == "submit"


def _saved(request: HttpRequest, report: RiskReport) -> HttpResponse:
    """The answer to a save or a submission the services have carried out.

    A retried submission (its first answer lost on the way) finds the report already submitted:
    the services hand it back unchanged and it is answered like the first one.
    """
    submitting = _submitting(request)
    if submitting:
        messages.success(request, _("Laporan diajukan ke Kabag Ops."))
    elif not _wants_json(request):
        messages.success(request, _("Draf laporan disimpan."))
    if not _wants_json(request):
        return redirect("report-list")
    return JsonResponse(
        {
            "id": report.pk,
            "status": report.status,
            "status_label": report.get_status_display(),
            "edit_url": reverse("report-edit", args=[report.pk]),
            "next": reverse("report-list") if submitting else None,
            "saved_at": time_format(timezone.localtime(report.updated_at), "TIME_FORMAT"),
        }
    )


def _form_errors(form: RiskReportForm, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"errors": {field: [str(e) for e in errors] for field, errors in form.errors.items()}}, status=status
    )


def _save_new(request: HttpRequest, form: RiskReportForm) -> RiskReport:
    data = form.cleaned_data
    fields = {
        "village_election": data["village_election"],
        "author": request.user,
        "narrative": data["narrative"],
        "answers": form.answers(),
        "submit": _submitting(request),
        "client_time": data["client_time"],
    }
    if data["idempotency_key"] is None:
        return report_services.report_create(**fields)
    return report_services.report_save(idempotency_key=data["idempotency_key"], **fields)


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
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            return _saved(request, _save_new(request, form))
        except report_services.IdempotencyKeyReused as exc:
            # Neither a retry nor the autosave of this draft: refused, the stored report untouched.
            _apply_service_errors(form, exc)
            status = 422
        except ValidationError as exc:
            _apply_service_errors(form, exc)
    if request.method == "POST" and _wants_json(request):
        return _form_errors(form, status=400 if status == 200 else status)
    context = {"form": form, "report": None}
    return render(request, "operations/report_form.html", context, status=status)


@allowed(permissions.is_polsek)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(reports_of_author(author=request.user), pk=pk)
    if not report.is_editable:
        if request.method == "POST" and _submitting(request):
            return _saved(request, report)
        if _wants_json(request):
            return JsonResponse(
                {"errors": {"__all__": [_("Laporan ini tidak dapat diubah lagi.")]}}, status=409
            )
        messages.warning(request, _("Laporan ini tidak dapat diubah lagi; buat laporan baru bila perlu."))
        return redirect("report-list")
    facts = known_facts(village_election_ids=[report.village_election_id])
    form = _report_form(
        request,
        data=request.POST if request.method == "POST" else None,
        files=request.FILES if request.method == "POST" else None,
        initial=RiskReportForm.initial_from(report, facts.get(report.village_election_id)),
        fixed_village=True,
        facts=facts,
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = report_services.report_update(
                report=report,
                by=request.user,
                narrative=form.cleaned_data["narrative"],
                answers=form.answers(),
                submit=_submitting(request),
                client_time=form.cleaned_data["client_time"],
            )
            return _saved(request, report)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
    if request.method == "POST" and _wants_json(request):
        return _form_errors(form)
    # The evidence already sent, so the officer sees it before attaching again.
    saved = report.answers.exclude(attachment="").exclude(attachment__isnull=True).select_related("indicator")
    context = {"form": form, "report": report, "saved_attachments": saved}
    return render(request, "operations/report_form.html", context)


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
        {"reports": review_queue_with_previews(), "return_form": ReturnForm(), "failed": None},
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
                # As the tables write it: the active language's decimal mark ("77,50" in Indonesian).
                "score": number_format(report.score, decimal_pos=2, use_l10n=True),
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
        context = {
            "reports": review_queue_with_previews(),
            "return_form": ReturnForm(),
            "failed": (report.pk, form),
        }
        return render(request, "operations/review_queue.html", context, status=400)
    try:
        report_services.report_return(report=report, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Laporan dikembalikan ke Polsek."))
    return redirect("report-review")
