"""Laplace kernel ridge regression on a classification interface.

Tomasini, Sclocchi & Wyart, "Failure and success of the spectral bias prediction for Laplace kernel
ridge regression", ICML 2022 (arXiv 2202.03348). The setup is a reconstruction from the paper's
abstract, the authors' slides and a scaling argument (the paper's full text and code were not
available to us), checked numerically here:

- data: x in R^d, x_perp ~ N(0, I_{d-1}), x_1 with density p(x_1) ∝ |x_1|^chi exp(-x_1^2 / 2);
- target: f*(x) = sign(x_1); kernel: K(x, y) = exp(-||x - y|| / sigma);
- ridge: (K + lam I) a = y, the convention of :mod:`companion.krr` (no 1/P factor).

Solvers:

- :func:`solve_1d`, exact in d = 1 in O(P): on sorted points the Laplace Gram is the covariance of
  an Ornstein–Uhlenbeck process, so K^{-1} is tridiagonal and the predictor between neighbours is a
  sinh interpolation; the test error under the data density is then integrated piece by piece, and
  split by region (:meth:`LaplaceKRR1D.test_mse_parts`: the interface gap, the bulk, the tails).
- :func:`learning_point_dense` / :func:`learning_curve_dense`, any d, through the dense Cholesky of
  :mod:`companion.krr` and a Monte-Carlo test set (the oracle of the next route).
- :func:`learning_curve_interface`, any d, by conjugate gradients preconditioned with a Vecchia
  (nearest-previous-neighbour) sparse inverse-Cholesky factor of the Laplace Gram
  (:func:`vecchia_factor`, :func:`solve_pcg`): about a dozen O(P^2) products instead of an O(P^3)
  factorisation. Its test error is split into the interface slab |x_1| < C r(P) (inside the Gaussian
  core |x_perp| <= R), sampled densely there by importance sampling (:class:`SlabSample`), and the rest.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.spatial.distance
import scipy.special

from .krr import krr_coef
from .validate import check_choice, check_float, check_int, check_int_list

# The x_1 density is integrated over |x_1| <= sqrt(max(chi, 0)) + TAIL_CUTOFF. Beyond it p(x_1) is at
# most exp(-TAIL_CUTOFF^2 / 2) = e^{-72} ~ 5e-32 of its peak value (ln(1 + u) <= u), so the mass left
# out is below 1e-30: far under float64 resolution of any test error.
TAIL_CUTOFF = 12.0

# Default number of Gauss nodes per quadrature piece. Pieces are at most h = HMAX_FRACTION wide in
# InterfaceData.quadrature, and h = HMAX_FRACTION * min(sigma, 1) in the test error, so exp(±2x/sigma)
# and exp(-x^2/2) vary by at most e^{±1} across one and 8 Gauss–Legendre nodes resolve them to
# ~1/16! ~ 1e-13 relative or better. A piece >= NEAR_ZERO_WIDTHS widths from x_1 = 0 gets
# Gauss–Legendre: the |x_1|^chi branch point then lies outside the Bernstein ellipse of parameter
# rho = 9 + sqrt(80) ~ 18 (error ~ rho^(-2n) ~ 1e-20). A nearer piece is integrated as
# ∫_0^far - ∫_0^near by Gauss–Jacobi with the exact |x_1|^chi weight over [0, far], up to
# (NEAR_ZERO_WIDTHS + 1) h long, hence with JACOBI_FACTOR times more nodes (exp(2x/sigma) over
# 2.5 sigma: 2.5^32/32! ~ 1e-23). Checked against doubled node counts in the tests.
N_QUAD = 8
JACOBI_FACTOR = 2
NEAR_ZERO_WIDTHS = 4.0
HMAX_FRACTION = 0.5

#: Shapes of the x_1 law (see InterfaceData).
X1_LAWS = ("gaussian", "power")

# Rows of the (n_test, P) test Gram built at once by the dense route (memory ~ TEST_BLOCK * P * 8 B).
TEST_BLOCK = 2048

# Vecchia preconditioner: each point is conditioned on its VECCHIA_NEIGHBOURS nearest points among
# those drawn before it. With 30 neighbours, conjugate gradients on the ridgeless Laplace Gram
# (d = 2, 3; P up to 16384) reach PCG_RTOL in 11-16 iterations (measured; benchmarks/bench_laplace.py).
VECCHIA_NEIGHBOURS = 30
# Conjugate gradients stop when ||K a + lam a - y|| <= PCG_RTOL ||y||. The predictor's error from a
# residual r is the kernel interpolant of r, of the size of r: 1e-8 relative to the labels (+-1)
# changes a squared test error by ~1e-8, far below the Monte-Carlo error of any test MSE here.
PCG_RTOL = 1e-8
PCG_MAXITER = 1000


@dataclass(frozen=True, kw_only=True)
class InterfaceData:
    """Data model: x in R^d, x_perp ~ N(0, I_{d-1}), x_1 with density ∝ |x_1|^chi s(x_1); f* = sign(x_1).

    ``x1_law`` chooses the shape s: ``"gaussian"`` (the page's setup), s = e^{-x_1^2/2} on R;
    ``"power"``, s = 1 on [-1, 1] (bounded support: the density is an exact power law of |x_1|, with
    no curvature term, so the error at the interface has no next-order correction in the gap r).
    The kernel width sigma is a parameter of the kernel, not of the data: it is passed to the
    solvers. Parameters: ``d`` integer >= 1; ``chi`` > -1 (the density vanishes like |x_1|^chi at
    the decision boundary x_1 = 0).
    """

    d: int = 1
    chi: float = 0.0
    x1_law: str = "gaussian"

    def __post_init__(self):
        object.__setattr__(self, "d", check_int("d", self.d, lo=1))
        object.__setattr__(self, "chi", check_float("chi", self.chi, lo=-1.0, lo_open=True))
        check_choice("x1_law", self.x1_law, X1_LAWS)

    @property
    def log_norm(self) -> float:
        """log Z, Z = ∫ |x|^chi s(x) dx: 2^{(chi+1)/2} Gamma((chi+1)/2) (gaussian), 2/(1+chi) (power)."""
        if self.x1_law == "power":
            return math.log(2.0) - math.log1p(self.chi)
        k = (self.chi + 1.0) / 2.0
        return k * math.log(2.0) + math.lgamma(k)

    @property
    def x1_max(self) -> float:
        """Half-width of the x_1 range over which test errors are integrated (see TAIL_CUTOFF)."""
        return 1.0 if self.x1_law == "power" else math.sqrt(max(self.chi, 0.0)) + TAIL_CUTOFF

    def log_shape(self, x1) -> np.ndarray:
        """log s(x_1): -x_1^2/2 (gaussian); 0 inside [-1, 1] and -inf outside (power)."""
        x1 = np.asarray(x1, dtype=np.float64)
        if self.x1_law == "power":
            return np.where(np.abs(x1) <= 1.0, 0.0, -np.inf)
        return -0.5 * x1**2

    def density(self, x1) -> np.ndarray:
        """p(x_1) = |x_1|^chi s(x_1) / Z, normalised on R."""
        x1 = np.asarray(x1, dtype=np.float64)
        if self.chi == 0.0:
            return np.exp(self.log_shape(x1) - self.log_norm)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.exp(self.chi * np.log(np.abs(x1)) + self.log_shape(x1) - self.log_norm)

    def cdf(self, x1) -> np.ndarray:
        """F(x_1) = 1/2 + sign(x_1)/2 * G(|x_1|): G = P((chi+1)/2, x_1^2/2), the regularised lower
        incomplete gamma (gaussian); G = min(|x_1|, 1)^{1+chi} (power)."""
        x1 = np.asarray(x1, dtype=np.float64)
        if self.x1_law == "power":
            return 0.5 + 0.5 * np.sign(x1) * np.minimum(np.abs(x1), 1.0) ** (1.0 + self.chi)
        return 0.5 + 0.5 * np.sign(x1) * scipy.special.gammainc((self.chi + 1.0) / 2.0, 0.5 * x1**2)

    def gap_scale(self, P) -> np.ndarray:
        """r(P): the gap of the training set at the interface point x = (0, x_perp = 0).

        The scale at which a box [0, r] x [-r/2, r/2]^{d-1} at that point holds one training point
        on average: P r^{d+chi} phi_{d-1}(0) / ((1 + chi) Z) = 1, with phi_{d-1}(0) = (2 pi)^{-(d-1)/2},
        so r = ((1 + chi) Z (2 pi)^{(d-1)/2} / P)^{1/(d+chi)} ~ P^{-1/(d+chi)}. In d = 1 it is the
        mean distance of the nearest training point on one side of the interface (for small r). In
        d >= 2 it is a local gap: the nearest of all P points to the interface is much closer,
        ~ P^{-1/(1+chi)}. Vectorised in P.
        """
        P = np.asarray(P, dtype=np.float64)
        log_c = math.log1p(self.chi) + self.log_norm + 0.5 * (self.d - 1) * math.log(2.0 * math.pi)
        return np.exp((log_c - np.log(P)) / (self.d + self.chi))

    def slab_sample(self, n_per_bin: int, *, u_edges, core_radius: float, seed) -> "SlabSample":
        """Test points of the interface slab |x_1| < u_edges[-1] r, |x_perp| <= core_radius (any r),
        stratified in u = |x_1| / r: ``n_per_bin`` points in each bin [u_edges[k], u_edges[k+1]).

        Drawn once and rescaled to each r (common random numbers across P). In bin k, u has the
        density ∝ u^chi (the data density's own shape at small |x_1|; inverse-CDF sampling), x_1 a
        random sign, and x_perp ~ N(0, I_{d-1}) conditioned on |x_perp| <= core_radius (by rejection).
        See :class:`SlabSample` for the weights. ``seed``: int >= 0 or a SeedSequence.
        """
        n = check_int("n_per_bin", n_per_bin, lo=1)
        edges = np.asarray([check_float(f"u_edges[{i}]", e, lo=0.0) for i, e in enumerate(u_edges)])
        if edges.size < 2 or edges[0] != 0.0 or np.any(np.diff(edges) <= 0):
            raise ValueError(f"u_edges must increase from 0 with at least 2 entries; got {tuple(u_edges)}")
        core_radius = check_float("core_radius", core_radius, lo=0.0, lo_open=True)
        r_u, r_sign, r_perp = (np.random.default_rng(s) for s in _seed_sequence(seed).spawn(3))
        k = 1.0 + self.chi
        n_bins = edges.size - 1
        bins = np.repeat(np.arange(n_bins), n)
        lo, hi = edges[:-1] ** k, edges[1:] ** k
        u = (lo[bins] + r_u.random(bins.size) * (hi - lo)[bins]) ** (1.0 / k)
        sign = np.where(r_sign.random(bins.size) < 0.5, -1.0, 1.0)
        x_perp = np.empty((bins.size, self.d - 1))
        if self.d > 1:
            filled = 0
            while filled < bins.size:  # rejection: keeps >= 13% of draws for core_radius >= 2 in d <= 11
                z = r_perp.standard_normal((2 * (bins.size - filled) + 16, self.d - 1))
                z = z[np.einsum("ij,ij->i", z, z) <= core_radius**2][: bins.size - filled]
                x_perp[filled:filled + len(z)] = z
                filled += len(z)
            core_mass = float(scipy.special.gammainc(0.5 * (self.d - 1), 0.5 * core_radius**2))
        else:
            core_mass = 1.0
        return SlabSample(data=self, u=u, sign=sign, x_perp=x_perp, bins=bins, u_edges=edges, core_mass=core_mass)

    def target(self, X) -> np.ndarray:
        """f*(x) = sign(x_1). ``X``: (n, d) -> (n,)."""
        return np.sign(np.asarray(X, dtype=np.float64)[:, 0])

    def sample(self, P: int, *, seed) -> tuple[np.ndarray, np.ndarray]:
        """Draw P points and labels: ``X`` (P, d) float64, ``y`` = sign(x_1) (P,).

        |x_1| = sqrt(2 G), G ~ Gamma((chi+1)/2, 1) (gaussian) or |x_1| = V^{1/(1+chi)}, V ~ U(0, 1)
        (power), with an independent random sign; each coordinate
        family has its own stream from ``SeedSequence(seed).spawn(3)``, so ``sample(P, seed=s)`` is
        the first P rows of ``sample(P', seed=s)`` for P' > P (nested training sets).
        ``seed``: int >= 0 or a ``numpy.random.SeedSequence``.
        """
        P = check_int("P", P, lo=1)
        r_abs, r_sign, r_perp = (np.random.default_rng(s) for s in _seed_sequence(seed).spawn(3))
        X = np.empty((P, self.d))
        if self.x1_law == "power":
            X[:, 0] = r_abs.random(P) ** (1.0 / (1.0 + self.chi))
        else:
            X[:, 0] = np.sqrt(2.0 * r_abs.gamma((self.chi + 1.0) / 2.0, size=P))
        X[:, 0] *= np.where(r_sign.random(P) < 0.5, -1.0, 1.0)
        if self.d > 1:
            X[:, 1:] = r_perp.standard_normal((P, self.d - 1))
        return X, self.target(X)

    def quadrature(self, a, b, *, n_quad: int = N_QUAD,
                   hmax: float = HMAX_FRACTION) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gauss rules for ∫_{a_k}^{b_k} g(x_1) p(x_1) dx_1 on pieces that do not cross x_1 = 0.

        Pieces wider than ``hmax`` are first split into equal parts (p varies on the scale 1; g must
        be resolved by ``n_quad`` nodes on a part). A part at least ``NEAR_ZERO_WIDTHS`` widths away
        from 0 gets Gauss–Legendre with p in the weights. A nearer part is written
        ∫_0^far - ∫_0^near (in |x_1|, on its side of 0), each by ``JACOBI_FACTOR * n_quad``-node
        Gauss–Jacobi with the exact weight |x_1|^chi, so g must be smooth on [0, far] (true for the
        sums of exponentials integrated here); nodes of the ``near`` part lie outside the part and
        carry negative weights.

        Parameters
        ----------
        a, b : (m,) piece endpoints, a <= b, never a < 0 < b.
        n_quad : nodes per Gauss–Legendre rule; hmax : largest part width.

        Returns
        -------
        nodes, weights, piece : flat arrays; ∫_{piece k} g p = sum(weights * g(nodes) where piece == k).
        """
        _check_gaussian(self)
        n_quad = check_int("n_quad", n_quad, lo=1)
        hmax = check_float("hmax", hmax, lo=0.0, lo_open=True)
        a = np.atleast_1d(np.asarray(a, dtype=np.float64))
        b = np.atleast_1d(np.asarray(b, dtype=np.float64))
        if a.shape != b.shape or a.ndim != 1:
            raise ValueError(f"a and b must be 1-d arrays of one shape; got {a.shape} and {b.shape}")
        if np.any(b < a) or np.any((a < 0) & (b > 0)):
            raise ValueError("pieces must satisfy a <= b and must not contain x_1 = 0 in their interior")
        a, b, parent = _subdivide(a, b, np.arange(a.size), hmax)
        width = b - a
        near = np.minimum(np.abs(a), np.abs(b))
        far = np.maximum(np.abs(a), np.abs(b))
        side = np.sign(a + b)
        jac = (near < NEAR_ZERO_WIDTHS * width) & (self.chi != 0.0)

        t, wt = _gauss_legendre(n_quad)
        k = np.flatnonzero(~jac)
        half = 0.5 * width[k, None]
        x_gl = 0.5 * (a + b)[k, None] + half * t
        w_gl = half * wt * self.density(x_gl)
        nodes, weights, piece = [x_gl.ravel()], [w_gl.ravel()], [np.repeat(k, n_quad)]

        k = np.flatnonzero(jac)
        if k.size:
            n_jac = JACOBI_FACTOR * n_quad
            tau, wj = _gauss_jacobi(n_jac, self.chi)
            for c, sgn in ((far[k, None], 1.0), (near[k, None], -1.0)):
                x = side[k, None] * c * (0.5 * (1.0 + tau))
                w = sgn * (0.5 * c) ** (self.chi + 1.0) * wj * np.exp(-0.5 * x**2 - self.log_norm)
                nodes.append(x.ravel()); weights.append(w.ravel()); piece.append(np.repeat(k, n_jac))
        return np.concatenate(nodes), np.concatenate(weights), parent[np.concatenate(piece)]


@dataclass(frozen=True, eq=False)
class SlabSample:
    """Test points of the interface slab in units of a gap scale r (see :meth:`InterfaceData.slab_sample`).

    u : (n,) |x_1| / r; sign : (n,) sign of x_1; x_perp : (n, d-1) inside the core |x_perp| <= R,
    whose Gaussian mass is ``core_mass``; bins : (n,) the u-bin of each point (``u_edges``).

    :meth:`at` gives the points X for a given r and their weights w = p(x)/q_k(x), with q_k the
    sampling density of bin k, so that for any g the integral over the part of the slab in bin k,
    ∫_{u_k <= |x_1|/r < u_{k+1}, |x_perp| <= R} g p dx, is estimated by the mean of g(X) w over the
    bin's points (:meth:`bin_means`): q_k = (phi(x_perp)/core_mass) (1 + chi)|x_1|^chi /
    (2 r^{1+chi} (u_{k+1}^{1+chi} - u_k^{1+chi})), so
    w = 2 core_mass r^{1+chi} (u_{k+1}^{1+chi} - u_k^{1+chi}) s(x_1) / ((1 + chi) Z), s the shape of
    :meth:`InterfaceData.log_shape` (points outside the support get w = 0).
    """

    data: InterfaceData
    u: np.ndarray
    sign: np.ndarray
    x_perp: np.ndarray
    bins: np.ndarray
    u_edges: np.ndarray
    core_mass: float

    def at(self, r: float) -> tuple[np.ndarray, np.ndarray]:
        """Points X (n, d) with |x_1| = u r, and their importance weights w (n,)."""
        r = check_float("r", r, lo=0.0, lo_open=True)
        k = 1.0 + self.data.chi
        x1 = self.sign * self.u * r
        X = np.concatenate((x1[:, None], self.x_perp), axis=1)
        band = np.diff(self.u_edges**k)[self.bins]
        log_w = math.log(2.0 * self.core_mass) + k * math.log(r) - math.log(k) - self.data.log_norm
        return X, band * np.exp(log_w + self.data.log_shape(x1))

    def bin_means(self, values: np.ndarray) -> np.ndarray:
        """Mean of ``values`` (n,) over the points of each bin -> (n_bins,)."""
        n_bins = self.u_edges.size - 1
        return np.bincount(self.bins, weights=values, minlength=n_bins) / np.bincount(self.bins, minlength=n_bins)


def laplace_gram(X, Y, *, sigma: float) -> np.ndarray:
    """Laplace Gram matrix exp(-||x - y|| / sigma), float64.

    Distances come from ``scipy.spatial.distance.cdist``, which sums squared coordinate differences
    (no ||x||^2 + ||y||^2 - 2 x.y cancellation, so they are never negative and keep full relative
    precision for close points — the kernel's cusp at x = y makes that matter).

    X : (n, d), Y : (m, d) -> (n, m).
    """
    sigma = check_float("sigma", sigma, lo=0.0, lo_open=True)
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must be (n, d) and (m, d); got {X.shape} and {Y.shape}")
    D = scipy.spatial.distance.cdist(X, Y)
    D *= -1.0 / sigma
    return np.exp(D, out=D)


@dataclass(frozen=True, eq=False)
class LaplaceKRR1D:
    """Kernel ridge regressor with the Laplace kernel in d = 1, stored on sorted training points.

    Attributes
    ----------
    x : (P,) sorted training inputs; ``fit`` : (P,) predictor at them, beta = f_P(x);
    y : (P,) labels in the same order; ``order`` : (P,) permutation, x = x_input[order];
    sigma, lam : kernel width and ridge.

    Between neighbours x_i < x < x_{i+1} the predictor f(x) = sum_j a_j e^{-|x - x_j|/sigma} is a
    combination of e^{±x/sigma}, fixed by its end values:
        f(x) = [beta_i sinh((x_{i+1} - x)/sigma) + beta_{i+1} sinh((x - x_i)/sigma)] / sinh(h_i/sigma);
    outside the data it decays: f(x) = beta_1 e^{-(x_1 - x)/sigma} (left), beta_P e^{-(x - x_P)/sigma}
    (right).
    """

    x: np.ndarray
    fit: np.ndarray
    y: np.ndarray
    order: np.ndarray
    sigma: float
    lam: float

    def coef(self) -> np.ndarray:
        """Coefficients a of (K + lam I) a = y, in the input order: (y - beta)/lam, or K^{-1} y if lam = 0."""
        if self.lam > 0:
            a_sorted = (self.y - self.fit) / self.lam
        else:
            diag, off = ou_precision(self.x, sigma=self.sigma)
            a_sorted = diag * self.y
            a_sorted[:-1] += off * self.y[1:]
            a_sorted[1:] += off * self.y[:-1]
        a = np.empty_like(a_sorted)
        a[self.order] = a_sorted
        return a

    def predict(self, x_new) -> np.ndarray:
        """f_P at ``x_new`` (any shape) -> same shape."""
        t = np.asarray(x_new, dtype=np.float64)
        idx = np.searchsorted(self.x, t.ravel(), side="right") - 1
        return self._eval(t.ravel(), idx).reshape(t.shape)

    def _eval(self, t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """f_P(t) by the formula of piece ``idx`` (-1: left of x_1; P-1: right of x_P; i: [x_i, x_{i+1}])."""
        x, beta, s = self.x, self.fit, self.sigma
        P = x.size
        out = np.empty_like(t)
        left, right = idx < 0, idx >= P - 1
        out[left] = beta[0] * np.exp((t[left] - x[0]) / s)
        out[right] = beta[-1] * np.exp((x[-1] - t[right]) / s)
        mid = ~(left | right)
        if np.any(mid):
            i, tm = idx[mid], t[mid]
            u, v = (tm - x[i]) / s, (x[i + 1] - tm) / s
            # sinh(u)/sinh(H) = e^{-v} expm1(-2u)/expm1(-2H) with H = u + v: no overflow, exact as H -> 0
            den = np.expm1(-2.0 * (x[i + 1] - x[i]) / s)
            out[mid] = (beta[i] * np.exp(-u) * np.expm1(-2.0 * v)
                        + beta[i + 1] * np.exp(-v) * np.expm1(-2.0 * u)) / den
        return out

    def _value_slope(self, a: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """f_P(a) and sigma f_P'(a) by the formula of piece ``idx`` (as in :meth:`_eval`).

        Then f_P(a + sigma u) = F cosh(u) + G sinh(u) exactly, well conditioned for |u| of order one.
        """
        x, beta, s = self.x, self.fit, self.sigma
        P = x.size
        F, G = np.empty_like(a), np.empty_like(a)
        left, right = idx < 0, idx >= P - 1
        F[left] = G[left] = beta[0] * np.exp((a[left] - x[0]) / s)
        F[right] = beta[-1] * np.exp((x[-1] - a[right]) / s)
        G[right] = -F[right]
        mid = ~(left | right)
        i, am = idx[mid], a[mid]
        eu, ev = np.exp((x[i] - am) / s), np.exp((am - x[i + 1]) / s)  # e^{-u}, e^{-v}
        den = -np.expm1(2.0 * (x[i] - x[i + 1]) / s)  # 1 - e^{-2H}
        # sinh(v)/sinh(H) = e^{-u}(1 - e^{-2v})/(1 - e^{-2H}); cosh(v)/sinh(H) = e^{-u}(1 + e^{-2v})/(1 - e^{-2H})
        F[mid] = (beta[i] * eu * (1.0 - ev * ev) + beta[i + 1] * ev * (1.0 - eu * eu)) / den
        G[mid] = (-beta[i] * eu * (1.0 + ev * ev) + beta[i + 1] * ev * (1.0 + eu * eu)) / den
        return F, G

    def _squared_errors(self, data: InterfaceData, n_quad: int) -> tuple[np.ndarray, np.ndarray]:
        """Quadrature of (f_P - sign)^2 p: per-node contributions (their sum is the test MSE) and the
        piece each node lies in (-1: left of x_1; P-1: right of x_P; i: the gap [x_i, x_{i+1}])."""
        _check_1d(data)
        X1 = max(data.x1_max, float(np.max(np.abs(self.x))))
        ends = np.concatenate(([-X1], self.x, [X1]))
        a, b, idx = ends[:-1], ends[1:], np.arange(-1, self.x.size)
        k = np.flatnonzero((a < 0) & (b > 0))
        if k.size:  # split the piece that contains the interface: [a_k, 0] here, [0, b_k] appended
            k = int(k[0])
            a, b, idx = np.append(a, 0.0), np.append(b, b[k]), np.append(idx, idx[k])
            b[k] = 0.0
        a, b, idx = _subdivide(a, b, idx, HMAX_FRACTION * min(self.sigma, 1.0))
        F, G = self._value_slope(a, idx)
        nodes, w, piece = data.quadrature(a, b, n_quad=n_quad)  # pieces already <= its hmax
        em = np.expm1((nodes - a[piece]) / self.sigma)
        Fp, Gp = F[piece], G[piece]
        # cosh u = 1 + em^2/(2(1+em)), sinh u = em(em+2)/(2(1+em)), accurate for small u
        err = Fp - np.sign(a + b)[piece] + em * (Fp * em + Gp * (em + 2.0)) / (2.0 * (1.0 + em))
        return w * err * err, idx[piece]

    def test_mse(self, data: InterfaceData, *, n_quad: int = N_QUAD) -> float:
        """E_x (f_P(x) - sign(x))^2 under ``data``'s x_1 density, by Gauss quadrature on each piece.

        Pieces: [-X, x_1], the P-1 gaps, [x_P, X] (X = ``data.x1_max``), the one containing 0 split
        there, each subdivided to width <= HMAX_FRACTION * min(sigma, 1); rules of
        :meth:`InterfaceData.quadrature`. On a piece starting at a, f_P = F cosh(u) + G sinh(u) with
        u = (x - a)/sigma (:meth:`_value_slope`), one expm1 per node. Cost O(P * n_quad), vectorised.
        """
        contrib, _ = self._squared_errors(data, n_quad)
        return float(np.sum(contrib))

    def interface_gap(self) -> int:
        """Index k of the piece that contains x = 0 (-1: left of x_1, P-1: right of x_P, else [x_k, x_{k+1}])."""
        return int(np.searchsorted(self.x, 0.0, side="right")) - 1

    def extreme_gaps(self) -> tuple[float, float]:
        """(r_A, r_B): distances from the interface of the nearest training points on either side
        (x_A < 0 < x_B); inf on a side without training points."""
        k = self.interface_gap()
        r_a = -float(self.x[k]) if k >= 0 else math.inf
        r_b = float(self.x[k + 1]) if k + 1 < self.x.size else math.inf
        return r_a, r_b

    def test_mse_parts(self, data: InterfaceData, *, n_quad: int = N_QUAD) -> dict:
        """The test MSE split by region: ``{"gap", "bulk", "tails"}``, summing to :meth:`test_mse`.

        ``gap``: the interface gap (x_A, x_B) between the nearest training points on either side of
        x = 0; ``tails``: beyond the outermost training points (extrapolation; the gap takes
        precedence if all points lie on one side); ``bulk``: every other gap between training points.
        """
        contrib, idx = self._squared_errors(data, n_quad)
        k = self.interface_gap()
        gap = idx == k
        tails = ((idx == -1) | (idx == self.x.size - 1)) & ~gap
        return {"gap": float(np.sum(contrib[gap])), "bulk": float(np.sum(contrib[~gap & ~tails])),
                "tails": float(np.sum(contrib[tails]))}

    def class_err(self, data: InterfaceData) -> float:
        """P_x[f_P(x) sign(x) <= 0] under ``data``'s x_1 density, exactly.

        f_P has at most one root per gap (both sinh weights are positive); where beta_i and
        beta_{i+1} have opposite signs it sits at u = sigma * v, with
        2 v = log(1 + q e^H) - log(1 + q e^{-H}), q = -beta_i / beta_{i+1}, H = h_i / sigma.
        The misclassified mass of each constant-sign segment follows from :meth:`InterfaceData.cdf`.
        """
        _check_1d(data)
        x, beta, s = self.x, self.fit, self.sigma
        sl, sr = np.sign(beta[:-1]), np.sign(beta[1:])
        root = np.where(sl == 0, x[:-1], x[1:])
        flip = sl * sr < 0
        if np.any(flip):
            logq = np.log(-beta[:-1][flip] / beta[1:][flip])
            H = (x[1:] - x[:-1])[flip] / s
            v = 0.5 * (np.logaddexp(0.0, logq + H) - np.logaddexp(0.0, logq - H))
            root[flip] = x[:-1][flip] + s * np.clip(v, 0.0, H)
        # segments [lo, hi) on which f_P has the constant sign sgn, through their CDF values
        Fx, Fr = data.cdf(x), data.cdf(root)
        F_lo = np.concatenate(([0.0], Fx[:-1], Fr, Fx[-1:]))
        F_hi = np.concatenate((Fx[:1], Fr, Fx[1:], [1.0]))
        sgn = np.concatenate((sl[:1], sl, sr, sr[-1:])) if x.size > 1 else np.sign(beta[[0, 0]])
        # F(0) = 1/2 and F is increasing, so F(min(t, 0)) = min(F(t), 1/2)
        wrong_neg = np.minimum(F_hi, 0.5) - np.minimum(F_lo, 0.5)  # mass of x_1 < 0 in the segment
        wrong_pos = np.maximum(F_hi, 0.5) - np.maximum(F_lo, 0.5)  # mass of x_1 > 0
        mass = np.where(sgn > 0, wrong_neg, np.where(sgn < 0, wrong_pos, wrong_neg + wrong_pos))
        return float(np.sum(mass))


def solve_1d(x, y, *, lam: float, sigma: float) -> LaplaceKRR1D:
    """Exact Laplace KRR in d = 1 in O(P) (Ornstein–Uhlenbeck structure of the Gram).

    On sorted points with a_i = exp(-(x_{i+1} - x_i)/sigma) the inverse Gram is tridiagonal:
    off-diagonal -a_i/(1 - a_i^2) = -1/(2 sinh(h_i/sigma)), diagonal 1 + a_{i-1}^2/(1 - a_{i-1}^2)
    + a_i^2/(1 - a_i^2) (= 1/expm1(2h/sigma) terms; a missing neighbour contributes 0). The fitted
    values beta = K (K + lam I)^{-1} y solve (I + lam K^{-1}) beta = y (beta = y if lam = 0), a
    symmetric positive-definite tridiagonal system (LAPACK ptsv via ``solveh_banded``).

    Parameters
    ----------
    x : (P,) distinct training inputs; y : (P,) labels; lam : ridge >= 0 ((K + lam I) a = y);
    sigma : kernel width > 0.
    """
    lam = check_float("lam", lam, lo=0.0)
    sigma = check_float("sigma", sigma, lo=0.0, lo_open=True)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.ndim != 1 or x.size < 1 or y.shape != x.shape:
        raise ValueError(f"x and y must be (P,) arrays with P >= 1; got {x.shape} and {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    if np.any(np.diff(xs) <= 0):
        raise ValueError("x must have distinct values (the Laplace Gram of repeated points is singular)")
    if lam == 0.0 or xs.size == 1:
        beta = ys.copy() if lam == 0.0 else ys / (1.0 + lam)
    else:
        diag, off = ou_precision(xs, sigma=sigma)
        ab = np.empty((2, xs.size))
        ab[0, 0] = 0.0
        ab[0, 1:] = lam * off
        ab[1] = 1.0 + lam * diag
        beta = scipy.linalg.solveh_banded(ab, ys, overwrite_ab=True, check_finite=False)
    return LaplaceKRR1D(x=xs, fit=beta, y=ys, order=order, sigma=sigma, lam=lam)


def learning_point_1d(*, P: int, chi: float, lam: float, sigma: float, seed: int, n_quad: int = N_QUAD) -> dict:
    """One point of a d = 1 learning curve, exact: train on ``P`` samples, integrate the test error.

    Returns ``{"mse", "class_err", "r_min"}``: test mean-squared error, classification error, and the
    distance from the interface to the nearest training point (the extreme-value scale P^{-1/(1+chi)}).
    """
    data = InterfaceData(d=1, chi=chi)
    P = check_int("P", P, lo=1)
    X, y = data.sample(P, seed=seed)
    model = solve_1d(X[:, 0], y, lam=lam, sigma=sigma)
    return {"mse": model.test_mse(data, n_quad=n_quad), "class_err": model.class_err(data),
            "r_min": float(np.min(np.abs(X[:, 0])))}


def learning_point_dense(*, d: int, chi: float, lam: float, sigma: float, P: int, n_test: int, seed: int) -> dict:
    """One learning-curve point in any d by dense Cholesky KRR (:func:`companion.krr.krr_coef`).

    Train set: ``sample(P, seed=s_train)``; test set: ``n_test`` fresh points (``s_train, s_test =
    SeedSequence(seed).spawn(2)``). Returns ``{"mse", "mse_se", "class_err"}`` with ``mse_se`` the
    Monte-Carlo standard error of the test MSE.
    """
    out = learning_curve_dense(d=d, chi=chi, lam=lam, sigma=sigma, P_list=[P], n_test=n_test, seed=seed)
    return {k: v[0] for k, v in out.items() if k != "P"}


def learning_curve_dense(*, d: int, chi: float, lam: float, sigma: float, P_list, n_test: int, seed: int) -> dict:
    """Dense-KRR learning curve on nested training sets (the first P points of one pool).

    One Cholesky per P (cost sum_P P^3 / 3, at most 8/7 of the largest for a doubling P_list), so
    that each P also gives its classification error. Returns lists ``{"P", "mse", "mse_se",
    "class_err"}``; see :func:`learning_point_dense`.
    """
    data = InterfaceData(d=d, chi=chi)
    lam = check_float("lam", lam, lo=0.0)
    sigma = check_float("sigma", sigma, lo=0.0, lo_open=True)
    P_list = check_int_list("P_list", P_list, lo=1)
    n_test = check_int("n_test", n_test, lo=1)
    s_train, s_test = _seed_sequence(seed).spawn(2)
    X, y = data.sample(max(P_list), seed=s_train)
    Xt, yt = data.sample(n_test, seed=s_test)
    out = {"P": list(P_list), "mse": [], "mse_se": [], "class_err": []}
    for P in P_list:
        a = krr_coef(laplace_gram(X[:P], X[:P], sigma=sigma), y[:P], lam=lam, overwrite_K=True)
        f = np.concatenate([laplace_gram(Xt[i:i + TEST_BLOCK], X[:P], sigma=sigma) @ a
                            for i in range(0, n_test, TEST_BLOCK)])
        sq = (f - yt) ** 2
        out["mse"].append(float(sq.mean()))
        out["mse_se"].append(float(sq.std(ddof=1) / math.sqrt(n_test)) if n_test > 1 else float("nan"))
        out["class_err"].append(float(np.mean(f * yt <= 0)))
    return out


def vecchia_factor(X, *, sigma: float, lam: float = 0.0, m: int = VECCHIA_NEIGHBOURS):
    """Sparse approximate inverse Cholesky factor of K + lam I, K the Laplace Gram (Vecchia approximation).

    Each point i is conditioned on its m nearest points among X[:i] (all of them if i < m):
    with A = K + lam I, row i of the unit lower-triangular L holds 1 at i and -A_{iN} A_{NN}^{-1} at
    its neighbours N, and D_i = A_ii - A_{iN} A_{NN}^{-1} A_{Ni} is the conditional variance, so that
    A^{-1} ≈ L^T D^{-1} L, exactly the inverse for a Gaussian process whose conditionals are
    truncated to the neighbours (Vecchia 1988; Schäfer, Katzfuss & Owhadi 2021 for the screening that
    makes it accurate). Row i involves only earlier points, so the leading (P, P) block of L and the
    first P entries of D are the factor of X[:P]: one factor serves nested training sets.

    X : (P, d) distinct points (the sample order is the ordering; i.i.d. points are randomly ordered).
    Returns L : (P, P) scipy.sparse CSR, D : (P,) > 0.
    """
    import scipy.sparse
    import scipy.spatial

    sigma = check_float("sigma", sigma, lo=0.0, lo_open=True)
    lam = check_float("lam", lam, lo=0.0)
    m = check_int("m", m, lo=1)
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be (P, d); got shape {X.shape}")
    P = X.shape[0]
    nbr = np.full((P, m), -1, dtype=np.int64)
    head = min(P, 4 * m)
    for i in range(1, head):  # the first points: all earlier points, by brute force
        dist = np.linalg.norm(X[:i] - X[i], axis=1)
        near = np.argsort(dist, kind="stable")[:m]
        nbr[i, :near.size] = near
    lo = head
    while lo < P:  # block [lo, 2 lo): m nearest with a smaller index, among the 3m nearest in X[:2 lo]
        hi = min(P, 2 * lo)
        tree = scipy.spatial.cKDTree(X[:hi])
        _, idx = tree.query(X[lo:hi], k=min(hi, 3 * m))
        rows = np.arange(lo, hi)[:, None]
        earlier = idx < rows
        rank = np.cumsum(earlier, axis=1)
        keep = earlier & (rank <= m)
        short = np.flatnonzero(keep.sum(axis=1) < m)
        r_idx, c_idx = np.nonzero(keep)
        nbr[lo + r_idx, rank[r_idx, c_idx] - 1] = idx[r_idx, c_idx]
        for j in short:  # rare: fewer than m earlier points among the 3m nearest -> brute force
            i = lo + j
            dist = np.linalg.norm(X[:i] - X[i], axis=1)
            nbr[i] = np.argsort(dist, kind="stable")[:m]
        lo = hi

    count = (nbr >= 0).sum(axis=1)
    D = np.full(P, 1.0 + lam)
    rows_out, cols_out, vals_out = [np.arange(P)], [np.arange(P)], [np.ones(P)]
    for k in np.unique(count[count > 0]):
        ii = np.flatnonzero(count == k)
        for s in range(0, ii.size, 2048):  # batches of small dense solves
            i = ii[s:s + 2048]
            N = nbr[i, :k]
            XN = X[N]  # (b, k, d)
            K_NN = np.exp(-np.linalg.norm(XN[:, :, None, :] - XN[:, None, :, :], axis=-1) / sigma)
            K_NN[:, np.arange(k), np.arange(k)] += lam
            k_iN = np.exp(-np.linalg.norm(XN - X[i][:, None, :], axis=-1) / sigma)
            b = np.linalg.solve(K_NN, k_iN[..., None])[..., 0]
            D[i] = 1.0 + lam - np.einsum("bk,bk->b", k_iN, b)
            rows_out.append(np.repeat(i, k)); cols_out.append(N.ravel()); vals_out.append(-b.ravel())
    if np.any(D <= 0):
        raise np.linalg.LinAlgError("Vecchia conditional variances must be positive (repeated points?)")
    L = scipy.sparse.csr_matrix((np.concatenate(vals_out), (np.concatenate(rows_out), np.concatenate(cols_out))),
                                shape=(P, P))
    return L, D


def solve_pcg(K: np.ndarray, y: np.ndarray, *, lam: float, factor, rtol: float = PCG_RTOL,
              maxiter: int = PCG_MAXITER) -> tuple[np.ndarray, int]:
    """Coefficients a of (K + lam I) a = y by conjugate gradients, preconditioned with L^T D^{-1} L.

    K : (P, P) Gram (any array with ``@``; a leading block of a larger Gram is fine); y : (P,);
    factor : (L, D) from :func:`vecchia_factor` with the same lam (of these P points, or its leading block).
    Stops when ||(K + lam I) a - y|| <= rtol ||y||; raises ``numpy.linalg.LinAlgError`` naming
    ``maxiter`` if it does not. Returns (a, number of iterations).
    """
    lam = check_float("lam", lam, lo=0.0)
    rtol = check_float("rtol", rtol, lo=0.0, lo_open=True)
    maxiter = check_int("maxiter", maxiter, lo=1)
    L, D = factor
    y = np.asarray(y, dtype=np.float64)
    if L.shape != (y.size, y.size) or D.shape != y.shape or K.shape != L.shape:
        raise ValueError(f"K, factor and y must be of one size P = {y.size}; got {K.shape}, {L.shape}, {D.shape}")
    precond = lambda v: L.T @ ((L @ v) / D)
    a = np.zeros_like(y)
    r = y.copy()
    z = precond(r)
    p = z.copy()
    rz = float(r @ z)
    target = rtol * float(np.linalg.norm(y))
    for it in range(1, maxiter + 1):
        Ap = K @ p + lam * p
        alpha = rz / float(p @ Ap)
        a += alpha * p
        r -= alpha * Ap
        if np.linalg.norm(r) <= target:
            return a, it
        z = precond(r)
        rz_new = float(r @ z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    raise np.linalg.LinAlgError(f"conjugate gradients did not reach rtol = {rtol:g} in maxiter = {maxiter} iterations")


def _gram_rows(X, Y, *, sigma: float, block: int = TEST_BLOCK):
    """Yield (start, K(X[start:start+block], Y)) blocks: the Gram built a block of rows at a time."""
    for i in range(0, X.shape[0], block):
        yield i, laplace_gram(X[i:i + block], Y, sigma=sigma)


def learning_curve_interface(*, d: int, chi: float, lam: float, sigma: float, P_list, n_test: int,
                             n_per_bin: int, u_edges, core_radius: float, seed: int,
                             x1_law: str = "gaussian") -> list[dict]:
    """Learning curve on nested training sets with the test error split at the interface (any d).

    KRR by :func:`solve_pcg` with one Gram and one :func:`vecchia_factor` for the largest set (their
    leading blocks serve the smaller ones). Two test sets, both from ``SeedSequence(seed)``:

    - ``n_test`` points from the data density: the test MSE ``mse`` (Monte-Carlo standard error
      ``mse_se``) and classification error ``class_err``;
    - ``n_per_bin`` points in each bin of :meth:`InterfaceData.slab_sample`, rescaled to the gap
      r(P) of each P: the slab's contribution to the MSE, split in bins of u = |x_1|/r(P) with
      edges ``u_edges`` (increasing from 0), inside the core |x_perp| <= ``core_radius``:
      ``slab`` (n_bins,) = ∫_{bin, core} (f_P - f*)^2 p dx and ``slab_mass`` (n_bins,) = ∫_{bin, core} p dx
      (their ratio is the mean squared error at that distance from the interface).

    ``x1_law``: the data model's x_1 law (:class:`InterfaceData`).
    Returns one row per P: ``{"P", "mse", "mse_se", "class_err", "slab", "slab_mass", "r", "n_iter"}``.
    """
    data = InterfaceData(d=d, chi=chi, x1_law=x1_law)
    lam = check_float("lam", lam, lo=0.0)
    sigma = check_float("sigma", sigma, lo=0.0, lo_open=True)
    P_list = check_int_list("P_list", P_list, lo=2)
    if list(P_list) != sorted(set(P_list)):
        raise ValueError(f"P_list must be increasing; got {P_list}")
    n_test = check_int("n_test", n_test, lo=2)
    s_train, s_test, s_slab = _seed_sequence(seed).spawn(3)
    P_max = P_list[-1]
    X, y = data.sample(P_max, seed=s_train)
    Xt, yt = data.sample(n_test, seed=s_test)
    slab = data.slab_sample(n_per_bin, u_edges=u_edges, core_radius=core_radius, seed=s_slab)

    K = np.empty((P_max, P_max))
    for i, rows in _gram_rows(X, X, sigma=sigma):
        K[i:i + rows.shape[0]] = rows
    L, D = vecchia_factor(X, sigma=sigma, lam=lam)
    coefs, iters = [], []
    for P in P_list:
        a, it = solve_pcg(K[:P, :P], y[:P], lam=lam, factor=(L[:P, :P], D[:P]))
        coefs.append(a); iters.append(it)
    del K

    f = np.zeros((len(P_list), n_test))
    for i, G in _gram_rows(Xt, X, sigma=sigma):  # one test Gram block serves every nested P
        for j, (P, a) in enumerate(zip(P_list, coefs)):
            f[j, i:i + G.shape[0]] = G[:, :P] @ a
    rows_out = []
    for j, (P, a) in enumerate(zip(P_list, coefs)):
        r = float(data.gap_scale(P))
        Xs, w = slab.at(r)
        fs = np.concatenate([G @ a for _, G in _gram_rows(Xs, X[:P], sigma=sigma)])
        es = (fs - np.sign(Xs[:, 0])) ** 2
        sq = (f[j] - yt) ** 2
        rows_out.append({"P": P, "mse": float(sq.mean()), "mse_se": float(sq.std(ddof=1) / math.sqrt(n_test)),
                         "class_err": float(np.mean(f[j] * yt <= 0)),
                         "slab": slab.bin_means(w * es), "slab_mass": slab.bin_means(w),
                         "r": r, "n_iter": iters[j]})
    return rows_out


def ou_precision(x: np.ndarray, *, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Bands of the inverse d = 1 Laplace Gram (Ornstein–Uhlenbeck precision) on sorted distinct x.

    Returns the diagonal (P,), 1 + 1/expm1(2 h_{i-1}/sigma) + 1/expm1(2 h_i/sigma), and the
    off-diagonal (P-1,), -1/(2 sinh(h_i/sigma)), with h_i = x_{i+1} - x_i (see :func:`solve_1d`).
    """
    H = np.diff(x) / sigma
    with np.errstate(over="ignore"):
        s = 1.0 / np.expm1(2.0 * H)  # a^2 / (1 - a^2)
        off = -0.5 / np.sinh(H)  # -a / (1 - a^2)
    diag = np.ones_like(x)
    diag[1:] += s
    diag[:-1] += s
    return diag, off


def _subdivide(a, b, idx, hmax):
    """Split each piece [a, b] wider than ``hmax`` into ceil((b - a)/hmax) equal parts carrying its ``idx``."""
    m = np.ceil((b - a) / hmax).astype(np.int64)
    wide = np.flatnonzero(m > 1)
    if wide.size == 0:
        return a, b, idx
    m = m[wide]
    parent = np.repeat(wide, m)
    j = np.arange(parent.size) - np.repeat(np.cumsum(m) - m, m)
    width = (b - a)[parent] / np.repeat(m, m)
    lo = a[parent] + width * j
    hi = np.where(j == np.repeat(m, m) - 1, b[parent], lo + width)
    keep = np.ones(a.size, dtype=bool)
    keep[wide] = False
    return (np.concatenate((a[keep], lo)), np.concatenate((b[keep], hi)), np.concatenate((idx[keep], idx[parent])))


def _check_1d(data: InterfaceData) -> None:
    if not isinstance(data, InterfaceData) or data.d != 1:
        raise ValueError(f"data must be an InterfaceData with d = 1; got {data!r}")
    _check_gaussian(data)


def _check_gaussian(data: InterfaceData) -> None:
    if data.x1_law != "gaussian":
        raise ValueError(f"x1_law must be 'gaussian' for the exact d = 1 integrator (its pieces do not split at "
                         f"the edge of a bounded support); got {data.x1_law!r}")


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(check_int("seed", seed, lo=0))


@functools.lru_cache(maxsize=None)
def _gauss_legendre(n: int):
    return scipy.special.roots_legendre(n)


@functools.lru_cache(maxsize=None)
def _gauss_jacobi(n: int, chi: float):
    """Nodes/weights on [-1, 1] for the weight (1 + t)^chi (x = c (1 + t)/2 maps it to x^chi on [0, c])."""
    return scipy.special.roots_jacobi(n, 0.0, chi)
