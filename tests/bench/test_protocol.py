"""The protocol client against a real server running a small app with every widget kind (tests/bench/protocol_app).

What the browser would do, checked through what the app echoes: the deep link seeds the bound widgets, a moved
control and a pressed button reach the script and the URL, the in-chart scrub sends its selection, a page link
carries the link's query, cached elements come back as references and are resolved, an exception is reported,
and a dropped connection reconnects to the same Streamlit session.
"""
from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from deploy.cluster import start_instance
from tests.bench.protocol import Session, merge_query

APP = Path(__file__).resolve().parent / "protocol_app"
pytestmark = pytest.mark.load


@pytest.fixture(scope="module")
def server():
    inst = start_instance("protocol", app_dir=APP, script="app.py")
    try:
        yield inst.url
    finally:
        inst.stop()


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


def widget(s: Session, key: str):
    return next(w for w in s.widgets.values() if w.key == key)


def echo(s: Session, prefix: str) -> str:
    return next(t for t in s.texts if t.startswith(prefix))


def test_merge_query_later_parts_win():
    assert merge_query("x=1&c=b", "lang=zh&x=2") == "x=2&c=b&lang=zh"
    assert merge_query("", "") == ""


def test_deep_link_seeds_the_bound_widgets(server):
    async def go():
        s = Session(server, "", "x=1.5&c=b&t=true")
        r = await s.open()
        await s.close()
        return s, r

    s, r = run(go())
    assert r.status == "ok" and r.latency > 0 and not r.exceptions
    assert "values x=1.5 c=b s=p t=True n=0 pressed=False" in s.texts
    assert widget(s, "x").value == [1.5] and widget(s, "c").value == "b" and widget(s, "t").value is True
    assert {w.kind for w in s.widgets.values()} >= {"slider", "radio", "segmented", "toggle", "number", "button",
                                                      "expander", "chart"}
    assert s.session_id and s.page_hash


def test_moves_reach_the_script_and_the_url(server):
    async def go():
        s = Session(server, "", "")
        await s.open()
        out = []
        for key, value in (("x", [1.25]), ("c", "b"), ("s", ["q"]), ("t", True), ("n", 7)):
            r = await s.change(widget(s, key), value)
            out.append((r.status, s.query))
        final = echo(s, "values")
        r = await s.change(widget(s, "x"), [0.9])  # back to its default: out of the URL
        back = s.query
        await s.close()
        return out, final, back

    out, final, back = run(go())
    assert all(status == "ok" for status, _ in out)
    assert out[0][1] == "x=1.25" and out[-1][1] == "x=1.25&c=b&s=q&t=true&n=7"
    assert final == "values x=1.25 c=b s=q t=True n=7 pressed=False"
    assert back == "c=b&s=q&t=true&n=7"


def test_button_expander_and_random_moves(server):
    async def go():
        s = Session(server, "", "")
        await s.open()
        pressed = (await s.press(widget(s, "_preset.a")), echo(s, "values"))
        after = (await s.rerun(), echo(s, "values"))  # a trigger is not sticky
        opened = (await s.change(widget(s, "_explain.more"), True), list(s.texts))
        rng = random.Random(0)
        moves = []
        for _ in range(12):
            w = rng.choice([w for w in s.widgets.values() if w.changeable and w.kind != "expander"])
            moves.append((await s.change(w, w.other_value(rng))).status)
        await s.close()
        return pressed, after, opened, moves

    pressed, after, opened, moves = run(go())
    assert pressed[0].status == "ok" and pressed[1].endswith("pressed=True")
    assert after[1].endswith("pressed=False")
    assert opened[0].status == "ok" and "expander open" in opened[1]
    assert moves == ["ok"] * 12


def test_the_scrub_chart_is_a_widget(server):
    async def go():
        s = Session(server, "", "")
        await s.open()
        w = widget(s, "scrub_chart")
        before = echo(s, "scrub")
        value = w.other_value(random.Random(3))
        r = await s.change(w, value)
        await s.close()
        return w, before, value, r, echo(s, "scrub")

    w, before, value, r, after = run(go())
    assert (w.kind, w.selection, w.lo, w.hi, w.step, w.default) == ("chart", ("scrub", "rho"), 0.1, 2.0, 0.1, 0.9)
    assert value.startswith('{"selection":{"scrub":[{"rho":') and before == "scrub=None"
    assert r.status == "ok" and after == f"scrub={value.split(':')[-1].rstrip('}]')}"


def test_page_link_cache_references_and_exceptions(server):
    async def go():
        s = Session(server, "", "x=1.5")
        await s.open()
        first = s.cache.copy()
        again = await s.rerun()  # same page: the big chart comes back as a reference to the cached message
        boom = await s.press(widget(s, "_boom"))
        other = await s.switch(next(lk for lk in s.links if lk.page == "other"))
        await s.close()
        return s, first, again, boom, other

    s, first, again, boom, other = run(go())
    assert first and again.status == "ok" and not again.errors
    assert again.bytes < 10_000 < sum(m.ByteSize() for m, _ in first.values())
    assert boom.status == "failed" and any("boom pressed" in e for e in boom.exceptions)
    assert other.status == "ok" and s.page == "other"
    assert other.query == "x=1.5&lang=zh"  # as Chromium sends it: the URL's bound parameters, then the link's
    assert s.texts == ["other page, query={'lang': 'zh'}"]  # the server drops those bound on the page left


def test_a_dropped_connection_reconnects_to_its_session(server):
    async def go():
        s = Session(server, "", "x=1.5")
        await s.open()
        s._ws.transport.abort()  # the network drops the tab (not the tab closing itself)
        await asyncio.wait_for(s.lost.wait(), 10)
        r = await s.rerun("reconnect")
        await s.close()
        return s, r

    s, r = run(go())
    assert r.status == "ok" and r.reconnects == 1 and s.reconnects == 1
    assert len(s.session_ids) == 1  # the server still had the session: resumed, not a new one
    assert echo(s, "values").startswith("values x=1.5")


def test_the_page_shows_its_url(server):
    async def go():
        s = Session(server, "", "x=1.5&c=b")
        await s.open()
        before = (s.shows("x", "1.5"), s.shows("c", "b"), s.shows("x", "1.4"), s.shows("scrub", "0.9"))
        await s.change(widget(s, "scrub_chart"), '{"selection":{"scrub":[{"rho":1.3}]}}')
        await s.close()
        return before, s.shows("rho", "1.3"), s.shows("rho", "0.9")

    before, moved, start = run(go())
    assert before == (True, True, False, False)  # "scrub" is the selection's name, not a URL parameter
    assert moved and not start
