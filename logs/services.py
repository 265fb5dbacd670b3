"""Starting an analysis: the raw input goes to disk, a row records it, a background task analyses it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from logs.models import LogAnalysis
from logs.storage import UploadTooLarge, save_uploads
from logs.tasks import analyse_upload


def start_analysis(
    owner: Any, files: Iterable[UploadedFile] = (), text: str = "", *, mask: bool = False, ticket: Any = None
) -> LogAnalysis:
    """Save the files (and pasted text), create the row and enqueue the analysis after commit."""
    directory, names, total = save_uploads(files, text)
    analysis = LogAnalysis.objects.create(
        owner=owner,
        ticket=ticket,
        source=", ".join(names)[:300],
        masked=mask,
        upload_dir=directory,
        bytes_total=total,
    )
    transaction.on_commit(lambda: analyse_upload.enqueue(analysis.pk))
    return analysis


def attach(analysis: LogAnalysis, ticket: Any) -> None:
    analysis.ticket = ticket
    analysis.save(update_fields=["ticket"])


def analyse_for_ticket(owner: Any, files: Iterable[UploadedFile], ticket: Any) -> str:
    """A log file sent with the symptom form: analysed in the background and attached to the new ticket."""
    try:
        analysis = start_analysis(owner, files, ticket=ticket)
    except UploadTooLarge as exc:
        return f"The log file was not analysed: {exc}"
    return f"The log file is being analysed (analysis {analysis.pk}); its result will show on the ticket."
