"""The project's .streamlit/config.toml as Streamlit reads it (Community Cloud runs `streamlit run` with it)."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

READ = """
from streamlit import config
config.get_config_options(force_reparse=True)
for key in ("server.fileWatcherType", "server.runOnSave", "runner.postScriptGC", "runner.magicEnabled"):
    print(key, config.get_option(key))
"""


@pytest.fixture(scope="module")
def opts() -> dict[str, str]:
    """The options Streamlit reads in the project's directory (no user-level config: HOME is empty)."""
    out = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         check=True, env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT / ".no-home")})
    return dict(line.split(" ", 1) for line in out.stdout.splitlines())


def test_a_new_session_is_not_held_up_by_the_file_watcher(opts):
    """With a watcher, each new session first scans every loaded module on the server's event loop (~80 ms each):
    a class opening one link waited 10 s (p95) on one instance instead of 0.9 s (README, "2026-12-04")."""
    assert opts["server.fileWatcherType"] == "none"


def test_the_lecture_settings_of_the_runner(opts):
    assert opts["server.runOnSave"] == "False"
    assert opts["runner.postScriptGC"] == "False"        # no full collection after every run (README)
    assert opts["runner.magicEnabled"] == "False"
