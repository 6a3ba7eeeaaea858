"""The app's Arrow buffers come from malloc, not from pyarrow's per-thread pool (ui/arrowpool.py)."""
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa

import ui  # noqa: F401
from ui.arrowpool import pool_name
from ui.registry import ROOT


def test_arrow_allocates_from_the_system_pool():
    assert pool_name() == "system"
    before = pa.system_memory_pool().bytes_allocated()
    floats = pa.array(np.arange(200_000)).cast(pa.float64())  # a new 1.6 MB buffer, held
    assert pa.system_memory_pool().bytes_allocated() - before >= 1_600_000
    del floats


def _pool_in_a_fresh_process(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != "RNNLAB_ARROW_POOL"}
    code = "import ui; from ui.arrowpool import pool_name; print(pool_name())"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**base, **env}, capture_output=True,
                         text=True, check=True).stdout
    return out.split()[-1]


def test_a_fresh_server_process_uses_the_system_pool_and_the_ab_switch_keeps_pyarrows():
    assert _pool_in_a_fresh_process() == "system"
    assert _pool_in_a_fresh_process(RNNLAB_ARROW_POOL="default") != "system"
