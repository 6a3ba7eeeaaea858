"""Importing ``ui`` freezes the libraries' objects, so Streamlit's full collection after every run (and
Python's own) skips them (see ui/gcfreeze.py)."""
import gc

import ui  # noqa: F401
from ui.gcfreeze import freeze_imports


def test_importing_ui_froze_the_imported_objects():
    frozen = gc.get_freeze_count()
    assert frozen > 20_000  # Streamlit, Altair's schema, pandas, NumPy: ~130 000 objects in the app
    freeze_imports()  # a second call does nothing
    assert gc.get_freeze_count() == frozen
