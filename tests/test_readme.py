"""The README's promises: its Python example runs, and CI runs exactly its test command."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_core_example_runs(capsys):
    code = re.search(r"## Use the core from Python\n\n```python\n(.*?)```", README, re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})
    assert "gradient from 50 steps back" in capsys.readouterr().out


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    test_cmd = next(c for c in commands if "pytest" in c)
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert any("streamlit run streamlit_app.py" in c for c in commands)


def test_the_memory_race_table_is_the_stored_results():
    from core.scenarios.memory_race import table

    assert table(ROOT / "ui" / "data" / "memory_race") in README
