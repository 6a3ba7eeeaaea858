import numpy as np

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
