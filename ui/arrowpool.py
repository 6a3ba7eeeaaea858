"""Arrow buffers from the C library's malloc instead of pyarrow's bundled allocator; set when ``ui`` is imported.

Streamlit runs each session's script in a thread of its own, and every run builds a few hundred KB of
short-lived Arrow buffers (the charts' datasets). pyarrow's default memory pool (mimalloc in the Linux
wheels) keeps a heap per allocating thread and holds on to its segments after the buffers are freed, so a
server's RSS grew with the threads that had ever run a page. With ``pa.system_memory_pool()`` the freed
buffers go back to ``malloc``, whose memory the next run reuses.

Measured (same-run A/B, ``python -m tests.bench.load`` and ``tests.bench.classroom``): README, "2026-12-04
(05:40–)". ``RNNLAB_ARROW_POOL=default`` keeps pyarrow's own pool (for the A/B).
"""
from __future__ import annotations

import os

import pyarrow as pa

if os.environ.get("RNNLAB_ARROW_POOL", "system") != "default":
    pa.set_memory_pool(pa.system_memory_pool())


def pool_name() -> str:
    """The backend of the pool Arrow allocates from now (for tests and the benchmarks)."""
    return pa.default_memory_pool().backend_name
