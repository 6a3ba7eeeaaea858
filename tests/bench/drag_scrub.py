"""Drag step -> painted main chart, in headless Chromium, for scrubbed charts (issue 14's target: median <= ~33 ms).

    python -m tests.bench.drag_scrub                         # page 1 and page 6 (both parts), defaults and heaviest
    python -m tests.bench.drag_scrub --repeats 5 "/vanilla_rnn:rho" "/bidirectional_stacked?T=100:residual"

A case is ``<url>:<scrub key>``; the slider is looked for on the page and, if it is not there, in each tab. Each
step sets the range input to the next grid value (an ``input`` event, as a hand does) and waits, frame by frame,
for the chart's canvas to change (the e2e test's DRAG script); the time from the event to the first frame that
shows it is the step's time.
The values sweep the slider's range up and down (every grid value, at most 24 distinct values). No script may run
during the steps (the count is printed). The machine's load changes the numbers: compare cases of one run.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from tests.browser_utils import browser, serve
from tests.e2e.test_pages_browser import settle
from tests.e2e.test_scrub_browser import DRAG
from ui.registry import ROOT

LONG = "the movie that my friends kept recommending for weeks was , to my great surprise , terribly exciting ! and then"
CASES = [
    "/vanilla_rnn:rho",
    "/vanilla_rnn?T=300&H=128:rho",
    "/bidirectional_stacked:focus",
    f"/bidirectional_stacked?text={LONG.replace(' ', '+')}+it+ended+too+soon:focus",   # 24 words, the most
    "/bidirectional_stacked:residual",
    "/bidirectional_stacked?layers=8&stack_cell=lstm&stack_H=64&T=100:residual",
]
def find_slider(page, key: str):
    """The scrub's range input, opening tabs one by one until it is there."""
    box = page.locator(f".vega-bindings input[name='scrub_{key}']")
    tabs = page.get_by_role("tab")
    for i in range(tabs.count() + 1):
        if box.count():
            return box.first
        if i < tabs.count():
            tabs.nth(i).click()
            settle(page)
    raise RuntimeError(f"no slider scrub_{key} on {page.url}")


def sweep_values(box, most: int = 24) -> list[str]:
    """Grid values of the input, spelled as the input reports them, up and down its range."""
    lo, hi, step = (float(box.get_attribute(a)) for a in ("min", "max", "step"))
    n = int(round((hi - lo) / step)) + 1
    idx = sorted({round(k * (n - 1) / (min(n, most) - 1)) for k in range(min(n, most))}) if n > 1 else [0]
    vals = box.evaluate("(i, vs) => { const was = i.value; const out = vs.map(v => { i.value = v; return i.value; });"
                        " i.value = was; return out; }", [str(lo + k * step) for k in idx])
    out = vals[1:] + vals[::-1][1:]
    return [v for i, v in enumerate(out) if i == 0 or v != out[i - 1]]


def measure(base: str, b, case: str, repeats: int) -> dict:
    url, _, key = case.rpartition(":")
    page = b.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(base + url)
        settle(page)
        box = find_slider(page, key)
        values = sweep_values(box)
        times, runs = [], 0
        for _ in range(repeats):
            steps = box.evaluate(DRAG, values)
            times += [st["ms"] for st in steps if st["painted"]]
            runs += sum(st["runs"] for st in steps)
            page.wait_for_timeout(1500)                  # the release's rerun, off the clock
            settle(page)
        return {"case": case, "steps": len(times), "median": statistics.median(times),
                "p90": sorted(times)[int(0.9 * (len(times) - 1))], "runs": runs}
    finally:
        page.close()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", default=CASES)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    with serve(ROOT) as base, browser() as b:
        print(f"{'case':<70} {'steps':>5} {'median':>8} {'p90':>8} {'runs':>5}")
        for case in args.cases:
            m = measure(base, b, case, args.repeats)
            shown = case if len(case) <= 70 else case[:40] + "…" + case[-29:]
            print(f"{shown:<70} {m['steps']:>5} {m['median']:>6.1f}ms {m['p90']:>6.1f}ms {m['runs']:>5}", flush=True)
    print(f"({time.strftime('%Y-%m-%d %H:%M')}, load average {open('/proc/loadavg').read().split()[0]})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
