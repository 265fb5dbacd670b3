"""Starting an analysis: the raw input goes to disk, a row records it, a background task analyses it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from logs.models import LogAnalysis
from logs.storage import save_uploads
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
