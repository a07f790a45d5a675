"""Targets on the sphere S^{d-1}: the constant, and even Gaussian random fields of prescribed smoothness.

Petrini, Cagnetta, Vanden-Eijnden & Wyart (NeurIPS 2022), Sec. 5: a target of smoothness nu_t has
harmonic power c_k ~ k^{-2 nu_t - (d-1)} per degree-k mode, so that E|f(x) - f(y)|^2 ~ |x - y|^{2 nu_t}
(for nu_t < 1). The authors built it from a wide random teacher; here it is an exact Gaussian
process with the covariance

    C(x . y) = sum_{k even, 2 <= k <= k_max} c_k N(d, k) P_k(x . y),   c_k = k^{-2 nu_t - (d-1)},

(P_k the Gegenbauer polynomial with P_k(1) = 1, N(d, k) the number of degree-k harmonics: by the
addition theorem each degree-k mode then has variance c_k), sampled *jointly* at the training and test
points by a Cholesky factorisation. **Parity:** only even degrees are kept (f(-x) = f(x)); a bias-free
ReLU unit and its NTK have zero harmonic coefficients at odd degrees k >= 3, so odd components could
never be learnt by either predictor. The mean and the degree-0 component are zero.

:func:`spectrum_on_s2` measures the power of a field sampled on an exact quadrature of S^2, the
check that a sample has the prescribed decay.
"""

from __future__ import annotations

import numpy as np
import scipy.interpolate
import scipy.linalg

from .sphere import gegenbauer, multiplicity
from .validate import check_float, check_int

#: Nodes of the table of C(cos theta) interpolated by a cubic spline in theta (error ~ (pi/n)^4 C'''').
_TABLE_NODES = 8193
#: Relative jitter on the diagonal of the covariance before its Cholesky factorisation (the truncated
#: series has finite rank, and roundoff in the spline makes tiny negative eigenvalues).
JITTER = 1e-10


def constant_target(X) -> np.ndarray:
    """f*(x) = 1: (n, d) -> (n,). The paper's main target (Fig. 1)."""
    return np.ones(np.asarray(X).shape[0])


def grf_power(nu_t: float, d: int, k) -> np.ndarray:
    """Per-mode variance c_k = k^{-2 nu_t - (d-1)} at even k >= 2, 0 at k = 0 and at odd k."""
    k = np.asarray(k)
    kf = np.maximum(k, 1).astype(np.float64)
    return np.where((k >= 2) & (k % 2 == 0), kf ** (-2.0 * nu_t - (d - 1)), 0.0)


def grf_covariance(nu_t: float, d: int, *, k_max: int = 400):
    """The covariance C(u) of the even field of smoothness ``nu_t`` on S^{d-1}, as a callable of u.

    Tabulated by the Gegenbauer series truncated at ``k_max`` on a grid in theta = arccos u and
    interpolated by a cubic spline in theta (the cusp of C sits at theta = 0, where u loses accuracy).
    The truncation drops a variance ~ k_max^{-2 nu_t}.
    """
    nu_t = check_float("nu_t", nu_t, lo=0.0, lo_open=True)
    d = check_int("d", d, lo=2)
    k_max = check_int("k_max", k_max, lo=2)
    theta = np.linspace(0.0, np.pi, _TABLE_NODES)
    k = np.arange(k_max + 1)
    coef = grf_power(nu_t, d, k) * multiplicity(d, k).astype(np.float64)
    table = coef @ gegenbauer(k_max, d, np.cos(theta))
    spline = scipy.interpolate.CubicSpline(theta, table)
    return lambda u: spline(np.arccos(np.clip(u, -1.0, 1.0)))


def sample_grf(X, *, nu_t: float, seed, k_max: int = 400) -> np.ndarray:
    """One sample of the even Gaussian random field of smoothness ``nu_t``, jointly at all rows of ``X``.

    Parameters
    ----------
    X : (n, d) points on S^{d-1} (training and test points together, so that they share one field).
    nu_t : smoothness > 0 (c_k ~ k^{-2 nu_t - (d-1)}).  seed : seed of the Gaussian draw.
    k_max : truncation degree of the covariance series.

    Returns
    -------
    f : (n,) float64.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be an (n, d) array; got shape {X.shape}")
    C = grf_covariance(nu_t, X.shape[1], k_max=k_max)(np.clip(X @ X.T, -1.0, 1.0))
    C.flat[:: len(C) + 1] += JITTER * C[0, 0]
    L = scipy.linalg.cholesky(C, lower=True, check_finite=False)
    return L @ np.random.default_rng(seed).standard_normal(len(X))


def s2_quadrature(n_t: int) -> tuple[np.ndarray, np.ndarray]:
    """Product rule on S^2: Gauss-Legendre in cos(theta) (n_t nodes) x 2 n_t equispaced azimuths.

    Exact for polynomials of degree <= 2 n_t - 1 on the sphere (uniform probability measure).
    Returns X : (2 n_t^2, 3) and weights w : (2 n_t^2,) summing to 1.
    """
    n_t = check_int("n_t", n_t, lo=2)
    t, wt = np.polynomial.legendre.leggauss(n_t)
    phi = 2 * np.pi * np.arange(2 * n_t) / (2 * n_t)
    T, P = np.meshgrid(t, phi, indexing="ij")
    s = np.sqrt(1 - T**2)
    X = np.stack([s * np.cos(P), s * np.sin(P), T], axis=-1).reshape(-1, 3)
    w = np.repeat(wt / 2, 2 * n_t) / (2 * n_t)
    return X, w


def spectrum_on_s2(f, X, w, k_max: int) -> np.ndarray:
    """Measured per-mode power of a field sampled on a quadrature of S^2:

    c_k = (1/N(3,k)) sum_m a_km^2 = sum_{ij} w_i w_j f_i f_j P_k(x_i . x_j)   (addition theorem),

    exact when f f P_k is integrated exactly by the rule. f : (m,), X : (m, 3), w : (m,).
    Returns (k_max + 1,) float64.
    """
    k_max = check_int("k_max", k_max, lo=0)
    u = np.clip(X @ X.T, -1.0, 1.0)
    g = w * np.asarray(f, dtype=np.float64)
    P = gegenbauer(k_max, 3, u.ravel()).reshape(k_max + 1, *u.shape)
    return np.einsum("i,kij,j->k", g, P, g)
