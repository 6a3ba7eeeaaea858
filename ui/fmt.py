"""Number formatting for metric tiles and captions (pure; tooltips use the same rules).

- :func:`fmt_num`: ``0.1235``, ``-3.2e-07``, ``+inf``.
- :func:`fmt_pow10`: a norm given by its log10, never forming the float: ``fmt_pow10(-400.5)`` -> ``3.16e-401``.
- :func:`fmt_steps`: an integer count of steps, or ``"> T"`` when a horizon is beyond the run.
"""
from __future__ import annotations

from ui.charts.clamp import fmt_pow10, fmt_value


def fmt_num(x: float, digits: int = 4) -> str:
    return fmt_value(float(x), digits)


def fmt_steps(n: int | float | None, limit: int) -> str:
    """``"37"``, or ``"> 300"`` when ``n`` is None (or NaN, as families store "none") or beyond ``limit``."""
    return f"> {limit}" if n is None or not n <= limit else str(int(n))


__all__ = ["fmt_num", "fmt_pow10", "fmt_steps"]
