"""Browser latency benchmark: ``python -m tests.bench.latency [--repeats 15] [--pages vanilla_rnn ...]``.

For every page, at its default view and at its heaviest settings, the median time from a slider key
press (ArrowRight on the first slider) to the finished redraw: the script run has started and ended
and the browser has painted two more frames. A bare Streamlit page (one slider, one small chart) is
measured in the same run on its own server (before and after the pages; the mean of the two medians), and
the table gives page / bare. A second reference, "floor", is the same bare page drawing as many small charts
as the page draws (``?charts=N``): what Streamlit and Vega cost for that many charts whatever they show, so
page / floor is the part the pages' own content adds. A third, "frame floor", adds ``FRAME_ELEMENTS`` lines of
plain text to that (a demo page has about as many other elements: sidebar, header, presets, controls, metric
tiles, expanders). Not a test: it prints numbers (and writes them as JSON with --json).
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from tests.browser_utils import browser, serve
from ui.registry import ROOT, available

BARE_APP = '''
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

v = st.slider("value", 0, 100, 50, key="v")
x = np.arange(50)
for i in range(int(st.query_params.get("elements", 0))):
    st.markdown(f"static text **{i}**")
for i in range(int(st.query_params.get("charts", 1))):
    st.altair_chart(alt.Chart(pd.DataFrame({"x": x, "y": np.sin(x / 8 + v / 10 + i)})).mark_line().encode(x="x", y="y"))
'''

FRAME_ELEMENTS = 64  # page 1 draws 68 elements besides its charts (AppTest's element tree)

# The heaviest view each page offers (slider maximums, the slowest cell).
HEAVY = {
    "vanilla_rnn": "H=128&T=300&rho=1.0",
    "relu_vs_tanh": "H=64&T=300&rho=4.5",
    "lstm_forget_gate": "H=64&T=300",
    "gru_update_gate": "H=64&T=300",
    "gradient_clipping": "steps=100&lr=1&gap=-9&max_norm=0.05&clip_value=0.05",
    "bidirectional_stacked": "cell=lstm&H=64&layers=8&T=100",
    "memory_race": "T=200",  # the longest stored race: 6000 steps, 301 evaluations per cell
}
# A part of a page with controls of its own: its heaviest view (the query above sets the other part's).
HEAVY_PART = {
    ("gradient_clipping", "train_at"): "cell=lstm&T=60&train_steps=200",     # two LSTM runs of 200 steps
    ("bidirectional_stacked", "residual"): "stack_cell=lstm&stack_H=64&layers=8&T=100",
}


def heaviest(page: str, scrub: str | None = None) -> str:
    """The heaviest view's query for ``page`` (for the part of the page that ``scrub`` belongs to)."""
    return HEAVY_PART.get((page, scrub), HEAVY.get(page, ""))

# Resolves with ms from the next keydown to two painted frames after the run that key caused has ended.
ARM = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  const state = () => app.getAttribute('data-test-script-state');
  window.__lat = new Promise(resolve => {
    document.addEventListener('keydown', () => {
      const t0 = performance.now();
      let seenRun = false, tRun = -1;
      const poll = () => {
        if (!seenRun && state() === 'running') { seenRun = true; tRun = performance.now() - t0; }
        if (seenRun && state() === 'notRunning') {
          const tEnd = performance.now() - t0;
          requestAnimationFrame(() => requestAnimationFrame(() =>
            resolve([performance.now() - t0, tRun, tEnd])));
        } else if (performance.now() - t0 > 20000) { resolve([-1, -1, -1]); } else { setTimeout(poll, 2); }
      };
      poll();
    }, {once: true, capture: true});
  });
}"""


def settle(page, timeout_ms=60000):
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout_ms)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stSkeleton]').length === 0",
                           timeout=timeout_ms)
    page.wait_for_timeout(300)


def measure(b, url: str, repeats: int, charts: list | None = None) -> list[tuple[float, float, float, float]]:
    """Key presses on the first slider: ArrowRight then ArrowLeft alternately (the view stays near the start).

    One tuple per press (ms): total, key press to run start, the run (start to end), run end to painted.
    """
    page = b.new_page(viewport={"width": 1280, "height": 720})
    page.goto(url)
    settle(page)
    if charts is not None:
        charts.append(page.locator("[data-testid=stVegaLiteChart]:visible").count())
    slider = page.get_by_role("slider").first
    times = []
    for i in range(repeats + 2):          # two warm-up presses
        page.evaluate(ARM)
        slider.focus()
        page.keyboard.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        total, t_run, t_end = page.evaluate("() => window.__lat")
        settle(page)
        if i >= 2 and total > 0:
            times.append((total, t_run, t_end - t_run, total - t_end))
    page.close()
    return times


def medians(samples: list[tuple[float, ...]]) -> tuple[float, ...]:
    """Median of each column (total, key to run, run, paint)."""
    return tuple(statistics.median(col) for col in zip(*samples, strict=True))


def run(pages: list[str], repeats: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, browser() as b:
        (Path(tmp) / "bare.py").write_text(BARE_APP, encoding="utf-8")
        with serve(Path(tmp), "bare.py") as bare_base:
            bare_before = medians(measure(b, bare_base + "/", repeats))
            t0 = time.time()
            with serve(ROOT) as base:
                cold = time.time() - t0
                for pid in pages:
                    for label, query in (("default", ""), ("heaviest", HEAVY.get(pid, ""))):
                        if label == "heaviest" and not query:
                            continue
                        n_charts = []
                        med, to_run, run_ms, paint = medians(measure(b, f"{base}/{pid}?{query}", repeats, n_charts))
                        rows.append({"page": pid, "view": label, "median_ms": med, "charts": n_charts[0],
                                     "target": 1.3 if label == "default" else 2.0,
                                     "to_run_ms": to_run, "run_ms": run_ms, "paint_ms": paint})
            counts = sorted({r["charts"] for r in rows})
            floors = {n: medians(measure(b, f"{bare_base}/?charts={n}", repeats))[0] for n in counts}
            frames = {n: medians(measure(b, f"{bare_base}/?charts={n}&elements={FRAME_ELEMENTS}", repeats))[0]
                      for n in counts}
            bare_after = medians(measure(b, bare_base + "/", repeats))
    bare = (bare_before[0] + bare_after[0]) / 2
    for r in rows:
        r |= {"bare_ms": bare, "ratio": r["median_ms"] / bare, "floor_ms": floors[r["charts"]],
              "floor_ratio": floors[r["charts"]] / bare, "frame_floor_ratio": frames[r["charts"]] / bare}
    print(f"server start (launch to healthy): {cold:.2f} s;  bare page: {bare:.0f} ms (before {bare_before[0]:.0f}, "
          f"after {bare_after[0]:.0f}; key to run {bare_before[1]:.0f}, run {bare_before[2]:.0f}, "
          f"paint {bare_before[3]:.0f})")
    print("floor: the bare page with N small charts: " + ", ".join(f"N={n}: {ms:.0f} ms ({ms / bare:.2f}x)"
                                                                  for n, ms in floors.items()))
    print(f"frame floor: the same plus {FRAME_ELEMENTS} lines of text: "
          + ", ".join(f"N={n}: {ms:.0f} ms ({ms / bare:.2f}x)" for n, ms in frames.items()))
    print(f"{'page':<24}{'view':<10}{'median ms':>10}{'bare ms':>9}{'ratio':>7}{'target':>8}  ok"
          f"{'charts':>8}{'floor':>7}{'frame':>7}{'key>run':>9}{'run':>6}{'paint':>7}")
    for r in rows:
        ok = "yes" if r["ratio"] <= r["target"] else "NO "
        print(f"{r['page']:<24}{r['view']:<10}{r['median_ms']:>10.0f}{r['bare_ms']:>9.0f}{r['ratio']:>7.2f}"
              f"{r['target']:>8.1f}  {ok}{r['charts']:>8}{r['floor_ratio']:>6.2f}x{r['frame_floor_ratio']:>6.2f}x"
              f"{r['to_run_ms']:>8.0f}"
              f"{r['run_ms']:>6.0f}{r['paint_ms']:>7.0f}")
    return rows


def main():
    ap = argparse.ArgumentParser(description="slider-to-redraw latency per page vs a bare Streamlit page")
    ap.add_argument("--pages", nargs="*", default=[p.id for p in available()])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    rows = run(a.pages, a.repeats)
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
