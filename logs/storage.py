"""Raw uploads on disk until analysed: one directory per analysis under LOG_UPLOAD_ROOT, removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


class UploadTooLarge(ValueError):
    pass


def upload_root() -> Path:
    root = Path(getattr(settings, "LOG_UPLOAD_ROOT", "") or Path(tempfile.gettempdir()) / "portal-log-uploads")
    root.mkdir(parents=True, exist_ok=True)
    return root


def max_upload_bytes() -> int:
    return int(getattr(settings, "LOG_MAX_UPLOAD_BYTES", 2 << 30))


def save_uploads(files: Iterable[UploadedFile], text: str = "") -> tuple[str, list[str], int]:
    """Stream the files (and pasted text) into a new directory: (directory, names, total bytes)."""
    directory = Path(tempfile.mkdtemp(prefix="analysis-", dir=upload_root()))
    names, total, limit = [], 0, max_upload_bytes()
    try:
        for index, upload in enumerate(files):
            target = directory / f"{index:03d}.log"
            with target.open("wb") as out:
                for chunk in upload.chunks():
                    total += len(chunk)
                    if total > limit:
                        raise UploadTooLarge(f"The files are larger than {limit >> 20} MB together.")
                    out.write(chunk)
            names.append(Path(upload.name or "upload").name[:100])
        if text:
            data = text.encode("utf-8", errors="replace")
            total += len(data)
            (directory / "pasted.log").write_bytes(data)
            names.append("pasted text")
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return str(directory), names, total


def upload_files(directory: str) -> list[Path]:
    path = Path(directory)
    return sorted(path.glob("*.log")) if path.is_dir() else []


def remove_upload(directory: str) -> None:
    """Delete a raw upload directory, only ever one inside the upload root."""
    if not directory:
        return
    path = Path(directory).resolve()
    if upload_root().resolve() in path.parents:
        shutil.rmtree(path, ignore_errors=True)
