"""The family chart's layers (ui/charts/family.py): zone labels sit where the member's lines do not run, and the
chart's spec does not depend on where that is (the spots are data); the hover points carry their tooltip texts,
formatted in Python as on every other chart."""
import json

import numpy as np

from ui.charts.family import family_curves
from ui.charts.scrub import ScrubParam
from ui.charts.text import ENGLISH
from ui.charts.theme import sizes, text_px
from ui.charts.zones import zone_label_spots, zone_layers


def fan(F=9, N=101):
    """Straight lines from 0 down to -5 .. -45 (member f), and one down to -10 in every member."""
    d = np.arange(N, dtype=float)
    slopes = np.linspace(-0.05, -0.45, F)
    return d, {"a": slopes[:, None] * d, "b": np.tile(-0.1 * d, (F, 1))}


def test_every_member_gets_a_label_no_line_of_its_own_runs_through():
    d, series = fan()
    s = sizes(True)
    spots = zone_label_spots(d, series, (0, 100), (-60, 8), (-3, 3), ENGLISH, s, 400, 2, None, "", None, True)
    assert set(spots["i"]) == set(range(9)) and len(spots) == 18
    ux, uy = 100 / 640, 68 / (430 - (s["title"] * 1.6 + 8 + 120 + 2.6 * s["label"] + s["label"] + 10))
    for _, row in spots[spots["zone"] == ENGLISH.vanishing].iterrows():
        half_w, half_h = text_px(ENGLISH.vanishing, s["label"]) / 2 * ux, s["label"] * 0.65 * uy
        cols = (d >= row.x - half_w - 1) & (d <= row.x + half_w + 1)
        for vals in series.values():
            line = vals[int(row.i), cols]
            assert line.max() < row.y - half_h or line.min() > row.y + half_h, (row.i, row.x, row.y)
    # the members whose lines leave the right end of the band's middle free keep the usual place; the others move
    vanishing = spots[spots["zone"] == ENGLISH.vanishing]
    usual = vanishing["y"] == (-60 + -3) / 2
    assert usual.iloc[0] and not usual.all()


def test_the_spec_is_the_same_wherever_the_labels_go():
    from ui.charts.render import to_streamlit

    d, series = fan()
    scrub = ScrubParam("b", 0.0, 8.0, 1.0, 4.0, "b")
    specs = []
    for scale in (1.0, 0.2):
        chart = family_curves(d, {k: v * scale for k, v in series.items()}, scrub=scrub, zones=(-3, 3),
                              y_domain=(-60, 8), notes=[str(i) for i in range(9)], projector=True, height=400)
        spec = to_streamlit(chart)
        specs.append(json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True))
    assert specs[0] == specs[1]


def test_zone_layers_can_leave_the_labels_to_the_caller():
    s = sizes(False)
    assert len(zone_layers((-3, 3), -60, 8, ENGLISH, s)) == 2
    assert len(zone_layers((-3, 3), -60, 8, ENGLISH, s, labels=False)) == 1


def test_hover_points_carry_formatted_tooltips_for_every_member():
    from ui.charts.clamp import fmt_pow10s
    from ui.charts.family import TIP_SEP, _hover_rows

    x = np.arange(6.0)
    L = np.array([[0, -1.5, -3, -70, -np.inf, -500.25], [0, 2, 4, 8, 16, np.inf]])
    rows = _hover_rows(x, {"g": L}, {}, np.arange(6), -60.0, 10.0, ENGLISH)
    assert list(rows["i"]) == [0, 1] and set(rows["x"]) == {"0,1,2,3,4,5"}
    assert rows.iloc[0]["log10_text"].split(TIP_SEP) == ["0", "-1.5", "-3", "-70", "-Infinity", "-500.2"]
    assert rows.iloc[1]["log10_text"].split(TIP_SEP)[-1] == "Infinity"          # JavaScript's toNumber reads both
    for f in range(2):
        assert rows.iloc[f]["norm_text"].split(TIP_SEP) == list(fmt_pow10s(L[f]))
    assert rows.iloc[0]["norm_text"].split(TIP_SEP)[5] == "5.62e-501"
    assert rows.iloc[0]["code"].split(TIP_SEP) == ["", "", "", "u", "u", "u"]
    assert rows.iloc[1]["code"].split(TIP_SEP) == ["", "", "", "", "o", "o"]
    assert (rows["lo"] == -60.0).all() and (rows["hi"] == 10.0).all()


def test_a_family_drawn_again_reuses_its_packed_rows():
    import ui.charts.family as fm

    calls = []
    a = np.arange(12.0).reshape(3, 4)
    first = fm._recent(("t", a, 1.0), lambda: calls.append(1) or object())
    assert fm._recent(("t", a.copy(), 1.0), lambda: calls.append(1) or object()) is first and calls == [1]
    assert fm._recent(("t", a + 1, 1.0), lambda: calls.append(1) or object()) is not first
    assert fm._recent(("t", a, 2.0), lambda: calls.append(1) or object()) is not first and len(calls) == 3
    for k in range(fm.RECENT):
        fm._recent(("fill", k), object)
    assert len(fm._RECENT) == fm.RECENT
