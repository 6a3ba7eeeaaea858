"""Importing ``ui`` imports every core module a page imports (in one thread, before any page does)."""
import ast
import json
import subprocess
import sys
from pathlib import Path

from ui.preload import core_modules

ROOT = Path(__file__).resolve().parents[2]


def page_core_imports() -> set[str]:
    """Core modules named by the import statements of the pages and the home page (``from core.scenarios import
    x`` names the module ``core.scenarios.x``)."""
    names = set()
    for path in [ROOT / "streamlit_app.py", *sorted((ROOT / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names if a.name.split(".")[0] == "core"}
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "core":
                names.add(node.module)
                names |= {f"{node.module}.{a.name}" for a in node.names
                          if (ROOT / node.module.replace(".", "/") / f"{a.name}.py").exists()}
    return names


def test_every_core_module_a_page_imports_is_imported_by_ui():
    wanted = page_core_imports()
    assert {"core", "core.activations", "core.scenarios.vanilla_rnn", "core.stacked"} <= wanted
    code = "import sys, json, ui; print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'core')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert wanted <= loaded, sorted(wanted - loaded)


def test_the_preloaded_modules():
    names = core_modules()
    assert "core.bench" not in names and "core.scenarios.memory_race" in names and "core.chains" in names
