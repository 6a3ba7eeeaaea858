import numpy as np
import pytest

from core import cliff_loss
from core.scenarios import gradient_clipping as gc


def test_surface_agrees_with_cliff_loss_and_shows_the_wall():
    s = gc.surface(n=40)
    E, _, _ = cliff_loss(s["w"][7], s["b"][11])
    assert np.isclose(s["log_E"][11, 7], np.log10(max(E, 1e-12)))
    assert np.all(np.isfinite(s["log_E"])) and np.all(np.isfinite(s["grad_norm"]))
    assert s["wall_w"].size > 0 and np.all(np.abs(s["wall_w"]) > 4)


def test_paths_obey_their_rules():
    p = gc.paths(w0=6.0, lr=0.1, steps=30, norm_threshold=0.5, value_limit=0.2)
    assert p["none"]["step_norm"].max() > 1.0                        # the cliff throws plain descent far
    assert np.all(p["norm"]["step_norm"] <= 0.1 * 0.5 * (1 + 1e-6))
    dw, db = np.diff(p["value"]["w"]), np.diff(p["value"]["b"])
    assert np.all(np.abs(dw) <= 0.1 * 0.2 + 1e-12) and np.all(np.abs(db) <= 0.1 * 0.2 + 1e-12)
    assert np.all(p["norm"]["cos"] > 1 - 1e-9)                         # norm clipping keeps the direction


def test_clipping_cannot_fix_vanishing():
    v = gc.vanishing(rho=0.5, T=60)
    assert v["factor"] < 1.0                                         # it did clip ...
    assert np.allclose(v["clipped"] - v["raw"], np.log10(v["factor"]))   # ... by the same factor everywhere
    assert v["share_first_raw"] < 1e-10 and np.isclose(v["share_first_raw"], v["share_first_clipped"])


def test_training_with_and_without_clipping():
    progress = []
    r = gc.training(T=20, hidden=8, steps=30, gain=2.0, lr=0.05, callback=lambda d, n: progress.append((d, n)))
    assert progress[-1] == (60, 60)
    assert max(r["clipped"].grad_norm) > 1.0                           # recorded before clipping
    assert len(r["plain"].loss) == len(r["clipped"].loss) == 30 or r["plain"].diverged_at is not None


def test_each_run_alone_is_the_run_of_the_pair():
    pair = gc.training(T=20, hidden=8, steps=30, gain=2.5, lr=0.05, clip=0.5, seed=3)
    progress = []
    for key, clip in (("plain", None), ("clipped", 0.5)):
        alone = gc.training_run(T=20, hidden=8, steps=30, gain=2.5, lr=0.05, clip=clip, seed=3,
                                callback=lambda d, n: progress.append((d, n)))
        assert alone.loss == pair[key].loss and alone.grad_norm == pair[key].grad_norm
    assert progress[-1] == (30, 30) and pair["plain"].loss != pair["clipped"].loss



@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_a_threshold_above_every_norm_is_the_same_run_and_is_not_trained(cell, monkeypatch):
    kw = dict(T=20, hidden=8, steps=30, gain=1.0, lr=0.05, seed=3)
    plain = gc.training_run(cell, clip=None, **kw)
    top = max(plain.grad_norm)
    above, below = top + 2e-6, top + 0.5e-6             # torch's rule divides by norm + 1e-6: just above is clipped
    assert gc.clips_nothing(plain.grad_norm, above) and not gc.clips_nothing(plain.grad_norm, below)
    trained = gc.training_run(cell, clip=above, **kw)    # what training would give: the same run, to the last bit
    for k in ("loss", "grad_norm", "first_step_grad", "first_step_grad_c"):
        assert getattr(trained, k) == getattr(plain, k)
    assert gc.training_run(cell, clip=top / 2, **kw).loss != plain.loss, "a threshold below the top does clip"

    runs, progress = [], []
    real = gc.training_run
    monkeypatch.setattr(gc, "training_run", lambda *a, **k: runs.append(k["clip"]) or real(*a, **k))
    pair = gc.training(cell, clip=above, callback=lambda d, n: progress.append((d, n)), **kw)
    assert runs == [None], "only the run without clipping is trained"
    assert pair["clipped"].loss == plain.loss and pair["clipped"] is not pair["plain"]
    assert progress[-1] == (60, 60)
    runs.clear()
    gc.training(cell, clip=below, **kw)
    assert runs == [None, below]

def test_paths_family_is_paths_from_every_start():
    from core.family import grid

    w0s = grid(-10.0, 15.0, 0.1)
    fam = gc.paths_family(w0s, gap=-7.0, below=True, lr=0.3, steps=20, norm_threshold=0.5, value_limit=0.2)
    assert fam["b0"].shape == (251,) and np.array_equal(fam["w0"], w0s)
    for f in (0, 99, 160, 250):
        b0 = float(gc.start_b(w0s[f], -7.0, True))
        assert fam["b0"][f] == b0 and b0 < float(gc.wall_b(w0s[f]))
        single = gc.paths(w0=w0s[f], b0=b0, lr=0.3, steps=20, norm_threshold=0.5, value_limit=0.2)
        got = gc.member(fam, f)
        for rule in ("none", "norm", "value"):
            assert got[rule]["overflow"] is single[rule]["overflow"]
            for k in ("w", "b", "loss", "grad_norm", "step_norm", "cos"):
                np.testing.assert_array_equal(got[rule][k], single[rule][k])
