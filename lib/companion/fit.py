"""Power-law fits with confidence intervals.

Two situations, two estimators:

* **Noisy curves with independent repetitions** (learning curves over seeds):
  :func:`fit_power_law_seeds` fits each seed's curve on log-log axes and reports the mean exponent
  with a Student-t interval over seeds — the interval measures sampling noise.
* **Deterministic sequences** (eigenvalues μ_k): :func:`fit_power_law` is ordinary least squares on
  log-log axes, optionally with a leading ``1/x`` correction ``log y = a + b log x + c / x``; its
  t-interval measures how well that form describes the window (a systematic, not a sampling, error).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.stats

from .validate import check_float

#: Default confidence level of every interval in the book.
LEVEL = 0.95


@dataclass(frozen=True, kw_only=True)
class PowerLawFit:
    """y ≈ prefactor · x**exponent over ``window``; ``ci`` is the interval on ``exponent``."""

    exponent: float
    ci: tuple[float, float]
    prefactor: float
    window: tuple[float, float]
    n_points: int
    level: float = LEVEL

    @property
    def half_width(self) -> float:
        return 0.5 * (self.ci[1] - self.ci[0])

    def contains(self, value: float, *, tol: float = 0.0) -> bool:
        """True if ``value`` lies in the interval widened by ``tol`` on each side."""
        return self.ci[0] - tol <= value <= self.ci[1] + tol


def _window(x, y, window):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape[-1:] and x.shape != y.shape:
        raise ValueError(f"x and y must have matching last dimensions; got {x.shape} and {y.shape}")
    lo, hi = (x.min(), x.max()) if window is None else window
    sel = (x >= lo) & (x <= hi) & (x > 0)
    return x[sel], y[..., sel], (float(lo), float(hi))


def fit_power_law(x, y, *, window=None, correction: bool = False, level: float = LEVEL) -> PowerLawFit:
    """Least-squares fit of ``log y = a + b log x (+ c / x)`` over ``window = (x_lo, x_hi)``.

    Parameters
    ----------
    x, y : (n,) positive arrays (non-positive y in the window raise ValueError).
    window : inclusive range of x used, or None for all points.
    correction : include a ``c / x`` term (the leading pre-asymptotic correction of μ_k).
    level : confidence level of the t-interval on the exponent ``b``.
    """
    level = check_float("level", level, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    xs, ys, win = _window(x, y, window)
    if np.any(ys <= 0):
        raise ValueError("y must be positive inside the fit window")
    cols = [np.ones_like(xs), np.log(xs)] + ([1.0 / xs] if correction else [])
    A = np.stack(cols, axis=1)
    n, p = A.shape
    if n <= p:
        raise ValueError(f"window must hold more than {p} points; it holds {n}")
    coef, *_ = np.linalg.lstsq(A, np.log(ys), rcond=None)
    resid = np.log(ys) - A @ coef
    s2 = resid @ resid / (n - p)
    cov = s2 * np.linalg.inv(A.T @ A)
    t = scipy.stats.t.ppf(0.5 + level / 2, n - p)
    se = float(np.sqrt(cov[1, 1]))
    b = float(coef[1])
    return PowerLawFit(exponent=b, ci=(b - t * se, b + t * se), prefactor=float(np.exp(coef[0])),
                       window=win, n_points=n, level=level)


def fit_power_law_seeds(x, Y, *, window=None, level: float = LEVEL) -> PowerLawFit:
    """Fit each row of ``Y`` (n_seeds, n) against ``x`` on log-log axes; interval over seeds.

    The exponent is the mean of the per-seed slopes; the interval is the Student-t interval of that
    mean (n_seeds − 1 degrees of freedom). Needs at least two seeds.
    """
    level = check_float("level", level, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    Y = np.atleast_2d(np.asarray(Y, dtype=np.float64))
    if Y.shape[0] < 2:
        raise ValueError(f"Y must hold at least 2 seeds (rows); got {Y.shape[0]}")
    xs, Ys, win = _window(x, Y, window)
    if xs.size < 2:
        raise ValueError(f"window must hold at least 2 points; it holds {xs.size}")
    if np.any(Ys <= 0):
        raise ValueError("Y must be positive inside the fit window")
    lx = np.log(xs)
    slopes, intercepts = np.polyfit(lx, np.log(Ys).T, 1)
    m = Ys.shape[0]
    b = float(slopes.mean())
    half = float(scipy.stats.t.ppf(0.5 + level / 2, m - 1) * slopes.std(ddof=1) / np.sqrt(m))
    return PowerLawFit(exponent=b, ci=(b - half, b + half), prefactor=float(np.exp(intercepts.mean())),
                       window=win, n_points=int(xs.size), level=level)
