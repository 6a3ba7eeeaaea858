"""Finite-difference helpers shared by the core tests."""
import numpy as np


def central_diff(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f(x) / dx for scalar f by central differences, perturbing x in place and restoring it."""
    g = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


def jacobian_fd(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Jacobian of vector f (m,) w.r.t. vector x (n,) by central differences: (m, n)."""
    cols = []
    for j in range(x.size):
        old = x[j]
        x[j] = old + eps
        fp = np.array(f())
        x[j] = old - eps
        fm = np.array(f())
        x[j] = old
        cols.append((fp - fm) / (2 * eps))
    return np.stack(cols, axis=1)


def rel_err(a, b) -> float:
    a, b = np.asarray(a), np.asarray(b)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12))
