"""Keep the garbage collector off the libraries' objects: run once, when ``ui`` is first imported.

Streamlit runs a full ``gc.collect(2)`` after every script run (``runner.postScriptGC``), and Python's own
full collections fire during runs. Each one walks every object of the process: Altair's schema, pandas,
NumPy, Streamlit itself — about 130 000 objects, 110-140 ms on a 2-core machine, on the path between a
slider move and the redraw. ``gc.freeze()`` moves the objects that exist after the imports into a
permanent generation that collections skip (they live as long as the process anyway); a full collection
then takes about 1 ms. Objects made later (session state, caches, charts) are collected as before.
"""
import gc

_done = False


def freeze_imports() -> None:
    """Collect once, then freeze everything alive (call after the imports; later calls do nothing)."""
    global _done
    if not _done:
        gc.collect()
        gc.freeze()
        _done = True
