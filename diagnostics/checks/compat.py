"""What the checks need from Python 3.11+, also on 3.10 (the probe file runs on Python >= 3.10)."""

from __future__ import annotations

import enum

if hasattr(enum, "StrEnum"):
    StrEnum = enum.StrEnum
else:  # Python 3.10

    class StrEnum(str, enum.Enum):  # type: ignore[no-redef]  # noqa: UP042 - 3.10 has no enum.StrEnum
        """An Enum whose members are strings and print as their value (enum.StrEnum of Python 3.11)."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return str(self.value).__format__(spec)
