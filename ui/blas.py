"""One BLAS thread per computation in the app.

The matrices here are small (at most a few hundred rows), so a multi-threaded BLAS spends more time
waking threads than multiplying, and with several sessions on a 2-core server its threads fight over
the cores (a 100 ms chain took seconds under load). Streamlit serves every session from one process,
so one process-wide limit, set as soon as NumPy is loaded, gives steady times.
"""
from __future__ import annotations

import numpy as np  # noqa: F401  (the BLAS library must be loaded before it can be limited)
from threadpoolctl import threadpool_limits

LIMITER = threadpool_limits(limits=1, user_api="blas")


def blas_threads() -> list[int]:
    """Thread counts of the loaded BLAS libraries (for tests and the benchmark)."""
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
