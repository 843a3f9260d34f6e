"""Filters for the console log: what an operator reading it needs, once."""

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """A refused or missing page (4xx) is one warning line; only server errors keep their traceback.

    Django logs every 403 with the PermissionDenied attached, which prints a full traceback for
    something that is no fault of the server (a Polsek user opening an HQ page).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.name == "django.request" and status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
