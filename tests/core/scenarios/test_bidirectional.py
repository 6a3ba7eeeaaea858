import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.scenarios import bidirectional as bi
from core.scenarios.bidirectional import EMBED_DIM, MAX_WORDS, embed, tokenize

from ..helpers import jacobian_fd, rel_err

ROOT = Path(__file__).resolve().parents[3]
CELLS = ["rnn", "lstm", "gru"]
ODD = ["", " ", "one", " ".join(["w"] * 500), "<script>alert(1)</script>", "电影 非常 精彩", "这部电影非常精彩",
       "😀 👍🏽 👨‍👩‍👧", "\x00\n\t", "مرحبا بالعالم", "a\u202eb", "\ud800", "\u200b \u0301", "x" * 10_000,
       "<b>bold</b> &amp; **md** $x$"]


@pytest.mark.parametrize("cell", CELLS)
def test_maps_see_left_right_and_both(cell):
    r = bi.run(cell=cell)
    f, b, both = r["forward"], r["backward"], r["bidirectional"]
    T = len(r["words"])
    assert r["words"] == ["the", "movie", "was", "terribly", "exciting", "!"] and not r["empty"]
    assert f.shape == b.shape == both.shape == (T, T)
    lower, upper = np.tril_indices(T), np.triu_indices(T)
    assert np.all(np.triu(f, 1) == 0.0) and np.all(f[lower] > 0)       # left context only
    assert np.all(np.tril(b, -1) == 0.0) and np.all(b[upper] > 0)      # right context only
    assert np.all(both > 0)                                             # both sides
    assert np.allclose(both, np.sqrt(f ** 2 + b ** 2))
    assert r["focus"] == 3                                              # "terribly"
    bars = r["focus_bars"]
    assert np.all(bars["forward"][4:] == 0) and np.all(bars["bidirectional"][4:] > 0)   # "exciting", "!"
    assert 0 < r["right_share"] < 1


def _full_jacobian_norms(r, cell, hidden, seed):
    """||d output_t / dx_k||_F from StackedRNN's exact backward, one pass per output unit: (3, T, T) for the
    forward half, the backward half and the whole [forward | backward] output."""
    net = bi.model(cell, hidden, seed)
    x = r["x"]
    tr = net.forward(x)
    T = x.shape[0]
    jac = np.zeros((T, 2 * hidden, T, EMBED_DIM))           # [t, unit, k, i]
    for t in range(T):
        for j in range(2 * hidden):
            d = np.zeros((T, 2 * hidden))
            d[t, j] = 1.0
            jac[t, j] = net.backward(tr, d)["x"]
    norm = lambda a: np.sqrt(np.sum(a ** 2, axis=(1, 3)))    # noqa: E731
    return norm(jac[:, :hidden]), norm(jac[:, hidden:]), norm(jac)


@pytest.mark.parametrize("cell", CELLS)
def test_maps_equal_norms_of_the_exact_jacobian_of_the_output(cell):
    """Independent route: StackedRNN's BPTT instead of chained step Jacobians; also checks that the
    bidirectional map (norm of the stacked Jacobian) is sqrt(forward^2 + backward^2)."""
    hidden, seed = 5, 2
    r = bi.run("a bb a ccc dd", cell=cell, hidden=hidden, seed=seed)
    f, b, both = _full_jacobian_norms(r, cell, hidden, seed)
    np.testing.assert_allclose(r["forward"], f, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(r["backward"], b, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(r["bidirectional"], both, rtol=1e-10, atol=1e-14)


def test_diagonal_is_the_one_step_input_jacobian():
    """tanh RNN: dh_t/dx_t = diag(1 - h_t^2) W_ih, straight from the forward states."""
    r = bi.run(cell="rnn", hidden=7, seed=3)
    net = bi.model("rnn", 7, 3)
    tr = net.forward(r["x"])
    for d, sign in ((0, 1), (1, -1)):
        h = tr.traces[0][d].h[:, 0][::sign]                 # states by position
        W = net.params["weight_ih_l0" + ("_reverse" if d else "")]
        expected = [np.linalg.norm((1 - h[t] ** 2)[:, None] * W) for t in range(len(h))]
        got = np.diag(r["forward"] if d == 0 else r["backward"])
        np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
def test_diagonal_and_off_diagonal_by_finite_differences(cell):
    """Perturb one word vector, re-run the forward, compare ||dh_t/dx_k||_F (h rows only for the LSTM)."""
    hidden, seed = 6, 1
    r = bi.run(cell=cell, hidden=hidden, seed=seed)
    net = bi.model(cell, hidden, seed)
    x = r["x"].copy()
    for t, k in ((3, 3), (4, 1), (1, 4)):
        xk = x[k]                                            # a view: jacobian_fd perturbs it in place
        J = jacobian_fd(lambda: net.forward(x).output[t], xk)        # (2H, I)
        assert rel_err(np.linalg.norm(J[:hidden]), r["forward"][t, k]) < 1e-7
        assert rel_err(np.linalg.norm(J[hidden:]), r["backward"][t, k]) < 1e-7
        assert rel_err(np.linalg.norm(J), r["bidirectional"][t, k]) < 1e-7


def test_empty_and_single_word():
    r = bi.run("")
    assert r["empty"] and r["words"] == [] and r["focus"] is None
    assert r["forward"].shape == r["bidirectional"].shape == (0, 0) and r["x"].shape == (0, EMBED_DIM)
    assert all(v.shape == (0,) for v in r["focus_bars"].values())
    r = bi.run("hello", cell="lstm")
    assert not r["empty"] and r["focus"] == 0 and r["forward"].shape == (1, 1)
    assert r["forward"][0, 0] > 0 and r["right_share"] == 0.0


def test_focus_default_and_clamping():
    assert bi.run("a b c d e")["focus"] == 2                # middle word without "terribly"
    assert bi.run("It was TERRIBLY good")["focus"] == 2
    assert bi.run(focus=99)["focus"] == 5 and bi.run(focus=-3)["focus"] == 0
    first, mid, last = (bi.run(focus=f) for f in (0, 3, 5))
    assert first["focus_bars"]["forward"][1:].sum() == 0 and last["right_share"] == 0.0
    assert first["right_share"] > 0 and mid["right_share"] > 0          # words to the right are seen


def test_tokenize_rules():
    assert tokenize("the movie was terribly exciting !") == ["the", "movie", "was", "terribly", "exciting", "!"]
    assert tokenize("电影 非常 精彩") == ["电影", "非常", "精彩"]
    assert tokenize("这部电影非常精彩") == list("这部电影非常精彩")
    assert tokenize("电影，很好") == ["电影", "，", "很好"]
    assert tokenize("\x00\n\t") == [] and tokenize("  ") == [] and tokenize("") == []
    assert tokenize("a\x00b") == ["a", "b"]                 # control characters separate words
    assert len(tokenize(" ".join(["w"] * 500))) == MAX_WORDS
    assert len(tokenize("a b c", max_words=2)) == 2 and tokenize("a", max_words=0) == []
    assert tokenize("x" * 1000)[0].endswith("…")


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_tokenize_never_raises_and_words_are_printable(text):
    words = tokenize(text)
    assert len(words) <= MAX_WORDS
    for w in words:
        assert w and not any(c.isspace() for c in w)
        w.encode("utf-8")                                    # no lone surrogates: the page can send it


@pytest.mark.parametrize("text", ODD)
def test_odd_sentences_never_raise(text):
    for cell in CELLS:
        r = bi.run(text, cell=cell, hidden=4)
        for key in ("forward", "backward", "bidirectional", "x"):
            assert np.all(np.isfinite(r[key]))
        assert r["empty"] == (len(r["words"]) == 0)


def test_embeddings_are_deterministic_per_word():
    a = embed(["the", "movie", "the", "电影", "😀"], 8, 0)
    assert a.shape == (5, 8) and np.array_equal(a[0], a[2]) and not np.allclose(a[0], a[1])
    assert np.array_equal(a, embed(["the", "movie", "the", "电影", "😀"], 8, 0))       # across calls
    assert np.array_equal(embed(["movie"], 8, 0)[0], a[1])                          # across sentences
    assert not np.allclose(embed(["the"], 8, 1)[0], a[0])                            # the seed matters
    assert embed([], 8, 0).shape == (0, 8)
    assert np.all(np.isfinite(embed(["\ud800", "<b>"], 8, -5)))


def test_embedding_is_stable_across_processes():
    """Same vector in a fresh interpreter with another hash salt (Python's hash() would change it)."""
    code = "from core.scenarios.bidirectional import embed; print(embed(['terribly'], 4, 0)[0].tolist())"
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    assert ast.literal_eval(out.stdout.strip()) == embed(["terribly"], 4, 0)[0].tolist()


@pytest.mark.parametrize("cell", CELLS)
def test_the_focus_family_is_the_maps_rows_and_their_right_shares(cell):
    """Part A's family over the focus word is data the maps already hold: each member equals run(focus=f)."""
    text = "the movie that my friends kept recommending was terribly exciting !"
    r = bi.run(text, cell, 8, 2)
    shares = bi.right_shares(r["bidirectional"])
    T = len(r["words"])
    assert shares.shape == (T,) and shares[-1] == 0.0 and np.all(shares[:-1] > 0)
    for f in (0, 3, T - 1):
        single = bi.run(text, cell, 8, 2, focus=f)
        assert single["right_share"] == shares[f]
        for d in ("forward", "backward", "bidirectional"):
            assert np.array_equal(single["focus_bars"][d], r[d][f])
    assert np.array_equal(bi.right_shares(np.zeros((3, 3))), np.zeros(3))


def test_influence_by_distance_is_the_mean_log_of_the_maps_diagonals():
    r = bi.run("the movie that my friends kept recommending was terribly exciting !", "rnn", 8, 1)
    f, b = r["forward"], r["backward"]
    d, fwd, bwd = bi.by_distance(f, b)
    T = len(r["words"])
    assert np.array_equal(d, np.arange(T)) and fwd.shape == bwd.shape == (T,)
    assert np.isclose(fwd[0], np.mean(np.log10(np.diag(f)))) and np.isclose(bwd[0], np.mean(np.log10(np.diag(b))))
    assert np.isclose(fwd[2], np.mean([np.log10(f[t, t - 2]) for t in range(2, T)]))
    assert np.isclose(bwd[T - 1], np.log10(b[0, T - 1]))
    assert fwd[-1] < fwd[0] - 2 and bwd[-1] < bwd[0] - 2                     # fades with distance, both ways
    assert bi.by_distance(np.zeros((2, 2)), np.zeros((2, 2)))[1][0] == -np.inf
