"""The roster upload in the admin (django-import-export) reads files as `manage.py import_roster` does,
and imports them in a background job (jobs) with a progress page, so the request returns at once."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats
from import_export.forms import ImportForm

from jobs.models import Job
from jobs.services import job_start
from operations.jobs import ROSTER_IMPORT
from operations.roster import RosterImportError, read_dataset
from pilkades.import_files import admin_upload_help, too_large_for_admin, too_many_rows_for_admin


def _admin_dataset(data: bytes, file_format: str):
    dataset = read_dataset(data=data, file_format=file_format)
    problem = too_many_rows_for_admin(
        dataset.height, settings.PILKADES_ADMIN_ROSTER_MAX_ROWS, "import_roster"
    )
    if problem:
        raise RosterImportError([(0, problem)])
    return dataset


class RosterCsv(base_formats.CSV):
    """Bytes in, through read_dataset: every unreadable line named, a misnamed file recognised."""

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return _admin_dataset(in_stream, "csv")


class RosterXlsx(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs):
        return _admin_dataset(in_stream, "xlsx")


class RosterImportForm(ImportForm):
    """Says how large a roster the page takes and refuses a larger one before reading it (and one
    with more rows than PILKADES_ADMIN_ROSTER_MAX_ROWS before importing it)."""

    dry_run = forms.BooleanField(
        label=_("Pratinjau saja: periksa semua baris tanpa menyimpan"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["import_file"].help_text = admin_upload_help(
            "import_roster", max_rows=settings.PILKADES_ADMIN_ROSTER_MAX_ROWS
        )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        problem = too_large_for_admin(upload.size, "import_roster")
        if problem:
            raise forms.ValidationError(problem)
        return upload


class RosterImportAdminMixin:
    """For the officers' ImportExportModelAdmin: the roster's formats, form and error messages."""

    import_formats = [RosterCsv, RosterXlsx]
    import_form_class = RosterImportForm

    def import_action(self, request, **kwargs):
        """A readable file becomes a job (the import, or with "Pratinjau saja" a dry run of it)
        and the answer is its progress page; a file that cannot be read at all is a field error
        here, as before. Anything else (the blank form, those errors) is the library's page."""
        if request.method != "POST":
            return super().import_action(request, **kwargs)
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_import_form(request)
        if not form.is_valid():
            return super().import_action(request, **kwargs)
        input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
        upload = form.cleaned_data["import_file"]
        data = b"".join(upload.chunks())
        try:
            input_format.create_dataset(data)
        except RosterImportError:
            return super().import_action(request, **kwargs)
        job = job_start(
            kind=Job.Kind.ROSTER_IMPORT,
            runner=ROSTER_IMPORT,
            user=request.user,
            data=data,
            source_name=upload.name,
            options={
                "format": "xlsx" if isinstance(input_format, RosterXlsx) else "csv",
                "dry_run": form.cleaned_data["dry_run"],
                "back_url": reverse("admin:operations_officer_changelist"),
            },
        )
        return redirect("admin:jobs_job_progress", job.pk)

    def add_data_read_fail_error_to_form(self, form, e):
        # The library would show only the exception's class name ("'Error' encountered ...").
        if isinstance(e, RosterImportError):
            for message in e.messages:
                form.add_error("import_file", message)
        else:
            super().add_data_read_fail_error_to_form(form, e)
