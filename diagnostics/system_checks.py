"""`manage.py check`: the DIAG_* settings parse, and the SMTP probes have a fully qualified HELO name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from diagnostics.checks.config import ConfigError, config_from_settings


def configuration_problems() -> list[str]:
    """What is wrong with the diagnostics configuration, for the diagnostics page ([] when nothing)."""
    try:
        config = config_from_settings()
    except ConfigError as exc:
        return [str(exc)]
    return [config.helo_problem] if config.helo_problem else []


@checks.register("diagnostics")
def check_diagnostics_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        config = config_from_settings()
    except ConfigError as exc:
        return [checks.Error(str(exc), id="diagnostics.E001")]
    if not config.helo_problem:
        return []
    hint = "Set DIAG_HELO_NAME to this host's fully qualified name (RFC 5321 §4.1.1.1)."
    if getattr(settings, "DIAG_HELO_NAME", ""):  # set, but wrong
        return [checks.Error(config.helo_problem, hint=hint, id="diagnostics.E002")]
    return [checks.Warning(config.helo_problem, hint=hint, id="diagnostics.W001")]
