"""Funk-Hecke eigenvalues in extended precision (python-flint's arb), to tell trusted float64 digits.

float64 spectra lose accuracy once mu_k falls below ~1e-16 x the integrand's scale. Measured (first k
off by more than 1e-6 relative): NTK k ~ 1300 at d = 3, ~400 at d = 5, ~100 at d = 10; RF (decaying
as k^{-d-2}) k ~ 150, 85, 48.
:func:`funk_hecke_hp` computes the same integrals as :func:`companion.sphere.funk_hecke` (Gauss-Legendre
in the angle, Bietti & Bach's Funk-Hecke formula) in ball arithmetic at ``prec_bits`` bits:

* Gauss-Legendre nodes and weights from arb (``arb.legendre_p_root``), in the angle for kernels analytic
  in it and graded (th = (pi/2) x^M, :mod:`companion.sphere`) for kernels analytic in th^{1/M} (step
  kernels with L >= 3); kernels evaluated in their angle form with 64 guard bits (ball radii kept: they
  bound the error of the kernel values);
* the Gegenbauer recurrence in its monic form Q_{k+1} = t Q_k - gamma_k Q_{k-1} (P_k = A_k Q_k), with the
  midpoint taken after every step: ball radii of a three-term recurrence grow geometrically, the actual
  rounding errors do not (the recurrence is stable on [-1, 1]), so they are bounded separately;
* the quadrature error is estimated by repeating the sweep with fewer nodes.

:func:`trusted_float64` then marks the float64 eigenvalues that agree with these.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from flint import arb, ctx

from .kernels import DotProductKernel
from .sphere import graded_n_nodes, rule_grading
from .validate import check_float, check_int

GUARD_BITS = 64        # extra bits for nodes and kernel values (covers the cancellation of
                       # sin t - t cos t ~ t^3/3 down to t ~ 2^-30, far below the smallest node angle)
_mid = np.frompyfunc(arb.mid, 1, 1)


def hp_n_nodes(k_max: int, d: int, prec_bits: int, M: int = 1) -> tuple[int, int]:
    """Node counts (n, n_lo) of :func:`funk_hecke_hp`: n_lo already converged at ``prec_bits``
    (:func:`companion.sphere.graded_n_nodes`; M = 1: the plain rule), n with half as much margin again
    (graded rules: 15% more nodes); their difference estimates the quadrature error (conservatively: it
    is the error of the coarser rule)."""
    n_lo = graded_n_nodes(k_max, d, M, prec_bits=prec_bits)
    if M == 1:
        n = n_lo + (n_lo - math.ceil(math.pi / 4 * (k_max + d))) // 2
    else:
        n = math.ceil(1.15 * n_lo)
    return n + (n % 2), n_lo


def kernel_theta_arb(kernel: DotProductKernel, theta: arb) -> arb:
    """kappa(cos theta) in ball arithmetic at the current precision: the arb mirror of ``of_theta``.

    The depth recursion runs in the angle exactly as :meth:`DotProductKernel.of_theta` does; cancellation
    (none for theta of order 1, a few dozen bits at the smallest nodes) is absorbed by the guard bits
    and shows in the radius.
    """
    pi = arb.pi()
    half_sin = (theta / 2).sin()
    if kernel.name == "laplace":
        return (-2 * arb(kernel.c) * half_sin).exp()
    if kernel.name == "gaussian":
        return (-2 * half_sin**2 / arb(kernel.sigma) ** 2).exp()
    if kernel.name == "power":
        return (2 * half_sin**2) ** arb(kernel.nu)
    if kernel.name == "step":
        if kernel.L == 1:
            return theta.cos()
        for _ in range(kernel.L - 2):
            theta = 2 * (theta / (2 * pi)).sqrt().asin()
        return 1 - theta / pi
    rf = theta.cos()
    ntk = rf + 1 if kernel.bias else rf
    for _ in range(kernel.L - 1):
        sin, cos = theta.sin_cos()
        one_minus = 2 * (theta / 2).sin() ** 2 - (sin - theta * cos) / pi
        rf = 1 - one_minus
        ntk = ntk * (1 - theta / pi) + rf
        theta = 2 * (one_minus / 2).sqrt().asin()
    return ntk if kernel.name == "ntk" else rf


@lru_cache(maxsize=8)
def _half_rule(n: int, prec: int, M: int = 1) -> tuple[tuple[arb, ...], tuple[arb, ...]]:
    """Angles th_j in (0, pi/2] and weights, at ``prec`` bits, of the n-point Gauss-Legendre rule on
    [0, pi] (M = 1), or of the graded rule th = (pi/2) x^M with n/2 Gauss-Legendre nodes x in [0, 1]
    per half (M > 1; see :func:`companion.sphere.half_rule`)."""
    with ctx.workprec(prec):
        half_pi = arb.pi() / 2
        theta, weight = [], []
        if M > 1:
            m = n // 2
            for j in range(m):
                x, w = arb.legendre_p_root(m, j, weight=True)
                s = (1 + x) / 2
                theta.append(half_pi * s**M)
                weight.append(half_pi * M * s ** (M - 1) * w / 2)
            return tuple(theta), tuple(weight)
        for j in range((n + 1) // 2):                 # roots in decreasing order: x_j >= 0
            x, w = arb.legendre_p_root(n, j, weight=True)
            theta.append(half_pi * (1 - x))
            weight.append(half_pi * w / 2 if (n % 2 and 2 * j == n - 1) else half_pi * w)
    return tuple(theta), tuple(weight)


def _weights(kernel, d: int, n: int, prec: int, M: int = 1):
    """Even/odd quadrature weights (E_j, O_j), nodes t_j = cos th_j (midpoints) and sum of radii of E, O."""
    theta, weight = _half_rule(n, prec + GUARD_BITS, M)
    with ctx.workprec(prec + GUARD_BITS):
        const = arb(d / 2).gamma() / (arb.pi().sqrt() * arb((d - 1) / 2).gamma())
        pi = arb.pi()
        E, O, T = [], [], []
        for th, w in zip(theta, weight):
            base = const * w * th.sin() ** (d - 2)
            lo, hi = kernel_theta_arb(kernel, th), kernel_theta_arb(kernel, pi - th)
            E.append(base * (lo + hi))
            O.append(base * (lo - hi))
            T.append(th.cos())
    rad = float(sum(e.rad() for e in E) + sum(o.rad() for o in O))
    scale = float(sum(abs(e) for e in E) + sum(abs(o) for o in O))
    with ctx.workprec(prec):
        mids = [np.array([+v.mid() for v in vec], dtype=object) for vec in (E, O, T)]
    return (*mids, rad, scale)


def _sweep(E, O, T, d: int, k_max: int, prec: int) -> list[arb]:
    """mu_0..mu_{k_max} = A_k sum_j Q_k(t_j) (E_j or O_j by parity), midpoints after every step."""
    with ctx.workprec(prec):
        mu = [E.sum()]
        if k_max >= 1:
            mu.append((T * O).sum())
        q_prev, q = np.full(T.shape, arb(1), dtype=object), T
        A, a_prev = arb(1), arb(1)                   # A_k, a_{k-1}  (a_0 = 1: P_1 = t)
        for k in range(1, k_max):
            a = arb(2 * k + d - 2) / (k + d - 2)
            gamma = (arb(k) / (k + d - 2) / (a * a_prev)).mid()
            q_prev, q = q, _mid(T * q - q_prev * gamma)
            A, a_prev = A * a, a
            mu.append(A * (q * (O if k % 2 == 0 else E)).sum())
    return mu


def funk_hecke_hp(kernel: DotProductKernel, d: int, k_max: int, *, prec_bits: int = 160,
                  n_nodes: int | None = None, grading: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Funk-Hecke eigenvalues mu_0..mu_{k_max} in ``prec_bits``-bit ball arithmetic, with an error estimate.

    Parameters
    ----------
    kernel : a :class:`companion.kernels.DotProductKernel` (any name).
    d : ambient dimension >= 2.  k_max : highest degree >= 0.
    prec_bits : working precision in bits, in [64, 4096] (160 bits ~ 48 digits).
    n_nodes : nodes on [0, pi]; default :func:`hp_n_nodes`.
    grading : M of the rule (1: plain Gauss-Legendre in the angle); default the kernel's ``angle_root``
        (graded for step kernels with L >= 3, whose spectra are then as accurate as the others').

    Returns
    -------
    mu : (k_max + 1,) float64, the extended-precision eigenvalues rounded to float64.
    rel_err : (k_max + 1,) float64, estimated relative error of ``mu`` before rounding: the difference
        from a sweep with fewer nodes (quadrature error) + the ball radii of the kernel values + a
        roundoff estimate (k + 1)^2 2^-prec sum_j |weights| for the recurrence; inf where mu = 0.
        Eigenvalues that vanish exactly (odd k >= 3 of a two-layer NTK) come out as roundoff with
        rel_err >~ 1.

    Timing (2-core CPU, 160 bits, two sweeps; benchmarks/bench_spectra.py): d = 10, k_max = 300 in
    ~0.3 s; d = 3, k_max = 2000 in ~4 s. Graded rules need ~sqrt(M) times the nodes: step kernel L = 4
    (M = 4) at d = 3, k_max = 1000 in ~2 s (measured), with estimated errors ~1e-34 instead of the
    ~1e-7 of the plain rule in theta.
    """
    if not isinstance(kernel, DotProductKernel):
        raise ValueError(f"kernel must be a DotProductKernel (make_kernel); got {type(kernel).__name__}")
    d = check_int("d", d, lo=2)
    k_max = check_int("k_max", k_max, lo=0)
    prec = check_int("prec_bits", prec_bits, lo=64, hi=4096)
    M = rule_grading(kernel, grading)
    root = kernel.angle_root
    algebraic = root is None or M % root != 0               # the integrand is not analytic in x
    if n_nodes is None and algebraic:
        n_lo = graded_n_nodes(k_max, d, M, prec_bits=prec)  # algebraic convergence: halve the rule,
        n = 2 * n_lo                                        # so that the difference bounds the error
    elif n_nodes is None:
        n, n_lo = hp_n_nodes(k_max, d, prec, M)
    else:
        n = check_int("n_nodes", n_nodes, lo=4)
        n_lo = n - max(2, (n - math.ceil(math.pi / 4 * (k_max + d))) // 3)
        n_lo -= n_lo % 2 if M > 1 else 0
    results = []
    for m in (n, n_lo):
        E, O, T, rad, scale = _weights(kernel, d, m, prec, M)
        results.append((_sweep(E, O, T, d, k_max, prec), rad, scale))
    (mu, rad, scale), (mu_lo, _, _) = results
    with ctx.workprec(prec):
        diff = np.array([float(abs(a - b).mid()) for a, b in zip(mu, mu_lo)])
        mu64 = np.array([float(a.mid()) for a in mu])
    k = np.arange(k_max + 1)
    abs_err = diff + rad + (k + 1.0) ** 2 * 2.0**-prec * scale
    with np.errstate(divide="ignore"):
        rel_err = abs_err / np.abs(mu64)
    return mu64, rel_err


def trusted_float64(mu64, mu_hp, *, rtol: float, hp_rel_err=None) -> np.ndarray:
    """Mask of the float64 eigenvalues that agree with the extended-precision ones to ``rtol``.

    Parameters
    ----------
    mu64 : (K,) float64 eigenvalues (:func:`companion.sphere.funk_hecke`).
    mu_hp : (K,) extended-precision eigenvalues (:func:`funk_hecke_hp`).
    rtol : relative tolerance in (0, 1), e.g. 1e-6 for figures on log axes.
    hp_rel_err : optional (K,) ``rel_err`` of :func:`funk_hecke_hp`; where given, an entry is trusted
        only if the reference itself is good to rtol/10.

    Returns
    -------
    mask : (K,) bool, True where |mu64 - mu_hp| <= rtol |mu_hp| (False where mu_hp = 0).
    """
    rtol = check_float("rtol", rtol, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    mu64, mu_hp = np.asarray(mu64, dtype=np.float64), np.asarray(mu_hp, dtype=np.float64)
    if mu64.shape != mu_hp.shape:
        raise ValueError(f"mu64 and mu_hp must have the same shape; got {mu64.shape} and {mu_hp.shape}")
    ok = (np.abs(mu64 - mu_hp) <= rtol * np.abs(mu_hp)) & (mu_hp != 0)
    if hp_rel_err is not None:
        ok &= np.asarray(hp_rel_err, dtype=np.float64) <= rtol / 10
    return ok


def first_untrusted(mask, *, parity: str = "all") -> int | None:
    """Smallest k whose entry of ``mask`` is False (restricted to even or odd k if ``parity`` says so).

    Returns None if every entry is trusted. ``parity``: "all", "even" or "odd".
    """
    mask = np.asarray(mask, dtype=bool)
    k = np.arange(mask.size)
    if parity not in ("all", "even", "odd"):
        raise ValueError(f"parity must be one of 'all', 'even', 'odd'; got {parity!r}")
    sel = np.ones_like(mask) if parity == "all" else (k % 2 == (0 if parity == "even" else 1))
    bad = k[sel & ~mask]
    return int(bad[0]) if bad.size else None
