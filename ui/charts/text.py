"""The words chart builders put on charts (axis titles, tooltip names, mark labels).

Builders are pure and take a :class:`ChartText`; the English defaults keep them usable without
Streamlit, and ``PageContext.chart_text`` gives the translated one (i18n keys ``chart.<field>``).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class ChartText:
    distance: str = "distance T − k (steps back in time)"
    time: str = "time step t"
    log10_grad: str = "log₁₀ ‖∂h_T/∂h_k‖"
    log10: str = "log₁₀ value"
    value: str = "value"
    norm: str = "norm"
    series: str = "curve"
    status: str = "status"
    exact: str = "exact"
    overflow: str = "overflow: beyond the top of the chart"
    underflow: str = "underflow: below the bottom of the chart"
    vanishing: str = "vanishing (< 10⁻³)"
    exploding: str = "exploding (> 10³)"
    window: str = "truncation window"
    real: str = "Re λ"
    imag: str = "Im λ"
    modulus: str = "|λ|"
    eigenvalue: str = "eigenvalue"
    unit_circle: str = "unit circle |λ| = 1"
    second_circle: str = "|λ| = 1/γ"
    count: str = "count"
    fraction: str = "fraction"
    bin: str = "interval"
    unit: str = "unit"
    function: str = "function"
    input: str = "input a"

    @classmethod
    def from_translator(cls, t: Callable[[str], str]) -> ChartText:
        """Every field from the i18n key ``chart.<field>``."""
        return cls(**{f.name: t(f"chart.{f.name}") for f in fields(cls)})


ENGLISH = ChartText()  # the default of every builder


def i18n_keys() -> list[str]:
    """The i18n keys :meth:`ChartText.from_translator` reads (the completeness test checks them)."""
    return [f"chart.{f.name}" for f in fields(ChartText)]
