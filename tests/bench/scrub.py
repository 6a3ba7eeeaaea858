"""Scrub benchmark (issue 14): ``python -m tests.bench.scrub [--steps 25] [--pages vanilla_rnn ...]``.

For every page with a scrub (its main control drawn inside the main chart), at its default view and at its
heaviest settings (``tests.bench.latency.heaviest``), in one run with the bare one-slider page:

- drag step -> painted main chart: an input event on the in-chart slider (what a hand's move sends) to the
  first animation frame whose canvas differs; median over ``--steps`` moves, and how many script runs started
  during the drag (the target is none);
- release -> page redrawn: from the last move to the end of the run Streamlit starts when the hand stops (its
  selection debounce, 150 ms, included) plus two painted frames, against the bare page's key press -> redraw
  (median of ``--releases``: after the drag, then after single moves to values the page has not run at);
- family on a cache miss: a run of the page with every cache cleared minus a warm rerun (AppTest, in-process, on
  the same session; the page's learned family cost kept, as on a server that has been up): what the student waits
  for, the stride of the family it drew (``ui.progressive``: 1 whole, c every c-th member first) and when the
  whole family was there (median of ``--miss-repeats``; ``--miss-only`` measures only this, without a browser);
- ``--change PAGE SCRUB CONTROL V1,V2,...``: only the miss a student meets most, one control moved to new values
  on a warm server (a new session at each value, minus one at the same value once cached);
- family data: bytes of the main chart's datasets (what a student's browser downloads once per setting).

Not a test: it prints a table (and writes JSON with --json). The machine's load moves every number; compare
ratios measured in the same run.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl

from tests.bench.latency import BARE_APP, heaviest, measure, medians, settle
from tests.browser_utils import browser, serve
from ui.i18n import translate
from ui.registry import ROOT, available
from ui.scrub import Scrub

# One move per call: dispatch, then wait for the canvas to change (ms), counting runs started meanwhile.
STEP = """async ([name, value]) => {
  const input = document.querySelector(`.vega-bindings input[name='${name}']`);
  const app = document.querySelector("[data-testid='stApp']");
  const src = input.closest('[data-testid=stVegaLiteChart]').querySelector('canvas');
  const c = document.createElement('canvas'); c.width = 96; c.height = 48;
  const g = c.getContext('2d');
  const sig = () => { g.drawImage(src, 0, 0, 96, 48); const d = g.getImageData(0, 0, 96, 48).data;
                      let h = 0; for (let i = 0; i < d.length; i += 4) h = (h * 31 + d[i] + d[i + 1]) | 0; return h; };
  window.__runs = window.__runs || 0;
  if (!window.__watch) {
    window.__watch = new MutationObserver(() => {
      if (app.getAttribute('data-test-script-state') === 'running') window.__runs++; });
    window.__watch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  }
  const before = sig();
  const t0 = performance.now();
  input.value = value; input.dispatchEvent(new Event('input', {bubbles: true}));
  window.__released = performance.now();
  return await new Promise(done => { const tick = () => {
      if (sig() !== before) done(performance.now() - t0);
      else if (performance.now() - t0 > 5000) done(-1); else requestAnimationFrame(tick); };
    requestAnimationFrame(tick); });
}"""
# From the last move: the run the release causes has started and ended, and two frames were painted (ms).
RELEASE = """() => new Promise(done => {
  const app = document.querySelector("[data-testid='stApp']");
  let seen = false;
  const poll = () => {
    const state = app.getAttribute('data-test-script-state');
    if (!seen && state === 'running') seen = true;
    if (seen && state === 'notRunning')
      requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - window.__released)));
    else if (performance.now() - window.__released > 30000) done(-1); else setTimeout(poll, 2);
  };
  poll();
})"""


# The floor of a release: one small chart whose line follows a bound point selection (as the pages' scrubs), its
# value handed to the script on release (on_select="rerun"), which writes it: Streamlit's selection debounce
# (150 ms after the last input event) plus one run and a repaint, with nothing else on the page.
BARE_SCRUB_APP = '''
import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

x = np.arange(50)
df = pd.DataFrame({"i": np.repeat(np.arange(101), 50), "x": np.tile(x, 101)})
df["y"] = np.sin(df["x"] / 8 + df["i"] / 10)
sel = alt.selection_point(name="scrub", fields=["v"], value=[{"v": 50}], on="click[false]", clear=False,
                          bind=alt.binding_range(min=0, max=100, step=1, name="v"))
chart = alt.Chart(df).mark_line().encode(x="x", y="y").add_params(sel).transform_filter("datum.i == scrub_v")
chart.usermeta = {"embedOptions": {"renderer": "canvas"}}                 # as the pages' charts
event = st.altair_chart(chart, on_select="rerun", key="chart")
st.write(event.selection)
'''
BARE_SCRUB = Scrub("v", default=50, lo=0, hi=100, step=1)


# A scrub drawn in a part of its page that is not open at first: (page, scrub) -> (the tabs' state key, the label's
# i18n key). The browser opens that tab by clicking it; AppTest by setting the state.
IN_TAB = {("gradient_clipping", "train_at"): ("_gradient_clipping.part", "gradient_clipping.tab.training"),
          ("bidirectional_stacked", "residual"): ("_bidirectional_stacked.part", "bidirectional_stacked.tab.stack")}


def scrub_pages() -> dict[str, list]:
    """Every page's scrubs (a page in parts may have one per part)."""
    from tests.apptest_utils import page_controls
    from ui.scrub import Scrub

    out = {}
    for p in available():
        specs, _ = page_controls(p.id)
        found = [s for s in specs if isinstance(s, Scrub)]
        if found:
            out[p.id] = found
    return out


def drag(b, url: str, spec, steps: int, releases: int = 1) -> tuple[list[float], int, float]:
    """Move the slider ``steps`` times (back and forth around the start); returns step times, runs during the
    drag, and release -> redrawn (the median of ``releases``: after the drag, then after single moves to values
    the page has not run at)."""
    page = b.new_page(viewport={"width": 1280, "height": 720})
    page.goto(url)
    settle(page)
    coarse = page.get_by_text(translate("en", "common.coarse", step="")[:30])
    for _ in range(60):                        # the drag of a whole family (a coarse one first: see the miss)
        if coarse.count() == 0:
            break
        page.wait_for_timeout(1000)
        page.reload()
        settle(page)
    from tests.e2e.test_scrub_browser import open_part

    name = f"scrub_{spec.key}"
    box = open_part(page, spec)                                 # its chart may be in a tab that is not open
    start = spec.index(float(box.input_value()))
    n = spec.index(float(box.get_attribute("max"))) + 1         # the chart may show part of the grid
    span = max(1, min(8, n // 3))
    sign = 1 if start + span < n else -1                      # away from the end the view starts at
    path = [start + sign * (k % (2 * span) if k % (2 * span) <= span else 2 * span - k % (2 * span))
            for k in range(1, steps + 3)]
    times = []
    for i, k in enumerate(path):
        ms = page.evaluate(STEP, [name, spec.to_url(spec.values[k].item())])
        if i >= 2 and ms > 0:   # two warm-up moves
            times.append(ms)
    runs = page.evaluate("() => window.__runs")
    release = [page.evaluate(RELEASE)]
    fresh = [k for k in range(n) if k not in set(path)]          # values the page has not run at yet
    for k in fresh[::max(1, len(fresh) // max(1, releases - 1))][:releases - 1]:
        page.evaluate(STEP, [name, spec.to_url(spec.values[k].item())])
        release.append(page.evaluate(RELEASE))
    page.close()
    return times, runs, statistics.median(release)


def part_state(pid: str, key: str) -> dict | None:
    """Session state that opens the part of page ``pid`` whose scrub is ``key`` (None: it is open at first)."""
    tab = IN_TAB.get((pid, key))
    return {tab[0]: translate("en", tab[1])} if tab else None


def cache_miss(pid: str, query: dict, key: str) -> dict:
    """A run of the page with every cache cleared (imports, widgets and the page's learned family cost warm: a
    server that has been up), on the same AppTest as the warm rerun it is compared with (a new AppTest costs
    0.2-0.3 s of its own). Returns the run's extra wall and CPU seconds over a warm rerun (``miss_s``,
    ``miss_cpu_s``: what the student waits for), the stride of the family it drew (1: whole, c: every c-th member,
    ``ui.progressive``), the seconds until the whole family was there (``whole_s``, = miss_s when it was drawn
    whole) and the dataset bytes of the chart of scrub ``key`` as drawn."""
    import streamlit as st

    from tests.apptest_utils import run_page, visible_texts
    from ui import progressive

    state = part_state(pid, key)
    at = run_page(pid, query=query, state=state)                # imports, widgets, the family's cost: warm
    progressive.wait()
    at.run()
    st.cache_data.clear()
    st.cache_resource.clear()
    progressive.clear(rates=False)
    w0, c0 = time.perf_counter(), time.process_time()
    at.run()
    cold_w, cold_c = time.perf_counter() - w0, time.process_time() - c0
    coarse = next((t for t in visible_texts(at) if t.startswith(translate("en", "common.coarse", step="")[:30])), None)
    charts = [el for el in at.get("vega_lite_chart") if f".{key}.chart." in el.proto.id]
    size = sum(len(ds.data.data) for el in charts for ds in el.proto.datasets)
    progressive.wait()
    whole_w = time.perf_counter() - w0
    w0, c0 = time.perf_counter(), time.process_time()
    at.run()
    warm_w, warm_c = time.perf_counter() - w0, time.process_time() - c0
    stride = 1
    if coarse is not None:
        step = next(s for s in scrub_pages()[pid] if s.key == key).step
        stride = round(float(coarse.split("steps of ")[1].split(" ")[0]) / step)
    return {"miss_s": cold_w - warm_w, "miss_cpu_s": cold_c - warm_c, "stride": stride,
            "whole_s": (whole_w - warm_w) if coarse else cold_w - warm_w, "family_kb": size / 1024}


def change_miss(pid: str, key: str, control: str, values: list[str], base: dict | None = None) -> list[float]:
    """The miss a student meets most: one control moved to a value nobody has run yet, on a warm server (every
    other computation of the page cached). Per value: a new session's first run at it, minus a new session's
    first run at it once everything is cached (its whole family too). Seconds, one per value. ``base``: the page's
    other settings (query parameters; its defaults if None)."""
    from tests.apptest_utils import run_page
    from ui import progressive

    state, base = part_state(pid, key), dict(base or {})
    run_page(pid, query=base, state=state)                       # the page at those settings: warm
    progressive.wait()
    out = []
    for value in values:
        query = base | {control: value}
        w0 = time.perf_counter()
        run_page(pid, query=query, state=state)
        cold = time.perf_counter() - w0
        progressive.wait()
        run_page(pid, query=query, state=state)                  # draws the whole family, if it came later
        w0 = time.perf_counter()
        run_page(pid, query=query, state=state)
        out.append(cold - (time.perf_counter() - w0))
    return out


def median_miss(found: list[dict]) -> dict:
    """The miss whose wait is the median of several (its other numbers with it)."""
    return sorted(found, key=lambda r: r["miss_s"])[(len(found) - 1) // 2]


def misses(pages: list[str], repeats: int = 1) -> list[dict]:
    """Only the cache misses (no browser): ``--miss-only``; the median of ``repeats`` misses each."""
    specs = scrub_pages()
    rows = []
    for pid, spec in [(p, s) for p in pages if p in specs for s in specs[p]]:
        for label, query in (("default", ""), ("heaviest", heaviest(pid, spec.key))):
            if label == "heaviest" and not query:
                continue
            q = dict(parse_qsl(query))
            q.pop(spec.key, None)
            r = median_miss([cache_miss(pid, q, spec.key) for _ in range(repeats)])
            rows.append({"page": pid if len(specs[pid]) == 1 else f"{pid}:{spec.key}", "view": label} | r)
            print(f"{rows[-1]['page']:<32}{label:<10} miss {r['miss_s']:6.2f} s (cpu {r['miss_cpu_s']:5.2f}),"
                  f" stride {r['stride']}, whole family after {r['whole_s']:6.2f} s, {r['family_kb']:6.0f} KB",
                  flush=True)
    return rows


def run(pages: list[str], steps: int, repeats: int, releases: int = 5, miss_repeats: int = 3) -> list[dict]:
    specs = scrub_pages()
    pages = [p for p in pages if p in specs]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, browser() as b:
        (Path(tmp) / "bare.py").write_text(BARE_APP, encoding="utf-8")
        (Path(tmp) / "bare_scrub.py").write_text(BARE_SCRUB_APP, encoding="utf-8")
        with serve(Path(tmp), "bare.py") as bare_base:
            bare_before = medians(measure(b, bare_base + "/", repeats))[0]
            with serve(Path(tmp), "bare_scrub.py") as scrub_base:
                floor = drag(b, scrub_base + "/", BARE_SCRUB, steps, releases)
            with serve(ROOT) as base:
                for pid, spec in [(p, s) for p in pages for s in specs[p]]:
                    for label, query in (("default", ""), ("heaviest", heaviest(pid, spec.key))):
                        if label == "heaviest" and not query:
                            continue
                        times, runs, release = drag(b, f"{base}/{pid}?{query}", spec, steps, releases)
                        q = dict(parse_qsl(query))
                        q.pop(spec.key, None)
                        page_name = pid if len(specs[pid]) == 1 else f"{pid}:{spec.key}"
                        rows.append({"page": page_name, "view": label, "step_ms": statistics.median(times),
                                     "step_p90_ms": sorted(times)[int(0.9 * (len(times) - 1))], "runs": runs,
                                     "release_ms": release}
                                    | median_miss([cache_miss(pid, q, spec.key) for _ in range(miss_repeats)]))
            bare_after = medians(measure(b, bare_base + "/", repeats))[0]
    bare = (bare_before + bare_after) / 2
    print(f"bare scrub page (one small chart, its value written on release): drag step "
          f"{statistics.median(floor[0]):.1f} ms, release -> redrawn {floor[2]:.0f} ms ({floor[2] / bare:.2f}x bare)")
    print(f"bare page key press -> redraw: {bare:.0f} ms (before {bare_before:.0f}, after {bare_after:.0f});"
          f" targets: step <= 0.2x bare and <= 2 frames (33 ms), release <= 2x bare, no run while dragging,"
          f" miss <= 0.3 s default / 1.5 s heaviest, data <= 1 MB default / 3 MB heaviest")
    print(f"{'page':<32}{'view':<10}{'step ms':>8}{'p90':>6}{'/bare':>7}{'runs':>5}{'release ms':>11}{'/bare':>7}"
          f"{'/floor':>7}{'miss s':>8}{'cpu s':>7}{'stride':>7}{'whole s':>8}{'data KB':>9}")
    for r in rows:
        r |= {"bare_ms": bare, "floor_release_ms": floor[2], "step_ratio": r["step_ms"] / bare,
              "release_ratio": r["release_ms"] / bare, "release_floor_ratio": r["release_ms"] / floor[2]}
        print(f"{r['page']:<32}{r['view']:<10}{r['step_ms']:>8.1f}{r['step_p90_ms']:>6.0f}{r['step_ratio']:>7.2f}"
              f"{r['runs']:>5}{r['release_ms']:>11.0f}{r['release_ratio']:>7.2f}{r['release_floor_ratio']:>7.2f}"
              f"{r['miss_s']:>8.2f}{r['miss_cpu_s']:>7.2f}{r['stride']:>7}{r['whole_s']:>8.2f}{r['family_kb']:>9.0f}")
    return rows


def main():
    ap = argparse.ArgumentParser(description="in-chart scrub: drag step, release, cache miss and data per page")
    ap.add_argument("--pages", nargs="*", default=[p.id for p in available()])
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--repeats", type=int, default=9, help="bare page key presses")
    ap.add_argument("--releases", type=int, default=5, help="releases per view (median)")
    ap.add_argument("--miss-repeats", type=int, default=3, help="cache misses per view (median)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--miss-only", action="store_true", help="only the cache misses (in-process, no browser)")
    ap.add_argument("--change", nargs=4, metavar=("PAGE", "SCRUB", "CONTROL", "VALUES"),
                    help="only the miss of moving CONTROL (comma-separated VALUES) on PAGE's part with SCRUB, warm")
    ap.add_argument("--base", default="", help="with --change: the page's other settings, e.g. cell=lstm&gain=1")
    a = ap.parse_args()
    if a.change:
        pid, key, control, values = a.change
        found = change_miss(pid, key, control, values.split(","), dict(parse_qsl(a.base)))
        print(f"{pid} {control} -> new value, warm page: miss median {statistics.median(found):.3f} s "
              f"({', '.join(f'{x:.3f}' for x in found)})")
        return
    rows = (misses(a.pages, a.miss_repeats) if a.miss_only
            else run(a.pages, a.steps, a.repeats, a.releases, a.miss_repeats))
    if a.json:
        a.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
