"""The "cliff" of Pascanu, Mikolov & Bengio (2013): one recurrent unit, two parameters.

    x_0 = x0,   x_t = w * sigmoid(x_{t-1}) + b   (t = 1..T),   E = (sigmoid(x_T) - target)^2

For ``|w| > 4`` the map ``x -> w sigmoid(x) + b`` can have an unstable fixed point between two
stable behaviours (``w > 4``: two stable fixed points; ``w < -4``: the two phases of a period-2
oscillation). Where a small change of ``b`` moves ``x_0`` from one side to the other, ``x_T``
jumps, and the loss surface has a near-vertical wall: the gradient there is enormous, and a plain
gradient step throws the parameters far away. Clipping the gradient caps the length of that step.

Where the wall is: ``x_t`` stays at ``x_0`` forever when ``x_0`` is itself a fixed point,
``b = x_0 - w sigmoid(x_0)`` (:func:`wall_b`). For ``|w sigmoid'(x_0)| > 1`` that fixed point is
unstable, so the wall is this line, and on it the gradient grows like ``|w sigmoid'(x_0)|^T``
(for x_0 = 0.5, T = 50, |dE/db| peaks near 6e3 at w = 5, 2e7 at w = 6). The wall is that steep
but only about ``1 / |w sigmoid'(x_0)|^T`` wide: a grid sees the jump in E, not the slope.

The gradients are exact, by forward-mode differentiation along the recursion::

    dx_t/dw = sigmoid(x_{t-1}) + w sigmoid'(x_{t-1}) dx_{t-1}/dw
    dx_t/db = 1                + w sigmoid'(x_{t-1}) dx_{t-1}/db
    dE/dθ   = 2 (sigmoid(x_T) - target) sigmoid'(x_T) dx_T/dθ
"""
from __future__ import annotations

import numpy as np

from .clipping import EPS, clip_by_norm, clip_by_value

CLIFF_LATEX = (
    r"\begin{gathered} x_t = w\,\sigma(x_{t-1}) + b,\qquad E = \big(\sigma(x_T) - y^*\big)^2 \\ "
    r"\frac{\partial x_t}{\partial w} = \sigma(x_{t-1})"
    r" + w\,\sigma'(x_{t-1})\frac{\partial x_{t-1}}{\partial w},"
    r"\qquad \frac{\partial x_t}{\partial b} = 1 + w\,\sigma'(x_{t-1})\frac{\partial x_{t-1}}{\partial b}"
    r" \end{gathered}"
)
RULES = ("none", "norm", "value")


def _sigmoid_and_slope(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sigmoid(x) and sigmoid'(x), from one ``e = exp(-|x|)`` so nothing overflows.

    sigmoid(x) = 1/(1+e) for x >= 0, e/(1+e) for x < 0;   sigmoid'(x) = e / (1+e)^2.
    """
    # e = exp(-|x|) in (0, 1]
    e = np.exp(-np.abs(x))
    # r = 1 / (1 + e) in [1/2, 1)
    r = 1.0 / (1.0 + e)
    # sigmoid: r on the right, e r on the left (symmetric, no cancellation)
    s = np.where(x >= 0, r, e * r)
    # sigmoid' = e r^2 (tiny but exact in the tails, never 0 * inf)
    return s, e * r * r


def cliff_loss(w, b, T: int = 50, x0: float = 0.5, target: float = 0.7):
    """Loss and exact gradient of the single-unit RNN of Pascanu et al. (2013).

    Parameters
    ----------
    w, b : float or array_like
        Recurrent weight and bias; broadcast against each other (e.g. a meshgrid).
    T : int, default 50
        Number of steps.
    x0 : float, default 0.5
        Initial state x_0.
    target : float, default 0.7
        Target y* for sigmoid(x_T).

    Returns
    -------
    E, dE_dw, dE_db : ndarray, shape ``np.broadcast(w, b).shape``
        ``E = (sigmoid(x_T) - target)^2`` and its partial derivatives (numpy scalars for scalar input).

    Notes
    -----
    A Python loop over T, vectorised over the grid. ``|x_t| <= |w| + |b|`` so the states stay
    finite; the derivatives grow at most like ``(|w|/4)^T`` and are finite for ``|w| <= 1e3``,
    ``T = 50``. Beyond float range they come out as inf (no warnings are emitted).
    """
    if T < 1:
        raise ValueError(f"T must be >= 1, got {T}")
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        # x_0 and its derivatives dx_0/dw = dx_0/db = 0
        x = np.full(w.shape, float(x0))
        dx_dw = np.zeros(w.shape)
        dx_db = np.zeros(w.shape)
        for _ in range(T):
            s, ds = _sigmoid_and_slope(x)
            # w sigmoid'(x_{t-1}): how much x_t moves per unit of x_{t-1}
            gain = w * ds
            # dx_t/dw = sigmoid(x_{t-1}) + gain dx_{t-1}/dw ;  dx_t/db = 1 + gain dx_{t-1}/db
            dx_dw, dx_db = s + gain * dx_dw, 1.0 + gain * dx_db
            # x_t = w sigmoid(x_{t-1}) + b
            x = w * s + b
        s, ds = _sigmoid_and_slope(x)
        # E = (sigmoid(x_T) - target)^2
        err = s - target
        # dE/dx_T = 2 (sigmoid(x_T) - target) sigmoid'(x_T)
        dE_dx = 2.0 * err * ds
        return (err * err)[()], (dE_dx * dx_dw)[()], (dE_dx * dx_db)[()]


def wall_b(w, x0: float = 0.5):
    """Bias on the cliff for weight ``w``: ``b = x_0 - w sigmoid(x_0)`` makes ``x_0`` a fixed point.

    It is a wall (an unstable fixed point between two behaviours) where ``|w sigmoid'(x_0)| > 1``,
    i.e. ``|w| > 4.25`` for ``x_0 = 0.5``. Broadcasts over ``w``.
    """
    s0, _ = _sigmoid_and_slope(np.asarray(float(x0)))
    # x_0 = w sigmoid(x_0) + b  <=>  b = x_0 - w sigmoid(x_0)
    return (x0 - np.asarray(w, dtype=np.float64) * s0)[()]


def _apply_rule(g: np.ndarray, rule: str, threshold: float) -> np.ndarray:
    """The update direction u from the raw gradient g = (dE/dw, dE/db) under a clipping rule."""
    grads = {"w": g[0], "b": g[1]}
    if rule == "norm":
        # u = g * min(threshold / (||g|| + 1e-6), 1)
        clipped, _ = clip_by_norm(grads, threshold)
    elif rule == "value":
        # u_i = clip(g_i, -threshold, threshold)
        clipped = clip_by_value(grads, threshold)
    else:
        # u = g
        clipped = grads
    return np.array([clipped["w"], clipped["b"]], dtype=np.float64)


def _cosine(u: np.ndarray, g: np.ndarray) -> float:
    """cos(u, g) computed on unit vectors (no overflow for huge gradients); 1.0 if either is 0."""
    nu, ng = np.hypot(*u), np.hypot(*g)
    if nu == 0.0 or ng == 0.0:
        return 1.0
    # cos = (u / ||u||) . (g / ||g||), clamped against rounding
    return float(np.clip((u / nu) @ (g / ng), -1.0, 1.0))


def descend(w0: float, b0: float, lr: float, steps: int, rule: str = "none", threshold: float = 1.0,
            T: int = 50, x0: float = 0.5, target: float = 0.7) -> dict:
    """Gradient descent on the cliff loss, with optional gradient clipping.

    ``theta_{k+1} = theta_k - lr * u_k`` with ``theta = (w, b)``, ``g_k = dE/dtheta(theta_k)`` and

    * ``rule="none"``:  ``u = g``
    * ``rule="norm"``:  ``u = g * min(threshold / (||g|| + 1e-6), 1)`` (torch's clip_grad_norm_),
      so every step is at most ``lr * threshold`` long;
    * ``rule="value"``: ``u_i = clip(g_i, -threshold, threshold)`` (torch's clip_grad_value_),
      so each coordinate moves at most ``lr * threshold``, but the direction can turn.

    Parameters
    ----------
    w0, b0 : float
        Starting point.
    lr : float
        Learning rate.
    steps : int
        Number of updates; the path has ``steps + 1`` points.
    rule : {"none", "norm", "value"}
    threshold : float
        max_norm for "norm", clip_value for "value"; ignored for "none".
    T, x0, target :
        As in :func:`cliff_loss`.

    Returns
    -------
    dict
        ``"w", "b", "loss", "grad_norm", "step_norm", "cos"``: float arrays of shape ``(n,)``,
        one entry per visited point, all finite. ``grad_norm = ||g_k||``, ``step_norm = ||theta_{k+1}
        - theta_k|| = lr ||u_k||``, ``cos = cos(u_k, g_k)`` (1 for "none"/"norm", <= 1 for "value",
        1.0 if a vector is 0). The last point takes no step: its ``step_norm`` is 0.0 and ``cos`` 1.0.
        ``"overflow"``: bool. Normally ``n = steps + 1`` and it is False; if a step lands where a
        parameter or the gradient is not finite, the path stops at the last finite point
        (``n <= steps``; 0 if the start itself is not finite) and it is True.
    """
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    theta = np.array([w0, b0], dtype=np.float64)
    rows, overflow = [], False
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps + 1):
            E, dE_dw, dE_db = cliff_loss(theta[0], theta[1], T, x0, target)
            # g_k = (dE/dw, dE/db) at theta_k, and its length
            g = np.array([dE_dw, dE_db], dtype=np.float64)
            g_norm = float(np.hypot(*g))
            if not (np.isfinite(theta).all() and np.isfinite(E) and np.isfinite(g_norm)):
                overflow = True
                break
            # u_k: the gradient after the clipping rule (no step from the last point)
            u = _apply_rule(g, rule, threshold) if k < steps else np.zeros(2)
            # step_k = -lr u_k
            step = -lr * u
            rows.append((theta[0], theta[1], E, g_norm, float(np.hypot(*step)), _cosine(u, g)))
            # theta_{k+1} = theta_k + step_k
            theta = theta + step
            if not (np.isfinite(theta).all() and np.isfinite(rows[-1][4])):
                overflow = True
                break
    if overflow and rows:
        # the last kept point is the end of the path: it takes no step
        rows[-1] = rows[-1][:4] + (0.0, 1.0)
    cols = np.array(rows, dtype=np.float64).reshape(-1, 6).T
    keys = ("w", "b", "loss", "grad_norm", "step_norm", "cos")
    return {**{key: col.copy() for key, col in zip(keys, cols, strict=True)}, "overflow": overflow}


def descend_family(w0, b0, lr: float, steps: int, rules="none", thresholds=1.0, T: int = 50, x0: float = 0.5,
                   target: float = 0.7) -> dict:
    """:func:`descend` for F starts at once: one NumPy pass per step over every member (a page's whole family).

    Member f repeats ``descend(w0[f], b0[f], lr, steps, rules[f], thresholds[f], T, x0, target)`` step for step
    with a leading (F,) axis, so its arrays equal the single path's to float64 precision (the tests check it).

    Parameters
    ----------
    w0, b0 : (F,) array_like, broadcast against each other
        The starts.
    lr, steps, T, x0, target :
        As in :func:`descend`, shared by every member.
    rules : str or (F,) sequence of {"none", "norm", "value"}
        The clipping rule of each member (one string: all of them).
    thresholds : float or (F,) array_like
        max_norm for "norm", clip_value for "value"; ignored for "none".

    Returns
    -------
    dict
        ``"w", "b", "loss", "grad_norm", "step_norm", "cos"``: (F, steps + 1) arrays, row f = member f's
        :func:`descend` arrays followed by NaN once its path has ended; ``"n"``: (F,) int, the length of each
        path; ``"overflow"``: (F,) bool, as in :func:`descend`.
    """
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    w0, b0 = np.broadcast_arrays(np.atleast_1d(np.asarray(w0, dtype=np.float64)),
                                 np.atleast_1d(np.asarray(b0, dtype=np.float64)))
    if w0.ndim != 1:
        raise ValueError(f"starts must be 1-D, got shape {w0.shape}")
    F = w0.shape[0]
    rule = np.broadcast_to(np.asarray(rules, dtype=object), (F,))
    if not set(rule.tolist()) <= set(RULES):
        raise ValueError(f"rules must be among {RULES}, got {sorted(set(rule.tolist()) - set(RULES))}")
    threshold = np.broadcast_to(np.asarray(thresholds, dtype=np.float64), (F,))
    if np.any((rule == "value") & ~(threshold >= 0)):
        raise ValueError("clip_value must be >= 0")
    keys = ("w", "b", "loss", "grad_norm", "step_norm", "cos")
    out = {key: np.full((F, steps + 1), np.nan) for key in keys}
    n = np.zeros(F, dtype=int)
    overflow = np.zeros(F, dtype=bool)
    w, b = w0.copy(), b0.copy()
    live = np.arange(F)                                      # members whose path goes on
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for k in range(steps + 1):
            if live.size == 0:
                break
            E, gw, gb = (np.atleast_1d(a) for a in cliff_loss(w, b, T, x0, target))
            # g_k = (dE/dw, dE/db) at theta_k, and its length
            g_norm = np.hypot(gw, gb)
            ok = np.isfinite(w) & np.isfinite(b) & np.isfinite(E) & np.isfinite(g_norm)
            if not ok.all():                                 # the path ends at the previous point
                stop = live[~ok]
                overflow[stop] = True
                if k > 0:
                    out["step_norm"][stop, k - 1], out["cos"][stop, k - 1] = 0.0, 1.0
                live, w, b, E, gw, gb, g_norm = (a[ok] for a in (live, w, b, E, gw, gb, g_norm))
            # u_k: the gradient after each member's clipping rule (no step from the last point)
            uw, ub = _apply_rules(gw, gb, rule[live], threshold[live]) if k < steps else (0.0 * gw, 0.0 * gb)
            # step_k = -lr u_k
            sw, sb = -lr * uw, -lr * ub
            s_norm = np.hypot(sw, sb)
            for key, col in zip(keys, (w, b, E, g_norm, s_norm, _cosines(uw, ub, gw, gb)), strict=True):
                out[key][live, k] = col
            n[live] = k + 1
            # theta_{k+1} = theta_k + step_k
            w, b = w + sw, b + sb
            bad = ~(np.isfinite(w) & np.isfinite(b) & np.isfinite(s_norm))
            if bad.any():                                    # this point is the end of the path: it takes no step
                stop = live[bad]
                overflow[stop] = True
                out["step_norm"][stop, k], out["cos"][stop, k] = 0.0, 1.0
                live, w, b = live[~bad], w[~bad], b[~bad]
    return {**out, "n": n, "overflow": overflow}


def _apply_rules(gw: np.ndarray, gb: np.ndarray, rule: np.ndarray, threshold: np.ndarray):
    """:func:`_apply_rule` for every member: the update direction (uw, ub) from the raw gradient (gw, gb)."""
    # norm: u = g * min(threshold / (||g|| + 1e-6), 1), ||g|| = s ||g / s|| with s = max |g_i| (total_norm's way;
    # np.vecdot takes the same BLAS dot as the single path's ``u @ u``, so the two agree to the last bit)
    a = np.stack([np.abs(gw), np.abs(gb)], axis=1)
    s = a.max(axis=1)
    scaled = a / np.where(s > 0, s, 1.0)[:, None]
    total = np.where(np.isfinite(s) & (s > 0), s * np.sqrt(np.vecdot(scaled, scaled)), s)
    coef = np.minimum(threshold / (total + EPS), 1.0)
    # value: u_i = clip(g_i, -threshold, threshold);  none: u = g
    norm, value = rule == "norm", rule == "value"
    uw = np.where(norm, gw * coef, np.where(value, np.clip(gw, -threshold, threshold), gw))
    ub = np.where(norm, gb * coef, np.where(value, np.clip(gb, -threshold, threshold), gb))
    return uw, ub


def _cosines(uw, ub, gw, gb) -> np.ndarray:
    """:func:`_cosine` for every member: cos(u, g) on unit vectors, 1.0 where either vector is 0."""
    nu, ng = np.hypot(uw, ub), np.hypot(gw, gb)
    zero = (nu == 0.0) | (ng == 0.0)
    nu, ng = np.where(zero, 1.0, nu), np.where(zero, 1.0, ng)
    dots = np.vecdot(np.stack([uw / nu, ub / nu], axis=1), np.stack([gw / ng, gb / ng], axis=1))
    return np.where(zero, 1.0, np.clip(dots, -1.0, 1.0))
