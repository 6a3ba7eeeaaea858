"""Pure chart builders: data in (DataFrame / NumPy), ``alt.Chart`` out, no Streamlit calls.

Every builder clamps off-range values to the chart edge and marks them overflow/underflow (never NaN),
keeps at most a few thousand rows, draws each named series in the colour the page gives it (``colors``, from the
model table of ``ui.charts.theme``) and takes ``projector`` and a
translated :class:`ChartText` (``ctx.chart_text``).
"""
from ui.charts.bars import bar_chart
from ui.charts.clamp import fmt_pow10, fmt_value
from ui.charts.eigen import eigen_plane
from ui.charts.facets import function_grid
from ui.charts.family import family_curves
from ui.charts.heatmap import heatmap
from ui.charts.hist import histogram
from ui.charts.lines import gradient_curves, series_frame, time_series
from ui.charts.text import ChartText
from ui.charts.theme import MAX_ROWS, PALETTE, Style, finish, model_color, rule_styles, styles

__all__ = ["ChartText", "MAX_ROWS", "PALETTE", "Style", "bar_chart", "eigen_plane", "family_curves", "finish",
           "fmt_pow10", "fmt_value", "function_grid", "gradient_curves", "heatmap", "histogram", "model_color",
           "rule_styles", "series_frame", "styles", "time_series"]
