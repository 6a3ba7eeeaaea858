"""Numbers written in a scrubbed chart: one text per member of the family, shown while the slider is on it.

    member_notes(scrub, texts, s)                                        # above the plot, from its left edge
    member_notes(scrub, texts, s, x="width", y={"expr": top}, align="right")    # e.g. at the top of a band

A text never reaches beyond the plot's width (``limit``: longer ones end in an ellipsis). Vega sizes a chart
that fits its container (Streamlit's ``autosize: fit``) from the bounds of everything drawn, so a text that
grew past the plot while the slider moves would shrink the plot under the hand.
"""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.scrub import ScrubParam
from ui.charts.vl import chart, n

GAP = 8  # px between a note and the top of the plot (or of its band)


def member_notes(scrub: ScrubParam, notes: Sequence[str], s: dict, *, x: float | str = 0, y: float | dict = 0,
                 align: str = "left", bold: bool = True, lift: bool = True) -> alt.Chart:
    """A text layer: ``notes[i]`` while the slider is on member i, the last line of the longest note ``GAP`` px
    above ``y`` (a note may have several lines, separated by newlines; Vega writes them downwards from the anchor,
    so the anchor goes up by the extra lines; ``lift=False``: the lines below the first run down into the plot's
    margin, e.g. a window drawn with room at its edges)."""
    df = pd.DataFrame({"i": np.arange(len(notes), dtype=np.uint16), "note": list(notes)})
    up = GAP + ((note_lines(notes) - 1) * line_height(s) if lift else 0)
    return chart(df, {"type": "text", "align": align, "baseline": "bottom", "dy": -up, "fontSize": s["title"] + 1,
                      "fontWeight": "bold" if bold else "normal", "color": "#111111", "limit": {"expr": "width"},
                      "lineBreak": "\n", "lineHeight": line_height(s)},
                 {"x": {"value": x}, "y": {"value": y}, "text": n("note")}, transform=[scrub.member_filter()])


def line_height(s: dict) -> int:
    """Pixels from one line of a note to the next. Vega writes the lines of a text downwards from its anchor,
    whatever its baseline: a note of n lines ends (n - 1) line heights below where a one-line note would."""
    return int((s["title"] + 1) * 1.25)


def room(s: dict, lines: int = 1) -> int:
    """Pixels ``lines`` lines of notes take above a plot (or a band)."""
    return int((s["title"] + 1) * 1.25 * lines + s["title"] * 0.35 + GAP)


def note_lines(notes: Sequence[str]) -> int:
    """The most lines a note of ``notes`` has (the room above the plot is the same for every member)."""
    return max((str(note).count("\n") + 1 for note in notes), default=1)
