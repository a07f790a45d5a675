"""Sphere utilities by identity and oracle: multiplicities, Gegenbauer orthogonality, Funk-Hecke."""

import math

import numpy as np
import pytest
from scipy.special import comb, eval_gegenbauer, eval_legendre, roots_jacobi

from companion.kernels import asymptotics, exact_eigs_power, make_kernel
from companion.sphere import (
    default_n_nodes,
    graded_n_nodes,
    funk_hecke,
    funk_hecke_constant,
    gegenbauer,
    multiplicity,
    sample_sphere,
)

# Recurrence vs scipy's closed-form evaluations for k <= 60: a few hundred ulps of |P_k| <= 1.
GEGENBAUER_ATOL = 1e-12
# Orthogonality by Gauss-Jacobi quadrature (exact for these degrees): roundoff of a 100-term sum.
ORTHO_ATOL = 1e-13
# Funk-Hecke vs the exact eigenvalues of (1 - u)^nu (2 nu integer, so analytic in theta): the float64
# floor is ~1e-16 x the integrand's scale (|kappa| <= 2^nu), i.e. absolute ~1e-15; relative accuracy
# is then limited where mu_k approaches that floor, so compare absolutely.
POWER_ATOL = 2e-15
# Default rule against 4x as many nodes: the float64 floor of the recurrence (~1e-16 k |mu|-scale).
CONVERGED_ATOL = 5e-15
# Two-layer NTK: odd part of kappa is exactly 2u-linear, so odd mu_k, k >= 3, are roundoff; also the
# float64 floor of any mu_k that vanishes exactly (~5e-16 with correctly rounded nodes).
ZERO_ATOL = 1e-15
# Quantities exact in real arithmetic, computed by a few float64 operations: a few ulps.
EXACT_RTOL = 1e-14
# E[x x^T] = I/d for x uniform on S^{d-1}; at d = 4 the largest entrywise variance is
# Var(x_i^2) = 3/(d(d+2)) - 1/d^2 = 1/16, so 5 standard errors of a 500-point mean are 5 * 0.25/sqrt(500).
COV_ATOL = 5 * 0.25 / math.sqrt(500)
# Where |mu_k| > 1e-6 the absolute floor POWER_ATOL is < 1e-8 relative; 1e-9 leaves the quadrature
# no room for more than roundoff (the default rule is converged).
POWER_RTOL = 1e-9
# A plain callable (1 - u)^{1/2} of u = cos th: the u form's cancellation costs ~5e-11 relative for
# k <= 50 (measured); 1e-9 leaves a factor 20.
CALLABLE_RTOL = 1e-9
# Algebraic convergence for (1 - u)^{1/4}: measured log2 error ratios 4.98, 4.98 for n = 100, 200, 400
# against the predicted 2(2 nu + d - 1) = 5.
RATE_ATOL = 0.1
# Graded rule against the exact eigenvalues of (1 - u)^nu: the float64 floor (~3e-15 measured at d = 10,
# where exact_eigs_power's own exp(gammaln - gammaln) carries ~1e-15), with a factor 3.
GRADED_ATOL = 1e-14
# Addition formula: the Theorem-1 tail is summed to k = 2e6, leaving out ~K/2e6 = 1e-3 of it at
# K = 2000 (nu = 1/2); its O(k^-2) corrections are < 1e-4 (tests/test_kernels.py).
TAIL_RTOL = 0.005
# Gaussian: sum_k mu_k N(d, k) with mu_k known to the float64 floor ~1e-19 (d = 5, k <= 30) times
# N(5, k) <= 2e4: ~1e-14 (measured 1.5e-14).
GAUSS_ADDITION_ATOL = 1e-13


def test_sample_sphere_unit_and_seeded():
    X = sample_sphere(500, 4, seed=3)
    assert X.shape == (500, 4) and X.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, rtol=0, atol=EXACT_RTOL)
    np.testing.assert_array_equal(X, sample_sphere(500, 4, seed=3))
    assert not np.allclose(X, sample_sphere(500, 4, seed=4))
    np.testing.assert_allclose(X.T @ X / 500, np.eye(4) / 4, atol=COV_ATOL)


def test_multiplicity_identities():
    k = np.arange(0, 50)
    np.testing.assert_array_equal(multiplicity(3, k), 2 * k + 1)
    np.testing.assert_array_equal(multiplicity(2, k), np.where(k == 0, 1, 2))
    assert multiplicity(4, 3) == 16                                       # (k + 1)^2 on S^3
    # harmonics of degree <= K span the polynomials of degree <= K restricted to S^{d-1}
    for d in (3, 5, 10):
        K = 30
        dim = math.comb(K + d - 1, d - 1) + math.comb(K + d - 2, d - 1)
        assert int(np.sum(multiplicity(d, np.arange(K + 1)))) == dim
    big = multiplicity(10, np.arange(0, 3001))
    assert big.dtype == np.float64 and big[-1] == pytest.approx(float(multiplicity(10, 3000)), rel=EXACT_RTOL)
    assert isinstance(multiplicity(10, 3000), int)


@pytest.mark.parametrize("d", [3, 4, 7, 10])
def test_gegenbauer_matches_scipy(d):
    t = np.linspace(-1, 1, 57)
    P = gegenbauer(60, d, t)
    lam = (d - 2) / 2
    ref = np.array([eval_legendre(k, t) if d == 3 else eval_gegenbauer(k, lam, t) / eval_gegenbauer(k, lam, 1.0)
                    for k in range(61)])
    np.testing.assert_allclose(P, ref, atol=GEGENBAUER_ATOL)
    np.testing.assert_allclose(P[:, -1], 1.0)


@pytest.mark.parametrize("d", [2, 3, 5, 10])
def test_gegenbauer_orthogonality(d):
    """c_d int P_j P_k (1 - t^2)^{(d-3)/2} dt = delta_jk / N(d, k) (Gauss-Jacobi, exact)."""
    K = 40
    alpha = (d - 3) / 2
    t, w = roots_jacobi(K + 2, alpha, alpha)
    P = gegenbauer(K, d, t)
    G = funk_hecke_constant(d) * (P * w) @ P.T
    np.testing.assert_allclose(G, np.diag(1.0 / multiplicity(d, np.arange(K + 1))), atol=ORTHO_ATOL)


def test_funk_hecke_constant_is_a_density():
    for d in (2, 3, 5, 10):
        t, w = roots_jacobi(20, (d - 3) / 2, (d - 3) / 2)
        assert funk_hecke_constant(d) * w.sum() == pytest.approx(1.0, rel=EXACT_RTOL)


@pytest.mark.parametrize("d", [3, 5, 10])
@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5])
def test_funk_hecke_exact_power_eigenvalues(d, nu):
    K = 300
    mu = funk_hecke(make_kernel("power", nu=nu), d, K)
    exact = exact_eigs_power(nu, d, np.arange(K + 1))
    np.testing.assert_allclose(mu, exact, rtol=0, atol=POWER_ATOL * 2**nu)
    big = np.abs(exact) > 1e-6
    assert big.sum() >= 4
    np.testing.assert_allclose(mu[big], exact[big], rtol=POWER_RTOL)


def test_funk_hecke_plain_callable():
    """A callable of u works too (it carries the 1 - u cancellation, fine at moderate k)."""
    mu = funk_hecke(lambda u: (1 - u) ** 0.5, 3, 50)
    np.testing.assert_allclose(mu, exact_eigs_power(0.5, 3, np.arange(51)), rtol=CALLABLE_RTOL)


def test_funk_hecke_non_analytic_power_converges_algebraically():
    """(1 - u)^{1/4} has a theta^{1/2} branch point at theta = 0: the integrand ~ theta^{2nu + d - 2},
    so the plain Gauss-Legendre error falls as n^{-2(2nu + d - 1)} = n^{-5} at d = 3 (scaling check)."""
    kernel = make_kernel("power", nu=0.25)
    assert not kernel.analytic_in_theta and kernel.angle_root == 2
    exact = exact_eigs_power(0.25, 3, np.arange(51))
    errs = [np.max(np.abs(funk_hecke(kernel, 3, 50, n_nodes=n, grading=1) - exact)) for n in (100, 200, 400)]
    rates = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    np.testing.assert_allclose(rates, 5.0, atol=RATE_ATOL)


@pytest.mark.parametrize("nu,M", [(0.25, 2), (0.125, 4), (1 / 32, 16), (0.3, 5)])
@pytest.mark.parametrize("d,K", [(3, 1000), (10, 300)])
def test_graded_rule_exact_power_eigenvalues(nu, M, d, K):
    """(1 - u)^nu with 2 nu = p/M is analytic in theta^{1/M}: the graded rule (default for such kernels)
    reaches the float64 floor (the gain over the plain rule shows in extended precision,
    tests/test_hiprec.py)."""
    kernel = make_kernel("power", nu=nu)
    assert kernel.angle_root == M
    exact = exact_eigs_power(nu, d, np.arange(K + 1))
    np.testing.assert_allclose(funk_hecke(kernel, d, K), exact, rtol=0, atol=GRADED_ATOL)


@pytest.mark.parametrize("L", [3, 4, 6])
def test_step_kernel_graded_rule_converged(L):
    """Step kernels (analytic in theta^{2^-(L-2)}): the default rule equals one with twice the nodes."""
    kernel = make_kernel("step", L=L)
    d, K = 3, 400
    mu = funk_hecke(kernel, d, K)
    ref = funk_hecke(kernel, d, K, n_nodes=2 * graded_n_nodes(K, d, kernel.angle_root))
    np.testing.assert_allclose(mu, ref, rtol=0, atol=CONVERGED_ATOL)


@pytest.mark.parametrize("name,params", [("ntk", {"L": 4}), ("ntk", {"L": 8}), ("rf", {"L": 8}),
                                         ("laplace", {"c": 10.0}), ("gaussian", {"sigma": 0.3})])
@pytest.mark.parametrize("d,K", [(3, 2000), (10, 400)])
def test_funk_hecke_converged_at_default_nodes(name, params, d, K):
    k = make_kernel(name, **params)
    mu = funk_hecke(k, d, K)
    ref = funk_hecke(k, d, K, n_nodes=4 * default_n_nodes(K, d))
    np.testing.assert_allclose(mu, ref, rtol=0, atol=CONVERGED_ATOL)
    # and the rule is not wastefully large: 40 fewer nodes visibly lose accuracy at d = 3
    if d == 3:
        coarse = funk_hecke(k, d, K, n_nodes=default_n_nodes(K, d) - 60)
        assert np.max(np.abs(coarse - ref)) > 10 * CONVERGED_ATOL


@pytest.mark.parametrize("name,params,d", [("laplace", {"c": 1.0}, 3), ("ntk", {"L": 3}, 3),
                                           ("gaussian", {"sigma": 0.5}, 5), ("rf", {"L": 3}, 5)])
def test_addition_formula(name, params, d):
    """kappa(1) = sum_k mu_k N(d, k), kappa(-1) = sum_k (-1)^k mu_k N(d, k), up to the truncation,
    whose size is predicted by Theorem 1 (the tail of the Gamma-ratio asymptotics)."""
    kernel = make_kernel(name, **params)
    K = 2000 if d == 3 else 200
    if name == "gaussian":      # super-exponential decay: mu_30 ~ 1e-19 (N(5, 30) mu_30 ~ 1e-15); beyond,
        K = 30                  # float64 roundoff (~1e-19 each) times N(5, k) ~ k^3/3 only adds noise
    mu = funk_hecke(kernel, d, K)
    N = multiplicity(d, np.arange(K + 1)).astype(np.float64)
    resid_plus = kernel.of_theta(0.0) - mu @ N
    resid_minus = kernel.of_theta(np.pi) - mu @ (N * (-1.0) ** np.arange(K + 1))
    if name == "gaussian":
        assert abs(resid_plus) < GAUSS_ADDITION_ATOL and abs(resid_minus) < GAUSS_ADDITION_ATOL
        return
    A = asymptotics(kernel, d)
    k_tail = np.arange(K + 1, 2 * 10**6)
    N_tail = (2 * k_tail + d - 2) / k_tail * comb(k_tail + d - 3, d - 2)     # float N(d, k), vectorised
    tail_terms = A.gamma_ratio(k_tail) * N_tail
    tail_plus = tail_terms.sum()
    tail_minus = (tail_terms * (-1.0) ** k_tail).sum()
    assert resid_plus == pytest.approx(tail_plus, rel=TAIL_RTOL)
    assert abs(resid_minus - tail_minus) < TAIL_RTOL * abs(tail_plus)


def test_two_layer_ntk_odd_eigenvalues_vanish():
    for d in (3, 5):
        mu = funk_hecke(make_kernel("ntk", L=2), d, 400)
        assert np.max(np.abs(mu[3::2])) < ZERO_ATOL
        assert mu[1] > 0.1 and np.all(mu[0::2] > 0)
        mu3 = funk_hecke(make_kernel("ntk", L=3), d, 100)
        assert np.all(mu3[3::2] > 1e3 * ZERO_ATOL)          # from three layers on, both parities


def test_funk_hecke_small_cases():
    # kappa(u) = u = mu_1 N(d, 1) P_1(u) with N(d, 1) = d: mu_1 = 1/d, all others 0
    for d in (2, 3, 7):
        mu = funk_hecke(lambda u: u, d, 5)
        np.testing.assert_allclose(mu, [0, 1 / d, 0, 0, 0, 0], atol=ZERO_ATOL)
    assert funk_hecke(make_kernel("laplace", c=1.0), 3, 0).shape == (1,)
    odd = funk_hecke(make_kernel("ntk", L=3), 3, 30, n_nodes=121)              # odd rule: middle node
    np.testing.assert_allclose(odd, funk_hecke(make_kernel("ntk", L=3), 3, 30), atol=ZERO_ATOL)


@pytest.mark.parametrize("call,param", [
    (lambda: sample_sphere(0, 3, seed=0), "n"),
    (lambda: sample_sphere(3, 0, seed=0), "d"),
    (lambda: multiplicity(1, 3), "d"),
    (lambda: multiplicity(3, -1), "k"),
    (lambda: gegenbauer(-1, 3, [0.0]), "k_max"),
    (lambda: funk_hecke(make_kernel("rf", L=2), 1, 10), "d"),
    (lambda: funk_hecke(make_kernel("rf", L=2), 3, -1), "k_max"),
    (lambda: funk_hecke(make_kernel("rf", L=2), 3, 10, n_nodes=1), "n_nodes"),
    (lambda: funk_hecke("ntk", 3, 10), "kernel"),
])
def test_invalid_parameters_name_the_parameter(call, param):
    with pytest.raises(ValueError, match=rf"\b{param}\b"):
        call()
