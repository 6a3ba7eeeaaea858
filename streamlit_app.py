"""RNN Gradient Lab: home page (placeholder until the shared frame lands)."""
import streamlit as st

st.set_page_config(page_title="RNN Gradient Lab", layout="wide")
st.title("RNN Gradient Lab")
st.write("Why do gradients vanish or explode in recurrent networks? The demos are on their way.")
