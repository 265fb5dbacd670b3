"""The diagnostic checks: one module each, registered in `REGISTRY`; `CHECK_NAMES` gives their display order."""

from diagnostics.checks import (  # noqa: F401 - importing registers the checks
    dnsbl_latency,
    fortiguard_egress,
    mx_records,
    relay_denied,
    smtp_recipient_verification,
)
from diagnostics.checks.base import (
    REGISTRY,
    CheckSpec,
    Mode,
    Outcome,
    Status,
    Target,
    run_check,
    run_concurrently,
    worst,
)
from diagnostics.checks.config import ConfigError, DiagConfig, config_from_settings, parse_config

CHECK_NAMES: tuple[str, ...] = (
    "mx_records",
    "fortiguard_egress",
    "dnsbl_latency",
    "smtp_recipient_verification",
    "relay_denied",
)
assert set(CHECK_NAMES) == set(REGISTRY)  # noqa: S101

__all__ = [
    "CHECK_NAMES",
    "REGISTRY",
    "CheckSpec",
    "ConfigError",
    "DiagConfig",
    "Mode",
    "Outcome",
    "Status",
    "Target",
    "config_from_settings",
    "parse_config",
    "run_check",
    "run_concurrently",
    "worst",
]
