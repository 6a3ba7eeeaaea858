"""Server-side cost per page: ``python -m tests.bench.server [--repeats 9]``.

For every page: the median AppTest rerun time after moving its first slider between two values (both
cached, so this is the page's own cost: widgets, chart building, serialisation), the same at the heaviest
settings, the first (uncached) run of the heaviest view, and the bytes of chart data the page sends
(the Arrow datasets of all its charts). Also the cold start: server launch to the first page fully
drawn in Chromium. Not a test: it prints numbers.
"""
from __future__ import annotations

import argparse
import statistics
import time

from tests.apptest_utils import control_value, page_controls, release_scrub, run_page
from tests.bench.latency import HEAVY, settle
from ui.controls import Slider
from ui.registry import ROOT, available
from ui.scrub import Scrub


def chart_bytes(at) -> int:
    total = 0
    for el in at.get("vega_lite_chart"):
        total += sum(len(d.data.data) for d in el.proto.datasets) + len(el.proto.data.data)
    return total


def widget(at, key: str):
    """The widget of a Slider spec: a slider, or a number box (``SNumber`` draws one)."""
    try:
        return at.slider(key=key)
    except KeyError:
        return at.number_input(key=key)


def rerun_ms(page: str, query: dict, repeats: int) -> tuple[float, float, int]:
    """The page's main control moved between two values: for a scrub, the run after the hand lets go (the
    chart's selection), else a slider's change."""
    specs, _ = page_controls(page)
    s = next(s for s in specs if isinstance(s, Slider))
    t0 = time.perf_counter()
    at = run_page(page, query=query)
    first = 1e3 * (time.perf_counter() - t0)
    base = control_value(at, page, s)
    other = s.lo if base != s.lo else s.hi
    if isinstance(s, Scrub):
        def step(i):
            release_scrub(at, s.key, other if i % 2 == 0 else base)
    else:
        def step(i):
            widget(at, s.key).set_value(other if i % 2 == 0 else base)
            at.run()
    return median_run(step, repeats), first, chart_bytes(at)


def median_run(step, repeats: int) -> float:
    """Median ms of ``step(i)`` (a move and the run it causes), two warm-up runs left out."""
    times = []
    for i in range(repeats + 2):
        t = time.perf_counter()
        step(i)
        times.append(1e3 * (time.perf_counter() - t))
    return statistics.median(times[2:])


def bare_rerun_ms(repeats: int) -> float:
    """The same for the benchmark's bare page (one slider, one small chart): this machine's floor."""
    import tempfile
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from tests.bench.latency import BARE_APP

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare.py").write_text(BARE_APP, encoding="utf-8")
        at = AppTest.from_file(str(Path(tmp) / "bare.py")).run()
        return median_run(lambda i: at.slider(key="v").set_value(10 if i % 2 == 0 else 60).run(), repeats)


def cold_start() -> float:
    from tests.browser_utils import browser, serve

    t0 = time.time()
    with serve(ROOT) as base, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{base}/vanilla_rnn")
        settle(page)
        return time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--pages", nargs="*", default=[p.id for p in available()])
    a = ap.parse_args()
    print(f"bare page (one slider, one small chart): {bare_rerun_ms(a.repeats):.0f} ms per rerun")
    print(f"{'page':<24}{'rerun ms':>9}{'heavy rerun':>12}{'heavy first':>12}{'chart KB':>9}")
    for pid in a.pages:
        d, _, kb = rerun_ms(pid, {}, a.repeats)
        heavy = dict(kv.split("=") for kv in HEAVY.get(pid, "").split("&") if kv)
        h, hf, _ = rerun_ms(pid, heavy, a.repeats) if heavy else (float("nan"), float("nan"), 0)
        print(f"{pid:<24}{d:>9.0f}{h:>12.0f}{hf:>12.0f}{kb / 1024:>9.1f}")
    print(f"cold start (server launch to /vanilla_rnn fully drawn in Chromium): {cold_start():.1f} s")


if __name__ == "__main__":
    main()
