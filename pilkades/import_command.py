"""What the import commands share: read the file, run the all-or-nothing import, print every bad line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError

from jobs.progress import Progress, TerminalProgress

Report = TypeVar("Report")

# An import that ends sooner prints no progress at all.
PROGRESS_AFTER_SECONDS = 2.0


def command_progress(command: BaseCommand, label: str) -> TerminalProgress:
    """A bar with rate and time left on the command's stderr (jobs.progress.TerminalProgress)."""
    stream = getattr(command.stderr, "_out", command.stderr)
    return TerminalProgress(label, stream=stream, after=PROGRESS_AFTER_SECONDS)


def run_import(
    command: BaseCommand,
    path: Path,
    importer: Callable[[bytes, Progress], Report],
    rejected: type[Exception],
    label: str,
) -> Report:
    """``importer(data, progress)`` on the file's bytes, its progress shown on stderr under
    ``label``; ``rejected`` (an error with ``messages`` and ``line_errors``) becomes every message
    on stderr and a CommandError saying nothing changed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"Tidak dapat membaca {path}: {exc.strerror}") from exc
    progress = command_progress(command, label)
    try:
        report = importer(data, progress)
        progress.close()
        return report
    except rejected as exc:
        progress.close()
        for message in exc.messages:
            command.stderr.write(message)
        raise CommandError(
            f"Impor dibatalkan: {len(exc.line_errors)} baris bermasalah; tidak ada data yang diubah."
        ) from exc


def acting_user(username: str | None) -> AbstractBaseUser | None:
    """The user named by ``--user``, recorded in the history rows the import writes (None: nobody)."""
    if not username:
        return None
    try:
        return get_user_model()._default_manager.get_by_natural_key(username)
    except get_user_model().DoesNotExist as exc:
        raise CommandError(f"pengguna '{username}' tidak ditemukan") from exc
