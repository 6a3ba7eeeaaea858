"""The benchmarks' heaviest views are views the pages accept: every value in range, and of a control of that page
(a renamed control or a narrowed range would otherwise measure the defaults under the name "heaviest")."""
from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from tests.apptest_utils import page_controls
from tests.bench.latency import HEAVY, HEAVY_PART, heaviest


@pytest.mark.parametrize("page,scrub", [(p, None) for p in HEAVY] + list(HEAVY_PART))
def test_every_heaviest_value_is_one_the_page_takes(page, scrub):
    specs = {s.key: s for s in page_controls(page)[0]}
    query = dict(parse_qsl(heaviest(page, scrub)))
    assert query, "a heaviest view sets something"
    for key, raw in query.items():
        assert key in specs, f"{page}: {key!r} is not one of its controls"
        assert specs[key].parse(raw) is not None, f"{page}: {key}={raw} is not a value its control takes"


def test_a_part_of_a_page_has_its_own_heaviest_view():
    part_b, part_a = heaviest("gradient_clipping", "train_at"), heaviest("gradient_clipping", "w0")
    assert part_b != part_a == HEAVY["gradient_clipping"]
    assert "cell=lstm" in heaviest("gradient_clipping", "train_at"), "page 5 B's slowest cell trains"
