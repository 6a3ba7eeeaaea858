"""The classroom load generator: its arithmetic, and a short run against the real app with faults injected.

The live tests assert liveness and correctness (every rerun answered, no exception, the faulty clients cut off),
never latency: this machine is shared and its speed varies.
"""
from __future__ import annotations

import asyncio
import json
import random
from urllib.parse import parse_qsl

import pytest

from deploy.cluster import start_instance
from tests.bench.classroom import (
    LINKS,
    Plan,
    Result,
    Sample,
    Variant,
    choose_link,
    cpu_percent,
    knee,
    main_control,
    markdown,
    mirror_move,
    parse_variant,
    pct,
    run_load,
    slow_reruns,
)
from tests.bench.protocol import Rerun, Session
from tests.bench.widgets import Widget


def test_percentiles_interpolate():
    xs = [0.1 * i for i in range(1, 11)]
    assert pct(xs, 50) == pytest.approx(0.55) and pct(xs, 100) == pytest.approx(1.0) and pct(xs, 0) == 0.1
    assert pct([], 95) != pct([], 95)  # NaN


def test_knee_is_interpolated_between_the_ns_around_it():
    rs = [Result(n, 60, p95=p) for n, p in ((10, 0.2), (50, 1.0), (100, 3.0), (200, 9.0))]
    assert "N ≈ 75 (between 50 and 100)" in knee(rs)
    assert "stays under 2 s up to N = 50" in knee(rs[:2])
    assert "already at N = 10" in knee([Result(10, 60, p95=2.5)])


def test_markdown_table_has_a_row_per_run():
    r = Result(100, 120, variant="two", instances=2, rate=9.5, status={"ok": 1000, "failed": 2}, p50=0.2, p95=0.9,
               p99=1.5, rss_idle=190, rss_peak=600, mb_per_session=4.1, cpu={"server": 150, "other": 20}, cpu_ms=95)
    lines = markdown([r, Result(10, 60)]).splitlines()
    assert len(lines) == 4 and lines[1].startswith("|---")
    assert lines[2] == ("| two | 100 | 2 | 9.5 | 2/0/0 | 200 | 900 | 1500 | – | 190 → 600 | 4.1 | 150% | 95 | 20% |")


def test_cpu_split_between_server_generator_and_the_rest():
    a = Sample(0.0, 100, cpu_s=10, gen_cpu_s=1, busy_s=100, total_s=200)
    b = Sample(10.0, 120, cpu_s=15, gen_cpu_s=2, busy_s=112, total_s=220)
    cpu = cpu_percent(a, b)
    assert cpu == pytest.approx({"server": 50, "generator": 10, "other": 60, "cores": 2})


def test_variants_and_links():
    v = parse_variant("gc:app=/tmp,inst=2,MALLOC_ARENA_MAX=2,--runner.postScriptGC=false")
    assert (v.name, str(v.app), v.instances, v.env, v.extra) == (
        "gc", "/tmp", 2, {"MALLOC_ARENA_MAX": "2"}, ["--runner.postScriptGC", "false"])
    assert parse_variant("") == Variant()
    assert parse_variant("w:inst=4,presets=1").presets and not parse_variant("w:presets=0").presets
    rng = random.Random(0)
    picks = [choose_link(rng, LINKS)[0] for _ in range(2000)]
    assert picks.count("vanilla_rnn") > 900  # most of the class is on the slide's link (10 of 17 weights)


def test_slow_reruns_say_what_and_when():
    runs = [Rerun("preset", "vanilla_rnn", 100.0 + t, done=100.0 + t + lat, status="ok", what=w)
            for t, lat, w in [(1, 2.5, "_preset.edge"), (5, 1.5, "_preset.edge"), (40, 0.2, "rho"), (45, 3.0, "H"),
                              (70, 0.9, "H")]]
    slow = slow_reruns(runs, 100.0)
    assert slow["share"] == 3 / 5
    assert slow["by"] == {"preset vanilla_rnn _preset.edge": 2, "preset vanilla_rnn H": 1}
    assert slow["when"] == {"0s": 2, "30s": 1}
    assert slow_reruns([], 0.0) == {"share": 0.0, "by": {}, "when": {}}


def test_main_control_prefers_the_scrub_chart():
    slider = Widget("$$ID-1-rho", "slider", [0.9], lo=0.1, hi=2.0, step=0.05)
    chart = Widget("$$ID-2-scrub", "chart", None, lo=0.1, hi=2.0, step=0.05, selection=("scrub", "rho"))
    side = Widget("$$ID-3-x", "slider", [1.0], lo=0, hi=3, step=0.1, sidebar=True)
    assert main_control([side, slider, chart]) is chart
    assert main_control([side, slider]) is slider and main_control([side]) is None


def test_mirror_moves_the_first_slider_or_the_scrub_one_step():
    class Tab:
        def __init__(self, *widgets):
            self.widgets, self.moves = {w.id: w for w in widgets}, []

        async def change(self, w, value):
            w.value = value
            self.moves.append(value)

    slider = Tab(Widget("$$ID-1-T", "slider", [300], lo=5, hi=300, step=1, is_int=True))
    chart = Tab(Widget("$$ID-2-c", "chart", None, 0.9, lo=0.1, hi=2.0, step=0.05, selection=("scrub", "rho")))
    for k in range(4):
        asyncio.run(mirror_move(slider, k))
        asyncio.run(mirror_move(chart, k))
    assert slider.moves == [[300], [300], [299], [298]]  # right, right (at the end: stays), left, left
    assert [json.loads(v)["selection"]["scrub"][0]["rho"] for v in chart.moves] == [0.95, 1.0, 0.95, 0.9]


@pytest.fixture(scope="module")
def app():
    inst = start_instance("classroom")
    try:
        yield inst
    finally:
        inst.stop()


@pytest.mark.load
def test_every_slide_link_opens_its_view(app):
    async def go():
        tabs = [Session(app.url, *link.split("?")) for _, link in LINKS]
        runs = await asyncio.gather(*(s.open() for s in tabs))
        await asyncio.gather(*(s.close() for s in tabs))
        return tabs, runs

    tabs, runs = asyncio.run(asyncio.wait_for(go(), 240))
    for s, r, (_, link) in zip(tabs, runs, LINKS, strict=True):
        assert r.status == "ok", (link, r.exceptions, r.errors)
        for key, raw in parse_qsl(link.partition("?")[2]):
            assert s.shows(key, raw), (link, key)  # in its bound widget, or in the page's in-chart scrub
        assert s.query == link.partition("?")[2]  # nothing was rejected or rewritten


@pytest.mark.load
def test_a_class_is_served_while_some_leave_mid_run_and_others_send_garbage(app):
    """12 students for 15 s, acting every 1.5 s on average; 3 of them drop their connection in the middle of a run,
    4 clients send bytes that are not the protocol. Everyone else: every rerun answered, no exception."""
    plan = Plan(sessions=12, seconds=15, interval=1.5, ramp=3, seed=7, timeout=90, drop=3, malformed=4,
                actions=(("change", 80), ("preset", 10), ("explain", 5), ("settings", 5)))
    res, sessions = asyncio.run(asyncio.wait_for(run_load(app.url, plan, [app.pid]), 300))
    assert res.left == 3
    assert res.status.get("ok", 0) == res.reruns and res.reruns >= 12 * 3, (res.status, res.failures)
    assert not res.exceptions and not res.errors
    stayed = [s for s in sessions if not any(r.status == "abandoned" for r in s.reruns)]
    assert len(stayed) == 9 and all(sum(r.status == "ok" for r in s.reruns) >= 3 for s in stayed)
    assert [m["closed"] for m in res.malformed] == [True] * 4  # the server ended each faulty connection ...
    assert app.alive() and res.rss_peak > res.rss_idle > 0  # ... and nothing else

    async def newcomer():  # and a newcomer is served normally
        s = Session(app.url, "vanilla_rnn", "rho=1.2")
        r = await s.open()
        await s.close()
        return r

    assert asyncio.run(newcomer()).status == "ok"
