"""The scrub: a page's main control drawn inside its main chart, so the chart follows the hand in the browser.

A :class:`ScrubParam` describes a Vega-Lite point selection bound to a range input (the slider under the
chart). The chart's data hold every member of the family (one per grid value of the control); each layer that
follows the control filters its rows with :meth:`ScrubParam.member_filter` (or a threshold filter, e.g. "the
training steps up to the slider"). Moving the slider changes only a Vega signal: Vega refilters and redraws,
no script runs. Streamlit reports the selection to the script when the hand stops (``on_select="rerun"``).

Data layout that keeps a drag step cheap. Streamlit's Vega runs every expression through an interpreter, so a
filter over every point of every member costs ~1 µs a row, 100+ ms per step for a large family. The builders
therefore pack a family as one row per (member, series) with the points as comma-separated text
(:func:`pack`): the filter touches F x S rows, and only the member's rows are split into points
(:func:`unpack_transforms`, Vega's native ``flatten``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

PARAM = "scrub"  # the selection's name in every scrubbed chart (``on_select`` reports it)
# Properties of a Vega-Lite input binding: a selection whose field has one of these names gets its ``bind`` read as
# a per-field map (``bind.step`` taken as the binding of the field "step"), and the browser draws a bare text box.
BINDING_KEYS = frozenset({"input", "min", "max", "step", "name", "debounce", "element", "options", "labels",
                          "placeholder", "autocomplete"})
DIGITS = 6  # significant digits of the packed values (tooltips show 4)


@dataclass(frozen=True)
class ScrubParam:
    """The in-chart slider of the control ``key``: grid ``lo, lo + step, ..., hi``, started at ``value``.

    ``label`` is the (translated) text before the slider. The selection's field is ``key``, so the script
    receives ``{"scrub": [{key: value}]}``; the browser's copy of the value is the signal :attr:`signal`.
    """

    key: str
    lo: float
    hi: float
    step: float
    value: float
    label: str

    def __post_init__(self):
        if self.key in BINDING_KEYS:
            raise ValueError(f"a scrub's key cannot be {self.key!r}: Vega-Lite would read its bind as a per-field map")

    @property
    def signal(self) -> str:
        """The Vega signal that holds the slider's value (Vega-Lite names a bound field ``<param>_<field>``)."""
        return f"{PARAM}_{self.key}"

    @property
    def size(self) -> int:
        """Number of grid values (members of the family)."""
        return int(round((self.hi - self.lo) / self.step)) + 1

    def index(self) -> str:
        """Vega expression: the member index of the slider's value (0 .. size-1)."""
        return f"round(({self.signal} - {_num(self.lo)}) / {_num(self.step)})"

    def member_filter(self, field: str = "i") -> dict:
        """A filter transform keeping the rows of the member the slider shows (``field`` holds the index)."""
        return {"filter": f"datum.{field} == {self.index()}"}

    def upto_filter(self, field: str) -> dict:
        """A filter transform keeping the rows whose ``field`` is at most the slider's value (a run that grows)."""
        return {"filter": f"datum.{field} <= {self.signal}"}

    def param(self) -> dict:
        """The Vega-Lite parameter: a point selection on ``key`` bound to a range input.

        Clicks on the chart never change it (``on`` is an event that never passes its filter) and nothing
        clears it, so the chart cannot lose its member; the slider is the only way in.
        """
        return {
            "name": PARAM,
            "value": [{self.key: _py(self.value)}],
            "select": {"type": "point", "fields": [self.key], "on": "click[false]", "clear": False},
            "bind": {"input": "range", "min": _py(self.lo), "max": _py(self.hi), "step": _py(self.step),
                     "name": self.label},
        }


def _py(x: float) -> float | int:
    """A plain number for the spec (ints stay ints: an integer slider shows 3, not 3.0)."""
    return int(x) if float(x).is_integer() and isinstance(x, (int, np.integer)) else float(x)


def _num(x: float) -> str:
    return repr(_py(x))


def js(text: str) -> str:
    """``text`` as a string literal inside a Vega expression."""
    return json.dumps(text, ensure_ascii=False)


def _joined(values: np.ndarray) -> np.ndarray:
    """Each row of a 2-D array as comma-separated numbers (``DIGITS`` significant digits; ±Infinity for ±inf,
    which JavaScript's number parser understands). NaN rows have their NaN points dropped by the caller."""
    flat = np.char.mod(f"%.{DIGITS}g", np.asarray(values, dtype=float).ravel()).astype(object)
    flat[flat == "inf"] = "Infinity"
    flat[flat == "-inf"] = "-Infinity"
    rows = flat.reshape(np.shape(values))
    return np.array([",".join(r) for r in rows], dtype=object)


def pack(x: np.ndarray, series: dict[str, np.ndarray], kinds: dict[str, str] | None = None,
         keep: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """Rows (member i, series, kind, x, v) with the points of a line as text: ``x`` (N,) shared by every line,
    ``series`` name -> (F, N) values. NaN points are left out of their line, and so are the points ``keep``
    (name -> (F, N) bool, default all) leaves out. ``series`` and ``kind`` are categorical, and so is ``x``
    (a line's x text is sent once however many lines share it).
    """
    kinds = kinds or {}
    x = np.asarray(x, dtype=float)
    parts = []
    for name, vals in series.items():
        vals = np.asarray(vals, dtype=float)
        F = vals.shape[0]
        mask = ~np.isnan(vals)
        if keep is not None and name in keep:
            mask &= keep[name]
        if mask.all():
            xs, vs = np.full(F, _joined(x[None])[0], dtype=object), _joined(vals)
        else:
            xs, vs = _joined_masked(np.broadcast_to(x, vals.shape), mask), _joined_masked(vals, mask)
        parts.append(pd.DataFrame({"i": np.arange(F, dtype=np.uint16), "series": name,
                                   "kind": kinds.get(name, "curve"), "x": xs, "v": vs}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["i", "series", "kind", "x", "v"])
    for col in ("series", "kind", "x"):
        out[col] = out[col].astype("category")
    return out


def _joined_masked(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Each row of ``values`` (F, N) as comma-separated numbers, only where ``mask``: formatted in one pass."""
    texts = _joined(values[mask][None])[0].split(",") if mask.any() else []
    ends = np.cumsum(mask.sum(axis=1))
    return np.array([",".join(texts[a:b]) for a, b in zip(np.concatenate([[0], ends[:-1]]), ends, strict=True)],
                    dtype=object)


def unpack_transforms(scrub: ScrubParam | None = None, fields: tuple[str, ...] = ("x", "v")) -> list[dict]:
    """Transforms that keep the slider's member (if ``scrub``) and turn its packed rows into points."""
    out = [scrub.member_filter()] if scrub is not None else []
    out += [{"calculate": f"split(datum.{f}, ',')", "as": f} for f in fields]
    out.append({"flatten": list(fields)})
    out += [{"calculate": f"toNumber(datum.{f})", "as": f} for f in fields]
    return out


def unpack(df: pd.DataFrame, member: int) -> pd.DataFrame:
    """What :func:`unpack_transforms` gives the browser for ``member``: one row per point (tests, CSV)."""
    rows = df[df["i"] == member]
    out = []
    for _, r in rows.iterrows():
        xs = np.array(str(r["x"]).split(","), dtype=float)
        vs = np.array(str(r["v"]).split(","), dtype=float)
        out.append(pd.DataFrame({"series": r["series"], "kind": r["kind"], "x": xs, "v": vs}))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=["series", "kind", "x", "v"])
