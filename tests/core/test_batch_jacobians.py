"""Batched step Jacobians and bias families: what the families of pages 3 and 4 are built from equals the
single model's run, Jacobian by Jacobian."""
import numpy as np
import pytest

from core import GRU, LSTM, chain_log10_norms
from core.family import bias_family, chain_log10_norms_family
from core.lstm import BlockJacobian


def runs(cls, gate, values, T=12, H=5, I=3, seed=0, **kw):
    xs = np.random.default_rng(seed).normal(size=(T, I))
    m = cls(I, H, seed=seed, **kw)
    m.params["bias_hh"][gate * H:(gate + 1) * H] = 0.0
    fam, tr = bias_family(m, gate, values, xs)
    singles = []
    for v in values:
        one = cls(I, H, seed=seed, **kw)
        one.params["bias_hh"][gate * H:(gate + 1) * H] = 0.0
        one.params["bias_ih"][gate * H:(gate + 1) * H] = v
        singles.append((one, one.forward(xs)))
    return fam, tr, singles


@pytest.mark.parametrize("cls, gate, kw", [(LSTM, 1, {}), (LSTM, 1, {"forget_gate": False}), (LSTM, 0, {}),
                                           (GRU, 1, {}), (GRU, 0, {})])
def test_bias_family_members_are_single_runs_and_their_jacobians(cls, gate, kw):
    values = np.array([-3.0, 0.0, 0.5, 4.0])
    fam, tr, singles = runs(cls, gate, values, **kw)
    assert tr.hb.shape == (12, 4, 5) and fam.params["bias_ih"].shape == (4, cls.GATES * 5)
    for f, (one, single) in enumerate(singles):
        np.testing.assert_allclose(tr.hb[:, f], single.h, atol=1e-14, rtol=0)
        J = one.state_jacobians(single)
        for k in (0, 1, 7, 11):
            Jk = fam.batch_state_jacobian(tr, k)
            dense = Jk.dense() if isinstance(Jk, BlockJacobian) else Jk
            np.testing.assert_allclose(dense[f], J[k], atol=1e-14, rtol=0)


def test_block_jacobian_products_equal_dense_ones():
    fam, tr, _ = runs(LSTM, 1, np.array([-1.0, 2.0, 5.0]), H=6)
    Jk = fam.batch_state_jacobian(tr, 4)
    assert Jk.shape == (3, 12, 12)
    R = np.random.default_rng(1).normal(size=(3, 7, 12))
    np.testing.assert_allclose(R @ Jk, R @ Jk.dense(), atol=1e-13, rtol=0)


def test_blocks_of_one_sweep_equal_separate_chains():
    fam, tr, singles = runs(LSTM, 1, np.array([-2.0, 1.0, 6.0]), T=30, H=20)
    jac = lambda k: fam.batch_state_jacobian(tr, k)             # noqa: E731
    c = slice(20, 40)
    both = chain_log10_norms_family(jac, 3, 30, 40, blocks=[(c, c), (None, None), (slice(0, 20), None)])
    assert both.shape == (3, 3, 31)
    for f, (one, single) in enumerate(singles):
        J = one.state_jacobians(single)
        np.testing.assert_allclose(both[0, f], chain_log10_norms(J, rows=c, cols=c), atol=1e-10)
        np.testing.assert_allclose(both[1, f], chain_log10_norms(J), atol=1e-10)
        np.testing.assert_allclose(both[2, f], chain_log10_norms(J, rows=slice(0, 20)), atol=1e-10)
    np.testing.assert_array_equal(both[1], chain_log10_norms_family(jac, 3, 30, 40))
