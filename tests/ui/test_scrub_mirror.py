"""A scrub shown with the opposite sign (ui.scrub, ``mirror``): page 4's b_z, shown as b_u = -b_z in CS224n's
convention. The value keeps its sign; the slider, its selection and the family's member order are mirrored."""
import numpy as np

from ui.charts.scrub import PARAM
from ui.scrub import Scrub, selected

shown = {"cs224n": False}
BZ = Scrub("b_z", default=0.0, lo=-4.0, hi=4.0, step=0.25, mirror=lambda: shown["cs224n"])
ASYM = Scrub("x", default=1.0, lo=0.0, hi=2.0, step=0.5, mirror=lambda: True)


def test_selection_is_read_back_with_the_sign_the_slider_shows():
    state = {"selection": {PARAM: [{"b_z": 1.5}]}}
    assert selected(BZ, state) == 1.5 and selected(BZ, state, flip=True) == -1.5
    assert selected(ASYM, {"selection": {PARAM: [{"x": -0.5}]}}, flip=True) == 0.5
    assert selected(ASYM, {"selection": {PARAM: [{"x": 0.5}]}}, flip=True) is None     # outside [-2, 0]
    assert selected(BZ, {"selection": {PARAM: [{"b_z": 0.0}]}}, flip=True) == 0.0


def test_members_are_listed_in_the_order_the_slider_shows_them():
    fam = np.arange(len(BZ.values))
    assert list(BZ.shown_order(fam)) == list(fam)
    shown["cs224n"] = True
    try:
        order = BZ.shown_order(fam)
        # member i of the mirrored slider shows b_u = -4 + 0.25 i, i.e. b_z = 4 - 0.25 i
        for i in (0, 5, 16, 32):
            assert BZ.values[order[i]] == -(-4.0 + 0.25 * i)
        assert BZ.shown_order(["a", "b", "c"]) == ["c", "b", "a"]
    finally:
        shown["cs224n"] = False
