"""Running the app past one instance: N Streamlit processes behind haproxy (see cluster.py and README)."""
