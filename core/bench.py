"""Speed table for the core: ``python -m core.bench`` (median of repeated runs, milliseconds).

Not a test: it prints what this machine does against the targets in the core issue.
"""
from __future__ import annotations

import time

import numpy as np

from . import LSTM, RNN, chain_log10_norms
from .cliff import cliff_loss
from .init import orthogonal
from .train import train


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def _rnn_case(H, T, rho=1.0):
    m = RNN(4, H, "tanh", seed=0)
    m.params["weight_hh"][:] = rho * orthogonal(H, seed=0)
    return m, np.random.default_rng(0).normal(size=(T, 4))


def _lstm_case(H, T):
    return LSTM(4, H, seed=0), np.random.default_rng(0).normal(size=(T, 4))


def _chain_row(label, model, xs, target, repeats=9):
    tr = model.forward(xs)
    J = model.state_jacobians(tr)
    chain = median_ms(lambda: chain_log10_norms(J), repeats)
    total = median_ms(lambda: chain_log10_norms(model.state_jacobians(model.forward(xs))), repeats)
    return (label, chain, target, f"forward+Jacobians+chain {total:.1f} ms")


def rows():
    out = [
        _chain_row("chain norms, tanh RNN H=32 T=100 (rho=1, orthogonal)", *_rnn_case(32, 100), 15),
        _chain_row("chain norms, LSTM H=32 T=100", *_lstm_case(32, 100), 15),
        _chain_row("chain norms, tanh RNN H=128 T=300 (rho=1, orthogonal)", *_rnn_case(128, 300), 150),
        _chain_row("chain norms, tanh RNN H=128 T=300 (rho=0.5: clustered spectrum)", *_rnn_case(128, 300, 0.5), 150),
        _chain_row("chain norms, LSTM H=64 T=200", *_lstm_case(64, 200), 150),
    ]
    m, xs = _lstm_case(64, 200)
    ones = np.ones((200, 64))
    out.append(("forward+backward LSTM H=64 T=200 B=1", median_ms(lambda: m.backward(m.forward(xs), ones), 21),
                10, ""))
    w, b = np.meshgrid(np.linspace(-2, 12, 200), np.linspace(-6, 2, 200))
    out.append(("cliff loss + gradients, 200x200 grid, T=50", median_ms(lambda: cliff_loss(w, b), 11), 100, ""))
    t_train = median_ms(lambda: train("lstm", "adding", T=50, hidden_size=32, steps=300, batch=32, seed=0), 3)
    out.append(("300 training steps LSTM H=32, adding T=50, batch 32", t_train, 5000, ""))
    return out


def main():
    print(f"{'case':<70} {'median ms':>10} {'target':>8}  ok   note")
    for label, ms, target, note in rows():
        print(f"{label:<70} {ms:>10.1f} {target:>8}  {'yes' if ms <= target else 'NO ':<4} {note}")


if __name__ == "__main__":
    main()
