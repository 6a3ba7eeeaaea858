"""chain_log10_norms and friends against brute-force products, plus the overflow-proof cases."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import LSTM, RNN, chain_log10_norms, diag_chain_log10_norms, influence_norms, memory_horizon
from core.init import orthogonal


def brute(J, ord=2, rows=slice(None), cols=slice(None)):
    T, S, _ = J.shape
    P, out = np.eye(S), [np.linalg.norm(np.eye(S)[rows, cols], ord)]
    for k in range(T - 1, -1, -1):
        P = P @ J[k]
        out.append(np.linalg.norm(P[rows, cols], ord))
    return np.log10(np.array(out[::-1]))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), S=st.sampled_from([3, 9, 24, 40]), T=st.integers(1, 30),
       scale=st.floats(0.3, 1.6), ord_=st.sampled_from([2, "fro"]))
def test_matches_brute_force(seed, S, T, scale, ord_):
    J = np.random.default_rng(seed).normal(size=(T, S, S)) * scale / np.sqrt(S)
    assert np.allclose(chain_log10_norms(J, ord=ord_), brute(J, ord_), atol=1e-9, rtol=0)


def test_blocks_match_brute_force():
    m = LSTM(3, 20, seed=0)
    tr = m.forward(np.random.default_rng(1).normal(size=(25, 3)))
    J = m.state_jacobians(tr)
    cs = slice(20, 40)
    assert np.allclose(chain_log10_norms(J, rows=cs, cols=cs), brute(J, 2, cs, cs), atol=1e-9)
    hs = slice(0, 20)
    assert np.allclose(chain_log10_norms(J, rows=hs, cols=hs), brute(J, 2, hs, hs), atol=1e-9)


def test_rho_3_T_1000_does_not_overflow():
    Q = orthogonal(8, seed=0)
    J = np.broadcast_to(3.0 * Q, (1000, 8, 8))
    L = chain_log10_norms(J)
    assert np.all(np.isfinite(L))
    assert np.isclose(L[0], 1000 * np.log10(3.0), atol=1e-8)      # 10^477, beyond float range
    L_small = chain_log10_norms(np.broadcast_to(Q / 3.0, (1000, 8, 8)))
    assert np.isclose(L_small[0], -1000 * np.log10(3.0), atol=1e-8)


def test_exactly_zero_product_is_minus_inf_not_nan():
    J = np.ones((5, 4, 4))
    J[2] = 0.0
    L = chain_log10_norms(J)
    assert np.all(np.isneginf(L[:3])) and np.all(np.isfinite(L[3:]))


def test_nearly_degenerate_singular_values_are_accurate():
    # a rotation-like chain whose top singular values nearly coincide: power iteration's hard case
    rng = np.random.default_rng(5)
    Q = orthogonal(64, seed=1)
    J = np.stack([Q * (1 + 1e-4 * rng.normal(size=64))[:, None] for _ in range(60)])
    assert np.allclose(chain_log10_norms(J), brute(J), atol=1e-9)


def test_diag_chain():
    d = np.random.default_rng(0).uniform(0.1, 1.2, size=(30, 7))
    J = np.stack([np.diag(v) for v in d])
    for ord_ in (2, "fro"):
        assert np.allclose(diag_chain_log10_norms(d, ord_), brute(J, ord_), atol=1e-10)
    d[10, :] = 0
    assert np.all(np.isneginf(diag_chain_log10_norms(d)[:11]))


def test_influence_is_causal_and_matches_products():
    m = RNN(3, 5, seed=0)
    xs = np.random.default_rng(0).normal(size=(6, 3))
    tr = m.forward(xs)
    J, Jx = m.state_jacobians(tr), m.input_jacobians(tr)
    inf = influence_norms(J, Jx)
    assert np.all(np.triu(inf, 1) == 0) and np.all(np.diag(inf) > 0)
    assert np.isclose(inf[4, 1], np.linalg.norm(J[4] @ J[3] @ J[2] @ Jx[1]))


def test_memory_horizon():
    L = np.array([-6.0, -4.5, -3.2, -2.0, -1.0, 0.0])     # distance 0..5 reversed
    assert memory_horizon(L) == 3
    assert memory_horizon(np.zeros(10)) is None


@pytest.mark.parametrize("ord_", [2, "fro"])
def test_rejects_bad_input(ord_):
    with pytest.raises(ValueError):
        chain_log10_norms(np.ones((3, 2, 3)), ord=ord_)
    with pytest.raises(ValueError):
        chain_log10_norms(np.ones((3, 2, 2)), ord=3)
