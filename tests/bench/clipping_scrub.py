"""Page 5's scrubs, measured: ``python -m tests.bench.clipping_scrub [--steps 40] [--skip-browser]``.

1. A new family on a cache miss: part A's descents from all 251 starts
   (``core.scenarios.gradient_clipping.paths_family``) and their packed chart rows (what the page caches), then
   what every run does with them (the chart built and converted for Streamlit), at the page's defaults and at
   its heaviest settings (100 descent steps). Part B's family is the two training runs themselves (no extra
   computation).
2. The data each scrubbed chart sends (the sum of its Arrow datasets, from AppTest's chart protos).
3. In headless Chromium, drag step -> painted chart (input events on the chart's range input, as
   tests/e2e/test_scrub_browser.py does): median ms per step for page 1's rho (the reference), page 5's w0 and
   page 5's replay step; and part A's chart alone on a bare page with its 2500-cell surface against the same
   chart with a 4-cell surface (what the heat map costs a drag step). A step during which a script run started
   (the hand paused longer than Streamlit's 150 ms selection debounce: a busy machine) is left out; ``n`` says
   how many steps were kept.

Not a test: it prints a table (and JSON with --json).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import ui.blas  # noqa: F401  (one BLAS thread, as in the app)
from core.family import grid
from core.scenarios import gradient_clipping as gc
from ui.registry import ROOT

W0 = grid(-10.0, 15.0, 0.1)
SETTINGS = {  # part A: defaults, and the heaviest (most descent steps; gap and lr keep every path alive)
    "defaults": {"gap": -6.0, "below": False, "lr": 0.1, "steps": 40, "max_norm": 1.0, "clip_value": 1.0},
    "heaviest": {"gap": -9.0, "below": False, "lr": 1.0, "steps": 100, "max_norm": 0.05, "clip_value": 0.05},
}
QUERY = {"defaults": {}, "heaviest": {"gap": "-9", "lr": "1", "steps": "100", "max_norm": "0.05",
                                      "clip_value": "0.05"}}
TAB = "_gradient_clipping.part"

# A bare page with part A's scrubbed chart only, its surface sampled on a GRID x GRID grid (?grid=50 or 2).
CHART_APP = '''
import streamlit as st
import ui.blas  # noqa: F401
from core.family import grid
from core.scenarios import gradient_clipping as gc
from ui.charts.family_paths import family_paths
from ui.charts.render import to_streamlit
from ui.charts.scrub import ScrubParam

n = int(st.query_params.get("grid", 50))
W0 = grid(-10.0, 15.0, 0.1)
fam = st.cache_data(gc.paths_family)(W0)
surf = gc.surface(5.0, 7.0, -4.0, -2.5, n=n)
chart = family_paths(surf["log_E"], x_values=surf["w"], y_values=surf["b"],
                     paths={r: (fam[r]["w"], fam[r]["b"]) for r in ("none", "norm", "value")},
                     scrub=ScrubParam("w0", -10.0, 15.0, 0.1, 6.0, "w0"), notes=[f"{w:.1f}" for w in W0],
                     height=520)
st.vega_lite_chart(to_streamlit(chart), on_select="rerun", selection_mode=["scrub"], key="c", width="stretch")
'''

# Resolves with the ms from each input event to the first animation frame whose chart canvas differs.
TIMED_DRAG = """async (input, values) => {
  const src = input.closest('[data-testid=stVegaLiteChart]').querySelector('canvas');
  const c = document.createElement('canvas'); c.width = 96; c.height = 48;
  const g = c.getContext('2d');
  const sig = () => { g.drawImage(src, 0, 0, 96, 48); const d = g.getImageData(0, 0, 96, 48).data;
                      let h = 0; for (let i = 0; i < d.length; i++) h = (h * 31 + d[i]) | 0; return h; };
  const app = document.querySelector("[data-testid='stApp']");
  const out = [];
  for (const v of values) {
    const before = sig();
    await new Promise(r => requestAnimationFrame(() => r()));
    const t0 = performance.now();
    input.value = v; input.dispatchEvent(new Event('input', {bubbles: true}));
    const dt = await new Promise(done => {
      const tick = () => { if (sig() !== before) done(performance.now() - t0);
                           else if (performance.now() - t0 > 5000) done(-1); else requestAnimationFrame(tick); };
      requestAnimationFrame(tick); });
    out.push([dt, app.getAttribute('data-test-script-state')]);
  }
  return out;
}"""


# One move, then nothing (the hand stopped): ms until the run Streamlit starts (after its 150 ms selection
# debounce) has ended and two more frames were painted.
RELEASE = """async (input, value) => {
  const app = document.querySelector("[data-testid='stApp']");
  const t0 = performance.now();
  input.value = value; input.dispatchEvent(new Event('input', {bubbles: true}));
  return await new Promise(done => { let seen = false; const poll = () => {
      const state = app.getAttribute('data-test-script-state');
      if (!seen && state === 'running') seen = true;
      if (seen && state === 'notRunning')
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
      else if (performance.now() - t0 > 30000) done(-1); else setTimeout(poll, 2); };
    poll(); });
}"""
# Moves the slider through ``values`` and waits two animation frames after each (Vega has redrawn by then).
CPU_DRAG = """async (input, values) => {
  for (const v of values) {
    input.value = v; input.dispatchEvent(new Event('input', {bubbles: true}));
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())));
  }
}"""


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - t0))
    return statistics.median(times)


def server_side(repeats: int) -> dict:
    """ms per setting: a cache miss (the family from core and its packed chart rows, what the page caches), and
    what every run does with them (the chart built and converted for Streamlit)."""
    from ui.charts.family_paths import family_paths, pack_paths
    from ui.charts.render import to_streamlit
    from ui.charts.scrub import ScrubParam

    surf = gc.surface(5.0, 7.0, -4.0, -2.5, n=50)
    rules = ("none", "norm", "value")
    out = {}
    for name, kw in SETTINGS.items():
        args = (kw["gap"], kw["below"], kw["lr"], kw["steps"], kw["max_norm"], kw["clip_value"])

        def miss(a=args):
            fam = gc.paths_family(W0, *a)
            return fam, pack_paths({r: (fam[r]["w"], fam[r]["b"]) for r in rules})
        fam, packed = miss()
        scrub = ScrubParam("w0", -10.0, 15.0, 0.1, 6.0, "w0")

        def build(packed=packed):
            to_streamlit(family_paths(surf["log_E"], x_values=surf["w"], y_values=surf["b"], paths=packed,
                                      scrub=scrub, notes=[f"{w:.1f}" for w in W0], height=520))
        out[name] = {"family_ms": _median_ms(lambda a=args: gc.paths_family(W0, *a), repeats),
                     "miss_ms": _median_ms(miss, repeats), "chart_ms": _median_ms(build, repeats)}
    return out


def chart_bytes() -> dict:
    """Arrow bytes of each scrubbed chart (AppTest), per setting."""
    from tests.apptest_utils import run_page, scrub_chart
    from ui.i18n import translate

    out = {}
    for name, query in QUERY.items():
        at = run_page("gradient_clipping", query=query)
        out[f"w0 {name}"] = sum(len(d.data.data) for d in scrub_chart(at, "w0").proto.datasets)
    for name, query in {"defaults": {}, "heaviest": {"train_steps": "200", "T": "60"}}.items():
        at = run_page("gradient_clipping", query=query,
                      state={TAB: translate("en", "gradient_clipping.tab.training")})
        out[f"train_at {name}"] = sum(len(d.data.data) for d in scrub_chart(at, "train_at").proto.datasets)
    return out


def _drag(b, url: str, name: str, values: list[str], tab: int | None = None) -> dict:
    """Wall-clock ms from each drag step to the painted chart, and the browser main thread's CPU ms per step
    (Chrome's TaskDuration in thread time, so other processes on the machine do not count)."""
    from tests.e2e.test_pages_browser import settle

    page = b.new_page(viewport={"width": 1280, "height": 720})
    page.goto(url)
    settle(page)
    if tab is not None:
        page.get_by_role("tab").nth(tab).click()
        settle(page)
    box = page.locator(f".vega-bindings input[name='scrub_{name}']")
    box.wait_for(state="attached", timeout=60000)
    page.wait_for_timeout(500)
    steps = box.evaluate(TIMED_DRAG, values)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})

    def task_ms():
        return 1e3 * next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]
                          if m["name"] == "TaskDuration")
    release = []
    for v in values[:8]:                                        # one move, then the hand stops: the run it causes
        page.wait_for_timeout(400)
        if box.input_value() != v:
            release.append(box.evaluate(RELEASE, v))
    cpu = {}
    for label, seq in (("idle", [values[0]] * len(values)), ("drag", values)):
        box.evaluate(CPU_DRAG, [values[0]])
        page.wait_for_timeout(300)
        t0 = task_ms()
        box.evaluate(CPU_DRAG, seq)
        cpu[label] = (task_ms() - t0) / len(seq)
    page.close()
    # a step that took longer than Streamlit's selection debounce (150 ms) lets a run start: left out
    return {"wall": [dt for dt, state in steps if dt >= 0 and state == "notRunning"],
            "cpu_ms": cpu["drag"] - cpu["idle"], "release": [ms for ms in release if ms > 0]}


def browser_side(n: int) -> dict:
    """Median ms from a drag step to the painted chart."""
    from tests.browser_utils import browser, serve

    def there_and_back(values):
        seq = (values + values[::-1]) * (n // (2 * len(values)) + 1)
        return seq[:n]

    rho = there_and_back([f"{0.5 + 0.05 * k:.2f}".rstrip("0").rstrip(".") for k in range(1, 21)])
    w0 = there_and_back([f"{4.5 + 0.1 * k:.1f}".rstrip("0").rstrip(".") for k in range(1, 31)])
    step = there_and_back([str(k) for k in range(60, 140, 4)])
    out = {}
    with browser() as b:
        with serve(ROOT) as base:
            out["page 1 rho"] = _drag(b, f"{base}/vanilla_rnn", "rho", rho)
            out["page 5 w0"] = _drag(b, f"{base}/gradient_clipping", "w0", w0)
            out["page 5 train_at"] = _drag(b, f"{base}/gradient_clipping", "train_at", step, tab=1)
            out["page 1 rho (again)"] = _drag(b, f"{base}/vanilla_rnn", "rho", rho)
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "chart.py").write_text(CHART_APP, encoding="utf-8")
            os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
            with serve(Path(tmp), "chart.py") as base:
                out["w0 chart, 2500 cells"] = _drag(b, f"{base}/?grid=50", "w0", w0)
                out["w0 chart, 4 cells"] = _drag(b, f"{base}/?grid=2", "w0", w0)
                out["w0 chart, 2500 cells (again)"] = _drag(b, f"{base}/?grid=50", "w0", w0)
        bare = _bare_key_press(b)
    rows = {k: {"median_ms": statistics.median(v["wall"]), "p90_ms": sorted(v["wall"])[int(0.9 * (len(v["wall"]) - 1))],
                "n": len(v["wall"]), "cpu_ms": v["cpu_ms"],
                "release_ms": statistics.median(v["release"]) if v["release"] else float("nan")}
            for k, v in out.items()}
    return {**rows, "bare page": {"key_press_ms": bare}}


def _bare_key_press(b) -> float:
    """The bare one-slider page's key press -> redraw (tests.bench.latency), median ms."""
    from tests.bench.latency import BARE_APP, measure, medians
    from tests.browser_utils import serve

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "bare.py").write_text(BARE_APP, encoding="utf-8")
        with serve(Path(tmp), "bare.py") as base:
            return medians(measure(b, base + "/", 9))[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="server-side timings per setting")
    ap.add_argument("--steps", type=int, default=40, help="drag steps per chart")
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = {"server": server_side(args.repeats), "bytes": chart_bytes()}
    if not args.skip_browser:
        result["browser"] = browser_side(args.steps)
    for name, r in result["server"].items():
        print(f"part A, {name:8s}: a cache miss {r['miss_ms']:5.0f} ms (core's family {r['family_ms']:5.0f} ms), "
              f"the chart on every run {r['chart_ms']:4.0f} ms")
    for name, size in result["bytes"].items():
        print(f"chart data {name:20s}: {size / 1e6:5.2f} MB")
    browser = dict(result.get("browser", {}))
    bare = browser.pop("bare page", {}).get("key_press_ms")
    if bare:
        print(f"bare one-slider page, key press -> redrawn: {bare:.0f} ms")
    for name, r in browser.items():
        print(f"{name:28s}: drag step -> painted median {r['median_ms']:5.1f} ms (p90 {r['p90_ms']:5.1f}, "
              f"{r['n']} steps), browser CPU {r['cpu_ms']:4.1f} ms/step; release -> redrawn {r['release_ms']:5.0f} ms"
              + (f" = {r['release_ms'] / bare:.1f}x bare" if bare else ""))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
