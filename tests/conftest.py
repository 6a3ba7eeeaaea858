"""Shared test fixtures: the repository root is importable and known to every test; families come whole."""
import os
import sys
from pathlib import Path

# Families are computed whole, in the run (``ui.progressive``): a cold cache draws what a warm one does. Tests of
# the two-step families turn it on themselves. Set before any server starts, so app servers inherit it.
os.environ.setdefault("RNNLAB_PROGRESSIVE", "0")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _scan_installed_components_once() -> None:
    """Every new ``AppTest`` scans the metadata of every installed distribution for Streamlit components (v2) before
    its first run: 0.15-0.2 s each, thousands of times in this suite. What is installed does not change while the
    tests run, so the scan is done once per process (the app uses no such components; the result is empty). The full
    suite on the 2-core development machine: 25 min 27 s -> 18 min 39 s."""
    import functools

    from streamlit.components.v2 import manifest_scanner

    if not hasattr(manifest_scanner.scan_component_manifests, "cache_info"):
        manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


_scan_installed_components_once()
