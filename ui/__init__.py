"""The shared Streamlit layer of RNN Gradient Lab: every page is a thin script on top of this API.

    from ui import page_frame, Slider, Choice, Toggle, Number, cached, charts, show_chart, ...
    ctx = page_frame("vanilla_rnn", controls=SPECS, presets=PRESETS)   # config, sidebar, header, URL
    ctx.panel.preset_row(); v = ctx.panel.render(); ctx.panel.share()   # presets, widgets, link

Modules: ``frame`` (page frame, context), ``controls`` (URL-bound control specs), ``panel`` (presets,
widgets, link), ``share`` (link to the view), ``furniture`` (metrics, expanders, CSV, chart display),
``layout`` (the first screen: control column, main chart, secondary charts), ``cache`` (cached computations),
``progressive`` (slow families: coarse first, whole from a background thread), ``fmt`` (number formats),
``charts`` (pure Altair builders), ``i18n`` (translation tables), ``style`` (the interface's CSS, projector mode),
``registry`` (the page list and URLs).
"""
import ui.arrowpool  # noqa: F401  (Arrow buffers from malloc: see ui/arrowpool.py)
import ui.blas  # noqa: F401  (one BLAS thread: see ui/blas.py)
import ui.preload  # noqa: F401  (all of core imported here, in one thread: see ui/preload.py)
from ui import charts
from ui.cache import cached, chart_cache, computing, static_chart
from ui.controls import Choice, Number, Slider, Toggle, Values
from ui.fmt import fmt_num, fmt_pow10, fmt_steps
from ui.frame import PageContext, page_frame
from ui.furniture import download_csv, explain, metric_row, show_chart
from ui.gcfreeze import freeze_imports
from ui.layout import Stage
from ui.panel import ControlPanel
from ui.progressive import page_family as family
from ui.scrub import Scrub, scrub_param

__all__ = ["Choice", "ControlPanel", "Number", "PageContext", "Scrub", "Slider", "Stage", "Toggle", "Values", "cached",
           "chart_cache", "charts", "computing", "download_csv", "explain", "family", "fmt_num", "fmt_pow10",
           "fmt_steps", "metric_row", "page_frame", "scrub_param", "show_chart", "static_chart"]

freeze_imports()  # after the imports above (Streamlit, Altair, pandas, NumPy): see ui/gcfreeze.py
