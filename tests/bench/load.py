"""Lecture-hall load: ``python -m tests.bench.load [--sessions 10] [--seconds 60] [--interval 0]``.

Opens N browser sessions on the real app (spread over every page), moves a slider in each of them for the
given time (a key press per session in turn, as fast as the server answers; with ``--interval S``, a press
per session every S seconds on average, after its page has finished its run), and samples the server's
memory (``--warm``: after one session has opened every page, the imports and default views a server pays
once, whatever the class size). Afterwards every session must have finished its last run with no exception
on the page. Prints completed reruns, peak RSS, and the RSS growth per session. Not a test: it reports numbers.

Every rerun is also timed the way the protocol load generator (``tests.bench.classroom``) times it: from the
``rerun_script`` frame Chromium sends to the ``script_finished`` frame it receives (browser timestamps, read
through the DevTools protocol). ``python -m tests.bench.classroom --mirror --sessions 10 --interval S`` runs the
same workload without browsers: the cross-check of the two (README, "A class on one link").
"""
from __future__ import annotations

import argparse
import base64
import random
import subprocess
import sys
import threading
import time
import urllib.request

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.bench.classroom import proc_cpu_s
from tests.browser_utils import CHROMIUM, CHROMIUM_ARGS, _free_port
from ui.registry import ROOT, available


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples, self.running = pid, every, [], True

    def run(self):
        while self.running:
            self.samples.append((time.time(), rss_mb(self.pid)))
            time.sleep(self.every)


class ExternalServer:
    """A server this bench did not start (``--url``/``--pid``): nothing to terminate."""

    def __init__(self, pid: int):
        self.pid = pid

    def terminate(self):
        pass

    def wait(self, timeout=None):
        pass

    kill = terminate


class RunTimer:
    """Rerun latencies of one tab from its websocket frames (DevTools ``Network.webSocketFrame*`` events):
    a ``rerun_script`` sent, then a ``new_session`` (the run started), then ``script_finished`` (done)."""

    DONE = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
            ForwardMsg.FINISHED_WITH_COMPILE_ERROR)

    def __init__(self, cdp):
        self.latencies: list[float] = []
        self.sent: float | None = None
        self.started = False
        cdp.on("Network.webSocketFrameSent", self._sent)
        cdp.on("Network.webSocketFrameReceived", self._received)
        cdp.send("Network.enable")

    @property
    def idle(self) -> bool:
        return self.sent is None

    @staticmethod
    def _payload(params) -> bytes | None:
        frame = params["response"]
        return base64.b64decode(frame["payloadData"]) if frame.get("opcode") == 2 else None

    def _sent(self, params):
        data = self._payload(params)
        if data is not None:
            msg = BackMsg()
            msg.ParseFromString(data)
            if msg.WhichOneof("type") == "rerun_script":
                self.sent, self.started = params["timestamp"], False

    def _received(self, params):
        data = self._payload(params)
        if self.sent is None or data is None or len(data) > 4096:  # lifecycle messages are small
            return
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.started = True
        elif kind == "script_finished" and self.started and msg.script_finished in self.DONE:
            self.latencies.append(params["timestamp"] - self.sent)
            self.sent = None


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round((len(xs) - 1) * q / 100))] if xs else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--interval", type=float, default=0.0,
                    help="mean seconds between a tab's presses, counted from its last run's end (0: no pause)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--url", help="a running server (with --pid) instead of a fresh one: e.g. shared with "
                                  "tests.bench.classroom --url, both timing the same server")
    ap.add_argument("--pid", type=int, help="the pid of the --url server (RSS and CPU)")
    ap.add_argument("--warm", action="store_true",
                    help="first one session opens every page (imports, default views cached), then the N sessions: "
                         "also prints the growth per session over that warm server")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    if a.url:
        proc, base = ExternalServer(a.pid), a.url.rstrip("/")
    else:
        port = _free_port()
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless",
                                 "true", "--server.port", str(port), "--server.address", "127.0.0.1",
                                 "--server.fileWatcherType", "none"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.2)
    idle = rss_mb(proc.pid)
    sampler = Sampler(proc.pid)
    sampler.start()
    pages = [p.id for p in available()]
    try:
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm = None
            if a.warm:                          # what the first visitor costs once, whatever N
                ctx = b.new_context(viewport={"width": 1280, "height": 720})
                tab = ctx.new_page()
                for pid in pages:
                    tab.goto(f"{base}/{pid}")
                    tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
                        state="attached", timeout=120000)
                    tab.wait_for_timeout(1000)
                ctx.close()
                time.sleep(2)
                warm = rss_mb(proc.pid)
            tabs, timers = [], []
            for i in range(a.sessions):
                ctx = b.new_context(viewport={"width": 1280, "height": 720})   # one session each
                tab = ctx.new_page()
                timers.append(RunTimer(ctx.new_cdp_session(tab)))
                tab.goto(f"{base}/{pages[i % len(pages)]}")
                tabs.append(tab)
            for tab in tabs:
                tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
                    state="attached", timeout=120000)
            for t in timers:
                t.latencies.clear()  # the first runs: page loads, not slider moves
            after_open = rss_mb(proc.pid)
            cpu0 = (time.time(), proc_cpu_s(proc.pid))
            presses, t_end = 0, time.time() + a.seconds
            rng = random.Random(a.seed)
            due = [time.time() + rng.expovariate(1 / a.interval) if a.interval else 0.0 for _ in tabs]
            waiting = [None] * len(tabs)  # (time of the press, runs timed before it) until its run has finished
            moves = [0] * len(tabs)
            while time.time() < t_end:
                for i, tab in enumerate(tabs):
                    if a.interval and (waiting[i] is not None or time.time() < due[i]):
                        continue
                    slider = tab.get_by_role("slider").first
                    slider.focus()
                    tab.keyboard.press("ArrowRight" if (moves[i] + (0 if a.interval else i)) % 4 < 2 else "ArrowLeft")
                    moves[i] += 1
                    presses += 1
                    waiting[i] = (time.time(), len(timers[i].latencies))
                tabs[0].wait_for_timeout(50 if not a.interval else 20)
                for i, t in enumerate(timers):  # the think time starts when the press's run has finished
                    w = waiting[i]
                    if a.interval and w is not None and (len(t.latencies) > w[1] and t.idle or time.time() > w[0] + 60):
                        waiting[i] = None
                        due[i] = time.time() + rng.expovariate(1 / a.interval)
            cpu1 = (time.time(), proc_cpu_s(proc.pid))
            errors = 0
            for tab in tabs:
                tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
                    state="attached", timeout=120000)
                tab.wait_for_timeout(500)
                errors += tab.get_by_test_id("stException").count()
            b.close()
    finally:
        sampler.running = False
        sampler.join()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:      # still draining queued reruns
            proc.kill()
            proc.wait()
    peak = max(r for _, r in sampler.samples)
    lat = [x for t in timers for x in t.latencies]
    print(f"sessions {a.sessions} on {len(pages)} pages, {a.seconds:.0f} s, {presses} slider presses "
          f"({presses / a.seconds:.1f}/s), exceptions on pages after the run: {errors}")
    print(f"reruns timed {len(lat)}: request -> script_finished p50 {1e3 * pct(lat, 50):.0f} ms, "
          f"p95 {1e3 * pct(lat, 95):.0f} ms, p99 {1e3 * pct(lat, 99):.0f} ms; server CPU "
          f"{100 * (cpu1[1] - cpu0[1]) / (cpu1[0] - cpu0[0]):.0f}% of a core")
    print(f"server RSS: idle {idle:.0f} MB, after opening {after_open:.0f} MB, peak {peak:.0f} MB, "
          f"growth per session {(peak - idle) / a.sessions:.1f} MB")
    if warm is not None:
        print(f"warm server (one session opened every page first): {warm:.0f} MB; growth per session over it "
              f"{(peak - warm) / a.sessions:.1f} MB")


if __name__ == "__main__":
    main()
