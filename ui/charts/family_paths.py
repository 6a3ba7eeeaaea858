"""The scrubbed surface: a loss surface with descent paths for every value of the page's main control.

    family_paths(log_E, x_values=w, y_values=b, paths={"no clipping": (W, B), ...}, scrub=param,
                 hover=rows_of_the_released_member, hover_member=f, notes=texts, lines=wall, ...)

The surface is the same for every member (it depends on the window only): it is drawn once, and a drag never
touches its data, so Vega neither refilters nor re-encodes its cells while the slider moves. The paths of every
member travel packed (one row per member and path, the points as comma-separated text, see
``ui.charts.scrub``); the browser unpacks the member the slider is on and puts points that left the window on
its edge, as triangles pointing where they went. Tooltips with every number of a point (loss, gradient norm,
step length) are sent for the member the hand released only: nobody hovers while dragging, and a family of
them would cost a megabyte.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.notes import member_notes, note_lines, room
from ui.charts.paths import (
    INSIDE_SHAPE,
    OUTSIDE,
    _path_frame,
    line_frame,
    line_layer,
    path_colors,
    path_tooltip,
    point_layers,
    surface_layer,
)
from ui.charts.scrub import DIGITS, ScrubParam, js
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import Style, finish, sizes
from ui.charts.vl import chart, layer, n, q

VIEW = "family_paths"  # name of the layer the scrub's selection lives in


def edge_room(s: dict) -> int:
    """Pixels of margin around the window: a triangle on its edge stays inside the chart's plot, so the plot
    keeps its size whichever member the slider shows (Vega fits a chart to its container from the bounds of
    everything drawn)."""
    return int(np.sqrt(s["flag"]) / 2) + 3


def _step_text(n_points: int) -> str:
    return ",".join(str(k) for k in range(n_points))


def _joined(rows: np.ndarray) -> np.ndarray:
    """Each row of finite numbers as comma-separated text, ``DIGITS`` significant digits (what
    ``ui.charts.scrub.pack`` writes; formatted by Python, three times faster than ``np.char.mod`` here)."""
    return np.array([",".join([f"{v:.{DIGITS}g}" for v in row]) for row in np.asarray(rows).tolist()], dtype=object)


def pack_paths(paths: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Rows (member i, series, x, y, k): each member's path with its points as comma-separated text (``k`` the
    step numbers). ``paths``: name -> (x, y), (F, N) arrays of finite numbers, NaN after a path's end (a path
    that ended early). ``series`` is categorical: rename its categories to relabel a cached frame."""
    parts = []
    for name, (xs, ys) in paths.items():
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        if xs.shape != ys.shape or xs.ndim != 2:
            raise ValueError(f"{name}: x and y must be (F, N) arrays of one shape, got {xs.shape} and {ys.shape}")
        F, N = xs.shape
        ends = np.where(np.isnan(xs).any(axis=1), np.isnan(xs).argmax(axis=1), N)
        if (ends == N).all():
            x_text, y_text, k_text = _joined(xs), _joined(ys), np.full(F, _step_text(N), dtype=object)
        else:
            x_text = np.array([_joined(xs[f, :e][None])[0] for f, e in enumerate(ends)], dtype=object)
            y_text = np.array([_joined(ys[f, :e][None])[0] for f, e in enumerate(ends)], dtype=object)
            k_text = np.array([_step_text(e) for e in ends], dtype=object)
        keep = ends > 0
        parts.append(pd.DataFrame({"i": np.arange(F, dtype=np.uint16)[keep], "series": name, "x": x_text[keep],
                                   "y": y_text[keep], "k": k_text[keep]}))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["i", "series", "x", "y", "k"])
    out["series"] = pd.Categorical(out["series"], categories=list(paths))
    out["k"] = out["k"].astype("category")             # Arrow sends each distinct text once
    return out


def _edge_transforms(scrub: ScrubParam, window: tuple) -> list[dict]:
    """Keep the slider's member, unpack its points, and put those beyond the window on its edge: ``px, py`` the
    drawn position, ``shape`` a circle inside, else the triangle pointing to the side it left by most (as
    ``ui.charts.paths`` does on the server)."""
    (xl, xh), (yl, yh) = window
    wx, wy = max(xh - xl, 1e-300), max(yh - yl, 1e-300)
    sides = {"triangle-left": f"({xl!r} - datum.x) / {wx!r}", "triangle-right": f"(datum.x - {xh!r}) / {wx!r}",
             "triangle-down": f"({yl!r} - datum.y) / {wy!r}", "triangle-up": f"(datum.y - {yh!r}) / {wy!r}"}
    # the first side (in the order above) whose amount is the largest: numpy's argmax, as on the server
    chain = js("triangle-up")
    for shape, amount in reversed(list(sides.items())[:-1]):
        chain = f"{amount} >= datum.out ? {js(shape)} : {chain}"
    return [
        scrub.member_filter(),
        *({"calculate": f"split(datum.{f}, ',')", "as": f} for f in ("x", "y", "k")),
        {"flatten": ["x", "y", "k"]},
        *({"calculate": f"toNumber(datum.{f})", "as": f} for f in ("x", "y", "k")),
        {"calculate": f"clamp(datum.x, {xl!r}, {xh!r})", "as": "px"},
        {"calculate": f"clamp(datum.y, {yl!r}, {yh!r})", "as": "py"},
        {"calculate": f"max({', '.join(sides.values())})", "as": "out"},
        {"calculate": f"datum.out > 0 ? ({chain}) : {js(INSIDE_SHAPE)}", "as": "shape"},
    ]


def family_paths(z: np.ndarray, *, x_values: Sequence[float], y_values: Sequence[float],
                 paths: Mapping[str, tuple[np.ndarray, np.ndarray]] | pd.DataFrame, scrub: ScrubParam,
                 hover: pd.DataFrame | None = None, hover_member: int | None = None,
                 path_tips: Mapping[str, str] | None = None, notes: Sequence[str] | None = None,
                 lines: pd.DataFrame | None = None, x_title: str = "x", y_title: str = "y",
                 value_title: str = "value", step_title: str = "step", domain: tuple[float, float] | None = None,
                 scheme: str = "greys", outside: str = OUTSIDE, text: ChartText = ENGLISH, projector: bool = False,
                 height: int = 360, title: str | None = None, max_cells: int = 2500,
                 colors: Mapping[str, str | Style] | None = None) -> alt.LayerChart:
    """Heat map of ``z`` (as :func:`ui.charts.paths.surface_paths`) with the paths of the member the slider shows.

    Parameters
    ----------
    z, x_values, y_values, lines, x_title, y_title, value_title, step_title, domain, scheme, outside :
        as in :func:`ui.charts.paths.surface_paths`
    paths : series name -> (x, y), (F, N) arrays: every member's path (NaN after its end); F = ``scrub.size``;
        or those paths packed by :func:`pack_paths` already (e.g. cached with the family)
    scrub : the slider
    hover, hover_member : the points of member ``hover_member`` (the value the script knows) with their tooltip
        columns, as ``surface_paths``' ``paths`` frame (``series``, ``step``, ``x``, ``y`` and ``path_tips``)
    notes : F one-line texts written above the plot for each member
    colors : path and line name -> colour or ``Style`` (``ui.charts.theme``)
    """
    s = sizes(projector)
    xv, yv = np.asarray(x_values, dtype=float), np.asarray(y_values, dtype=float)
    packed = paths if isinstance(paths, pd.DataFrame) else pack_paths(paths)
    if len(packed) and int(packed["i"].max()) >= scrub.size:
        raise ValueError(f"{int(packed['i'].max()) + 1} members for a slider of {scrub.size} values")
    gap = room(s, note_lines(notes)) if notes is not None else 0    # the notes' lines above the plot
    surface, window = surface_layer(z, xv, yv, x_title=x_title, y_title=y_title, value_title=value_title,
                                    domain=domain, scheme=scheme, text=text, height=height,
                                    max_cells=max_cells, pad=edge_room(s), legend_below=True)
    ref = line_frame(lines, window)
    names = list(dict.fromkeys([*packed["series"].cat.categories, *(ref["series"] if ref is not None else [])]))
    color = path_colors(names, list(dict.fromkeys(ref["series"])) if ref is not None else [], colors, s)
    layers = [surface] + ([line_layer(ref, color, text)] if ref is not None else [])
    line = chart(None, {"type": "line", "clip": True, "opacity": 0.9},
                 {"x": q("px"), "y": q("py"), "color": color, "order": q("k"), "detail": n("series")})
    line.name = VIEW
    layers.append(layer(line, *point_layers(None, color, None, s, inside=f"datum.shape == {js(INSIDE_SHAPE)}"),
                        data=packed, transform=_edge_transforms(scrub, window)))
    if hover is not None and len(hover) and hover_member is not None:
        tips = dict(path_tips or {})
        pts = _path_frame(hover, window, tips, outside, text, max_points=len(hover)).assign(i=np.uint16(hover_member))
        layers.append(chart(pts, {"type": "point", "filled": True, "opacity": 0, "size": s["flag"]},
                            {"x": q("px"), "y": q("py"),
                             "tooltip": path_tooltip(tips, x_title, y_title, step_title, text)},
                            transform=[scrub.member_filter()]))
    if notes is not None:
        # not lifted: the second line runs into the window's edge margin (its place since page 5 was built; lifted,
        # the notes and the title above them moved the layout by a pixel between a first draw and an update)
        layers.append(member_notes(scrub, notes, s, lift=False))
    out = finish(layer(*layers, height=height), projector, None)
    out.params = [alt.TopLevelSelectionParameter(**scrub.param(), views=[VIEW])]
    if title:                                           # above the notes: Vega places it over all that is drawn
        out.title = title
    if notes is not None and not title:                 # room above the plot for the member's numbers
        out.padding = {"top": gap, "left": 5, "right": 5, "bottom": 5}
    return out

