"""Page 6's scrubbed families: compute time on a cache miss and the bytes each scrubbed chart sends.

    python -m tests.bench.page6_family

Targets (issue 14): a family on a cache miss <= 300 ms at defaults, <= 1.5 s at the heaviest settings (with a
progress indicator above 0.5 s); the family data <= 1 MB per chart at defaults, <= 3 MB at the heaviest
(the sum of the chart's Arrow datasets in the message AppTest receives).
"""
from __future__ import annotations

import statistics
import time

import ui.blas  # noqa: F401  (one BLAS thread, as the app runs)
from core.family import grid
from core.scenarios import bidirectional, depth
from tests.apptest_utils import run_page, scrub_chart
from tests.bench.drag_scrub import LONG
from ui.i18n import translate

PAGE = "bidirectional_stacked"
TEXT_24 = f"{LONG} it ended too soon"  # 24 words, the most the page takes
STACKS = {"defaults": {"layers": 3, "cell": "rnn", "hidden": 16, "T": 30},
          "heaviest": {"layers": 8, "cell": "lstm", "hidden": 64, "T": 100}}
SENTENCES = {"defaults": bidirectional.DEFAULT_SENTENCE, "heaviest (24 words, lstm, H=64)": TEXT_24}


def timed(fn, repeats: int = 3) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def chart_bytes(query: dict, stack: bool, key: str) -> int:
    state = {"_bidirectional_stacked.part": translate("en", f"{PAGE}.tab.stack")} if stack else None
    at = run_page(PAGE, query=query, state=state)
    return sum(len(ds.data.data) for ds in scrub_chart(at, key).proto.datasets)


def main() -> None:
    alphas = grid(0.0, 1.0, 0.05)                            # the page's slider (RESIDUAL.values)
    print("family compute on a cache miss (core, 3 runs: median / max)")
    for name, kw in STACKS.items():
        ts = timed(lambda kw=kw: depth.family(alphas, **kw))
        print(f"  part B, residual strength x 21, {name:<10} {statistics.median(ts):7.0f} / {max(ts):5.0f} ms  {kw}")
    for name, text in SENTENCES.items():
        cell, H = ("lstm", 64) if "heaviest" in name else ("rnn", 16)
        ts = timed(lambda text=text, cell=cell, H=H: bidirectional.right_shares(
            bidirectional.run(text, cell, H, 0)["bidirectional"]))
        print(f"  part A, maps + every focus row, {name:<32} {statistics.median(ts):6.0f} / {max(ts):5.0f} ms")
    print("scrubbed chart data (sum of the chart's Arrow datasets)")
    cases = [("part A defaults", {}, False, "focus"),
             ("part A 24 words, lstm, H=64", {"text": TEXT_24, "cell": "lstm", "H": "64"}, False, "focus"),
             ("part B defaults", {}, True, "residual"),
             ("part B heaviest", {"layers": "8", "stack_cell": "lstm", "stack_H": "64", "T": "100"}, True, "residual")]
    for name, query, stack, key in cases:
        print(f"  {name:<30} {chart_bytes(query, stack, key) / 1024:8.1f} KB")


if __name__ == "__main__":
    main()
