from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def test_home_runs():
    at = AppTest.from_file(str(ROOT / "streamlit_app.py")).run(timeout=30)
    assert not at.exception
    assert at.title[0].value == "RNN Gradient Lab"
