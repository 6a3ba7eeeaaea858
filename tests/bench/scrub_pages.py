"""Scrub benchmark: ``python -m tests.bench.scrub_pages [--pages lstm_forget_gate ...] [--steps 24] [--repeats 3]``.

For each page whose main control is a scrub, at its defaults and at its heaviest view (``latency.HEAVY``):

- family: the core family function on a cache miss (wall and CPU seconds, median of ``--repeats``);
- bytes: the Arrow datasets of the main (scrubbed) chart, as AppTest receives them;
- drag: in headless Chromium, a slider input event on the in-chart slider -> the main chart's canvas painted
  differently (median and 90th percentile ms over ``--steps`` steps; no script runs meanwhile).

Page 1 is in the list by default as the reference measured in the same run. Not a test: it prints numbers.
"""
from __future__ import annotations

import argparse
import statistics
import time
from urllib.parse import parse_qsl

from tests.apptest_utils import page_controls, run_page, scrub_chart
from tests.bench.latency import HEAVY, settle
from tests.browser_utils import browser, serve
from tests.e2e.test_scrub_browser import DRAG
from ui.registry import ROOT
from ui.scrub import Scrub

# page -> (query) -> the page's family computation, as its cached ``family`` calls core (defaults from the specs)
FAMILIES = {
    "vanilla_rnn": lambda v, g: __import__("core.scenarios.vanilla_rnn", fromlist=["x"]).family(
        v["act"], g, v["H"], v["T"], v["x_scale"], v["init"], v["seed"]),
    "lstm_forget_gate": lambda v, g: __import__("core.scenarios.lstm_forget_gate", fromlist=["x"]).family(
        g, v["b_i"], v["w_scale"], v["H"], v["T"], v["x_scale"], v["seed"], no_forget_gate=v["no_forget"]),
    "gru_update_gate": lambda v, g: __import__("core.scenarios.gru_update_gate", fromlist=["x"]).family(
        g, v["b_r"], v["w_scale"], v["H"], v["T"], v["x_scale"], v["seed"], leaky=v["leak"] or None),
}

def views(page: str) -> dict[str, dict[str, str]]:
    return {"defaults": {}, "heaviest": dict(parse_qsl(HEAVY.get(page, "")))}


def values(specs, query: dict[str, str]) -> dict:
    out = {}
    for s in specs:
        raw = query.get(s.key)
        out[s.key] = s.default if raw is None else s.parse(raw)
    return out


def family_seconds(page: str, query: dict[str, str], repeats: int) -> tuple[float, float]:
    specs, _ = page_controls(page)
    scrub = next(s for s in specs if isinstance(s, Scrub))
    v = values(specs, query)
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        FAMILIES[page](v, scrub.values)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def chart_bytes(page: str, query: dict[str, str]) -> int:
    specs, _ = page_controls(page)
    scrub = next(s for s in specs if isinstance(s, Scrub))
    el = scrub_chart(run_page(page, query=query), scrub.key)
    return sum(len(d.data.data) for d in el.proto.datasets) + len(el.proto.data.data)


def drag_ms(b, base: str, page: str, query: dict[str, str], steps: int) -> tuple[float, float, int]:
    specs, _ = page_controls(page)
    scrub = next(s for s in specs if isinstance(s, Scrub))
    grid = [scrub.to_url(x.item()) for x in scrub.values]
    i0 = scrub.index(scrub.default)
    walk = [grid[(i0 + 1 + k) % len(grid)] for k in range(steps)]       # step by step, as a hand does
    p = b.new_page(viewport={"width": 1280, "height": 720})
    try:
        url = f"{base}/{page}" + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        p.goto(url)
        settle(p)
        box = p.locator(f".vega-bindings input[name='scrub_{scrub.key}']")
        box.evaluate(DRAG, walk[:3])                                       # warm up
        got = box.evaluate(DRAG, walk)
    finally:
        p.close()
    ms = sorted(s["ms"] if s["painted"] else float("inf") for s in got)
    return statistics.median(ms), ms[int(0.9 * (len(ms) - 1))], sum(s["runs"] for s in got)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", nargs="*", default=["vanilla_rnn", "lstm_forget_gate", "gru_update_gate"])
    ap.add_argument("--steps", type=int, default=24)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    rows = []
    for page in a.pages:
        for view, query in views(page).items():
            wall, cpu = family_seconds(page, query, a.repeats)
            rows.append([page, view, wall, cpu, chart_bytes(page, query)])
    with serve(ROOT) as base, browser() as b:
        for row in rows:
            row += drag_ms(b, base, row[0], views(row[0])[row[1]], a.steps)
    print(f"{'page':18} {'view':9} {'family wall s':>13} {'CPU s':>6} {'chart KB':>9} {'drag median ms':>15} "
          f"{'p90 ms':>7} {'runs':>5}")
    for page, view, wall, cpu, nbytes, med, p90, runs in rows:
        print(f"{page:18} {view:9} {wall:13.2f} {cpu:6.2f} {nbytes / 1024:9.0f} {med:15.1f} {p90:7.1f} {runs:5d}")


if __name__ == "__main__":
    main()
