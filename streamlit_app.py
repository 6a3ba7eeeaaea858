"""RNN Gradient Lab: home page. The story, the equation and its Jacobian, and the lecture route."""
import streamlit as st

from ui import page_frame
from ui.registry import PAGES

# The recurrence, one step's Jacobian, and the product over steps with its bound (no words: both languages).
EQUATIONS = (
    ("home.eq_step", r"h_t = f\big(W_{hh}\,h_{t-1} + W_{xh}\,x_t + b\big)"),
    ("home.eq_jacobian", r"\frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}\big(f'(a_t)\big)\,W_{hh}"),
    ("home.eq_product", r"\frac{\partial h_T}{\partial h_k} = \prod_{t=k+1}^{T}\operatorname{diag}\big(f'(a_t)\big)"
                        r"\,W_{hh}"),
    ("home.eq_bound", r"\Big\|\frac{\partial h_T}{\partial h_k}\Big\|_2 \le "
                      r"\big(\gamma\,\sigma_{\max}(W_{hh})\big)^{T-k}"),
)

ctx = page_frame("home")
t = ctx.t

st.title(t("home.title"), anchor=False)
st.markdown(f"##### {t('home.tagline')}")

story, maths = st.columns([1, 1.15], gap="large")
with story:
    st.markdown(t("home.story"))
    st.caption(t("home.settings_hint"))
with maths:
    st.subheader(t("home.eq_title"), anchor=False)
    for key, latex in EQUATIONS:
        st.markdown(t(key))
        st.latex(latex)

st.subheader(t("home.route"), anchor=False)
st.caption(t("home.route_intro"))
link_params = ctx.settings_params() or None
for row in (PAGES[:4], PAGES[4:]):
    for col, page in zip(st.columns(4), row, strict=False):
        with col, st.container(border=True, height="stretch"):
            st.markdown(f"**{page.number} · {t(f'{page.id}.nav')}**")
            st.markdown(t(f"{page.id}.question"))
            if page.exists(ctx.root):
                st.page_link(page.file, label=t("common.open_page"), icon=":material/arrow_forward:",
                             query_params=link_params)
            else:
                st.caption(t("common.coming_soon"))
