import streamlit as st

st.text(f"other page, query={st.query_params.to_dict()}")
st.page_link("app.py", label="back")
