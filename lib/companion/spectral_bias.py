"""Spectral-bias (replica) theory of kernel ridge regression, for the Laplace kernel in d = 1.

Canatar, Bordelon & Pehlevan, Nat. Commun. 12, 2914 (2021), eqs. (4)–(6), written for the ridge
convention of :mod:`companion.krr`, (K + lam I) a = y (no 1/P factor). With the kernel's eigenvalues
eta_rho and the target's coefficients c_rho under the data measure (∫ K(x, y) phi_rho(y) p(y) dy =
eta_rho phi_rho(x), f* = sum_rho c_rho phi_rho):

    kappa = lam + kappa * sum_rho eta_rho / (P eta_rho + kappa),
    gamma = sum_rho P eta_rho^2 / (P eta_rho + kappa)^2,
    E_g   = (1 - gamma)^{-1} sum_rho kappa^2 c_rho^2 / (P eta_rho + kappa)^2.

The eigenproblem is discretised (Nyström) on a graded grid in x_1 with product-trapezoid weights
w_i = ∫ hat_i(x_1) p(x_1) dx_1 (hat_i the piecewise-linear hat function of node i), so that
M = W^{1/2} K W^{1/2} carries the spectrum and y = W^{1/2} f* the target (sum_rho c_rho^2 = sum_i w_i
f*(x_i)^2 = 1 exactly: no part of the target lies outside the discretised modes).

Two routes to the same discrete theory:

- :meth:`NystromGrid.spectrum`: dense ``eigh`` of M (N <= a few thousand nodes) -> eta, c, phi; then
  :func:`sb_theory` on (eta, c).
- :meth:`NystromGrid.theory`: O(N) per evaluation, exact for the same matrices. In d = 1 the Laplace
  Gram is an Ornstein–Uhlenbeck covariance, so K^{-1} is tridiagonal and so is
  C = kappa K^{-1} + P W. As P M + kappa = M B with B = kappa M^{-1} + P I = W^{-1/2} C W^{-1/2},
  the sums are
    sum eta/(P eta + kappa) = Tr B^{-1} = sum_i w_i (C^{-1})_ii,
    sum eta^2/(P eta + kappa)^2 = -d/dP Tr B^{-1},
    sum kappa^2 c^2/(P eta + kappa)^2 = sum_i w_i (f*_i - P (C^{-1} W f*)_i)^2,
  with diag(C^{-1}) from the forward and backward LDL^T pivots of C (LAPACK dpttrf) and its
  P-derivative from their (bidiagonal) linearised recursions. This reaches N ~ 10^6 nodes, needed
  when P eta_rho ~ kappa only for rho ~ P (small ridge).

Only d = 1 is implemented: for d > 1 the eigenproblem of exp(-||x - y||/sigma) under this measure
does not separate into x_1 and x_perp, and the functions refuse it (ValueError).

The scaling predictions of the reconstruction (see :mod:`companion.laplace`) are in
:func:`exponents` and :func:`crossover_ridge`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.linalg.lapack
import scipy.optimize
import scipy.special

from .laplace import InterfaceData, N_QUAD, laplace_gram, ou_precision
from .validate import check_float, check_int

# Nodes cover |x_1| <= sqrt(max(chi, 0)) + GRID_CUTOFF; the mass beyond is folded into the last
# node's weight. p there is below e^{-GRID_CUTOFF^2/2} = e^{-40.5} ~ 3e-18 of its peak, so the modes
# it could carry change no error above 1e-16.
GRID_CUTOFF = 9.0

# The grid's node density is (1 - UNIFORM_FRACTION) x the WKB phase density ∝ sqrt(p(x_1)) (the local
# wavenumber of eigenfunctions of small eigenvalue eta, from eta (phi - sigma^2 phi'') = 2 sigma p phi)
# + UNIFORM_FRACTION x uniform (so the tails, where eigenfunctions vary on the scale sigma, stay
# resolved). Near the interface the phase density ∝ |x_1|^{chi/2}: it grades the grid towards x_1 = 0
# for chi < 0 and thins it for chi > 0, where the eigenfunctions vary on the spectral-bias length
# (sigma eta)^{1/(2+chi)}, longer than the bulk wavelength (sigma eta / p)^{1/2}; the phase grid puts
# about the same number of nodes on either. Convergence in n_nodes is tested (second order).
UNIFORM_FRACTION = 0.25

# Largest grid for the dense eigendecomposition (memory 8 N^2 bytes, time ~ N^3).
MAX_DENSE_NODES = 8000

# Root of the kappa equation: brentq in log(kappa) to this absolute tolerance (relative in kappa).
LOG_KAPPA_XTOL = 1e-13


@dataclass(frozen=True, eq=False)
class NystromSpectrum:
    """Discretised eigen-decomposition of the Laplace kernel under the x_1 measure.

    x : (N,) nodes; w : (N,) quadrature weights (sum 1); eta : (N,) eigenvalues, descending;
    c : (N,) target coefficients of f* = sign(x_1); vecs : (N, N) orthonormal eigenvectors of
    M = W^{1/2} K W^{1/2} (column rho <-> eta[rho]).
    """

    x: np.ndarray
    w: np.ndarray
    eta: np.ndarray
    c: np.ndarray
    vecs: np.ndarray

    def phi(self) -> np.ndarray:
        """(N, N) eigenfunctions at the nodes, phi[i, rho] = phi_rho(x_i), orthonormal under sum_i w_i."""
        return self.vecs / np.sqrt(self.w)[:, None]


@dataclass(frozen=True, eq=False)
class NystromGrid:
    """Graded Nyström grid in x_1 for the Laplace kernel of width ``sigma`` (see the module docstring).

    x : (N,) nodes, symmetric about 0 (no node at 0); w : (N,) product-trapezoid weights, sum 1;
    f : (N,) target sign(x_i).
    """

    chi: float
    sigma: float
    x: np.ndarray
    w: np.ndarray
    f: np.ndarray

    def spectrum(self) -> NystromSpectrum:
        """Dense eigen-decomposition of M = W^{1/2} K W^{1/2} (N <= MAX_DENSE_NODES)."""
        check_int("n_nodes", self.x.size, hi=MAX_DENSE_NODES)
        sw = np.sqrt(self.w)
        M = laplace_gram(self.x[:, None], self.x[:, None], sigma=self.sigma)
        M *= sw[:, None]
        M *= sw[None, :]
        eta, vecs = scipy.linalg.eigh(M, overwrite_a=True, check_finite=False)
        eta, vecs = eta[::-1].copy(), vecs[:, ::-1].copy()
        return NystromSpectrum(x=self.x, w=self.w, eta=eta, c=vecs.T @ (sw * self.f), vecs=vecs)

    def theory(self, *, P: int, lam: float) -> dict:
        """Spectral-bias prediction on this grid in O(N) per kappa evaluation (banded route).

        The same numbers as ``sb_theory(sp.eta, sp.c, P=P, lam=lam)`` with ``sp = self.spectrum()``,
        to rounding. Returns ``{"kappa", "gamma", "E_g"}``.
        """
        P = check_int("P", P, lo=1)
        lam = check_float("lam", lam, lo=0.0)
        Kd, Ko = ou_precision(self.x, sigma=self.sigma)

        def pivots(kappa):
            b = kappa * Kd + P * self.w
            c = kappa * Ko
            d, l, info = scipy.linalg.lapack.dpttrf(b, c)
            e, m, info_b = scipy.linalg.lapack.dpttrf(b[::-1], c[::-1])
            if info or info_b:
                raise np.linalg.LinAlgError(f"kappa K^-1 + P W not positive definite (kappa = {kappa:g})")
            return b, d, l, e[::-1], m[::-1]

        def trace(kappa):  # sum_rho eta/(P eta + kappa) = sum_i w_i (C^{-1})_ii
            b, d, _, e, _ = pivots(kappa)
            return float(np.sum(self.w / (d + e - b)))

        # Tr M = sum_i w_i K(x_i, x_i) = 1
        kappa = _solve_kappa(trace, P=P, lam=lam, n_modes=self.x.size, total=1.0)
        b, d, l, e, m = pivots(kappa)
        g = d + e - b
        # P-derivatives of the forward pivots d_i = b_i - c_{i-1}^2/d_{i-1} (b_i' = w_i) and of the
        # backward ones: first-order linear recursions, i.e. bidiagonal solves.
        d1 = _linear_recursion(self.w, l**2)
        e1 = _linear_recursion(self.w[::-1], m[::-1] ** 2)[::-1]
        gamma = P * float(np.sum(self.w * (d1 + e1 - self.w) / g**2))
        s, info = scipy.linalg.lapack.dpttrs(d, l, (self.w * self.f)[:, None])
        r = self.f - P * s[:, 0]
        return {"kappa": kappa, "gamma": gamma, "E_g": float(np.dot(self.w, r * r)) / (1.0 - gamma)}

    def mean_predictor(self, *, P: int, kappa: float) -> np.ndarray:
        """The spectral-bias mean predictor at the nodes, (N,).

        Canatar et al. (2021): the average predictor is the target filtered by P eta/(P eta + kappa),
        f_bar = sum_rho P eta_rho/(P eta_rho + kappa) c_rho phi_rho. With M = W^{1/2} K W^{1/2} it is
        P C^{-1} W f* with C = kappa K^{-1} + P W tridiagonal (K^{-1} the Ornstein-Uhlenbeck
        precision): one banded solve. ``kappa`` comes from :meth:`theory`.
        """
        P = check_int("P", P, lo=1)
        kappa = check_float("kappa", kappa, lo=0.0, lo_open=True)
        Kd, Ko = ou_precision(self.x, sigma=self.sigma)
        ab = np.empty((2, self.x.size))
        ab[0, 0] = 0.0
        ab[0, 1:] = kappa * Ko
        ab[1] = kappa * Kd + P * self.w
        return P * scipy.linalg.solveh_banded(ab, self.w * self.f, check_finite=False)


def nystrom_grid_1d(*, chi: float, sigma: float, n_nodes: int) -> NystromGrid:
    """Build the graded Nyström grid (``n_nodes`` even, >= 4) and its product-trapezoid weights.

    Nodes: +-G^{-1}((k - 1/2)/n), k = 1..n = n_nodes/2, with G the node-density cumulative of
    UNIFORM_FRACTION. Weights: w_i = ∫ hat_i p over the cells next to node i (Gauss rules of
    :meth:`companion.laplace.InterfaceData.quadrature`, exact |x_1|^chi weight near 0); the central
    cell [-x_1, x_1] splits its mass equally, the tails beyond +-x_n go to the end nodes.
    """
    data = InterfaceData(d=1, chi=chi)
    sigma = check_float("sigma", sigma, lo=0.0, lo_open=True)
    n_nodes = check_int("n_nodes", n_nodes, lo=4)
    if n_nodes % 2:
        raise ValueError(f"n_nodes must be an even integer >= 4; got {n_nodes}")
    return _grid(data.chi, sigma, n_nodes)


def nystrom_spectrum_1d(*, chi: float, sigma: float, n_nodes: int) -> NystromSpectrum:
    """Eigenvalues eta, target coefficients c (and eigenvectors) on the graded grid; see :class:`NystromGrid`."""
    return nystrom_grid_1d(chi=chi, sigma=sigma, n_nodes=n_nodes).spectrum()


def sb_kappa(eta, *, P: int, lam: float) -> float:
    """kappa solving kappa = lam + kappa * sum eta/(P eta + kappa) (brentq in log kappa; lam = 0 allowed)."""
    eta = _check_eta(eta)
    P = check_int("P", P, lo=1)
    lam = check_float("lam", lam, lo=0.0)
    return _solve_kappa(lambda k: float(np.sum(eta / (P * eta + k))), P=P, lam=lam,
                        n_modes=np.count_nonzero(eta), total=float(np.sum(eta)))


def sb_theory(eta, c, *, P: int, lam: float) -> dict:
    """Spectral-bias prediction from a spectrum: ``{"kappa", "gamma", "E_g"}`` (module docstring).

    eta : (N,) eigenvalues >= 0 of the kernel under the data measure; c : (N,) target coefficients.
    Any target power outside the N modes (E[f*^2] - sum c^2) is not learned at all and would add to
    E_g as is; for the Nyström spectra of this module it is zero.
    """
    eta = _check_eta(eta)
    c = np.asarray(c, dtype=np.float64)
    if c.shape != eta.shape:
        raise ValueError(f"c must have the shape of eta {eta.shape}; got {c.shape}")
    kappa = sb_kappa(eta, P=P, lam=lam)
    den = P * eta + kappa
    gamma = float(np.sum(P * eta**2 / den**2))
    return {"kappa": kappa, "gamma": gamma, "E_g": float(np.sum((kappa * c / den) ** 2)) / (1.0 - gamma)}


def sb_point(*, d: int, P: int, chi: float, lam: float, sigma: float, n_nodes: int) -> dict:
    """Spectral-bias test MSE for one (P, lam), banded route on a (cached) grid: ``{"kappa", "gamma", "E_g"}``.

    Only ``d = 1`` is implemented (ValueError otherwise). The discretisation error is second order,
    ~ (rho*/n_nodes)^2 with rho* the number of modes with P eta_rho >~ kappa: rho* ~ P at lam -> 0,
    ~ sqrt(P / kappa) for lam of order one. Measured (sigma = 1): ridgeless, n_nodes = 20 P gives
    E_g to 0.5 %, 200 P to 5e-5; at lam = 1, n_nodes = 2e5 gives 1e-3 up to P = 8e6. Check by
    doubling ``n_nodes``. Cost O(n_nodes) per kappa evaluation (~0.15 s for 2e5 nodes in all).
    """
    if check_int("d", d, lo=1) != 1:
        raise ValueError(f"d must be 1: the spectral-bias solver discretises the x_1 eigenproblem only "
                         f"(for d > 1 the Laplace kernel's eigenproblem does not separate); got d = {d}")
    return nystrom_grid_1d(chi=chi, sigma=sigma, n_nodes=n_nodes).theory(P=P, lam=lam)


def exponents(*, d: int, chi: float) -> dict:
    """Learning-curve exponents beta (MSE ~ P^-beta) of the reconstruction (see :mod:`companion.laplace`).

    ``true``: lam << lam* (incl. ridgeless), (1+chi)/(d+chi); ``fixed_lam``: lam > 0 fixed,
    P >> P*(lam), (1+chi)/(d+1+chi); ``spectral_bias``: the spectral-bias prediction as lam -> 0+,
    (1+chi)(d+1)/(d(d+1+chi)).
    """
    d = check_int("d", d, lo=1)
    chi = check_float("chi", chi, lo=-1.0, lo_open=True)
    return {"true": (1 + chi) / (d + chi), "fixed_lam": (1 + chi) / (d + 1 + chi),
            "spectral_bias": (1 + chi) * (d + 1) / (d * (d + 1 + chi))}


def crossover_ridge(*, P: int, d: int, chi: float, sigma: float) -> float:
    """lam*(P) = P^{-1/(d+chi)} / sigma, up to an O(1) factor: where the spectral-bias length
    (lam sigma / P)^{1/(d+1+chi)} meets the gap P^{-1/(d+chi)} the training set leaves at a point of the
    interface (in d = 1 the distance of the nearest training point on either side; in d >= 2 a local
    gap, not the distance of the nearest point to the interface, which is ~ P^{-1/(1+chi)})."""
    P = check_int("P", P, lo=1)
    d = check_int("d", d, lo=1)
    chi = check_float("chi", chi, lo=-1.0, lo_open=True)
    sigma = check_float("sigma", sigma, lo=0.0, lo_open=True)
    return P ** (-1.0 / (d + chi)) / sigma


@functools.lru_cache(maxsize=4)
def _grid(chi: float, sigma: float, n_nodes: int) -> NystromGrid:
    data = InterfaceData(d=1, chi=chi)
    n = n_nodes // 2
    L = math.sqrt(max(chi, 0.0)) + GRID_CUTOFF
    a_phase = (chi + 2.0) / 4.0  # ∫_0^x sqrt(p) ∝ P((chi+2)/4, x^2/4)
    t = np.unique(np.concatenate((np.geomspace(1e-14 * L, L, 4000), np.linspace(0.0, L, 4000))))
    phase = scipy.special.gammainc(a_phase, t**2 / 4.0) / scipy.special.gammainc(a_phase, L**2 / 4.0)
    G = (1.0 - UNIFORM_FRACTION) * phase + UNIFORM_FRACTION * t / L
    g = np.interp((np.arange(n) + 0.5) / n, G, t)  # increasing, > 0: any such grid is valid
    if np.any(np.diff(g) <= 0):
        raise ValueError(f"n_nodes = {n_nodes} is too large for the grid's node table (nodes coincide)")

    # hat-function weights on the positive side; p is even, so the negative side mirrors it
    a, b = g[:-1], g[1:]
    nodes, qw, piece = data.quadrature(a, b, n_quad=N_QUAD)
    right = np.bincount(piece, weights=qw * (nodes - a[piece]) / (b - a)[piece], minlength=n - 1)
    left = np.bincount(piece, weights=qw * (b[piece] - nodes) / (b - a)[piece], minlength=n - 1)
    w = np.zeros(n)
    w[:-1] += left
    w[1:] += right
    w[0] += float(data.cdf(g[0])) - 0.5  # half of the central cell [-g_1, g_1]
    w[-1] += float(scipy.special.gammaincc((chi + 1.0) / 2.0, g[-1] ** 2 / 2.0)) / 2.0  # tail beyond g_n
    x = np.concatenate((-g[::-1], g))
    w = np.concatenate((w[::-1], w))
    for arr in (x, w):
        arr.setflags(write=False)
    f = np.sign(x)
    f.setflags(write=False)
    return NystromGrid(chi=chi, sigma=sigma, x=x, w=w, f=f)


def _linear_recursion(a: np.ndarray, q: np.ndarray) -> np.ndarray:
    """z_0 = a_0, z_i = a_i + q_{i-1} z_{i-1}: a lower-bidiagonal solve (LAPACK, O(N))."""
    ab = np.empty((2, a.size))
    ab[0] = 1.0
    ab[1, :-1] = -q
    ab[1, -1] = 0.0
    return scipy.linalg.solve_banded((1, 0), ab, a, check_finite=False)


def _solve_kappa(trace, *, P: int, lam: float, n_modes: int, total: float) -> float:
    """Root of phi(u) = 1 - trace(e^u) - lam e^{-u}, increasing in u = log kappa.

    ``trace(kappa)`` = sum eta/(P eta + kappa) < total/kappa with total = sum eta = Tr M, so
    kappa_hi = lam + total has phi > 0; kappa_lo = lam has phi = -trace < 0, or for lam = 0 the
    first 10^-j with trace > 1, which exists only if there are more modes than samples.
    """
    if total <= 0:
        if lam > 0:
            return lam  # no modes: kappa = lam
        raise ValueError("eta must have a positive entry for lam = 0")
    phi = lambda u: 1.0 - trace(math.exp(u)) - lam * math.exp(-u)
    hi = math.log(lam + total)
    if lam > 0:
        lo = math.log(lam)
    else:
        if n_modes <= P:
            raise ValueError("ridgeless theory needs more discretised modes than samples: "
                             f"n_nodes = {n_modes} <= P = {P}")
        lo = hi
        while phi(lo) >= 0:
            lo -= math.log(10.0)
            if lo < -700:
                raise ValueError("could not bracket kappa for lam = 0 (trace stays <= 1); increase n_nodes")
    return math.exp(scipy.optimize.brentq(phi, lo, hi, xtol=LOG_KAPPA_XTOL))


def _check_eta(eta) -> np.ndarray:
    eta = np.asarray(eta, dtype=np.float64)
    if eta.ndim != 1 or eta.size == 0:
        raise ValueError(f"eta must be a non-empty (N,) array; got shape {eta.shape}")
    return np.clip(eta, 0.0, None)
