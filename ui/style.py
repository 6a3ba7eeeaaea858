"""The interface's own CSS (style only, sent by the frame): room for tile labels, and projector mode for the whole
interface, not only the charts (``projector=true``).

Streamlit sizes its text in rem of the theme's ``baseFontSize`` (18 px in ``.streamlit/config.toml``): widget
labels, tile labels, buttons, captions and expander titles are 0.875 rem (15.75 px). In projector mode the
frame raises the text a back-row student must read to :data:`SCALE` times that. Selectors are Streamlit's
``data-testid`` attributes (stable across releases, unlike its generated class names); the page title and the
tile values, already large, stay as they are so the first screen keeps its room. The charts grow through their
own projector theme (``ui.charts.theme``) and the scrub slider above each main chart through
``ui.frame._SCRUB_PROJECTOR_CSS``.
"""
from __future__ import annotations

SCALE = 1.3  # text size in projector mode / Streamlit's 0.875 rem
_BIG = f"{0.875 * SCALE:.3f}rem"       # ≈ 20.5 px at baseFontSize 18
_BIGGER = f"{1.0 * SCALE:.3f}rem"      # text Streamlit sets at 1 rem (page links, help icons)

# room for the larger text: segmented buttons wrap in a narrow column, the preset row's buttons are narrower (so
# Reset stays on the row's line at 1280 px on pages 5-7), the slider's value clears its label
_LAYOUT = """[data-testid='stButtonGroup'] [role='radiogroup']{flex-wrap:wrap !important}
[data-testid='stButtonGroup'] button{padding-left:0.6rem !important;padding-right:0.6rem !important}
[data-testid='stMain'] [data-testid^='stBaseButton-secondary']{padding-left:0.45rem !important;
  padding-right:0.45rem !important}
[data-testid='stHorizontalBlock']:has(> [data-testid='stElementContainer'] > [data-testid='stButton']){
  gap:0.4rem !important}
[data-testid='stSlider'] [role='group']{margin-top:0.45rem !important}
[data-testid='stTooltipIcon'] svg{width:1.3rem !important;height:1.3rem !important}"""
# (selectors, font size): the readable text of widgets, tiles, buttons, captions, links, expanders and tabs
_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("[data-testid='stWidgetLabel'] p", "[data-testid='stWidgetLabel'] label",
      "[data-testid='stSliderThumbValue']", "[data-testid='stSliderThumbValue'] p",
      "[data-testid='stSliderTickBar'] p",
      "[data-testid='stRadioOption'] p", "[data-testid='stRadioCaption'] p", "[data-testid='stRadioCaption']",
      "[data-testid='stButtonGroup'] p", "[data-testid='stCheckbox'] p",
      "[data-testid='stNumberInputField']", "[data-testid='stTextInputField']",
      "[data-testid='stMetricLabel'] p", "[data-testid='stMetricLabel'] div",
      "[data-testid^='stBaseButton'] p", "[data-testid='stDownloadButton'] p", "[data-testid='stPopoverButton'] p",
      "[data-testid='stCaption']", "[data-testid='stCaption'] p", "[data-testid='stCaptionContainer']",
      "[data-testid='stCaptionContainer'] p",
      "[data-testid='stExpander'] summary p", "[data-testid='stTab'] p",
      "[data-testid='stTooltipContent']", "[data-testid='stTooltipContent'] p"), _BIG),
    (("[data-testid='stMain'] [data-testid='stPageLink-NavLink'] span",
      "[data-testid='stMain'] [data-testid='stPageLink-NavLink'] p"), _BIGGER),
)
PROJECTOR_CSS = "<style>\n" + "\n".join(
    ",\n".join(sel) + "{font-size:" + size + " !important;line-height:1.35 !important}" for sel, size in _RULES
) + "\n" + _LAYOUT + "\n</style>"


# In every mode: a tile label that does not fit its tile wraps onto a second line instead of ending in "…"
# (Streamlit cuts it to one line); the labels are short enough for two lines (tests/e2e/test_layout_text_browser.py).
BASE_CSS = """<style>
[data-testid='stMetricLabel'] [data-testid='stMarkdownContainer'],
[data-testid='stMetricLabel'] [data-testid='stMarkdownContainer'] p{white-space:normal !important;
  overflow:visible !important;text-overflow:clip !important;overflow-wrap:anywhere}
</style>"""


def interface_css(projector: bool) -> str:
    """The CSS the frame sends for the interface (tile labels; in projector mode the larger interface)."""
    return BASE_CSS + (PROJECTOR_CSS if projector else "")
