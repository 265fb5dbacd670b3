"""The background task: analyse one upload, write progress as it goes, keep only aggregates, delete the raw files."""

from __future__ import annotations

import logging
import time
from contextlib import ExitStack

from django.tasks import task
from django.utils import timezone

from logs.analysis import analyze_streams
from logs.models import LogAnalysis, purge_expired
from logs.parse import UnusableInput
from logs.storage import remove_upload, upload_files

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between progress writes


@task()
def analyse_upload(analysis_id: int) -> str:
    """Analyse the raw files of `analysis_id` (enqueued when the upload is saved)."""
    return run_analysis(analysis_id)


@task()
def purge_old_analyses() -> int:
    return purge_expired()


def run_analysis(analysis_id: int) -> str:
    claimed = LogAnalysis.objects.filter(pk=analysis_id, status=LogAnalysis.Status.QUEUED).update(
        status=LogAnalysis.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    analysis = LogAnalysis.objects.get(pk=analysis_id)
    last = [0.0]

    def progress(lines: int, bytes_read: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY:
            last[0] = now
            LogAnalysis.objects.filter(pk=analysis_id).update(lines_read=lines, bytes_read=bytes_read)

    try:
        with ExitStack() as stack:
            streams = [stack.enter_context(path.open("rb")) for path in upload_files(analysis.upload_dir)]
            result = analyze_streams(streams, mask=analysis.masked, progress=progress)
        analysis.summary, analysis.details = result.summary(), result.details()
        analysis.lines_read = result.lines
        analysis.bytes_read = analysis.bytes_total
        analysis.status = LogAnalysis.Status.DONE
    except UnusableInput as exc:
        analysis.status, analysis.error = LogAnalysis.Status.FAILED, str(exc)
    except Exception:
        logger.exception("Log analysis %s failed", analysis_id)
        analysis.status, analysis.error = LogAnalysis.Status.FAILED, "The analysis failed unexpectedly."
    finally:
        remove_upload(analysis.upload_dir)
    analysis.upload_dir = ""
    analysis.finished_at = timezone.now()
    analysis.save()
    return analysis.status
