"""Kernels by identity (values at +-1, closed forms), stability oracle (arb) and Theorem 1 (scaling)."""

import math

import numpy as np
import pytest
from flint import arb, ctx

from companion.hiprec import funk_hecke_hp, kernel_theta_arb
from companion.kernels import (
    asymptotics,
    endpoint_data,
    exact_eigs_power,
    gram,
    kappa0,
    kappa1,
    make_kernel,
    one_minus_kappa1_theta,
    pi_product,
    power_constant,
    step_minus_one_coefficient,
)
from companion.sphere import funk_hecke, sample_sphere

# Closed forms in u and in theta agree to a few ulps of kappa(1) <= L away from theta = 0, where the
# u form's arccos(u) is well conditioned (theta >= 0.1: condition number 1/sin(theta) <= 10).
ANGLE_VS_U_ATOL = 1e-14
# of_theta against 200-bit arb at theta down to 1e-12: relative error of a few float64 ulps.
STABLE_REL_TOL = 1e-14
# Theorem 1 at d = 3, k in [500, 1000]: the pure power law misses by the O(1/k) factor
# Gamma(k - nu)/Gamma(k + nu + d - 1) k^{d + 2nu - 1} - 1 ~ -1.5/k (0.3% at k = 500), the Gamma-ratio
# form only by the O(k^{-2}) t^{3/2} terms of the expansion (measured 3e-5 at k = 500) and by float64
# roundoff (< 1e-6 up to k = 1000, tests/test_hiprec.py).
POWER_LAW_BAND = 0.005
GAMMA_RATIO_BAND = 1e-4
# Fitted log-log slope on even or odd k in [100, 800] at d = 3: the Gamma-ratio form's own slope over
# that window is -2.9957 (pre-asymptotic bias 0.004), so a band of 0.01 around -d.
SLOPE_BAND_D3 = 0.01
# ... and on [40, 300] at d = 5 (float64 trusted to 1e-6 up to k ~ 330): Gamma-ratio slope -4.93.
SLOPE_BAND_D5 = 0.1

# Values that are exact in real arithmetic (kappa(1) = L, closed forms that are the same formula
# rearranged): a few ulps of numbers <= 6.
EXACT_ATOL = 1e-14
# Central differences with h = 1e-6: truncation h^2 |kappa1^(3)| ~ 1e-12 on [-0.9, 0.9], roundoff
# eps/h ~ 1e-10.
FD_ATOL = 1e-8
# Monte Carlo with 1e6 samples: the per-sample sd of 2 relu(a) relu(b) is <= sqrt(5) (its value at
# u = 1), so 5 standard errors are 5 sqrt(5)/1e3 = 0.011.
MC_ATOL = 5 * math.sqrt(5) / 1e3
# Endpoint coefficients read off kappa(+-1 -+ t) by a small linear solve: truncation of the next
# power, relative O(t^{1/2}) = 1e-3 at t = 1e-6 (nu = 1/2) and O(t) = 1e-4 at t ~ 1e-4 (nu = 3/2).
EXPANSION_ATOL = 2e-3
# Even/odd ratio mu_1000/mu_999 (k^3-corrected): the O(1/k) corrections agree for k and k - 1 to
# O(k^-2), and the parity-dependent O(k^-2) terms are ~1e-5 at k ~ 1000.
PARITY_RTOL = 1e-3
# "Much closer": the Gamma-ratio form's worst error on [500, 1000] must be this many times smaller
# than the power law's (measured: ~100 times).
GAMMA_VS_POWER_GAIN = 10
# c' read off kappa(-1 + t) at t = 1e-8 by eliminating the t term: truncation O(t) relative = 1e-8, float64
# roundoff eps/sqrt(t) ~ 2e-12 relative; 1e-6 leaves a wide margin.
STEP_EXPANSION_RTOL = 1e-6
# mu_k that vanish exactly (step L = 2, even k >= 2): float64 floor ~5e-16 (tests/test_hiprec.py).
ZERO_ATOL = 1e-15

KERNELS = [("ntk", {"L": 3}), ("ntk", {"L": 5, "bias": True}), ("rf", {"L": 4}), ("step", {"L": 3}),
           ("laplace", {"c": 1.5}), ("gaussian", {"sigma": 0.7}), ("power", {"nu": 0.5})]


def test_arc_cosine_closed_forms():
    u = np.linspace(-1, 1, 101)
    assert kappa0(1.0) == 1.0 and kappa1(1.0) == 1.0
    assert kappa0(-1.0) == 0.0 and abs(kappa1(-1.0)) < EXACT_ATOL
    # kappa1' = kappa0 (derivative of the degree-1 arc-cosine kernel), checked by central differences
    h = 1e-6
    v = np.linspace(-0.9, 0.9, 37)
    np.testing.assert_allclose((kappa1(v + h) - kappa1(v - h)) / (2 * h), kappa0(v), atol=FD_ATOL)
    # kappa1 = 2 E[relu(w.x) relu(w.y)]: Monte Carlo at u = 0.3
    rng = np.random.default_rng(0)
    z1, z2 = rng.standard_normal((2, 10**6))
    a, b = z1, 0.3 * z1 + math.sqrt(1 - 0.09) * z2
    assert abs(2 * np.mean(np.maximum(a, 0) * np.maximum(b, 0)) - kappa1(0.3)) < MC_ATOL
    assert np.all(np.diff(kappa1(u)) >= 0)


@pytest.mark.parametrize("L", [1, 2, 3, 6])
def test_values_at_one(L):
    assert make_kernel("ntk", L=L)(1.0) == pytest.approx(L, abs=EXACT_ATOL)
    assert make_kernel("ntk", L=L).of_theta(0.0) == pytest.approx(L, abs=EXACT_ATOL)
    assert make_kernel("ntk", L=L, bias=True).of_theta(0.0) == pytest.approx(L + 1, abs=EXACT_ATOL)
    assert make_kernel("rf", L=L)(1.0) == pytest.approx(1.0, abs=EXACT_ATOL)
    assert make_kernel("rf", L=L).of_theta(0.0) == pytest.approx(1.0, abs=EXACT_ATOL)
    assert make_kernel("ntk", L=L).value_at_one == L


def test_two_layer_closed_forms():
    u = np.linspace(-1, 1, 41)
    np.testing.assert_allclose(make_kernel("ntk", L=2)(u), u * kappa0(u) + kappa1(u), atol=EXACT_ATOL)
    np.testing.assert_allclose(make_kernel("ntk", L=2, bias=True)(u), (u + 1) * kappa0(u) + kappa1(u),
                               atol=EXACT_ATOL)
    np.testing.assert_allclose(make_kernel("rf", L=3)(u), kappa1(kappa1(u)), atol=EXACT_ATOL)
    np.testing.assert_allclose(make_kernel("step", L=3)(u), kappa0(kappa0(u)), atol=EXACT_ATOL)
    np.testing.assert_allclose(make_kernel("laplace", c=2.0)(u), np.exp(-2.0 * np.sqrt(2 - 2 * u)),
                               atol=EXACT_ATOL)


@pytest.mark.parametrize("name,params", KERNELS)
def test_angle_form_equals_u_form(name, params):
    k = make_kernel(name, **params)
    theta = np.linspace(0.1, np.pi, 200)
    np.testing.assert_allclose(k.of_theta(theta), k(np.cos(theta)), rtol=0, atol=ANGLE_VS_U_ATOL)


@pytest.mark.parametrize("name,params", KERNELS)
def test_angle_form_accurate_at_tiny_theta(name, params):
    """of_theta keeps full relative accuracy down to theta = 1e-12 (the cusp region of the spectra)."""
    k = make_kernel(name, **params)
    theta = np.logspace(-12, 0, 25)
    with ctx.workprec(200):
        exact = np.array([float(kernel_theta_arb(k, arb(t))) for t in theta])
    np.testing.assert_allclose(k.of_theta(theta), exact, rtol=STABLE_REL_TOL, atol=0)


def test_one_minus_kappa1_relative_accuracy():
    """1 - kappa1(theta) ~ theta^2/2 carries the cusp of every deeper layer: full relative accuracy."""
    theta = np.concatenate([np.logspace(-12, 0, 40), np.linspace(1.0, np.pi, 20)])
    with ctx.workprec(200):
        exact = np.array([float(2 * (arb(t) / 2).sin() ** 2 - (arb(t).sin() - arb(t) * arb(t).cos()) / arb.pi())
                          for t in theta])
    np.testing.assert_allclose(one_minus_kappa1_theta(theta), exact, rtol=STABLE_REL_TOL, atol=0)


def test_u_form_loses_accuracy_near_one():
    """The trap the angle form avoids: cos(1e-8) rounds to 1, so kappa(u) cannot see theta = 1e-8."""
    k = make_kernel("ntk", L=4)
    theta = 1e-8
    with ctx.workprec(200):
        exact = float(kernel_theta_arb(k, arb(theta)))
    assert abs(k(np.cos(theta)) / exact - 1) > 1e3 * STABLE_REL_TOL
    assert abs(k.of_theta(theta) / exact - 1) < STABLE_REL_TOL


def test_gram():
    X = sample_sphere(7, 4, seed=0)
    u = gram(X)
    assert u.shape == (7, 7) and np.all(np.abs(u) <= 1) and np.allclose(np.diag(u), 1)
    assert gram(X, X[:3]).shape == (7, 3)
    with pytest.raises(ValueError, match="X and Y"):
        gram(X, sample_sphere(3, 5, seed=1))


# ----------------------------------------------------------------------------------------------
# Theorem 1
# ----------------------------------------------------------------------------------------------

def test_power_constant_sign_and_mu0():
    assert power_constant(0.5, 3) < 0 and power_constant(1.5, 3) > 0
    # mu_0 of (1 - u)^nu at d = 3 is int (1 - u)^nu du / 2 = 2^nu / (nu + 1)
    for nu in (0.3, 0.5, 1.5, 2.7):
        assert exact_eigs_power(nu, 3, 0) == pytest.approx(2**nu / (nu + 1), rel=EXACT_ATOL)


def test_pi_product():
    assert pi_product(2) == 1.0
    assert pi_product(3) == pytest.approx(0.5)                          # kappa0(kappa^2(-1)) = kappa0(0)
    assert pi_product(4) == pytest.approx(0.5 * kappa0(1 / math.pi))    # kappa^3(-1) = kappa1(0) = 1/pi
    p = [pi_product(L) for L in range(2, 10)]
    assert np.all(np.diff(p) < 0) and p[-1] > 0


def test_endpoint_data_by_expansion():
    """Coefficients of t^nu read off numerically from kappa(1 - t) and kappa(-1 + t) at small t."""
    t = np.array([1e-6, 4e-6])
    for name, params in [("ntk", {"L": 4}), ("ntk", {"L": 3, "bias": True}), ("rf", {"L": 3}),
                         ("laplace", {"c": 0.7}), ("step", {"L": 2})]:
        k = make_kernel(name, **params)
        nu, c1, cm1 = endpoint_data(k)
        th_plus = 2 * np.arcsin(np.sqrt(t / 2))           # arccos(1 - t), accurate
        f_plus = k.of_theta(th_plus)
        f_minus = k.of_theta(np.pi - th_plus)
        # leading singular term = f(t) - [polynomial part]; for nu = 1/2 the polynomial part is
        # a + b t, eliminated by combining two t values and the exact value at t = 0.
        if nu == 0.5:
            for f, c, f0 in [(f_plus, c1, k.of_theta(0.0)), (f_minus, cm1, k.of_theta(np.pi))]:
                s = np.sqrt(t)
                # f - f0 = c s + b s^2 + O(s^3): solve the 2x2 system for (c, b)
                A = np.stack([s, s**2], axis=1)
                c_est, _ = np.linalg.solve(A, f - f0)
                assert c_est == pytest.approx(c, abs=EXPANSION_ATOL)
        else:  # rf: f = a + b t + c t^{3/2} + O(t^2)
            t3 = np.array([1e-4, 2e-4, 4e-4])
            th = 2 * np.arcsin(np.sqrt(t3 / 2))
            for f, c, f0 in [(k.of_theta(th), c1, k.of_theta(0.0)), (k.of_theta(np.pi - th), cm1, k.of_theta(np.pi))]:
                A = np.stack([t3, t3**1.5, t3**2], axis=1)
                _, c_est, _ = np.linalg.solve(A, f - f0)
                assert c_est == pytest.approx(c, abs=EXPANSION_ATOL)


def test_angle_root():
    """kappa(cos theta) analytic in theta^{1/M}: arc-cosine kernels M = 1, step L: 2^{L-2}, (1-u)^nu: denominator of 2 nu."""
    assert make_kernel("ntk", L=5).angle_root == 1 and make_kernel("laplace", c=2.0).angle_root == 1
    assert [make_kernel("step", L=L).angle_root for L in (2, 3, 4, 6)] == [1, 2, 4, 16]
    assert make_kernel("power", nu=0.25).angle_root == 2 and make_kernel("power", nu=0.3).angle_root == 5
    assert make_kernel("power", nu=1.5).angle_root == 1 and make_kernel("power", nu=0.2718281828).angle_root is None
    assert not make_kernel("step", L=3).analytic_in_theta and make_kernel("step", L=2).analytic_in_theta


@pytest.mark.parametrize("L", [2, 3, 4, 5])
def test_step_minus_one_coefficient_by_expansion(L):
    """kappa0 composed L - 1 times at u = -1 + t: x_L + c' t^{1/2} + b t + O(t^{3/2}), read off at small t."""
    k = make_kernel("step", L=L)
    t = np.array([1e-8, 4e-8])
    f = k.of_theta(np.pi - 2 * np.arcsin(np.sqrt(t / 2))) - k.of_theta(np.pi)
    s = np.sqrt(t)
    c_est, _ = np.linalg.solve(np.stack([s, s**2], axis=1), f)
    assert c_est == pytest.approx(step_minus_one_coefficient(L), rel=STEP_EXPANSION_RTOL)
    if L >= 3:
        assert asymptotics(k, 3).minus1_term == (0.5, step_minus_one_coefficient(L))


@pytest.mark.parametrize("L", [3, 4, 5])
def test_theorem1_ntk_constants(L):
    """mu_k k^{d + 2nu - 1} -> (c1 +- c_-1) C(d, nu) for the deep NTK at d = 3, both parities."""
    d, K = 3, 1000
    mu = funk_hecke(make_kernel("ntk", L=L), d, K)
    A = asymptotics(make_kernel("ntk", L=L), d)
    k = np.arange(500, K + 1)
    assert A.exponent == -3.0
    np.testing.assert_allclose(mu[k] / A.power_law(k), 1.0, atol=POWER_LAW_BAND)
    np.testing.assert_allclose(mu[k] / A.gamma_ratio(k), 1.0, atol=GAMMA_RATIO_BAND)
    # the Gamma-ratio form is much closer than the pure power law
    gain = np.max(np.abs(mu[k] / A.power_law(k) - 1)) / np.max(np.abs(mu[k] / A.gamma_ratio(k) - 1))
    assert gain > GAMMA_VS_POWER_GAIN
    # parity: even and odd constants differ by c_-1 (Pi_L), ratio -> (c1 + c_-1)/(c1 - c_-1)
    parity = mu[1000] / mu[999] * (1000 / 999) ** 3
    assert parity == pytest.approx((A.c1 + A.c_minus1) / (A.c1 - A.c_minus1), rel=PARITY_RTOL)


@pytest.mark.parametrize("name,params", [("rf", {"L": 3}), ("laplace", {"c": 1.0}), ("ntk", {"L": 2, "bias": True}),
                                         ("step", {"L": 2})])
def test_theorem1_other_kernels(name, params):
    """RF (nu = 3/2), Laplace and bias NTK (c_-1 = 0: both parities alike), step L = 2 (even k vanish)."""
    d = 3
    kernel = make_kernel(name, **params)
    if name == "rf":    # k^{-5}: float64 is trusted to 1e-6 only up to k ~ 150; use extended precision
        k_win = np.arange(150, 301)
        mu, _ = funk_hecke_hp(kernel, d, int(k_win[-1]))
    else:
        k_win = np.arange(500, 1001)
        mu = funk_hecke(kernel, d, int(k_win[-1]))
    A = asymptotics(make_kernel(name, **params), d)
    nz = A.coefficient(k_win) != 0
    np.testing.assert_allclose(mu[k_win[nz]] / A.gamma_ratio(k_win[nz]), 1.0, atol=GAMMA_RATIO_BAND)
    np.testing.assert_allclose(mu[k_win[~nz]], 0.0, atol=ZERO_ATOL)


def test_constants_grow_with_depth():
    """c1 ~ L^2 for the NTK and ~ L for RF; Pi_L decreases (Bietti & Bach, Section 3)."""
    c_ntk = [endpoint_data(make_kernel("ntk", L=L))[1] for L in range(2, 8)]
    c_rf = [endpoint_data(make_kernel("rf", L=L))[1] for L in range(2, 8)]
    np.testing.assert_allclose(np.array(c_ntk) / c_ntk[0], [L * (L - 1) / 2 for L in range(2, 8)])
    np.testing.assert_allclose(np.array(c_rf) / c_rf[0], [L - 1 for L in range(2, 8)])


@pytest.mark.parametrize("d,k_lo,k_hi,band", [(3, 100, 800, SLOPE_BAND_D3), (5, 40, 300, SLOPE_BAND_D5)])
def test_fitted_decay_exponent_is_minus_d(d, k_lo, k_hi, band):
    """Deep equals shallow: the NTK decays as k^{-d} at every depth and in both parities."""
    for L in (2, 3, 5):
        mu = funk_hecke(make_kernel("ntk", L=L), d, k_hi)
        for parity in ((0,) if L == 2 else (0, 1)):
            k = np.arange(k_lo + parity, k_hi + 1, 2)
            slope = np.polyfit(np.log(k), np.log(mu[k]), 1)[0]
            assert abs(slope + d) < band, (L, parity, slope)
    mu = funk_hecke(make_kernel("rf", L=3), d, k_hi)
    k = np.arange(k_lo, min(k_hi, 300) + 1, 2)
    assert abs(np.polyfit(np.log(k), np.log(mu[k]), 1)[0] + d + 2) < 2 * band


def test_theorem1_rejects_smooth_kernels():
    with pytest.raises(ValueError, match="gaussian"):
        asymptotics(make_kernel("gaussian", sigma=1.0), 3)
    with pytest.raises(ValueError, match="L must be"):
        asymptotics(make_kernel("ntk", L=1), 3)
    with pytest.raises(ValueError, match="nu"):
        exact_eigs_power(1.0, 3, [0, 1])


@pytest.mark.parametrize("call,param", [
    (lambda: make_kernel("foo"), "name"),
    (lambda: make_kernel("ntk"), "L"),
    (lambda: make_kernel("ntk", L=0), "L"),
    (lambda: make_kernel("rf", L=2.5), "L"),
    (lambda: make_kernel("ntk", L=2, bias=1), "bias"),
    (lambda: make_kernel("rf", L=2, bias=True), "bias"),
    (lambda: make_kernel("laplace", c=0.0), "c"),
    (lambda: make_kernel("laplace", c=-1.0), "c"),
    (lambda: make_kernel("gaussian", sigma=0), "sigma"),
    (lambda: make_kernel("power", nu=-0.5), "nu"),
    (lambda: exact_eigs_power(-0.5, 3, 1), "nu"),
    (lambda: power_constant(0.5, 1), "d"),
])
def test_invalid_parameters_name_the_parameter(call, param):
    with pytest.raises(ValueError, match=rf"\b{param}\b"):
        call()
