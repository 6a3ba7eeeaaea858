"""The lecture route: every demo page in order, its stable URL and its file.

Native multipage discovery serves ``pages/<n>_<id>.py`` at ``/<id>``; these URLs go on slides, so the
ids never change. Pages are written in parallel, so navigation and home cards only link the files
that exist (:func:`available`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAIN_SCRIPT = "streamlit_app.py"
HOME = "home"

PAGE_IDS: tuple[str, ...] = (
    "vanilla_rnn",
    "relu_vs_tanh",
    "lstm_forget_gate",
    "gru_update_gate",
    "gradient_clipping",
    "bidirectional_stacked",
    "memory_race",
)


@dataclass(frozen=True)
class PageInfo:
    """One demo: ``id`` (URL path and i18n namespace), ``number`` (1-based lecture order)."""

    id: str
    number: int

    @property
    def file(self) -> str:
        """Path relative to the repository root, as ``st.page_link`` wants it."""
        return f"pages/{self.number}_{self.id}.py"

    @property
    def url_path(self) -> str:
        return f"/{self.id}"

    def exists(self, root: Path = ROOT) -> bool:
        return (root / self.file).is_file()


PAGES: tuple[PageInfo, ...] = tuple(PageInfo(pid, i + 1) for i, pid in enumerate(PAGE_IDS))
BY_ID: dict[str, PageInfo] = {p.id: p for p in PAGES}


def available(root: Path = ROOT) -> list[PageInfo]:
    """The pages whose file exists, in lecture order."""
    return [p for p in PAGES if p.exists(root)]


def neighbours(page_id: str, root: Path = ROOT) -> tuple[PageInfo | None, PageInfo | None]:
    """The previous and next *existing* pages around ``page_id`` on the route (None at either end)."""
    pages = available(root)
    ids = [p.id for p in pages]
    if page_id not in ids:
        return None, (pages[0] if page_id == HOME and pages else None)
    i = ids.index(page_id)
    return (pages[i - 1] if i > 0 else None), (pages[i + 1] if i + 1 < len(pages) else None)
