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
