"""The roster upload in the admin (django-import-export) reads files as `manage.py import_roster` does."""

from django import forms
from django.conf import settings
from import_export.formats import base_formats
from import_export.forms import ImportForm

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

    def add_data_read_fail_error_to_form(self, form, e):
        # The library would show only the exception's class name ("'Error' encountered ...").
        if isinstance(e, RosterImportError):
            for message in e.messages:
                form.add_error("import_file", message)
        else:
            super().add_data_read_fail_error_to_form(form, e)
