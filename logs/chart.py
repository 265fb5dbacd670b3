"""A problem's time series as a server-rendered SVG bar chart (attributes only: no inline styles under the CSP)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

WIDTH, HEIGHT, PAD = 480, 120, 4


def bars(series: list[list[Any]]) -> dict[str, Any]:
    """Bars for [[ISO start, count], ...]: x/y/width/height per bar, with its label, in a WIDTH x HEIGHT box."""
    if not series:
        return {"bars": [], "width": WIDTH, "height": HEIGHT, "peak": 0}
    peak = max(count for _, count in series) or 1
    step = WIDTH / len(series)
    out = []
    for index, (start, count) in enumerate(series):
        height = round((HEIGHT - PAD) * count / peak, 1)
        moment = datetime.fromisoformat(start)
        out.append(
            {
                "x": round(index * step, 1),
                "y": round(HEIGHT - height, 1),
                "width": max(round(step - 1, 1), 1),
                "height": height,
                "label": f"{moment:%Y-%m-%d %H:%M} UTC",
                "count": count,
            }
        )
    return {"bars": out, "width": WIDTH, "height": HEIGHT, "peak": peak}
