"""Several app instances behind Debian's haproxy, each browser session sticky to its instance.

    python -m deploy.cluster --instances 2 --port 8080         # N instances on 8501.. + haproxy on :8080
    python -m deploy.cluster --instances 4 --print-config      # only the haproxy.cfg for 4 instances
    python -m deploy.cluster --instances 4 --no-proxy          # only the instances (haproxy runs as a service)

A Streamlit session lives in one server process, on one websocket: every request of a browser tab must reach the
instance that holds its session. haproxy inserts a cookie naming the instance into the first response (the page's
HTML) and routes every later request carrying it, the websocket included, to that instance (``cookie ... insert``).
New tabs go to the instance with the fewest connections (``balance leastconn``: a session is one long connection).
Every instance draws every page once, and presses each of its presets once, before the proxy starts (:func:`warm_up`).
A health check takes a dead instance out; its tabs reconnect (the browser does that by itself), are redispatched to
a live instance (``option redispatch``) with a new cookie, and redraw their page from its URL.

Also used by the load generator (``tests.bench.classroom``) and its tests: :func:`start_instance`,
:func:`haproxy_config`, :func:`cluster`.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAPROXY = "haproxy"
COOKIE = "RNNLAB_INSTANCE"
INSTANCE_HEADER = "X-Served-By"  # which instance answered (tests and the load generator read it)
# Environment of every instance: glibc keeps at most 2 malloc arenas instead of 8 per core for Streamlit's many
# script threads: -15 to -28 % peak RSS with 50 students, CPU unchanged (same-run A/B, README).
INSTANCE_ENV = {"MALLOC_ARENA_MAX": "2"}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def haproxy_path() -> str | None:
    return shutil.which(HAPROXY) or next((p for p in ("/usr/sbin/haproxy",) if Path(p).exists()), None)


@dataclass
class Instance:
    """One ``streamlit run`` process."""

    name: str
    host: str
    port: int
    proc: subprocess.Popen = field(repr=False)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: the instance dies as a crashed or OOM-killed process does, without closing anything."""
        if self.alive():
            self.proc.kill()
            self.proc.wait()

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    """Wait for ``url``/_stcore/health to answer 200 (raise if the process exits or time runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:4]} exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not become healthy in {timeout:.0f} s")
        time.sleep(0.25)


def streamlit_command(port: int, host: str = "127.0.0.1", extra: Sequence[str] = (),
                      script: str = "streamlit_app.py") -> list[str]:
    """The command of one instance (the file watcher off: nothing changes under a running lecture)."""
    return [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
            "--server.address", host, "--server.port", str(port), "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false", *extra]


def start_instance(name: str, port: int | None = None, *, host: str = "127.0.0.1", app_dir: Path = ROOT,
                   env: Mapping[str, str] | None = None, extra: Sequence[str] = (), log: Path | None = None,
                   wait: bool = True, script: str = "streamlit_app.py") -> Instance:
    """Start ``streamlit run <script>`` in ``app_dir`` on ``port`` (a free one if None), with :data:`INSTANCE_ENV`
    and ``env``; wait until it is healthy."""
    port = port or free_port(host)
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
    proc = subprocess.Popen(streamlit_command(port, host, extra, script), cwd=app_dir,
                            env={**os.environ, **INSTANCE_ENV, **(env or {})},
                            stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    inst = Instance(name, host, port, proc)
    if wait:
        try:
            wait_healthy(inst.url, proc)
        except BaseException:
            inst.stop()
            raise
    return inst


def page_paths(app_dir: Path = ROOT) -> list[str]:
    """The URL paths Streamlit serves: "" (the main script), then ``pages/<n>_<name>.py`` at ``/<name>``."""
    return [""] + [re.sub(r"^\d+_", "", p.stem) for p in sorted((app_dir / "pages").glob("*.py"))]


PRESET = "_preset."   # the key prefix of a page's preset buttons (ui.panel); "__reset__" is the defaults' button
RESET = "__reset__"


async def _draw(url: str, path: str, timeout: float, press: str | None = None) -> tuple[list[str], list[str]]:
    """Run one page the way a browser's first visit does, then (``press``: a button's widget id) press that button
    the way a browser does. Returns the exceptions it showed and the ids of the page's preset buttons."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

    shown, presets = [], []

    async def until_finished(ws):
        async for data in ws:
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                shown.append(msg.delta.new_element.exception.message)
            elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "button":
                bid = msg.delta.new_element.button.id
                if PRESET in bid and not bid.endswith(PRESET + RESET) and bid not in presets:
                    presets.append(bid)
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return

    ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], origin=url,
                                  max_size=None, open_timeout=timeout) as ws:
        await ws.send(BackMsg(rerun_script=ClientState(page_name=path)).SerializeToString())
        await asyncio.wait_for(until_finished(ws), timeout)
        if press is not None:
            states = WidgetStates(widgets=[WidgetState(id=press, trigger_value=True)])
            await ws.send(BackMsg(rerun_script=ClientState(page_name=path, widget_states=states)).SerializeToString())
            await asyncio.wait_for(until_finished(ws), timeout)
    return shown, presets


def cpu_seconds(pid: int, children: bool = False) -> float | None:
    """The process's user + system CPU seconds so far (``children``: with its waited-for children's), from Linux
    ``/proc``; None elsewhere or when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(x) for x in fields[11:15 if children else 13]) / os.sysconf("SC_CLK_TCK")


def wait_quiet(pid: int | None, window: float = 0.5, share: float = 0.05, timeout: float = 60) -> None:
    """Until process ``pid`` uses less than ``share`` of a core over ``window`` seconds (its background thread has
    finished the families a run queued), at most ``timeout`` s; returns at once without ``/proc``."""
    deadline = time.monotonic() + timeout
    last = cpu_seconds(pid) if pid else None
    while last is not None and time.monotonic() < deadline:
        time.sleep(window)
        now = cpu_seconds(pid)
        if now is None or now - last < share * window:
            return
        last = now


def warm_up(url: str, paths: Sequence[str], timeout: float = 120, *, presets: bool = False,
            pid: int | None = None) -> dict[str, list[str]]:
    """Draw every page once, one after the other, before students arrive: their modules are imported by one
    thread (a class arriving on a cold server imports them from many at once, see ui/preload.py), and the views
    their links open are computed and cached. ``presets``: also press every preset button of every page (each in a
    session of its own, opened at the page's defaults, as a student does), waiting after each until the instance
    (``pid``) is quiet, so the background thread has computed the preset's whole families too: the views a lecture
    asks for first are then in the instance's caches. Returns the exceptions each page showed (none, normally)."""

    async def all_pages():
        shown = {}
        for p in paths:
            shown[p], buttons = await _draw(url, p, timeout)
            for b in buttons if presets else []:
                wait_quiet(pid)
                shown[p] += (await _draw(url, p, timeout, press=b))[0]
        wait_quiet(pid)
        return shown

    return asyncio.run(all_pages())


def haproxy_config(backends: Sequence[tuple[str, str, int]], listen: str = "127.0.0.1:8080") -> str:
    """haproxy.cfg for the instances ``(name, host, port)``: sticky by cookie, health-checked, websockets kept
    open for a lecture (``timeout tunnel``)."""
    servers = "\n".join(f"    server {n} {h}:{p} cookie {n} check" for n, h, p in backends)
    return f"""\
# RNN Gradient Lab behind haproxy: N Streamlit instances, each browser tab sticky to one (deploy/cluster.py).
global
    maxconn 4096

defaults
    mode http
    option redispatch               # a tab whose instance is down goes to a live one
    retries 3
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout tunnel 2h               # a websocket stays open for the whole lecture
    timeout check 10s               # a busy instance answers its health check late: busy is not dead

frontend rnnlab
    bind {listen}
    default_backend streamlit

backend streamlit
    balance leastconn               # a session is one long connection: fill the emptiest instance
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /_stcore/health
    http-check expect status 200
    default-server inter 2s fall 3 rise 2   # a dead one (connection refused) is out after 3 checks
    http-response set-header {INSTANCE_HEADER} %[srv_name]
{servers}
"""


@dataclass
class Proxy:
    proc: subprocess.Popen = field(repr=False)
    config: Path
    url: str

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_proxy(config_text: str, listen: str, workdir: Path) -> Proxy:
    """Run haproxy in the foreground (``-db``) with ``config_text``; wait until it accepts connections."""
    exe = haproxy_path()
    if exe is None:
        raise FileNotFoundError("haproxy not found (apt-get install haproxy)")
    cfg = workdir / "haproxy.cfg"
    cfg.write_text(config_text, encoding="utf-8")
    check = subprocess.run([exe, "-c", "-q", "-f", str(cfg)], capture_output=True, text=True)
    if check.returncode != 0:
        raise RuntimeError(f"haproxy rejected the config: {check.stderr or check.stdout}")
    proc = subprocess.Popen([exe, "-db", "-f", str(cfg)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    host, port = listen.rsplit(":", 1)
    url = f"http://{host if host not in ('', '0.0.0.0') else '127.0.0.1'}:{port}"
    wait_healthy(url, proc, timeout=30)
    return Proxy(proc, cfg, url)


@dataclass
class Cluster:
    instances: list[Instance]
    proxy: Proxy | None

    @property
    def url(self) -> str:
        return self.proxy.url if self.proxy else self.instances[0].url

    @property
    def pids(self) -> list[int]:
        return [i.pid for i in self.instances]


@contextmanager
def cluster(n: int = 2, *, listen: str | None = None, host: str = "127.0.0.1", base_port: int | None = None,
            proxy: bool = True, app_dir: Path = ROOT, env: Mapping[str, str] | None = None,
            extra: Sequence[str] = (), log_dir: Path | None = None, warm: bool = True,
            presets: bool = False) -> Iterator[Cluster]:
    """``n`` instances (ports ``base_port``.. or free ones) behind haproxy on ``listen`` (a free port if None),
    each warmed up (:func:`warm_up`, with every preset: ``presets``) before the proxy opens; everything is stopped
    on exit."""
    instances: list[Instance] = []
    px = None
    with tempfile.TemporaryDirectory(prefix="rnnlab-cluster-") as tmp:
        try:
            for i in range(n):
                log = (log_dir / f"app{i + 1}.log") if log_dir else None
                instances.append(start_instance(f"app{i + 1}", base_port + i if base_port else None, host=host,
                                                app_dir=app_dir, env=env, extra=extra, log=log, wait=False))
            for inst in instances:
                wait_healthy(inst.url, inst.proc)
            if warm:
                with ThreadPoolExecutor(len(instances)) as pool:
                    shown = list(pool.map(lambda i: warm_up(i.url, page_paths(app_dir), presets=presets, pid=i.pid),
                                          instances))
                bad = {i.name: {p: e for p, e in w.items() if e} for i, w in zip(instances, shown, strict=True)}
                if any(bad.values()):
                    raise RuntimeError(f"pages showed exceptions while warming up: {bad}")
            if proxy:
                listen = listen or f"127.0.0.1:{free_port()}"
                px = start_proxy(haproxy_config([(i.name, i.host, i.port) for i in instances], listen), listen,
                                 Path(tmp))
            yield Cluster(instances, px)
        finally:
            if px is not None:
                px.stop()
            for inst in instances:
                inst.stop()


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=int, default=2)
    ap.add_argument("--port", type=int, default=8080, help="haproxy's port")
    ap.add_argument("--host", default="127.0.0.1", help="haproxy's address (0.0.0.0: every interface)")
    ap.add_argument("--base-port", type=int, default=8501, help="first instance's port (then +1, +2, ...)")
    ap.add_argument("--print-config", action="store_true", help="print haproxy.cfg and exit")
    ap.add_argument("--no-proxy", action="store_true", help="start only the instances")
    ap.add_argument("--no-warm-up", action="store_true", help="open the proxy without drawing every page first")
    ap.add_argument("--no-presets", action="store_true",
                    help="warm up every page's default view only, not its presets too (~30 s and ~40 MB less each)")
    a = ap.parse_args(argv)
    backends = [(f"app{i + 1}", "127.0.0.1", a.base_port + i) for i in range(a.instances)]
    if a.print_config:
        print(haproxy_config(backends, f"{a.host}:{a.port}"), end="")
        return
    with cluster(a.instances, listen=f"{a.host}:{a.port}", base_port=a.base_port, proxy=not a.no_proxy,
                 warm=not a.no_warm_up, presets=not a.no_presets) as c:
        for inst in c.instances:
            print(f"{inst.name}: {inst.url} (pid {inst.pid})")
        print(f"open {c.url}  (Ctrl-C stops everything)" if c.proxy else "instances running (Ctrl-C stops them)")
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            while all(i.alive() for i in c.instances):
                time.sleep(1)
            print("an instance exited: stopping", file=sys.stderr)
            sys.exit(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
