"""ui.charts.paths.surface_paths: a heat map on numeric axes with paths on top; nothing dropped, never NaN."""
import math

import altair as alt
import numpy as np
import pandas as pd

from ui.charts import ChartText
from ui.charts.paths import surface_paths


def frames(chart) -> list[pd.DataFrame]:
    spec = chart.to_dict()                               # validates against the Vega-Lite schema
    return [pd.DataFrame(rows) for rows in spec["datasets"].values()]


def clean(df: pd.DataFrame) -> None:
    for col in df.columns:
        for v in df[col]:
            assert v is not None, col
            if isinstance(v, float):
                assert math.isfinite(v), (col, v)


def grid(nx=6, ny=5):
    x, y = np.linspace(0.0, 5.0, nx), np.linspace(-2.0, 2.0, ny)
    return x, y, np.add.outer(y, x)                       # z[i, j] = y_i + x_j


def test_cells_keep_their_coordinates_and_values():
    x, y, z = grid()
    c = surface_paths(z, x_values=x, y_values=y, value_title="z")
    assert isinstance(c, alt.LayerChart)
    cells = next(f for f in frames(c) if "x0" in f)
    clean(cells)
    assert len(cells) == z.size
    assert np.allclose(cells["value"], cells["x"] + cells["y"])
    assert (cells["x0"] <= cells["x"]).all() and (cells["x1"] >= cells["x"]).all()
    assert cells["x0"].min() == 0.0 and cells["x1"].max() == 5.0        # cut to the window
    assert cells["y0"].min() == -2.0 and cells["y1"].max() == 2.0


def test_infinite_cells_are_clamped_and_marked_nan_dropped():
    x, y, z = grid()
    z[0, 0], z[1, 1], z[2, 2] = np.inf, -np.inf, np.nan
    cells = next(f for f in frames(surface_paths(z, x_values=x, y_values=y, domain=(0.0, 4.0))) if "x0" in f)
    clean(cells)
    assert len(cells) == z.size - 1
    top = cells[(cells["x"] == 0.0) & (cells["y"] == -2.0)].iloc[0]
    assert top["c"] == 4.0 and top["value_text"] == "+inf" and top["status_text"] == ChartText().overflow


def test_large_grids_are_subsampled():
    x, y = np.linspace(0, 1, 200), np.linspace(0, 1, 150)
    cells = next(f for f in frames(surface_paths(np.zeros((150, 200)), x_values=x, y_values=y, max_cells=2500))
                 if "x0" in f)
    assert len(cells) <= 2500


def test_points_outside_the_window_sit_on_its_edge_pointing_out():
    x, y, z = grid()
    paths = pd.DataFrame({"series": "plain", "step": [0, 1, 2, 3, 4], "x": [1.0, 60.0, 2.0, -1e300, 2.5],
                          "y": [0.0, 0.5, -7.0, 1.0, np.inf], "loss": [0.1, 0.2, 0.3, 0.4, 0.5]})
    c = surface_paths(z, x_values=x, y_values=y, paths=paths, path_tips={"loss": "E"}, outside="OUT")
    pts = next(f for f in frames(c) if "shape" in f)
    clean(pts)
    assert len(pts) == 5                                  # nothing dropped
    by = pts.set_index("step")
    assert by.loc[0, "shape"] == "circle" and by.loc[0, "status_text"] == ChartText().exact
    assert (by.loc[1, "shape"], by.loc[1, "px"], by.loc[1, "x"]) == ("triangle-right", 5.0, 60.0)
    assert (by.loc[2, "shape"], by.loc[2, "py"]) == ("triangle-down", -2.0)
    assert (by.loc[3, "shape"], by.loc[3, "px"]) == ("triangle-left", 0.0)
    assert (by.loc[4, "shape"], by.loc[4, "py"], by.loc[4, "y_text"]) == ("triangle-up", 2.0, "+inf")
    assert set(by.loc[[1, 2, 3, 4], "status_text"]) == {"OUT"}
    assert by.loc[2, "loss_text"] == "0.3"
    spec = c.to_dict()
    tips = {t["field"] for lyr in spec["layer"] for t in lyr.get("encoding", {}).get("tooltip", [])}
    assert {"step", "x_text", "y_text", "loss_text", "status_text"} <= tips


def test_reference_lines_are_cut_to_the_window_and_share_the_legend():
    x, y, z = grid()
    lines = pd.DataFrame({"x": np.linspace(-5, 10, 31), "y": 0.0, "series": "wall"})
    paths = pd.DataFrame({"series": ["a", "a", "b"], "step": [0, 1, 0], "x": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 0.0]})
    c = surface_paths(z, x_values=x, y_values=y, paths=paths, lines=lines)
    ref = next(f for f in frames(c) if "i" in f)
    assert ref["x"].between(0, 5).all() and len(ref) == 11
    colours = [lyr["encoding"]["color"]["scale"] for lyr in c.to_dict()["layer"] if "color" in lyr["encoding"]]
    assert colours and all(s["domain"] == ["a", "b", "wall"] for s in colours)


def test_projector_mode_and_no_paths():
    x, y, z = grid()
    normal, big = (surface_paths(z, x_values=x, y_values=y, projector=p).to_dict()["config"] for p in (False, True))
    assert big["axis"]["labelFontSize"] > normal["axis"]["labelFontSize"]
    assert len(surface_paths(z, x_values=x, y_values=y).to_dict()["layer"]) == 1
