"""core/ imports numpy, the standard library and itself, nothing else (no UI, no other math stacks)."""
import ast
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "core"
FORBIDDEN = {"streamlit", "altair", "pandas", "scipy", "torch"}
ALLOWED = {"numpy", "core"} | set(sys.stdlib_module_names)


def imported_roots(path):
    """Top-level names of every absolute import in a file (relative imports stay inside core)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


CORE_FILES = sorted(CORE.rglob("*.py"))


def test_core_has_files():
    assert CORE_FILES


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_imports_numpy_only(path):
    roots = list(imported_roots(path))
    forbidden = [(line, name) for line, name in roots if name in FORBIDDEN]
    assert not forbidden, f"{path.name} imports {forbidden}: core/ must stay pure NumPy"
    other = [(line, name) for line, name in roots if name not in ALLOWED]
    assert not other, f"{path.name} imports {other}: only numpy, the standard library and core"
