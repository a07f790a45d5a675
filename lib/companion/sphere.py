"""The sphere S^{d-1}: uniform sampling, Gegenbauer polynomials, Funk-Hecke eigenvalues.

Conventions (Bietti & Bach, ICLR 2021, Section 2 and Appendix): the measure is the
uniform *probability* measure on S^{d-1}; P_k is the Gegenbauer (Legendre) polynomial of dimension d
normalised to P_k(1) = 1,

    P_0 = 1,  P_1 = t,  P_{k+1} = [(2k + d - 2) t P_k - k P_{k-1}] / (k + d - 2),

N(d, k) = (2k + d - 2)/k * binom(k + d - 3, d - 2) is the number of spherical harmonics of degree k, and
a dot-product kernel expands as kappa(t) = sum_k mu_k N(d, k) P_k(t) with the Funk-Hecke eigenvalues

    mu_k = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) int_{-1}^{1} kappa(t) P_k(t) (1 - t^2)^{(d-3)/2} dt
         = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) int_0^pi kappa(cos th) P_k(cos th) sin^{d-2}(th) dth.

The integral is taken in the angle with Gauss-Legendre nodes: arc-cosine kernels, their compositions
and the Laplace kernel are analytic in th, so the rule converges exponentially (in t the sqrt(1 - t)
endpoints make any Gauss-Jacobi rule converge only algebraically). Kernels with a branch point at
th = 0 (step kernels with L >= 3, (1 - u)^nu with 2 nu not an integer) would converge only
algebraically in th, error ~ n_nodes^{-2(2 nu + d - 1)} (~1e-7 relative at k ~ 1000, d = 3). They are
analytic in th^{1/M} (``DotProductKernel.angle_root``), so each half [0, pi/2] of the angle is mapped by
th = (pi/2) x^M and integrated by Gauss-Legendre in x, where the integrand is analytic again: a
*graded* rule, exponentially convergent (:func:`graded_n_nodes`).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from flint import arb, ctx
from scipy.special import gammaln

from .validate import check_int

# Default node count n = ceil(pi/4 (k_max + d)) + margin, rounded up to even. The first term resolves
# P_k(cos th) sin^{d-2} th, a trigonometric polynomial of degree k + d - 2, i.e. of frequency
# (k + d - 2) pi/2 in the Gauss-Legendre variable x = 2 th/pi - 1, which a rule of degree 2n - 1
# integrates once 2n > (k + d) pi/2. Past that degree the error falls off like a Bessel function, in a
# transition of width ~ k^{1/3}, and the kernels (analytic in th, singularities at distance O(1))
# add little: margin = ceil(NODE_MARGIN_PER_BIT * prec_bits * (k_max + d)^{1/3}) + 16.
# Measured (NTK L = 4, against a much finer rule): converged to the float64 floor at margins 20, 30, 40,
# 60 for k_max = 20, 100, 400, 2000 (rule at 53 bits: 32, 41, 56, 83); to the 160-bit floor (1e-47
# of mu_0) at margins 60, 100, 180 for k_max = 100, 400, 2000 at d = 3 and 80 for k_max = 300 at d = 10
# (rule: 92, 135, 218, 125). Checked in tests/test_sphere.py and tests/test_hiprec.py.
NODE_MARGIN_PER_BIT = 0.1


def default_n_nodes(k_max: int, d: int, *, prec_bits: int = 53) -> int:
    """Gauss-Legendre node count giving mu_0..mu_{k_max} to the roundoff of ``prec_bits`` (53: float64)."""
    margin = math.ceil(NODE_MARGIN_PER_BIT * prec_bits * (k_max + d) ** (1 / 3)) + 16
    n = math.ceil(math.pi / 4 * (k_max + d)) + margin
    return n + (n % 2)


# Graded rule (kernels analytic in th^{1/M}, M > 1): th = (pi/2) x^M stretches the oscillation of
# P_k(cos th) near th = pi/2 (x = 1) by up to M, where Gauss-Legendre nodes in x are dense. Measured
# node counts to convergence at 160 bits (power kernels with 2 nu = 1/M, M = 2, 4, 8, 16, against their
# exact eigenvalues in 200-bit arb; k_max = 200 and 1000 at d = 3, 300 at d = 10): per half,
# (0.85 to 1.04) sqrt(M) default_n_nodes/2. The factor below leaves >= 20% above the largest.
GRADED_NODE_FACTOR = 1.25


def graded_n_nodes(k_max: int, d: int, M: int, *, prec_bits: int = 53) -> int:
    """Node count (both halves, even) of the graded rule for a kernel analytic in th^{1/M}, converged to
    the roundoff of ``prec_bits``; M = 1 gives :func:`default_n_nodes` (the plain rule)."""
    n = default_n_nodes(k_max, d, prec_bits=prec_bits)
    if M == 1:
        return n
    return 2 * math.ceil(GRADED_NODE_FACTOR * math.sqrt(M) * n / 2)


def rule_grading(kernel, grading: int | None = None) -> int:
    """The M of the quadrature rule: ``grading`` if given, else the kernel's ``angle_root`` (1 for a plain
    callable, and for kernels with no such root, which then converge algebraically)."""
    if grading is not None:
        return check_int("grading", grading, lo=1, hi=64)
    return getattr(kernel, "angle_root", 1) or 1


def sample_sphere(n: int, d: int, *, seed) -> np.ndarray:
    """n points drawn uniformly on S^{d-1} (normalised standard Gaussians).

    Parameters
    ----------
    n : number of points >= 1.  d : ambient dimension >= 1.  seed : seed for ``np.random.default_rng``.

    Returns
    -------
    X : (n, d) float64 with unit rows.
    """
    n = check_int("n", n, lo=1)
    d = check_int("d", d, lo=1)
    Z = np.random.default_rng(seed).standard_normal((n, d))
    return Z / np.linalg.norm(Z, axis=1, keepdims=True)


def multiplicity(d: int, k):
    """N(d, k) = (2k + d - 2)/k binom(k + d - 3, d - 2), N(d, 0) = 1: dimension of degree-k harmonics.

    Parameters
    ----------
    d : ambient dimension >= 2.  k : int >= 0 or array of them.

    Returns
    -------
    int for scalar ``k``; for an array, int64 when every value fits (exact), else float64 (each value
    rounded from the exact integer).
    """
    d = check_int("d", d, lo=2)
    ks = np.asarray(k)
    if not np.issubdtype(ks.dtype, np.integer) or np.any(ks < 0):
        raise ValueError(f"k must be integers >= 0; got {k!r}")
    exact = [_multiplicity_int(d, int(kk)) for kk in ks.ravel()]
    if ks.ndim == 0:
        return exact[0]
    if max(exact, default=0) < 2**63:
        return np.array(exact, dtype=np.int64).reshape(ks.shape)
    return np.array([float(v) for v in exact]).reshape(ks.shape)


def _multiplicity_int(d: int, k: int) -> int:
    if k == 0:
        return 1
    return (2 * k + d - 2) * math.comb(k + d - 3, d - 2) // k


def gegenbauer(k_max: int, d: int, t) -> np.ndarray:
    """Table of P_0..P_{k_max} at points ``t`` (normalised P_k(1) = 1), by the three-term recurrence.

    Parameters
    ----------
    k_max : highest degree >= 0.  d : dimension >= 2 (d = 3: Legendre, d = 2: Chebyshev T_k).
    t : (m,) points in [-1, 1].

    Returns
    -------
    P : (k_max + 1, m) float64.
    """
    k_max = check_int("k_max", k_max, lo=0)
    d = check_int("d", d, lo=2)
    t = np.atleast_1d(np.asarray(t, dtype=np.float64))
    P = np.empty((k_max + 1, t.size))
    P[0] = 1.0
    if k_max >= 1:
        P[1] = t
    for k in range(1, k_max):
        P[k + 1] = ((2 * k + d - 2) * t * P[k] - k * P[k - 1]) / (k + d - 2)
    return P


def funk_hecke_constant(d: int) -> float:
    """Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)): the density of t = x.y for x uniform on S^{d-1}."""
    return math.exp(gammaln(d / 2) - 0.5 * math.log(math.pi) - gammaln((d - 1) / 2))


# Gauss-Legendre nodes and weights are computed by arb (python-flint) at NODE_PREC_BITS and rounded
# to float64. scipy.special.roots_legendre was measured to give weights with relative errors ~1e-13
# in the bulk and up to 2e-8 at the ends for n = 1000 (against arb at 120 bits); those errors set an
# absolute floor ~1e-13 on every mu_k, 300x above the floor with correctly rounded weights (5e-16,
# NTK L = 4, d = 3, k <= 2000). arb is also faster here (0.04 s vs 0.07 s for n = 1658).
NODE_PREC_BITS = 80


@lru_cache(maxsize=16)
def _half_nodes(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Angles th_j in (0, pi/2] of the n-point Gauss-Legendre rule on [0, pi] and their weights (float64).

    The rule is symmetric under th -> pi - th; only the half th <= pi/2 is returned (the middle node
    th = pi/2 of an odd rule is returned with half its weight, so that pairing it with itself counts
    it once). Read-only arrays (cached).
    """
    m = (n + 1) // 2
    theta, wt = np.empty(m), np.empty(m)
    with ctx.workprec(NODE_PREC_BITS):
        half_pi = arb.pi() / 2
        for j in range(m):                          # roots in decreasing order: x_j >= 0
            x, w = arb.legendre_p_root(n, j, weight=True)
            theta[j], wt[j] = float(half_pi * (1 - x)), float(half_pi * w)
    if n % 2:
        wt[-1] /= 2.0
    theta.setflags(write=False)
    wt.setflags(write=False)
    return theta, wt


@lru_cache(maxsize=16)
def _half_nodes_graded(n: int, M: int) -> tuple[np.ndarray, np.ndarray]:
    """Angles th_j in (0, pi/2) and weights of the graded rule with n nodes on [0, pi] (n/2 per half):
    th = (pi/2) x^M, x the (n/2)-point Gauss-Legendre nodes on [0, 1], weight (pi/2) M x^{M-1} w.
    Computed in arb at ``NODE_PREC_BITS`` and rounded; read-only arrays (cached)."""
    m = n // 2
    theta, wt = np.empty(m), np.empty(m)
    with ctx.workprec(NODE_PREC_BITS):
        half_pi = arb.pi() / 2
        for j in range(m):
            x, w = arb.legendre_p_root(m, j, weight=True)
            s = (1 + x) / 2
            theta[j], wt[j] = float(half_pi * s**M), float(half_pi * M * s ** (M - 1) * w / 2)
    theta.setflags(write=False)
    wt.setflags(write=False)
    return theta, wt


def half_rule(n: int, M: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Angles in (0, pi/2] and weights of the rule with n nodes on [0, pi] (mirrored by th -> pi - th):
    plain Gauss-Legendre in th for M = 1, the graded rule th = (pi/2) x^M otherwise (n even)."""
    return _half_nodes(n) if M == 1 else _half_nodes_graded(n + (n % 2), M)


def funk_hecke(kernel, d: int, k_max: int, *, n_nodes: int | None = None,
               grading: int | None = None) -> np.ndarray:
    """Funk-Hecke eigenvalues mu_0..mu_{k_max} of a dot-product kernel on S^{d-1}, in float64.

    The integral over th in [0, pi] uses ``n_nodes`` Gauss-Legendre nodes (computed by arb and
    correctly rounded, see ``NODE_PREC_BITS``; cached). The rule is paired with its
    mirror th -> pi - th (P_k(-t) = (-1)^k P_k(t)), so the recurrence runs on half the nodes, at all of
    them at once, and each mu_k is accumulated as soon as P_k is known: memory O(n_nodes), time
    O(k_max n_nodes); no (k_max + 1, n_nodes) table is formed.

    Parameters
    ----------
    kernel : a :class:`companion.kernels.DotProductKernel` (evaluated by its stable angle form
        ``of_theta``) or a plain callable of u (evaluated at u = cos th; it then carries the
        cancellation of 1 - u near u = 1 and its spectrum loses accuracy sooner).
    d : ambient dimension >= 2.  k_max : highest degree >= 0.
    n_nodes : nodes on [0, pi], >= 2; default :func:`graded_n_nodes` (k_max, d, M), converged to float64
        roundoff for every kernel with an ``angle_root`` (see the module docstring).
    grading : M of the rule (1: plain Gauss-Legendre in th); default the kernel's ``angle_root``.

    Returns
    -------
    mu : (k_max + 1,) float64, eigenvalues for the uniform probability measure; kappa(1) = sum_k mu_k N(d, k).
    Digits below ~1e-16 x the integrand's scale are roundoff: compare with
    :func:`companion.hiprec.funk_hecke_hp` before trusting small eigenvalues.
    """
    d = check_int("d", d, lo=2)
    k_max = check_int("k_max", k_max, lo=0)
    M = rule_grading(kernel, grading)
    n = graded_n_nodes(k_max, d, M) if n_nodes is None else check_int("n_nodes", n_nodes, lo=2)
    theta, wt = half_rule(n, M)
    if hasattr(kernel, "of_theta"):
        k_lo, k_hi = kernel.of_theta(theta), kernel.of_theta(np.pi - theta)
    elif callable(kernel):
        t = np.cos(theta)
        k_lo, k_hi = np.asarray(kernel(t), dtype=np.float64), np.asarray(kernel(-t), dtype=np.float64)
    else:
        raise ValueError(f"kernel must be a DotProductKernel or a callable of u; got {type(kernel).__name__}")
    base = funk_hecke_constant(d) * wt * np.sin(theta) ** (d - 2)
    even = base * (k_lo + k_hi)     # weights of the even part of kappa
    odd = base * (k_lo - k_hi)      # weights of the odd part
    t = np.cos(theta)
    mu = np.empty(k_max + 1)
    p_prev, p = np.ones_like(t), t.copy()
    mu[0] = even.sum()
    if k_max >= 1:
        mu[1] = p @ odd
    for k in range(1, k_max):
        p_prev, p = p, ((2 * k + d - 2) * t * p - k * p_prev) / (k + d - 2)
        mu[k + 1] = p @ (odd if k % 2 == 0 else even)
    return mu
