import numpy as np
import pytest

from core.family import grid
from core.scenarios import relu_vs_tanh


def test_shared_weights_and_expected_orderings():
    r = relu_vs_tanh.run(rho=1.2, hidden=32, T=60, input_scale=1.0, seed=0)
    c = r["curves"]
    d = r["distance"]
    assert np.allclose(c["linear"]["log_norm"], d * np.log10(1.2), atol=1e-9)   # orthogonal: exact power
    assert np.all(c["sigmoid"]["log_norm"] <= d * np.log10(1.2 / 4) + 1e-9)   # the 1/4 bound
    assert c["irnn"]["log_h"][-1] > c["tanh"]["log_h"][-1] + 2                  # ReLU's forward explosion
    assert np.allclose(c["irnn"]["log_norm"][:20], d[:20] * np.log10(1.2), atol=1e-9)   # rho^(T-k) while alive
    assert set(np.unique(c["relu"]["fprime"])) <= {0.0, 1.0}
    assert c["tanh"]["fprime"].max() <= 1.0 and c["sigmoid"]["fprime"].max() <= 0.25
    assert c["tanh"]["horizon"] is None or c["tanh"]["horizon"] > 5


def test_irnn_keeps_gradient_near_one_early():
    r = relu_vs_tanh.run(rho=0.9, hidden=32, T=50, seed=1)
    L = r["curves"]["irnn"]["log_norm"]
    assert np.allclose(L[:10], np.arange(10) * np.log10(0.9), atol=1e-12)   # rho^(T-k) while a unit lives


def test_function_grid():
    r = relu_vs_tanh.run(T=5)
    f, df = r["functions"]["sigmoid"]
    assert np.isclose(df.max(), 0.25) and np.all(np.diff(f) > 0)


@pytest.mark.parametrize("H, T, scale, init, seed", [(32, 100, 1.0, "orthogonal", 0), (16, 80, 0.5, "gaussian", 3),
                                                     (8, 150, 3.0, "orthogonal", 1), (12, 300, 1.0, "gaussian", 2)])
def test_family_members_equal_single_runs(H, T, scale, init, seed):
    """Page 2's main chart holds the family over the rho grid; each member is what run() computes there."""
    rhos = grid(0.1, 4.5, 0.05)
    fam = relu_vs_tanh.family(rhos, H, T, scale, init, seed)
    for f in (0, 17, 18, 19, 38, 60, 88):
        r = relu_vs_tanh.run(rhos[f], H, T, scale, init, seed)
        for name in relu_vs_tanh.CONTENDERS:
            got, want = fam[name]["log_norm"][f], r["curves"][name]["log_norm"]
            assert np.array_equal(np.isposinf(got), np.isposinf(want)) and np.array_equal(np.isneginf(got),
                                                                                           np.isneginf(want))
            ok = np.isfinite(want)
            np.testing.assert_allclose(got[ok], want[ok], atol=1e-9, rtol=0, err_msg=f"{name} at rho={rhos[f]}")
            hz = r["curves"][name]["horizon"]
            assert (hz is None and np.isnan(fam[name]["horizon"][f])) or fam[name]["horizon"][f] == hz
            top = np.max(r["curves"][name]["log_h"])
            assert fam[name]["log_h_max"][f] == pytest.approx(top, abs=1e-9) or (np.isinf(top) and np.isinf(
                fam[name]["log_h_max"][f]))


def test_family_sweeps_the_chains_once(monkeypatch):
    """tanh, sigmoid and ReLU share one sweep of the Jacobian chains (the per-step cost is paid once)."""
    calls = []
    real = relu_vs_tanh.chain_log10_norms_family

    def counting(jac, F, T, S, **kwargs):
        calls.append(F)
        return real(jac, F, T, S, **kwargs)

    monkeypatch.setattr(relu_vs_tanh, "chain_log10_norms_family", counting)
    relu_vs_tanh.family(grid(0.5, 1.5, 0.25), 8, 10)
    assert calls == [3 * 5]
