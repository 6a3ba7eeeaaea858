"""Lecture-hall load: ``python -m tests.bench.load [--sessions 10] [--seconds 60]``.

Opens N browser sessions on the real app (spread over every page), moves a slider in each of them for the
given time (a key press per session in turn, as fast as the server answers), and samples the server's
memory. Afterwards every session must have finished its last run with no exception on the page. Prints
completed reruns, peak RSS, and the RSS growth per session. Not a test: it reports numbers.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
import urllib.request

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
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
            tabs = []
            for i in range(a.sessions):
                ctx = b.new_context(viewport={"width": 1280, "height": 720})   # one session each
                tab = ctx.new_page()
                tab.goto(f"{base}/{pages[i % len(pages)]}")
                tabs.append(tab)
            for tab in tabs:
                tab.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
                    state="attached", timeout=120000)
            after_open = rss_mb(proc.pid)
            presses, t_end, k = 0, time.time() + a.seconds, 0
            while time.time() < t_end:
                for i, tab in enumerate(tabs):
                    slider = tab.get_by_role("slider").first
                    slider.focus()
                    tab.keyboard.press("ArrowRight" if (k + i) % 4 < 2 else "ArrowLeft")
                    presses += 1
                k += 1
                tabs[0].wait_for_timeout(50)
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
    print(f"sessions {a.sessions} on {len(pages)} pages, {a.seconds:.0f} s, {presses} slider presses "
          f"({presses / a.seconds:.1f}/s), exceptions on pages after the run: {errors}")
    print(f"server RSS: idle {idle:.0f} MB, after opening {after_open:.0f} MB, peak {peak:.0f} MB, "
          f"growth per session {(peak - idle) / a.sessions:.1f} MB")


if __name__ == "__main__":
    main()
