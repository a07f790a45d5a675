"""Dot-product kernels on the unit sphere, composed by depth, and their Theorem-1 asymptotics.

Every kernel here is a function of ``u = x . y`` for ``x, y`` on S^{d-1} (Bietti & Bach, ICLR 2021,
and their Theorem 1):

* arc-cosine kernels  kappa0(u) = 1 - arccos(u)/pi,
  kappa1(u) = (sqrt(1 - u^2) + u (pi - arccos u)) / pi;
* random features (NNGP) of an L-layer ReLU net: kappa^1 = u, kappa^l = kappa1(kappa^{l-1});
* NTK: kappa_NTK^1 = u (u + 1 with a trained first-layer bias),
  kappa_NTK^l = kappa_NTK^{l-1} kappa0(kappa^{l-1}) + kappa^l, so kappa_NTK^L(1) = L (L + 1 with bias);
* step-activation kernel: kappa0 composed L - 1 times;
* Laplace exp(-c ||x - y||) = exp(-c sqrt2 sqrt(1 - u)); Gaussian exp(-||x - y||^2 / (2 sigma^2));
* power (1 - u)^nu: not a positive-definite kernel, but its eigenvalues are known in closed form
  (:func:`exact_eigs_power`), which makes it the oracle of every Funk-Hecke routine.

Depth convention: L is the number of layers (L - 1 hidden layers plus a linear readout), so L = 2 is
the two-layer (one hidden layer) network and L = 1 is the linear kernel u.

Each kernel has two evaluations. ``kernel(u)`` is the closed form in u (an independent oracle).
``kernel.of_theta(theta)`` evaluates the same function in the angle theta = arccos u and is the one
the spectra use: computing 1 - u or arccos(cos theta) loses relative accuracy for small theta, while
the decay of the eigenvalues is driven exactly by the cusp at u = 1. The depth recursion is therefore
carried in the angle, theta_{l+1} = arccos kappa^{l+1} = 2 arcsin(sqrt((1 - kappa1(theta_l)) / 2)), with
1 - kappa1 evaluated without cancellation (a series for sin t - t cos t at small t).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.special import gammaln, gammasgn

from .validate import check_choice, check_float, check_int

KERNEL_NAMES = ("ntk", "rf", "step", "laplace", "gaussian", "power")
_PARAMS = {"ntk": ("L", "bias"), "rf": ("L",), "step": ("L",), "laplace": ("c",), "gaussian": ("sigma",),
           "power": ("nu",)}
_A = math.sqrt(2.0) / math.pi            # kappa0(1 - t) = 1 - _A t^{1/2} + ...
_B = 2.0 * math.sqrt(2.0) / (3.0 * math.pi)  # kappa1(1 - t) = 1 - t + _B t^{3/2} + ...

# sin t - t cos t = sum_{n>=1} (-1)^{n+1} 2n t^{2n+1} / (2n+1)!; 10 terms reach 4e-19 relative at t = 1.
_SERIES_MAX_THETA = 1.0
_G_COEFS = np.array([(-1) ** (n + 1) * 2 * n / math.factorial(2 * n + 1) for n in range(1, 11)])


def kappa0(u):
    """Arc-cosine kernel of degree 0, kappa0(u) = 1 - arccos(u)/pi (Cho & Saul, 2009).

    Equals 2 E_w[sigma'(w.x) sigma'(w.y)] for w ~ N(0, I) and sigma = ReLU. ``u``: any shape, clipped
    to [-1, 1]; returns float64 of the same shape.
    """
    u = np.clip(np.asarray(u, dtype=np.float64), -1.0, 1.0)
    return 1.0 - np.arccos(u) / np.pi


def kappa1(u):
    """Arc-cosine kernel of degree 1, (sqrt(1 - u^2) + u (pi - arccos u)) / pi (Cho & Saul, 2009).

    Equals 2 E_w[sigma(w.x) sigma(w.y)] for w ~ N(0, I), sigma = ReLU; kappa1(1) = 1.
    ``u``: any shape, clipped to [-1, 1]; returns float64 of the same shape.
    """
    u = np.clip(np.asarray(u, dtype=np.float64), -1.0, 1.0)
    return (np.sqrt(1.0 - u * u) + u * (np.pi - np.arccos(u))) / np.pi


def gram(X, Y=None) -> np.ndarray:
    """Cosines u = X Y^T clipped to [-1, 1]: the one place inputs on the sphere turn into u.

    Parameters
    ----------
    X : (n, d) points on S^{d-1};  Y : (m, d) points on S^{d-1}, default ``X``.

    Returns
    -------
    u : (n, m) float64.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = X if Y is None else np.asarray(Y, dtype=np.float64)
    if X.ndim != 2 or Y.ndim != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must be (n, d) and (m, d) arrays; got shapes {X.shape} and {Y.shape}")
    return np.clip(X @ Y.T, -1.0, 1.0)


def one_minus_kappa1_theta(theta):
    """1 - kappa1(cos theta) without cancellation, for theta in [0, pi].

    1 - kappa1 = 2 sin^2(theta/2) - (sin theta - theta cos theta)/pi; the bracket ~ theta^3/3 is summed
    as a series for theta < 1 (relative accuracy ~1e-16 down to theta = 0).
    """
    theta = np.asarray(theta, dtype=np.float64)
    small = theta < _SERIES_MAX_THETA
    t2 = theta * theta
    series = np.polynomial.polynomial.polyval(t2, _G_COEFS) * theta * t2
    g = np.where(small, series, np.sin(theta) - theta * np.cos(theta))
    return 2.0 * np.sin(theta / 2.0) ** 2 - g / np.pi


def _theta_from_one_minus(one_minus):
    """arccos(1 - s) = 2 arcsin(sqrt(s/2)), accurate for small s (s in [0, 2])."""
    return 2.0 * np.arcsin(np.sqrt(np.clip(one_minus, 0.0, 2.0) / 2.0))


@dataclass(frozen=True, kw_only=True)
class DotProductKernel:
    """A dot-product kernel kappa(u) on S^{d-1}; build it with :func:`make_kernel`.

    Attributes
    ----------
    name : one of ``KERNEL_NAMES``.
    L : depth (number of layers, >= 1) for "ntk", "rf", "step"; None otherwise.
    bias : "ntk" only: a zero-initialised, trained first-layer bias (kappa_NTK^1 = u + 1).
    c : "laplace" only: exp(-c ||x - y||), c > 0.
    sigma : "gaussian" only: exp(-||x - y||^2 / (2 sigma^2)) = exp(-(1 - u)/sigma^2), sigma > 0.
    nu : "power" only: (1 - u)^nu, nu > 0.
    """

    name: str
    L: int | None = None
    bias: bool = False
    c: float | None = None
    sigma: float | None = None
    nu: float | None = None

    @property
    def label(self) -> str:
        """Short legend label, e.g. ``"NTK L=3"``, ``"Laplace c=1"``."""
        if self.name == "laplace":
            return f"Laplace c={self.c:g}"
        if self.name == "gaussian":
            return f"Gaussian sigma={self.sigma:g}"
        if self.name == "power":
            return f"(1-u)^{self.nu:g}"
        base = {"ntk": "NTK", "rf": "RF", "step": "step"}[self.name]
        return f"{base}{' +bias' if self.bias else ''} L={self.L}"

    @property
    def angle_root(self) -> int | None:
        """The smallest M such that kappa(cos theta) is an analytic function of theta^{1/M} on [0, pi].

        1 for the arc-cosine kernels, their compositions, Laplace and Gaussian (analytic in theta);
        2^{L-2} for step kernels with L >= 3 (kappa0 composed L - 1 times: each extra kappa0 takes a square
        root at theta = 0, 1 - kappa0(1 - s) = (sqrt2/pi) s^{1/2} (1 + s/12 + ...)); q for (1 - u)^nu =
        (2 sin^2(theta/2))^nu with 2 nu = p/q in lowest terms (q <= 64); None if there is no such M.
        The branch point sits at theta = 0 only (at theta = pi these kernels are analytic in theta), and
        the substitution theta = (pi/2) x^M makes the integrand analytic in x
        (:func:`companion.sphere.funk_hecke` then converges exponentially again).
        """
        if self.name == "step":
            return 1 if self.L <= 2 else 2 ** (self.L - 2)
        if self.name == "power":
            q = Fraction(2 * self.nu).limit_denominator(64)
            return q.denominator if abs(float(q) - 2 * self.nu) < 1e-12 else None
        return 1

    @property
    def analytic_in_theta(self) -> bool:
        """Whether kappa(cos theta) is analytic on [0, pi] (then Gauss-Legendre in theta converges
        exponentially). False for step kernels with L >= 3 (kappa0 composed is a series in
        theta^{2^{-(L-2)}}) and for (1 - u)^nu with 2 nu not an integer: their branch point at theta = 0
        makes a plain Gauss-Legendre rule in theta converge only algebraically, error
        ~ n_nodes^{-2(2 nu + d - 1)}; see :attr:`angle_root` for the substitution that restores it."""
        return self.angle_root == 1

    @property
    def value_at_one(self) -> float:
        """kappa(1): L for the NTK (L + 1 with bias), 0 for "power", 1 for the others."""
        if self.name == "power":
            return 0.0
        return float(self.L + self.bias) if self.name == "ntk" else 1.0

    def __call__(self, u):
        """kappa(u) by the closed forms in u. ``u``: any shape (clipped to [-1, 1]); float64 out.

        Accurate to ~1e-16 absolute but not near u = 1 in the angle; spectra use :meth:`of_theta`.
        """
        u = np.clip(np.asarray(u, dtype=np.float64), -1.0, 1.0)
        if self.name == "laplace":
            return np.exp(-self.c * np.sqrt(2.0) * np.sqrt(1.0 - u))
        if self.name == "gaussian":
            return np.exp(-(1.0 - u) / self.sigma**2)
        if self.name == "power":
            return (1.0 - u) ** self.nu
        if self.name == "step":
            for _ in range(self.L - 1):
                u = kappa0(u)
            return u
        rf, ntk = u, u + 1.0 if self.bias else u
        for _ in range(self.L - 1):
            theta = np.arccos(rf)                 # one arccos per layer serves kappa0 and kappa1
            k1 = (np.sqrt(1.0 - rf * rf) + rf * (np.pi - theta)) / np.pi
            if self.name == "ntk":
                ntk = ntk * (1.0 - theta / np.pi) + k1
            rf = np.minimum(k1, 1.0)
        return ntk if self.name == "ntk" else rf

    def of_theta(self, theta):
        """kappa(cos theta) evaluated in the angle theta in [0, pi], stable at the cusp theta -> 0.

        The depth recursion carries theta_l = arccos kappa^l: kappa0(kappa^l) = 1 - theta_l/pi exactly and
        theta_{l+1} = 2 arcsin(sqrt((1 - kappa1(theta_l))/2)) (see :func:`one_minus_kappa1_theta`), so every
        theta_l keeps full relative accuracy as theta -> 0 and the values are good to a few ulps of kappa
        (checked against 200-bit arb down to theta = 1e-12). The u form cannot do this: cos(1e-8) rounds
        to 1. Values that vanish at theta = pi (e.g. kappa^2 ~ (pi - theta)^3) are accurate in absolute
        (~1e-16), not relative, terms there, which is what the quadrature needs.
        ``theta``: any shape (clipped to [0, pi]); float64 out.
        """
        theta = np.clip(np.asarray(theta, dtype=np.float64), 0.0, np.pi)
        half_sin = np.sin(theta / 2.0)
        if self.name == "laplace":
            return np.exp(-2.0 * self.c * half_sin)        # ||x - y|| = 2 sin(theta/2)
        if self.name == "gaussian":
            return np.exp(-2.0 * half_sin**2 / self.sigma**2)
        if self.name == "power":
            return (2.0 * half_sin**2) ** self.nu           # 1 - cos th = 2 sin^2(th/2)
        if self.name == "step":
            if self.L == 1:
                return np.cos(theta)
            for _ in range(self.L - 2):
                theta = _theta_from_one_minus(theta / np.pi)  # 1 - kappa0(theta) = theta/pi
            return 1.0 - theta / np.pi
        ntk = np.cos(theta) + (1.0 if self.bias else 0.0)
        rf = np.cos(theta)
        for _ in range(self.L - 1):
            one_minus = one_minus_kappa1_theta(theta)
            rf = 1.0 - one_minus
            ntk = ntk * (1.0 - theta / np.pi) + rf
            theta = _theta_from_one_minus(one_minus)
        return ntk if self.name == "ntk" else rf


def make_kernel(name: str, **params) -> DotProductKernel:
    """Build a :class:`DotProductKernel` from its name and parameters, validated before any compute.

    Parameters
    ----------
    name : "ntk" (L: int >= 1, bias: bool = False), "rf" (L >= 1), "step" (L >= 1),
        "laplace" (c > 0), "gaussian" (sigma > 0), "power" (nu > 0).

    Raises
    ------
    ValueError naming the offending parameter and its valid range.
    """
    name = check_choice("name", name, KERNEL_NAMES)
    allowed = _PARAMS[name]
    for key in params:
        if key not in allowed:
            raise ValueError(f"parameter {key!r} is not valid for kernel {name!r}; valid: {', '.join(allowed)}")
    if name in ("ntk", "rf", "step"):
        if "L" not in params:
            raise ValueError(f"L (number of layers, an integer >= 1) is required for kernel {name!r}")
        L = check_int("L", params["L"], lo=1)
        bias = params.get("bias", False)
        if not isinstance(bias, (bool, np.bool_)):
            raise ValueError(f"bias must be a bool (True or False); got {bias!r}")
        return DotProductKernel(name=name, L=L, bias=bool(bias))
    key = allowed[0]
    if key not in params:
        raise ValueError(f"{key} (a real number > 0) is required for kernel {name!r}")
    value = check_float(key, params[key], lo=0.0, lo_open=True)
    return DotProductKernel(name=name, **{key: value})


# --------------------------------------------------------------------------------------------------
# Theorem 1: endpoint expansions and asymptotic eigenvalues
# --------------------------------------------------------------------------------------------------

def rf_at_minus_one(L: int) -> np.ndarray:
    """kappa^l(-1) for l = 1..L (kappa^1(-1) = -1, kappa^2(-1) = 0, kappa^3(-1) = 1/pi, ...): (L,)."""
    out = [-1.0]
    for _ in range(L - 1):
        out.append(float(kappa1(out[-1])))
    return np.array(out)


def pi_product(L: int) -> float:
    """Pi_L = prod_{l=2}^{L-1} kappa0(kappa^l(-1)) (Pi_2 = 1): the parity factor of deep NTK/RF kernels.

    Bounded and decreasing in L (each factor is in [1/2, 1)).
    """
    L = check_int("L", L, lo=2)
    v = rf_at_minus_one(L)
    return float(np.prod(kappa0(v[1:L - 1]))) if L > 2 else 1.0


def power_constant(nu: float, d: int) -> float:
    """C(d, nu) = 2^{nu+d-2} Gamma(d/2) Gamma(nu + (d-1)/2) / (sqrt(pi) Gamma(-nu)); < 0 for 0 < nu < 1.

    The eigenvalues of (1 - u)^nu are C(d, nu) Gamma(k - nu) / Gamma(k + nu + d - 1) ~ C(d, nu) k^{-d-2nu+1}
    (Bietti & Bach, Theorem 1 and its proof).
    """
    nu = _check_nu(nu)
    d = check_int("d", d, lo=2)
    log_abs = ((nu + d - 2) * math.log(2.0) + gammaln(d / 2) + gammaln(nu + (d - 1) / 2)
               - 0.5 * math.log(math.pi) - gammaln(-nu))
    return float(gammasgn(-nu) * math.exp(log_abs))


def exact_eigs_power(nu: float, d: int, k) -> np.ndarray:
    """Exact Funk-Hecke eigenvalues of the kernel (1 - u)^nu on S^{d-1} (uniform probability measure).

    mu_k = 2^{nu+d-2} Gamma(d/2) Gamma(nu + (d-1)/2) Gamma(k - nu) / (sqrt(pi) Gamma(-nu) Gamma(k + nu + d - 1)).

    Parameters
    ----------
    nu : exponent > 0, not an integer.  d : ambient dimension >= 2.  k : int or (m,) ints >= 0.

    Returns
    -------
    mu : float64 of the shape of ``k``; signs follow Gamma(k - nu)/Gamma(-nu), so for k > nu the sign
    is that of C(d, nu).
    """
    nu = _check_nu(nu)
    C = power_constant(nu, d)
    k = np.asarray(k)
    if np.any(k < 0) or not np.issubdtype(k.dtype, np.integer):
        raise ValueError("k must be integers >= 0")
    kf = k.astype(np.float64)
    ratio = gammasgn(kf - nu) * np.exp(gammaln(kf - nu) - gammaln(kf + nu + d - 1))
    return C * ratio


def _check_nu(nu) -> float:
    nu = check_float("nu", nu, lo=0.0, lo_open=True)
    if nu == round(nu):
        raise ValueError(f"nu must be a positive non-integer (Theorem 1 needs a true cusp); got {nu}")
    return nu


@dataclass(frozen=True, kw_only=True)
class Asymptotics:
    """Theorem 1 of Bietti & Bach for a kernel on S^{d-1}.

    If kappa(1 - t) = poly + c1 t^nu + ... and kappa(-1 + t) = poly + c_minus1 t^nu + ..., then
    mu_k ~ (c1 + (-1)^k c_minus1) C(d, nu) k^{-d-2nu+1}.

    Attributes
    ----------
    d, nu, c1, c_minus1 : as above.  C : C(d, nu) (:func:`power_constant`).
    minus1_term : (nu', c') of a term c' t^{nu'} at u = -1 whose power nu' > nu is not an integer, or None.
        Step kernels with L >= 3 have nu = 2^{-(L-1)} at u = 1 but t^{1/2} at u = -1
        (:func:`step_minus_one_coefficient`): c_minus1 = 0 at order nu, and the t^{1/2} term makes the
        parities differ at relative order k^{-2(nu' - nu)} = k^{-(1 - 2 nu)}.
    """

    d: int
    nu: float
    c1: float
    c_minus1: float
    C: float
    minus1_term: tuple[float, float] | None = None

    @property
    def exponent(self) -> float:
        """Decay exponent -(d + 2 nu - 1): -d for NTK and Laplace, -d - 2 for RF."""
        return -(self.d + 2 * self.nu - 1)

    def coefficient(self, k) -> np.ndarray:
        """(c1 + (-1)^k c_minus1) C(d, nu) for integer ``k`` (any shape): the leading-order coefficient."""
        sign = np.where(np.asarray(k) % 2 == 0, 1.0, -1.0)
        return (self.c1 + sign * self.c_minus1) * self.C

    def power_law(self, k) -> np.ndarray:
        """Pure power law (c1 +- c_minus1) C(d, nu) k^{-d-2nu+1}; ``k``: ints >= 1."""
        k = np.asarray(k)
        return self.coefficient(k) * k.astype(np.float64) ** self.exponent

    def gamma_ratio(self, k) -> np.ndarray:
        """Pre-asymptotic form: each endpoint term times the exact eigenvalues of its power.

        (c1 +- c_minus1) C(d, nu) Gamma(k - nu)/Gamma(k + nu + d - 1), i.e. (c1 +- c_minus1) times the
        eigenvalues of (1 - u)^nu (:func:`exact_eigs_power`); plus, where ``minus1_term`` = (nu', c'),
        (-1)^k c' times the eigenvalues of (1 - u)^{nu'} (those of (1 + u)^{nu'} carry the sign (-1)^k).
        Much closer than the power law at moderate k and high d: the leading terms are exact, what is
        left are the next non-integer powers at either end (relative O(k^{-2}) for NTK, RF and Laplace).
        """
        k = np.asarray(k)
        sign = np.where(k % 2 == 0, 1.0, -1.0)
        out = (self.c1 + sign * self.c_minus1) * exact_eigs_power(self.nu, self.d, k)
        if self.minus1_term is not None:
            nu2, c2 = self.minus1_term
            out = out + sign * c2 * exact_eigs_power(nu2, self.d, k)
        return out

    def per_parity_constant(self, k) -> np.ndarray:
        """gamma_ratio(k) / eigenvalues of (1 - u)^nu at k: the constant c1 +- c_minus1 that mu_k / (exact
        eigenvalue of (1 - u)^nu) estimates, with the k-dependent parity term of ``minus1_term``."""
        return self.gamma_ratio(k) / exact_eigs_power(self.nu, self.d, np.asarray(k))


def step_minus_one_coefficient(L: int) -> float:
    """c' of kappa0^{o(L-1)}(-1 + t) = x_L + c' t^{1/2} + O(t): the step kernel's leading term at u = -1.

    kappa0(-1 + t) = (sqrt2/pi) t^{1/2} + O(t^{3/2}); every further kappa0 is analytic at the point it
    is applied to, x_l = kappa0^{o(l-1)}(-1) in [0, 1) (x_2 = 0, x_3 = 1/2, x_4 = 2/3, ...), so by the
    chain rule c' = (sqrt2/pi) prod_{l=2}^{L-1} kappa0'(x_l), kappa0'(x) = 1/(pi sqrt(1 - x^2)).
    L = 2: sqrt2/pi; L = 3: sqrt2/pi^2; L = 4: 2 sqrt2/(sqrt3 pi^3).
    """
    L = check_int("L", L, lo=2)
    x, c = 0.0, _A
    for _ in range(L - 2):
        c /= math.pi * math.sqrt(1.0 - x * x)
        x = float(kappa0(x))
    return c


def endpoint_data(kernel: DotProductKernel) -> tuple[float, float, float]:
    """(nu, c1, c_minus1) of the leading non-integer powers of kappa at u = 1 and u = -1.

    * NTK, L >= 2: nu = 1/2, c1 = -(sqrt2/pi) L(L-1)/2, c_minus1 = -(sqrt2/pi) Pi_L.
    * NTK with first-layer bias: kappa_NTK^1 = u + 1 has kappa_NTK^l(1) = l + 1, so
      c1 = -(sqrt2/pi) (L(L+1)/2 - 1); the t^{1/2} term at -1 is multiplied by kappa_NTK^1(-1) = 0,
      so c_minus1 = 0 (both parities decay alike).
    * RF, L >= 2: nu = 3/2, c1 = (L-1) 2sqrt2/(3pi), c_minus1 = (2sqrt2/(3pi)) Pi_L.
    * step, L >= 2: nu = 2^{-(L-1)}, c1 = -(sqrt2/pi)^{2 - 2^{-(L-2)}} (kappa0 composed: s -> (sqrt2/pi) s^{1/2});
      at -1 the leading power is t^{1/2}: c_minus1 = sqrt2/pi for L = 2, and 0 at order nu for L >= 3
      (the t^{1/2} term there, :func:`step_minus_one_coefficient`, gives a parity correction smaller by
      k^{-(1 - 2 nu)}; :func:`asymptotics` carries it as ``minus1_term``).
    * Laplace: exp(-c sqrt2 t^{1/2}) = 1 - c sqrt2 t^{1/2} + c^2 t - ..., nu = 1/2, c1 = -c sqrt2;
      at -1, sqrt(2 - t) is analytic: c_minus1 = 0.

    Raises
    ------
    ValueError for kernels without a cusp (Gaussian; L = 1; power with integer nu).
    """
    name, L = kernel.name, kernel.L
    if name == "gaussian":
        raise ValueError("kernel 'gaussian' is smooth: Theorem 1 does not apply (super-polynomial decay)")
    if name == "laplace":
        return 0.5, -kernel.c * math.sqrt(2.0), 0.0
    if name == "power":
        return _check_nu(kernel.nu), 1.0, 0.0
    if L < 2:
        raise ValueError(f"L must be >= 2 for Theorem 1 (L = 1 is the linear kernel u); got {L}")
    if name == "step":
        nu = 2.0 ** (-(L - 1))
        return nu, -(_A ** (2.0 - 2.0 ** (-(L - 2)))), (_A if L == 2 else 0.0)
    if name == "rf":
        return 1.5, (L - 1) * _B, _B * pi_product(L)
    if kernel.bias:
        return 0.5, -_A * (L * (L + 1) / 2 - 1), 0.0
    return 0.5, -_A * L * (L - 1) / 2, -_A * pi_product(L)


def asymptotics(kernel: DotProductKernel, d: int) -> Asymptotics:
    """Theorem-1 prediction for ``kernel`` on S^{d-1}: see :class:`Asymptotics`, :func:`endpoint_data`."""
    d = check_int("d", d, lo=2)
    nu, c1, cm1 = endpoint_data(kernel)
    term = (0.5, step_minus_one_coefficient(kernel.L)) if kernel.name == "step" and kernel.L >= 3 else None
    return Asymptotics(d=d, nu=nu, c1=c1, c_minus1=cm1, C=power_constant(nu, d), minus1_term=term)
