"""Fast hand-over of a chart to Streamlit: the Vega-Lite dict with DataFrames as named datasets.

``st.altair_chart`` validates the whole spec against the Vega-Lite JSON schema on every run (tens of ms
per chart). The builders' output is validated by the tests instead, so :func:`to_vega_lite` converts
without validation and without turning DataFrames into lists of dicts; ``st.vega_lite_chart`` then ships
each DataFrame as Arrow, exactly as ``st.altair_chart`` would.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

_THEME_VIEW_DEFAULTS = ("continuousWidth", "continuousHeight")  # added by Altair's default theme


def _swap_data(node, names: dict[int, str], datasets: dict[str, pd.DataFrame], undo: list) -> None:
    """Replace every DataFrame under ``node`` (chart, layers, facet spec) by a named reference."""
    data = getattr(node, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        name = names.setdefault(id(data), f"d{len(names)}")
        datasets[name] = data
        undo.append((node, data))
        node.data = alt.NamedData(name=name)
    for child in getattr(node, "layer", None) or []:
        _swap_data(child, names, datasets, undo)
    spec = getattr(node, "spec", alt.Undefined)
    if spec is not alt.Undefined and not isinstance(spec, dict):
        _swap_data(spec, names, datasets, undo)


def to_vega_lite(chart: alt.TopLevelMixin) -> dict:
    """The chart as a Vega-Lite dict whose ``datasets`` are DataFrames (the chart is left as it was)."""
    datasets: dict[str, pd.DataFrame] = {}
    undo: list = []
    try:
        _swap_data(chart, {}, datasets, undo)
        spec = chart.to_dict(validate=False)
    finally:
        for node, data in undo:
            node.data = data
    own_view = chart.config.get("view", {}) if isinstance(chart.config, dict) else {}
    view = spec.get("config", {}).get("view", {})
    for key in _THEME_VIEW_DEFAULTS:
        if key not in own_view:
            view.pop(key, None)
    spec["datasets"] = {**spec.get("datasets", {}), **datasets}
    return spec
