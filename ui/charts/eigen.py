"""Eigenvalues of a matrix in the complex plane, with the unit circle and an optional second circle.

The second circle (radius 1/gamma, e.g. 4 for sigmoid) marks where an eigenvalue starts to allow growth
once the activation's slope bound gamma is included. Eigenvalues far outside are drawn on the edge of the
view as triangles whose tooltip gives the exact value.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import EXACT, OVERFLOW, fmt_value
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import MAX_ROWS, OVERFLOW_SHAPE, PALETTE, WINDOW_COLOR, edge_room, finish, sizes
from ui.charts.vl import chart, layer, n, q, tip


def _circle(radius: float, name: str, n_pts: int = 181) -> pd.DataFrame:
    th = np.linspace(0, 2 * np.pi, n_pts)
    return pd.DataFrame({"re": radius * np.cos(th), "im": radius * np.sin(th), "i": np.arange(n_pts), "name": name})


def eigen_plane(eigvals: np.ndarray, *, second_radius: float | None = None, view_radius: float | None = None,
                text: ChartText = ENGLISH, projector: bool = False, size: int = 340,
                title: str | None = None, max_points: int = MAX_ROWS, color: str = PALETTE[1]) -> alt.LayerChart:
    """Scatter of complex ``eigvals`` (any shape) on equal axes; ``view_radius`` fixes the visible disc; ``color``
    the points' (the model's colour, ``ui.charts.theme.model_color``).

    Default view: all eigenvalues and circles, but at most 4x the largest circle (beyond: edge triangles).
    """
    s = sizes(projector)
    lam = np.asarray(eigvals, dtype=complex).ravel()
    lam = lam[~(np.isnan(lam.real) | np.isnan(lam.imag))]
    if lam.size > max_points:
        lam = lam[np.linspace(0, lam.size - 1, max_points).round().astype(int)]
    circ = max(1.0, second_radius or 0.0)
    mod = np.abs(lam)
    finite_max = float(mod[np.isfinite(mod)].max()) if np.isfinite(mod).any() else 1.0
    r = view_radius or min(max(finite_max, circ) * 1.12, 4 * circ)
    outside = mod > r
    scale = np.where(outside, r / np.where(mod > 0, mod, 1.0), 1.0)
    with np.errstate(invalid="ignore"):
        re = np.where(np.isfinite(lam.real), lam.real * scale, np.sign(lam.real) * r)
        im = np.where(np.isfinite(lam.imag), lam.imag * scale, np.sign(lam.imag) * r)
    pts = pd.DataFrame({
        "re": np.nan_to_num(re), "im": np.nan_to_num(im), "status": np.where(outside, OVERFLOW, EXACT),
        "re_text": [fmt_value(v) for v in lam.real], "im_text": [fmt_value(v) for v in lam.imag],
        "mod_text": [fmt_value(v) for v in mod],
    })
    pts["status_text"] = pts["status"].map({EXACT: text.exact, OVERFLOW: text.overflow})
    x = q("re", text.real, scale={"domain": [-r, r], "nice": False})
    y = q("im", text.imag, scale={"domain": [-r, r], "nice": False})
    circles = [_circle(1.0, text.unit_circle)]
    if second_radius and second_radius != 1.0 and second_radius <= r:
        circles.append(_circle(second_radius, text.second_circle))
    layers = [chart(c, {"type": "line", "clip": True, "color": "black" if j == 0 else WINDOW_COLOR,
                        "strokeDash": [1, 0] if j == 0 else [6, 4]},
                    {"x": x, "y": y, "order": q("i"), "tooltip": [tip("name", " ")]})
              for j, c in enumerate(circles)]
    tooltip = [tip("re_text", text.real), tip("im_text", text.imag), tip("mod_text", text.modulus),
               tip("status_text", text.status)]
    shape = n("status", scale={"domain": [EXACT, OVERFLOW], "range": ["circle", OVERFLOW_SHAPE]}, legend=None)
    layers.append(chart(pts, {"type": "point", "filled": True, "color": color, "opacity": 0.85,
                              "size": s["point"] * 1.4}, {"x": x, "y": y, "shape": shape, "tooltip": tooltip}))
    return edge_room(finish(layer(*layers, width=size, height=size), projector, title), projector)
