"""core.family: the batched chain equals ``chain_log10_norms`` member by member; the grid is the slider's."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import LSTM, chain_log10_norms
from core.family import chain_log10_norms_family, grid
from core.init import orthogonal
from core.scenarios import gru_update_gate, lstm_forget_gate, relu_vs_tanh, vanilla_rnn


def family_of(Js, **kw):
    J = np.stack(Js)                                         # (F, T, S, S)
    return chain_log10_norms_family(lambda k: J[:, k], J.shape[0], J.shape[1], J.shape[2], **kw)


def test_grid_is_what_the_slider_reports():
    g = grid(0.1, 2.0, 0.05)
    assert len(g) == 39 and g[0] == 0.1 and g[-1] == 2.0 and g[3] == 0.25 and g[17] == 0.95
    spelled = [float(f"{0.1 + 0.05 * k:.2f}") for k in range(39)]  # what a range input reports
    assert [float(repr(float(v))) for v in g] == spelled
    assert grid(-4.0, 6.0, 0.25)[16] == 0.0 and list(grid(1, 5, 1)) == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError):
        grid(1.0, 0.5, 0.1)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), F=st.integers(1, 5), S=st.sampled_from([3, 9, 20, 40]), T=st.integers(1, 25),
       ord_=st.sampled_from([2, "fro"]))
def test_each_member_equals_the_single_chain(seed, F, S, T, ord_):
    rng = np.random.default_rng(seed)
    Js = [rng.normal(size=(T, S, S)) * rng.uniform(0.3, 1.6) / np.sqrt(S) for _ in range(F)]
    L = family_of(Js, ord=ord_)
    assert L.shape == (F, T + 1)
    for f in range(F):
        np.testing.assert_allclose(L[f], chain_log10_norms(Js[f], ord=ord_), atol=1e-10, rtol=0)


def test_blocks_zero_products_and_huge_chains_per_member():
    m = LSTM(3, 20, seed=0)
    Js = [m.state_jacobians(m.forward(np.random.default_rng(s).normal(size=(25, 3)))) for s in range(3)]
    cs = slice(20, 40)
    L = family_of(Js, rows=cs, cols=cs)
    for f in range(3):
        np.testing.assert_allclose(L[f], chain_log10_norms(Js[f], rows=cs, cols=cs), atol=1e-10)
    dead = np.ones((5, 4, 4))
    dead[2] = 0.0
    Q = orthogonal(8, seed=0)
    L = family_of([dead, np.ones((5, 4, 4))])
    assert np.all(np.isneginf(L[0, :3])) and np.all(np.isfinite(L[0, 3:])) and np.all(np.isfinite(L[1]))
    big = family_of([np.broadcast_to(3.0 * Q, (1000, 8, 8)), np.broadcast_to(Q / 3.0, (1000, 8, 8))])
    np.testing.assert_allclose(big[:, 0], [1000 * np.log10(3.0), -1000 * np.log10(3.0)], atol=1e-8)


def test_clustered_spectra_get_exact_norms():
    rng = np.random.default_rng(5)
    Q = orthogonal(64, seed=1)
    Js = [np.stack([Q * (1 + eps * rng.normal(size=64))[:, None] for _ in range(40)]) for eps in (1e-4, 1e-1)]
    L = family_of(Js)
    for f in range(2):
        np.testing.assert_allclose(L[f], chain_log10_norms(Js[f]), atol=1e-9)


def test_non_finite_jacobians_are_refused():
    J = np.ones((1, 3, 4, 4))
    J[0, 1, 0, 0] = np.inf
    with pytest.raises(ValueError):
        chain_log10_norms_family(lambda k: J[:, k], 1, 3, 4)


FAMILIES = {  # the page families (pages 1-4): their grid values, small settings (H = 6, T = 4: T + 1 == 5 members)
    "vanilla_rnn": lambda v: vanilla_rnn.family("tanh", v, 6, 4),
    "relu_vs_tanh": lambda v: relu_vs_tanh.family(v, 6, 4),
    "lstm_forget_gate": lambda v: lstm_forget_gate.family(v, 0.0, 1.0, 6, 4),
    "gru_update_gate": lambda v: gru_update_gate.family(v, 0.0, 1.0, 6, 4),
}


def _arrays(result, path=()):
    if isinstance(result, dict):
        for k, v in result.items():
            yield from _arrays(v, (*path, k))
    else:
        yield path, np.asarray(result)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_page_families_have_members_first_and_members_can_be_taken(name):
    """``take_members`` relies on it: every array but ``distance`` has the member axis first (ui.progressive)."""
    from core.family import take_members

    values = np.array([0.2, 0.9, 1.0, 1.3, 2.0])                # 5 members, and distance has T + 1 = 5 points too
    fam = FAMILIES[name](values)
    for path, arr in _arrays(fam):
        if path != ("distance",):
            assert arr.shape[0] == 5, f"{name}: {path} has no member axis first"
    idx = [3, 3, 0]
    part, taken = FAMILIES[name](values[idx]), take_members(fam, idx)
    assert np.array_equal(taken["distance"], fam["distance"])
    for (path, a), (_, b) in zip(_arrays(taken), _arrays(part), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-10, rtol=0, err_msg=f"{name}: {path}")


# A page's single run (its tiles, secondary charts and CSV) takes the slider's member of the family instead of
# multiplying the same Jacobian chains again: (run at value v with the member given) == (run at v from scratch).
GIVEN = {  # name -> (run(v, given) at H = 6, T = 12, the member of family(values) at index f as ``given``)
    "vanilla_rnn": (lambda v, g: vanilla_rnn.run("tanh", v, 6, 12, log_norm=g),
                    lambda fam, f: fam["log_norm"][f], lambda vs: vanilla_rnn.family("tanh", vs, 6, 12)),
    "relu_vs_tanh": (lambda v, g: relu_vs_tanh.run(v, 6, 12, log_norms=g),
                     lambda fam, f: {k: fam[k]["log_norm"][f] for k in relu_vs_tanh.CONTENDERS},
                     lambda vs: relu_vs_tanh.family(vs, 6, 12)),
    "lstm_forget_gate": (lambda v, g: lstm_forget_gate.run(v, 0.5, 1.3, 6, 12, curves=g),
                         lambda fam, f: {k: c[f] for k, c in fam["curves"].items()},
                         lambda vs: lstm_forget_gate.family(vs, 0.5, 1.3, 6, 12)),
    "gru_update_gate": (lambda v, g: gru_update_gate.run(v, 0.5, 1.3, 6, 12, curves=g),
                        lambda fam, f: {k: c[f] for k, c in fam["curves"].items()},
                        lambda vs: gru_update_gate.family(vs, 0.5, 1.3, 6, 12)),
}


def _leaves(result, path=()):
    if isinstance(result, dict):
        for k, v in result.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(result, tuple):
        for k, v in enumerate(result):
            yield from _leaves(v, (*path, k))
    else:
        yield path, result


@pytest.mark.parametrize("name", sorted(GIVEN))
def test_a_single_run_given_the_family_member_equals_the_run_from_scratch(name):
    run, member, family = GIVEN[name]
    values = np.array([-1.0, 0.3, 1.1, 2.5])
    fam = family(values)
    for f in (1, 3):
        given, scratch = run(values[f], member(fam, f)), run(values[f], None)
        for (path, a), (_, b) in zip(_leaves(given), _leaves(scratch), strict=True):
            if isinstance(a, np.ndarray):
                np.testing.assert_allclose(a, b, atol=1e-10, rtol=0, err_msg=f"{name}: {path}")
            elif isinstance(a, float):
                assert a == pytest.approx(b, abs=1e-10), f"{name}: {path}"
            else:
                assert a == b, f"{name}: {path}"


@pytest.mark.parametrize("name", sorted(GIVEN))
def test_a_given_member_is_used_as_it_is_and_checked(name):
    """Not recomputed: a curve handed in (here shifted) is the curve returned, horizons follow it; a curve of
    the wrong length is refused."""
    run, member, family = GIVEN[name]
    fam = family(np.array([0.7]))
    given = member(fam, 0)
    shifted = ({k: c - 5.0 for k, c in given.items()} if isinstance(given, dict) else given - 5.0)
    out = run(0.7, shifted)
    curves = {"vanilla_rnn": lambda r: {"g": r["log_norm"]},
              "relu_vs_tanh": lambda r: {k: c["log_norm"] for k, c in r["curves"].items()}}.get(
        name, lambda r: r["curves"])(out)
    expect = shifted if isinstance(shifted, dict) else {"g": shifted}
    if name == "relu_vs_tanh":                                   # only where the forward pass stays finite
        expect = {k: c for k, c in expect.items() if np.isfinite(curves[k]).all()}
    assert expect
    for k, c in expect.items():
        np.testing.assert_array_equal(curves[k], c)
    with pytest.raises(ValueError):
        run(0.7, ({k: c[:-1] for k, c in given.items()} if isinstance(given, dict) else given[:-1]))


@pytest.mark.filterwarnings("error")
def test_a_spectral_radius_of_zero_gives_lines_without_nan():
    """ρ = 0 (W_hh = 0; below the slider, reachable from a notebook): ρ^d and the bound are 1 at d = 0 and 0 beyond,
    so their log10 lines are 0 then -inf, never NaN (d · log10 0 at d = 0), and no warning."""
    single = vanilla_rnn.run("tanh", 0.0, 4, 6)
    fam = vanilla_rnn.family("tanh", [0.0, 0.5], 4, 6)
    pair = relu_vs_tanh.family([0.0, 0.5], 4, 6)
    for line in (single["log_rho"], single["log_bound"], fam["log_rho"][0], fam["log_bound"][0],
                 pair["linear"]["log_norm"][0]):
        assert line[0] == 0.0 and np.all(line[1:] == -np.inf), line
    np.testing.assert_allclose(fam["log_rho"][1], np.arange(7) * np.log10(0.5), atol=1e-15)
