"""Two app instances behind Debian's haproxy on loopback, driven by the protocol load generator.

Every tab stays on its instance (also across a reconnect: the same Streamlit session resumes), both instances carry
load, and killing one instance moves only its tabs: they reconnect to the other and redraw from their URL. No
latency is asserted (a shared machine); timeouts only bound liveness.

Without haproxy the live tests skip with the reason, unless RNNLAB_REQUIRE_HAPROXY is set (CI), where they fail.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from deploy.cluster import (
    COOKIE,
    INSTANCE_HEADER,
    ROOT,
    cluster,
    cpu_seconds,
    haproxy_config,
    haproxy_path,
    main,
    page_paths,
    start_instance,
    wait_quiet,
    warm_up,
)
from tests.bench.classroom import Plan, run_load

CALM = (("change", 80), ("preset", 10), ("explain", 5), ("settings", 5))  # no page switches: one page per tab


def require_haproxy() -> str:
    exe = haproxy_path()
    if exe is None:
        reason = "haproxy not found (apt-get install haproxy)"
        if os.environ.get("RNNLAB_REQUIRE_HAPROXY"):
            pytest.fail(reason)
        pytest.skip(reason)
    return exe


def test_config_is_sticky_health_checked_and_redispatches():
    cfg = haproxy_config([("app1", "127.0.0.1", 8501), ("app2", "127.0.0.1", 8502)], "0.0.0.0:8080")
    assert "bind 0.0.0.0:8080" in cfg and f"cookie {COOKIE} insert indirect nocache" in cfg
    assert "server app1 127.0.0.1:8501 cookie app1 check" in cfg and "server app2 127.0.0.1:8502 cookie app2" in cfg
    assert "timeout check 10s" in cfg  # an overloaded instance is not taken out (503 for new tabs at N = 200)
    assert "option redispatch" in cfg and "option httpchk GET /_stcore/health" in cfg and "timeout tunnel" in cfg
    assert f"set-header {INSTANCE_HEADER} %[srv_name]" in cfg


def test_the_shipped_config_is_the_generated_one(capsys):
    main(["--instances", "2", "--print-config", "--host", "0.0.0.0"])
    assert capsys.readouterr().out == (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")


def test_page_paths_are_the_urls_streamlit_serves():
    assert page_paths() == ["", "vanilla_rnn", "relu_vs_tanh", "lstm_forget_gate", "gru_update_gate",
                            "gradient_clipping", "bidirectional_stacked", "memory_race"]


@pytest.mark.load
def test_warm_up_draws_every_page_and_reports_what_failed(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "streamlit_app.py").write_text("import streamlit as st\nst.text('home')\n", encoding="utf-8")
    (tmp_path / "pages" / "1_fine.py").write_text("import streamlit as st\nst.text('fine')\n", encoding="utf-8")
    (tmp_path / "pages" / "2_broken.py").write_text("raise RuntimeError('broken page')\n", encoding="utf-8")
    inst = start_instance("warm", app_dir=tmp_path)
    try:
        shown = warm_up(inst.url, page_paths(tmp_path), timeout=60)
        environ = Path(f"/proc/{inst.pid}/environ").read_bytes().split(b"\0")
    finally:
        inst.stop()
    assert shown == {"": [], "fine": [], "broken": ["broken page"]}
    assert b"MALLOC_ARENA_MAX=2" in environ  # INSTANCE_ENV


PRESS_PAGE = """\
import pathlib
import streamlit as st

def hit(name):
    with pathlib.Path({log!r}).open("a") as f:
        f.write(name + "\\n")

for name in ("a", "b", "__reset__"):
    st.button(name, key="_preset." + name, on_click=hit, args=(name,))
st.button("other", key="other", on_click=hit, args=("other",))
"""


@pytest.mark.load
def test_warm_up_presses_every_preset_but_reset_once_when_asked(tmp_path):
    """Preset buttons (keys ``_preset.<name>``, ui.panel) are pressed, each once, from a fresh session; Reset (the
    defaults, already drawn) and other buttons are not; without ``presets`` nothing is pressed."""
    log = tmp_path / "pressed.txt"
    (tmp_path / "pages").mkdir()
    (tmp_path / "streamlit_app.py").write_text("import streamlit as st\nst.text('home')\n", encoding="utf-8")
    (tmp_path / "pages" / "1_presets.py").write_text(PRESS_PAGE.format(log=str(log)), encoding="utf-8")
    inst = start_instance("presets", app_dir=tmp_path)
    try:
        plain = warm_up(inst.url, page_paths(tmp_path), timeout=60, pid=inst.pid)
        assert not log.exists()
        shown = warm_up(inst.url, page_paths(tmp_path), timeout=60, presets=True, pid=inst.pid)
    finally:
        inst.stop()
    assert plain == shown == {"": [], "presets": []}
    assert log.read_text(encoding="utf-8").split() == ["a", "b"]


def test_cpu_seconds_reads_a_process_and_none_when_it_is_gone():
    assert cpu_seconds(os.getpid()) > 0
    assert cpu_seconds(2 ** 22 + 12345) is None
    wait_quiet(None)  # no process: returns at once


@pytest.mark.load
def test_haproxy_accepts_the_config(tmp_path):
    exe = require_haproxy()
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(haproxy_config([(f"app{i}", "127.0.0.1", 8500 + i) for i in range(1, 5)]), encoding="utf-8")
    check = subprocess.run([exe, "-c", "-f", str(cfg)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.load
def test_sessions_stay_on_their_instance_and_both_instances_carry_load():
    require_haproxy()
    blips: dict[str, str] = {}

    async def blip(sessions):  # two tabs lose their connection for a moment (Wi-Fi), as the browser sees it
        while not all(s.session_id for s in sessions):
            await asyncio.sleep(0.2)
        for s in sessions[:2]:
            blips[s.name] = s.session_id
            s._ws.transport.abort()

    plan = Plan(sessions=10, seconds=12, interval=1.5, ramp=2, seed=3, timeout=90, actions=CALM)
    with cluster(2) as c:
        res, sessions = asyncio.run(asyncio.wait_for(run_load(c.url, plan, c.pids, extra=blip), 300))
    assert res.status == {"ok": res.reruns} and res.reruns >= 10 * 3, (res.status, res.failures)
    assert set(res.per_instance) == {"app1", "app2"} and min(res.per_instance.values()) >= 10, res.per_instance
    for s in sessions:
        assert len(set(s.instances)) == 1, (s.name, s.instances)  # page GET, websocket, and any reconnect
        assert {r.instance for r in s.reruns} == set(s.instances)
    for s in sessions[:2]:
        assert s.reconnects >= 1 and s.session_ids == [blips[s.name]]  # resumed the same Streamlit session


@pytest.mark.load
def test_killing_an_instance_loses_only_its_sessions_and_they_redraw_on_the_other():
    require_haproxy()
    seen: dict = {}

    async def kill_app1(sessions):
        while not all(s.session_id for s in sessions):
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        seen["before"] = {s.name: (s.instances[-1], s.query, len(s.reruns)) for s in sessions}
        victim.kill()

    plan = Plan(sessions=10, seconds=15, interval=1.5, ramp=2, seed=5, timeout=90, actions=CALM)
    with cluster(2) as c:
        victim = c.instances[0]
        res, sessions = asyncio.run(asyncio.wait_for(run_load(c.url, plan, c.pids, extra=kill_app1), 300))
        assert c.instances[1].alive()
    before = seen["before"]
    moved = [s for s in sessions if before[s.name][0] == "app1"]
    stayed = [s for s in sessions if before[s.name][0] == "app2"]
    assert moved and stayed, before
    assert res.status == {"ok": res.reruns}, (res.status, res.failures)  # nothing lost, nothing unanswered
    for s in stayed:
        assert s.reconnects == 0 and set(s.instances) == {"app2"} and len(s.session_ids) == 1
    for s in moved:
        _, query, _ = before[s.name]
        assert s.reconnects >= 1 and s.instances[-1] == "app2" and len(s.session_ids) == 2, s.instances
        redraw = next(r for r in s.reruns if r.reconnects)  # the run in flight, or a redraw of an idle tab
        assert redraw.status == "ok" and redraw.instance == "app2"
        assert redraw.query == query or redraw.kind != "reconnect"  # a plain redraw asks with the URL it had
        for key, raw in parse_qsl(s.query):  # the page shows what its URL says
            assert s.shows(key, raw), (s.name, key)


def test_ci_installs_haproxy_and_fails_without_it():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "need+=(haproxy)" in ci and "export RNNLAB_REQUIRE_HAPROXY=1" in ci
