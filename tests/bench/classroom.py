"""A class on one link: ``python -m tests.bench.classroom --sessions 10 50 100 200 --seconds 120 [--json out.json]``.

N students, each a :class:`tests.bench.protocol.Session` (Streamlit's websocket protocol, no browser), in one asyncio
process, against a fresh ``streamlit run`` server per N (or ``--instances K`` behind haproxy, or ``--url``). Each
student, with its own seeded random generator:

1. opens one of the lecturer's slide links (a page with query parameters; most open the same one), within the
   first ``--ramp`` seconds;
2. presses a preset button of that page;
3. then, every ``--interval`` seconds on average (exponential think time after the page is drawn), changes a control
   (a slider, a segmented control or radio, a toggle, a number box, or an in-chart scrub: any widget the page
   drew), or now and then presses another preset, opens an explainer, switches to another page through its link,
   or changes the language.

``--follow``: the lecture case, a class that follows the lecturer. Every student opens the first slide link (or
``--link``) and then only presses that page's presets or moves its main control (:data:`FOLLOW`): the settings
the class needs are few, so the shared caches answer most runs.

Per rerun it records the time from the request to ``script_finished`` and what went wrong (an exception element,
a failed run, no answer within ``--timeout``, a connection lost for good); it samples the server's RSS and CPU
(``/proc``) every second, and the machine's other load, which it reports (this is a shared machine). Faults:
``--drop K`` students leave in the middle of a run (connection aborted), ``--malformed K`` clients send bytes
that are not Streamlit's protocol; every other student must still be served.

A/B: ``--variant NAME[:KEY=VALUE,...]`` (repeatable) runs each N once per variant, alternating (``--rounds``);
``app=DIR`` runs the app from another checkout (``git archive <commit> | tar -x -C DIR``), ``--section.option=V``
is a Streamlit option of the server (e.g. ``--runner.postScriptGC=false``), any other KEY=VALUE an environment
variable of the server (e.g. ``MALLOC_ARENA_MAX=2``). ``--instances`` is one too: ``inst=2``; ``presets=1`` warms
every page's presets up before the class arrives (``python -m deploy.cluster`` does).

Not a test: it prints a table (and ``--json``). Its tests run it briefly: tests/bench/test_classroom.py.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import websockets

from deploy.cluster import ROOT, cluster, cpu_seconds
from tests.bench.protocol import Rerun, Session
from tests.bench.widgets import Widget

# The lecturer's slide links (weight, page?query): a class mostly opens the one on the current slide.
LINKS: tuple[tuple[int, str], ...] = (
    (8, "vanilla_rnn?rho=1.5&x_scale=0.05"),
    (2, "vanilla_rnn?rho=0.6&lang=zh"),
    (2, "lstm_forget_gate?b_f=3"),
    (1, "relu_vs_tanh?rho=2&init=gaussian"),
    (1, "gru_update_gate?b_z=3"),
    (1, "gradient_clipping"),
    (1, "bidirectional_stacked?layers=8"),
    (1, "memory_race?T=200"),
)
# What a student does after thinking (weights): mostly move a control.
ACTIONS = {"change": 80, "preset": 8, "page": 6, "explain": 3, "settings": 3}
PRESS = re.compile(r"^_preset\.")  # buttons a student presses (not "run the race", not the sweep)
FOLLOW = {"preset": 6, "main": 4}  # --follow: presets and the page's main control only
MAIN_SHARE = 0.5  # of control changes that go to the page's main control (its scrub chart, else its first slider)


@dataclass
class Plan:
    sessions: int = 10
    seconds: float = 120
    interval: float = 10.0
    ramp: float = 10.0
    seed: int = 1
    timeout: float = 60.0
    links: tuple[tuple[int, str], ...] = LINKS
    drop: int = 0
    malformed: int = 0
    actions: tuple[tuple[str, int], ...] = tuple(ACTIONS.items())
    mirror: bool = False  # the browser bench's workload (tests/bench/load.py): see :func:`mirror_move`


# --- one student ---------------------------------------------------------------------------------------------------
def choose_link(rng: random.Random, links: Sequence[tuple[int, str]]) -> tuple[str, str]:
    link = rng.choices([u for _, u in links], weights=[w for w, _ in links])[0]
    path, _, query = link.partition("?")
    return path, query


def main_control(widgets: Sequence[Widget]) -> Widget | None:
    """The page's main control: its in-chart scrub if it has one, else its first slider in the main area."""
    main = [w for w in widgets if not w.sidebar and w.changeable]
    return next((w for w in main if w.kind == "chart"), None) or next((w for w in main if w.kind == "slider"), None)


def pick_change(s: Session, rng: random.Random) -> Widget | None:
    controls = [w for w in s.widgets.values() if not w.sidebar and w.changeable and w.kind != "expander"]
    main = main_control(controls)
    if main is not None and rng.random() < MAIN_SHARE:
        return main
    return rng.choice(controls) if controls else None


async def act(s: Session, rng: random.Random, actions: Sequence[tuple[str, int]] = tuple(ACTIONS.items())) \
        -> Rerun | None:
    """One action of a student on the drawn page (drawn from ``actions``, (name, weight) pairs); a control
    change when the page offers nothing for the action drawn."""
    action = rng.choices([a for a, _ in actions], weights=[w for _, w in actions])[0]
    ws = list(s.widgets.values())
    if action == "preset":
        buttons = [w for w in ws if w.kind == "button" and PRESS.match(w.key)]
        if buttons:
            return await s.press(rng.choice(buttons))
    elif action == "page":
        links = [lk for lk in s.links if lk.page_script_hash and lk.page_script_hash != s.page_hash]
        if links:
            return await s.switch(rng.choice(links))
    elif action == "explain":
        boxes = [w for w in ws if w.kind == "expander"]
        if boxes:
            w = rng.choice(boxes)
            return await s.change(w, w.other_value(rng), kind="explain")
    elif action == "main":
        w = main_control([w for w in ws if not w.sidebar and w.changeable and w.kind != "expander"])
        if w is not None:
            return await s.change(w, w.other_value(rng))
    elif action == "settings":
        lang = next((w for w in ws if w.sidebar and w.kind == "radio" and w.changeable), None)
        if lang is not None:
            return await s.change(lang, lang.other_value(rng), kind="settings")
    w = pick_change(s, rng)
    return None if w is None else await s.change(w, w.other_value(rng))


async def think(s: Session, seconds: float) -> None:
    """Wait ``seconds``, or until the connection drops (a browser notices at once and reconnects)."""
    try:
        await asyncio.wait_for(s.lost.wait(), seconds)
    except asyncio.TimeoutError:
        pass


def make_students(base: str, plan: Plan) -> list[tuple[Session, random.Random]]:
    """Every student's tab (on its slide link; with ``plan.mirror`` on the links in turn) and random generator,
    seeded by ``plan.seed`` and its number."""
    out = []
    for i in range(plan.sessions):
        rng = random.Random(f"{plan.seed}:{i}")
        path, query = (plan.links[i % len(plan.links)][1].partition("?")[::2] if plan.mirror
                       else choose_link(rng, plan.links))
        out.append((Session(base, path, query, name=f"s{i}", timeout=plan.timeout), rng))
    return out


async def mirror_move(s: Session, k: int) -> Rerun | None:
    """The browser bench's move: its first slider (the scrub's range input, on a page that has one) one step
    right, right, left, left, ... (arrow keys)."""
    w = main_control(list(s.widgets.values()))
    if w is None:
        return None
    if w.kind == "chart":
        name, fld = w.selection
        cur = json.loads(w.value)["selection"][name][0][fld] if w.value else w.default
    else:
        cur = w.value[0]
    cur = w.lo if cur is None else cur
    v = min(max(cur + (w.step if k % 4 < 2 else -w.step), w.lo), w.hi)
    v = int(round(v)) if w.is_int else round(v, 10)
    if w.kind == "chart":
        return await s.change(w, json.dumps({"selection": {name: [{fld: v}]}}, separators=(",", ":")))
    return await s.change(w, [v])


async def student(s: Session, rng: random.Random, plan: Plan, t_end: float, *, leave: bool = False) -> Session:
    """One student's lecture (see the module doc); ``leave``: drops the connection in the middle of a run."""
    await asyncio.sleep(rng.uniform(0, plan.ramp))
    now = time.monotonic()
    leave_at = rng.uniform(now, now + (t_end - now) / 2) if leave else math.inf  # in the first half of its time
    try:
        await s.open()
        await think(s, rng.uniform(1, 4))
        buttons = [w for w in s.widgets.values() if w.kind == "button" and PRESS.match(w.key)]
        if buttons and not plan.mirror:
            await s.press(rng.choice(buttons))
        k = 0
        while True:
            await think(s, rng.expovariate(1 / plan.interval))
            now = time.monotonic()
            if now >= t_end:
                break
            if s.lost.is_set():
                await s.rerun("reconnect")
            elif now >= leave_at:
                w = pick_change(s, rng)
                await s.leave_mid_run(w, None if w is None else w.other_value(rng))
                break
            elif plan.mirror:
                await mirror_move(s, k)
                k += 1
            else:
                await act(s, rng, plan.actions)
    except Exception as e:  # noqa: BLE001 - a student's failure is a result, not a crash of the generator
        s.reruns.append(Rerun("crash", s.page, time.perf_counter(), status="lost", errors=[repr(e)]))
    finally:
        if not s.closed:
            await s.close()
    return s


# --- clients that do not speak the protocol ------------------------------------------------------------------------
MALFORMED = ("garbage", "text", "truncated", "framing")


async def malformed_client(base: str, kind: str, delay: float) -> dict:
    """Connect like a browser, then send bytes that are not a BackMsg (``kind`` in :data:`MALFORMED`); report
    how the server ended the connection (it must end this one and no other)."""
    await asyncio.sleep(delay)
    url = base.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
    out = {"kind": kind, "closed": False, "code": None}
    try:
        async with websockets.connect(url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], origin=base,
                                      ping_interval=None, open_timeout=30, close_timeout=5) as ws:
            if kind == "garbage":
                await ws.send(os.urandom(64))
            elif kind == "text":
                await ws.send("hello, this is text, not protobuf")
            elif kind == "truncated":
                await ws.send(b"\x22\x40\x0a\x05")  # a rerun_script field announcing 64 bytes, then 2
            else:
                ws.transport.write(b"\xff\xff\xff\xff not a websocket frame at all \x00" * 4)
            try:
                await asyncio.wait_for(ws.wait_closed(), 30)
            except asyncio.TimeoutError:
                pass
            out["closed"] = ws.state.name == "CLOSED"
            out["code"] = ws.close_code
    except Exception as e:  # noqa: BLE001
        out["error"] = repr(e)
        out["closed"] = True
    return out


# --- the server's resources ----------------------------------------------------------------------------------------
CLK = os.sysconf("SC_CLK_TCK")


def proc_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (and of its waited-for children); 0 when it is gone."""
    return cpu_seconds(pid, children=True) or 0.0


def machine_busy_s() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    with open("/proc/stat", encoding="ascii") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + vals[4]
    return (sum(vals) - idle) / CLK, sum(vals) / CLK


@dataclass
class Sample:
    t: float
    rss_mb: float  # all server processes
    cpu_s: float  # their CPU seconds so far
    gen_cpu_s: float  # this generator's
    busy_s: float  # the whole machine's
    total_s: float


def sample(pids: Sequence[int]) -> Sample:
    busy, total = machine_busy_s()
    return Sample(time.monotonic(), sum(proc_rss_mb(p) for p in pids), sum(proc_cpu_s(p) for p in pids),
                  proc_cpu_s(os.getpid()), busy, total)


async def sampler(pids: Sequence[int], out: list[Sample], every: float = 1.0) -> None:
    while True:
        out.append(sample(pids))
        await asyncio.sleep(every)


def cpu_percent(a: Sample, b: Sample) -> dict[str, float]:
    """CPU use between two samples, in % of one core: server(s), this generator, everything else."""
    dt = max(b.t - a.t, 1e-9)
    ncpu = (b.total_s - a.total_s) / dt or os.cpu_count() or 1
    machine = 100 * (b.busy_s - a.busy_s) / dt
    server, gen = 100 * (b.cpu_s - a.cpu_s) / dt, 100 * (b.gen_cpu_s - a.gen_cpu_s) / dt
    return {"server": server, "generator": gen, "other": max(machine - server - gen, 0.0), "cores": ncpu}


# --- one run and its numbers ---------------------------------------------------------------------------------------
def pct(xs: Sequence[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


@dataclass
class Result:
    sessions: int
    seconds: float
    variant: str = ""
    instances: int = 1
    reruns: int = 0
    rate: float = 0.0
    status: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    p50: float = float("nan")
    p95: float = float("nan")
    p99: float = float("nan")
    max: float = float("nan")
    open_p50: float = float("nan")
    open_p95: float = float("nan")
    rss_idle: float = 0.0
    rss_open: float = 0.0
    rss_peak: float = 0.0
    rss_end: float = 0.0
    mb_per_session: float = 0.0
    cpu: dict = field(default_factory=dict)
    cpu_ms: float = float("nan")  # server CPU per rerun (opens included)
    mb_sent: float = 0.0
    exceptions: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # the first few: student, action, page and URL
    reconnects: int = 0
    per_instance: dict = field(default_factory=dict)
    malformed: list = field(default_factory=list)
    left: int = 0
    sticky: bool = True
    slow: dict = field(default_factory=dict)  # reruns over SLOW s: how many, by action and page, and when

    @property
    def bad(self) -> int:
        return sum(v for k, v in self.status.items() if k != "ok")


SLOW = 1.0  # s: issue 16's p95 target; the reruns above it are what p95 is made of


def summarise(sessions: Sequence[Session], samples: Sequence[Sample], idle: Sample, plan: Plan,
              t0: float, t1: float) -> Result:
    runs = [r for s in sessions for r in s.reruns if r.status != "abandoned"]
    ok = [r.latency for r in runs if r.status == "ok" and r.kind != "open"]
    opens = [r.latency for r in runs if r.status == "ok" and r.kind == "open"]
    res = Result(plan.sessions, plan.seconds, reruns=len(runs))
    res.rate = len([r for r in runs if r.kind != "open"]) / max(t1 - t0, 1e-9)
    res.status = dict(Counter(r.status for r in runs))
    res.kinds = dict(Counter(r.kind for r in runs))
    if ok:
        res.p50, res.p95, res.p99, res.max = pct(ok, 50), pct(ok, 95), pct(ok, 99), max(ok)
    if opens:
        res.open_p50, res.open_p95 = pct(opens, 50), pct(opens, 95)
    res.rss_idle = idle.rss_mb
    res.rss_open = next((s.rss_mb for s in samples if s.t >= t0), idle.rss_mb)  # when the ramp ended
    res.rss_peak = max([s.rss_mb for s in samples] or [idle.rss_mb])
    res.rss_end = samples[-1].rss_mb if samples else idle.rss_mb
    res.mb_per_session = (res.rss_peak - res.rss_idle) / max(plan.sessions, 1)
    window = [s for s in samples if t0 <= s.t <= t1] or list(samples)
    if len(window) >= 2:
        res.cpu = cpu_percent(window[0], window[-1])
    if samples and runs:  # CPU seconds per rerun: what a rerun costs, however busy the machine is otherwise
        res.cpu_ms = 1e3 * (samples[-1].cpu_s - idle.cpu_s) / len(runs)
    res.mb_sent = sum(r.bytes for r in runs) / 1e6
    res.exceptions = sorted({e for r in runs for e in r.exceptions})[:10]
    res.errors = sorted({e for r in runs for e in r.errors})[:10]
    res.failures = [f"{s.name} {r.kind} {r.what} on {r.page}?{r.query}: {r.status}; before: "
                    + " > ".join(f"{x.kind} {x.what}" for x in s.reruns[max(0, k - 4):k])
                    for s in sessions for k, r in enumerate(s.reruns) if r.status not in ("ok", "abandoned")][:10]
    res.reconnects = sum(s.reconnects for s in sessions)
    res.per_instance = dict(Counter(r.instance for r in runs if r.instance))
    res.left = sum(1 for s in sessions if any(r.status == "abandoned" for r in s.reruns))
    res.slow = slow_reruns([r for r in runs if r.status == "ok" and r.kind != "open"],
                           min((r.sent for r in runs), default=0.0))
    res.sticky = all(len({i for i in s.instances if i}) <= 1 for s in sessions if not s.reconnects)
    return res


def slow_reruns(runs: Sequence[Rerun], t0: float) -> dict:
    """The reruns slower than :data:`SLOW`: their share, the (action, page, control) they came from (most first),
    and when they were sent (by 30 s after ``t0``, the first request), to see what a p95 above the target is made
    of."""
    slow = [r for r in runs if r.latency > SLOW]
    return {"share": len(slow) / max(len(runs), 1),
            "by": dict(Counter(f"{r.kind} {r.page} {r.what}".strip() for r in slow).most_common(8)),
            "when": dict(sorted(Counter(f"{30 * int((r.sent - t0) // 30)}s" for r in slow).items(),
                                key=lambda kv: int(kv[0][:-1])))}


async def run_load(base: str, plan: Plan, pids: Sequence[int] = (), *, extra=None) -> tuple[Result, list[Session]]:
    """Run the class against ``base``; ``pids``: the server processes to sample. ``extra``: an optional coroutine
    function ``extra(sessions)`` run alongside the students (fault injection by tests: it sees every tab)."""
    samples: list[Sample] = []
    idle = sample(pids)
    task = asyncio.create_task(sampler(pids, samples))
    t0 = time.monotonic()
    t_end = t0 + plan.ramp + plan.seconds
    rng = random.Random(plan.seed)
    leavers = set(rng.sample(range(plan.sessions), min(plan.drop, plan.sessions)))
    students = make_students(base, plan)
    sessions = [s for s, _ in students]
    coros = [student(s, r, plan, t_end, leave=i in leavers) for i, (s, r) in enumerate(students)]
    bad = [malformed_client(base, MALFORMED[k % len(MALFORMED)], rng.uniform(plan.ramp, plan.ramp + plan.seconds / 2))
           for k in range(plan.malformed)]
    side = [asyncio.create_task(extra(sessions))] if extra else []
    done = await asyncio.gather(*coros, *bad, *side)
    malformed = done[len(coros):len(coros) + len(bad)]
    t1 = min(time.monotonic(), t_end)
    task.cancel()
    samples.append(sample(pids))
    res = summarise(sessions, samples, idle, plan, t0 + plan.ramp, t1)
    res.malformed = list(malformed)
    return res, sessions


@dataclass
class Variant:
    name: str = ""
    app: Path = ROOT
    env: dict = field(default_factory=dict)
    extra: list = field(default_factory=list)
    instances: int | None = None
    presets: bool = False  # warm every page's presets up too (python -m deploy.cluster does), not only its defaults


def parse_variant(text: str) -> Variant:
    """``NAME[:KEY=VALUE,...]``: ``app=DIR`` (the app's checkout), ``inst=K`` (instances behind haproxy),
    ``presets=1`` (the instances warm their pages' presets up: ``python -m deploy.cluster`` does),
    ``--section.option=VALUE`` (a Streamlit option of the server), anything else an environment variable."""
    name, _, rest = text.partition(":")
    v = Variant(name)
    for kv in filter(None, rest.split(",")):
        k, _, val = kv.partition("=")
        if k == "app":
            v.app = Path(val).resolve()
        elif k == "inst":
            v.instances = int(val)
        elif k == "presets":
            v.presets = val not in ("0", "")
        elif k.startswith("--"):
            v.extra += [k, val]
        else:
            v.env[k] = val
    return v


def run_one(plan: Plan, variant: str = "", instances: int = 1, url: str | None = None,
            pids: Sequence[int] = ()) -> Result:
    v = parse_variant(variant)
    n = v.instances or instances
    if url:
        res, _ = asyncio.run(run_load(url, plan, pids))
    else:
        with cluster(n, proxy=n > 1, app_dir=v.app, env=v.env, extra=v.extra, presets=v.presets) as c:
            time.sleep(2)  # let the fresh servers settle before the idle sample
            res, _ = asyncio.run(run_load(c.url, plan, c.pids))
    res.variant, res.instances = v.name, n
    return res


# --- printing --------------------------------------------------------------------------------------------------------
HEAD = (f"{'variant':<10}{'N':>5}{'inst':>5}{'reruns':>8}{'/s':>6}{'bad':>5}{'p50':>7}{'p95':>7}{'p99':>7}"
        f"{'max':>7}{'open p95':>9}{'RSS idle':>9}{'peak':>7}{'MB/sess':>8}{'srv CPU':>8}{'ms/run':>7}{'gen':>6}"
        f"{'other':>6}")


def row(r: Result) -> str:
    ms = lambda x: f"{1e3 * x:.0f}" if x == x else "-"  # noqa: E731
    cpu = r.cpu or {}
    return (f"{r.variant or '-':<10}{r.sessions:>5}{r.instances:>5}{r.reruns:>8}{r.rate:>6.1f}{r.bad:>5}"
            f"{ms(r.p50):>7}{ms(r.p95):>7}{ms(r.p99):>7}{ms(r.max):>7}{ms(r.open_p95):>9}{r.rss_idle:>9.0f}"
            f"{r.rss_peak:>7.0f}{r.mb_per_session:>8.1f}{cpu.get('server', 0):>7.0f}%{r.cpu_ms:>7.0f}"
            f"{cpu.get('generator', 0):>5.0f}%{cpu.get('other', 0):>5.0f}%")


def markdown(results: Sequence[Result]) -> str:
    """The results as a Markdown table (for the README)."""
    ms = lambda x: f"{1e3 * x:.0f}" if x == x else "–"  # noqa: E731
    lines = ["| variant | N | instances | reruns/s | failed / lost / unanswered | p50 | p95 | p99 ms | open p95 ms | "
             "RSS idle → peak MB | MB/session | server CPU | CPU ms/rerun | other load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        cpu = r.cpu or {}
        bad = "/".join(str(r.status.get(k, 0)) for k in ("failed", "lost", "unanswered"))
        lines.append(f"| {r.variant or '–'} | {r.sessions} | {r.instances} | {r.rate:.1f} | {bad} | {ms(r.p50)} | "
                     f"{ms(r.p95)} | {ms(r.p99)} | {ms(r.open_p95)} | {r.rss_idle:.0f} → {r.rss_peak:.0f} | "
                     f"{r.mb_per_session:.1f} | {cpu.get('server', 0):.0f}% | {ms(r.cpu_ms / 1e3)} | "
                     f"{cpu.get('other', 0):.0f}% |")
    return "\n".join(lines)


def details(r: Result) -> str:
    lines = [f"  over {SLOW:g} s: {100 * r.slow.get('share', 0):.1f} % of reruns, by {r.slow.get('by')}, "
             f"sent at {r.slow.get('when')}",
             f"  statuses {r.status}; actions {r.kinds}; {r.mb_sent:.0f} MB sent; reconnects {r.reconnects}; "
             f"RSS when all had opened {r.rss_open:.0f} MB; end {r.rss_end:.0f} MB"]
    if r.per_instance:
        lines.append(f"  reruns per instance {r.per_instance}; every session on one instance: {r.sticky}")
    if r.left or r.malformed:
        lines.append(f"  left mid-run: {r.left}; malformed clients: {[(m['kind'], m['code']) for m in r.malformed]}")
    lines += [f"  exception shown: {e}" for e in r.exceptions] + [f"  error: {e}" for e in r.errors]
    lines += [f"  failed: {f}" for f in r.failures]
    return "\n".join(lines)


def knee(results: Sequence[Result], limit: float = 2.0) -> str:
    """The smallest N whose p95 exceeds ``limit`` seconds (interpolated from the previous N), per variant."""
    out = []
    for v in dict.fromkeys(r.variant for r in results):
        rs = sorted((r for r in results if r.variant == v), key=lambda r: r.sessions)
        for a, b in zip([None, *rs], rs, strict=False):
            if b.p95 > limit:
                if a is None or not a.p95 < limit:
                    out.append(f"{v or 'knee'}: p95 > {limit:g} s already at N = {b.sessions}")
                else:
                    n = a.sessions + (limit - a.p95) * (b.sessions - a.sessions) / (b.p95 - a.p95)
                    out.append(f"{v or 'knee'}: p95 crosses {limit:g} s at N ≈ {n:.0f} "
                               f"(between {a.sessions} and {b.sessions})")
                break
        else:
            out.append(f"{v or 'knee'}: p95 stays under {limit:g} s up to N = {rs[-1].sessions}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[10])
    ap.add_argument("--seconds", type=float, default=120, help="after the ramp")
    ap.add_argument("--interval", type=float, default=10.0, help="mean think time between actions (s)")
    ap.add_argument("--ramp", type=float, default=10.0, help="students open the link within this many seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=60.0, help="a rerun not finished by then is unanswered")
    ap.add_argument("--link", action="append", help="page?query to open (repeatable; default: the slide links)")
    ap.add_argument("--drop", type=int, default=0, help="students who leave in the middle of a run")
    ap.add_argument("--malformed", type=int, default=0, help="clients that send bytes that are not the protocol")
    ap.add_argument("--mirror", action="store_true",
                    help="the browser bench's workload (tests/bench/load.py): pages in turn, first slider +-1 step")
    ap.add_argument("--follow", action="store_true",
                    help="the lecture case: one link, then presets and the main control only (see the module doc)")
    ap.add_argument("--instances", type=int, default=1, help="app instances (more than 1: behind haproxy)")
    ap.add_argument("--url", help="an already running app or proxy (no fresh server; RSS/CPU only with --pid)")
    ap.add_argument("--pid", type=int, nargs="*", default=[], help="server pids to sample with --url")
    ap.add_argument("--variant", action="append", default=[], help="NAME[:app=DIR,ENV=VALUE,...] (A/B)")
    ap.add_argument("--rounds", type=int, default=1, help="repeat the variants alternately (A B A B ...)")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--markdown", type=Path, help="print the results of this JSON file as a Markdown table, and exit")
    a = ap.parse_args(argv)
    if a.markdown:
        rows = json.loads(a.markdown.read_text(encoding="utf-8"))
        print(markdown([Result(**{k: v for k, v in r.items() if k in Result.__dataclass_fields__}) for r in rows]))
        return
    links = tuple((1, u) for u in a.link) if a.link else LINKS[:1] if a.follow else LINKS
    if a.mirror and not a.link:
        from ui.registry import available

        links = tuple((1, p.id) for p in available())
    results: list[Result] = []
    print(HEAD, flush=True)
    for n in a.sessions:
        for _ in range(a.rounds):
            for v in a.variant or [""]:
                plan = Plan(n, a.seconds, a.interval, a.ramp, a.seed, a.timeout, links, a.drop, a.malformed,
                            actions=tuple((FOLLOW if a.follow else ACTIONS).items()), mirror=a.mirror)
                r = run_one(plan, v, a.instances, a.url, a.pid)
                results.append(r)
                print(row(r), flush=True)
                print(details(r), flush=True)
    if len(a.sessions) > 1:
        print(knee(results))
    for v in dict.fromkeys(r.variant for r in results):
        rs = [r for r in results if r.variant == v]
        print(f"{v or 'all'}: median p95 {1e3 * statistics.median(r.p95 for r in rs):.0f} ms over {len(rs)} run(s)")
    if a.json:
        a.json.write_text(json.dumps([asdict(r) for r in results], indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
