"""Build Vega-Lite pieces as plain dicts and wrap them in Altair objects at the end.

Altair's typed helpers (``.encode("x:Q")``, ``alt.value``, chained ``configure_*``) parse shorthands,
validate and deep-copy on every call: a few milliseconds each, which adds up to tens of ms per chart
and per slider move. Plain dicts inside ``alt.Chart(mark=..., encoding=alt.FacetedEncoding(...))``
cost microseconds; the tests validate every builder's output against the schema instead.
"""
from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

_UNSET: Any = object()


def _field(field: str, type_: str, title: Any, kw: dict) -> dict:
    """A field channel; ``title=None`` means no title (JSON null), an omitted title the field's default."""
    return {"field": field, "type": type_, **({} if title is _UNSET else {"title": title}), **kw}


def q(field: str, title: Any = _UNSET, **kw: Any) -> dict:
    """A quantitative field channel."""
    return _field(field, "quantitative", title, kw)


def n(field: str, title: Any = _UNSET, **kw: Any) -> dict:
    """A nominal field channel."""
    return _field(field, "nominal", title, kw)


def o(field: str, title: Any = _UNSET, **kw: Any) -> dict:
    """An ordinal field channel."""
    return _field(field, "ordinal", title, kw)


def tip(field: str, title: str, type_: str = "nominal", **kw: Any) -> dict:
    """One tooltip entry."""
    return {"field": field, "type": type_, "title": title, **kw}


def chart(data: Any, mark: str | dict, encoding: dict, *, where: str | None = None, **props: Any) -> alt.Chart:
    """One mark layer; ``where`` is a Vega expression filtering the rows (e.g. ``"datum.kind == 'ref'"``)."""
    if where is not None:
        props["transform"] = [{"filter": where}, *props.get("transform", [])]
    return alt.Chart(data=alt.Undefined if data is None else data,
                     mark=mark if isinstance(mark, dict) else {"type": mark},
                     encoding=alt.FacetedEncoding(**encoding), **props)


def layer(*charts: alt.Chart, **props: Any) -> alt.LayerChart:
    """Layers on one set of axes. Skips ``alt.LayerChart.__init__``'s merging of selection parameters and
    shared data, which deep-copies every layer (the builders use neither: data are per layer and named)."""
    out = alt.LayerChart.__new__(alt.LayerChart)
    alt.TopLevelLayerSpec.__init__(out, layer=list(charts), **props)
    return out


FREE = {"nice": False, "zero": False}  # a position scale whose domain is exactly the data's extent


def extent_layer(**channels: tuple[dict, tuple[float, float]]) -> alt.Chart:
    """An invisible layer of two points at the ends of the visible ranges: ``extent_layer(x=(x_enc, (0, 50)),
    y=(y_enc, (lo, hi)))``; any channel works (``color=(c_enc, (0, top))`` fixes a colour range).

    With :data:`FREE` position scales (and colour scales without a ``domain``) the ranges then live in the
    data, not in the spec: while a slider moves, the spec stays byte-identical and the browser swaps the
    chart's data instead of rebuilding the whole view (Streamlit re-embeds a Vega chart whenever its spec
    changes, which costs far more than updating its data). Each channel dict is the visible layers' own
    (same field), so scales, axes and legends merge.
    """
    cols = {enc["field"]: [float(rng[0]), float(rng[1])] for enc, rng in channels.values()}
    # a colour range comes from a rect layer so that the legend stays a gradient (points get symbol legends);
    # put such a layer first: an invisible rect on top would take the hover from the cells below it
    mark = "rect" if "color" in channels else "point"
    return chart(pd.DataFrame(cols), {"type": mark, "opacity": 0, **({"size": 0} if mark == "point" else {})},
                 {name: enc for name, (enc, _) in channels.items()})
