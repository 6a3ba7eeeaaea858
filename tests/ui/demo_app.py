"""A throw-away copy of the app with two stub demo pages, to test the shared frame before real pages exist.

The stubs use the whole page API (controls, presets, link, every chart builder, metrics, expanders, CSV)
on synthetic NumPy data, so these tests do not depend on core/ or on the real pages.

- In-process AppTest: :func:`write_stub_app` + :func:`stub_keys_installed` (adds the stubs' i18n keys to
  the live tables for the duration of the test).
- Real browser: :func:`make_app_copy` copies ui/, core/ (ui imports it, see ui/preload.py), streamlit_app.py and
  .streamlit/ too and appends the keys to the copied tables, so a server can run from the copy.
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PAGE_1 = '''
import numpy as np
import pandas as pd
import streamlit as st

import ui
from ui import Choice, Number, Slider, charts

SPECS = [
    Slider("rho", default=0.9, lo=0.1, hi=2.0, step=0.05),
    Choice("act", default="tanh", options=("tanh", "sigmoid", "linear")),
    Slider("T", default=60, lo=5, hi=300),
    Choice("init", default="orthogonal", options=("orthogonal", "gaussian"), kind="radio"),
    Number("seed", default=0, lo=0, hi=9999),
]
PRESETS = {"vanishing": {"rho": 0.5}, "exploding": {"rho": 1.5, "act": "linear"}}


@ui.cached
def compute(rho, act, T, init, seed):
    gamma = 0.25 if act == "sigmoid" else 1.0
    d = np.arange(T + 1)
    L = d * np.log10(gamma * rho)
    L[-1] = np.inf if rho > 1.9 else L[-1]
    lam = rho * np.exp(2j * np.pi * np.random.default_rng(seed).random(16))
    h = np.tanh(np.random.default_rng(seed).normal(size=(16, T)) * rho)
    return d, L, lam, h, gamma


ctx = ui.page_frame("vanilla_rnn", controls=SPECS, presets=PRESETS)
panel = ctx.panel
panel.preset_row()
left, right = st.columns([1, 3])
with left:
    v = panel.render()
    panel.share()
d, L, lam, h, gamma = compute(**v)
curves = pd.DataFrame({"distance": d, "log10": L, "series": v.act})
refs = charts.series_frame(d, {"rho^(T-k)": d * np.log10(v.rho)}, x="distance", y="log10")
with right:
    ui.show_chart(charts.gradient_curves(curves, refs=refs, window=10, text=ctx.chart_text,
                                         projector=ctx.projector))
    ui.metric_row(ctx, {"rho": v.rho, "grad": ui.fmt_pow10(L[-1])})
a, b = st.columns(2)
with a:
    ui.show_chart(charts.eigen_plane(lam, second_radius=1 / gamma, text=ctx.chart_text, projector=ctx.projector))
with b:
    ui.show_chart(charts.heatmap(h, x_title=ctx.chart_text.time, y_title=ctx.chart_text.unit,
                                 diverging=True, text=ctx.chart_text, projector=ctx.projector))
ui.explain(ctx, math=[r"h_t = f(W_{hh} h_{t-1})", ("vanilla_rnn.math_intro", r"\\rho(W_{hh})")],
           code=[compute])
ui.download_csv(ctx, curves)
'''

PAGE_2 = '''
import numpy as np
import pandas as pd

import ui
from ui import Slider, Toggle, charts

ctx = ui.page_frame("relu_vs_tanh")  # controls declared later: the ctx.controls() path
panel = ctx.controls([Slider("gain", default=1.0, lo=0.5, hi=1.5, step=0.05), Toggle("irnn", default=False)],
                     {"big": {"gain": 1.2, "irnn": True}})
panel.preset_row()
v = panel.render()
panel.share()
a = np.linspace(-3, 3, 61)
fdf = pd.concat([pd.DataFrame({"a": a, "value": f(a), "curve": c, "series": n})
                 for n, f, df in (("tanh", np.tanh, lambda x: 1 - np.tanh(x) ** 2),
                                  ("relu", lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0))
                 for c, f in (("f", f), ("df", df))])
ui.show_chart(charts.function_grid(fdf, text=ctx.chart_text, projector=ctx.projector))
rng = np.random.default_rng(0)
ui.show_chart(charts.histogram(pd.DataFrame({"value": rng.random(500), "series": "tanh"}), domain=(0, 1),
                               text=ctx.chart_text, projector=ctx.projector))
t = np.arange(50)
with np.errstate(over="ignore"):
    norms = np.exp(t * 20.0 * v.gain)  # overflows to inf on purpose
ui.show_chart(charts.time_series(pd.DataFrame({"t": t, "value": norms, "series": "relu"}), log_y=True,
                                 text=ctx.chart_text, projector=ctx.projector))
ui.show_chart(charts.bar_chart(pd.DataFrame({"k": t, "v": -t * v.gain}), x="k", y="v", baseline=-80,
                               text=ctx.chart_text, projector=ctx.projector))
ui.explain(ctx, notice=True)
'''

STUB_KEYS = {
    "en": {
        "vanilla_rnn.rho": "spectral radius ρ", "vanilla_rnn.rho.help": "max |eigenvalue| of W_hh",
        "vanilla_rnn.act": "activation", "vanilla_rnn.T": "sequence length T", "vanilla_rnn.init": "initialisation",
        "vanilla_rnn.init.orthogonal": "all |λ| equal", "vanilla_rnn.init.gaussian": "random spread",
        "vanilla_rnn.seed": "random seed", "vanilla_rnn.preset.vanishing": "vanishing",
        "vanilla_rnn.preset.exploding": "exploding", "vanilla_rnn.metric.rho": "spectral radius",
        "vanilla_rnn.metric.grad": "gradient at distance T", "vanilla_rnn.notice": "Watch the **slope**.",
        "vanilla_rnn.math_intro": "The spectral radius:",
        "relu_vs_tanh.gain": "gain", "relu_vs_tanh.irnn": "identity start", "relu_vs_tanh.preset.big": "large gain",
        "relu_vs_tanh.notice": "ReLU passes slope 1 or 0.",
    },
    "zh": {
        "vanilla_rnn.rho": "谱半径 ρ", "vanilla_rnn.rho.help": "W_hh 特征值模的最大值",
        "vanilla_rnn.act": "激活函数", "vanilla_rnn.T": "序列长度 T", "vanilla_rnn.init": "初始化方式",
        "vanilla_rnn.init.orthogonal": "所有 |λ| 相等", "vanilla_rnn.init.gaussian": "随机分布",
        "vanilla_rnn.seed": "随机种子", "vanilla_rnn.preset.vanishing": "梯度消失",
        "vanilla_rnn.preset.exploding": "梯度爆炸", "vanilla_rnn.metric.rho": "谱半径",
        "vanilla_rnn.metric.grad": "距离 T 处的梯度", "vanilla_rnn.notice": "注意观察**斜率**。",
        "vanilla_rnn.math_intro": "谱半径：",
        "relu_vs_tanh.gain": "增益", "relu_vs_tanh.irnn": "单位矩阵初始化", "relu_vs_tanh.preset.big": "大增益",
        "relu_vs_tanh.notice": "ReLU 的斜率只有 1 和 0。",
    },
}

PAGE_FILES = {"pages/1_vanilla_rnn.py": PAGE_1, "pages/2_relu_vs_tanh.py": PAGE_2}


def write_stub_app(dest: Path) -> Path:
    """dest/streamlit_app.py (the real home page) and the two stub pages; returns the main script."""
    (dest / "pages").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "streamlit_app.py", dest / "streamlit_app.py")
    for rel, src in PAGE_FILES.items():
        (dest / rel).write_text(src, encoding="utf-8")
    return dest / "streamlit_app.py"


@contextmanager
def stub_keys_installed():
    """Put the stubs' translation keys into the live tables (over real pages' keys), restoring them after."""
    from ui.i18n import TABLES

    saved = {lang: {k: TABLES[lang].get(k) for k in keys} for lang, keys in STUB_KEYS.items()}
    for lang, keys in STUB_KEYS.items():
        TABLES[lang].update(keys)
    try:
        yield
    finally:
        for lang, old in saved.items():
            for k, v in old.items():
                if v is None:
                    TABLES[lang].pop(k, None)
                else:
                    TABLES[lang][k] = v


def make_app_copy(dest: Path) -> Path:
    """A runnable copy (ui/, core/, .streamlit/, home, stub pages, stub keys) for a real server; returns its folder."""
    shutil.copytree(ROOT / "ui", dest / "ui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "core", dest / "core", ignore=shutil.ignore_patterns("__pycache__"))  # ui.scrub imports it
    shutil.copytree(ROOT / ".streamlit", dest / ".streamlit")
    write_stub_app(dest)
    for lang, keys in STUB_KEYS.items():
        with open(dest / "ui" / "i18n" / f"{lang}.py", "a", encoding="utf-8") as f:
            f.write(f"\nTABLE.update({keys!r})\n")
    return dest
