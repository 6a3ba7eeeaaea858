"""A small app with every widget kind the load generator moves, echoing what the server received (protocol tests).

The scrub is a Vega-Lite chart whose point selection ``scrub`` (field ``rho``) is bound to a range input, with
``on_select="rerun"``: the in-chart control the demo pages are getting.
"""
import streamlit as st

x = st.slider("x", 0.0, 2.0, 0.9, 0.05, key="x", bind="query-params")
c = st.radio("c", ["a", "b"], key="c", bind="query-params", horizontal=True)
s = st.segmented_control("s", ["p", "q"], default="p", required=True, key="s", bind="query-params")
t = st.toggle("t", key="t", bind="query-params")
n = st.number_input("n", 0, 100, 0, key="n", bind="query-params")
pressed = st.button("preset", key="_preset.a")
boom = st.button("boom", key="_boom")
with st.expander("more", key="_explain.more", on_change="rerun") as box:
    if box.open:
        st.text("expander open")
st.page_link("pages/2_other.py", label="other", query_params={"lang": "zh"})
spec = {
    "data": {"values": [{"rho": r / 10, "y": (r / 10) ** 2} for r in range(1, 21)]},
    "params": [{"name": "scrub", "value": [{"rho": 0.9}], "select": {"type": "point", "fields": ["rho"]},
                "bind": {"input": "range", "min": 0.1, "max": 2.0, "step": 0.1, "name": "rho "}}],
    "mark": "point",
    "encoding": {"x": {"field": "rho", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}},
}
event = st.vega_lite_chart(spec, on_select="rerun", key="scrub_chart")
picked = event["selection"]["scrub"]
st.text(f"values x={x} c={c} s={s} t={t} n={n} pressed={pressed}")
st.text(f"scrub={picked[0]['rho'] if picked else None}")
st.text(f"query={st.query_params.to_dict()}")
st.vega_lite_chart({"data": {"values": [{"a": i, "b": i * i} for i in range(1000)]}, "mark": "line",
                    "encoding": {"x": {"field": "a", "type": "quantitative"},
                                 "y": {"field": "b", "type": "quantitative"}}})  # big enough to be cached
if boom:
    raise RuntimeError("boom pressed")
