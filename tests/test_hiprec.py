"""Extended-precision spectra by oracle (exact eigenvalues in arb), convergence, and float64 agreement."""

import numpy as np
import pytest
from flint import arb, ctx

from companion.hiprec import first_untrusted, funk_hecke_hp, hp_n_nodes, trusted_float64
from companion.kernels import make_kernel
from companion.sphere import funk_hecke

# funk_hecke_hp at 160 bits against the exact eigenvalues of (1 - u)^nu evaluated in 200-bit arb:
# the quadrature is converged to ~1e-47 x mu_0 (sphere.default_n_nodes), and mu_k >= 1e-16 here, so
# a relative 1e-25 leaves a margin of > 1e6.
HP_EXACT_RTOL = 1e-25
# The reported rel_err of a converged run is dominated by the conservative recurrence bound
# (k+1)^2 2^-160 sum|w|: ~1e-41 at k = 1000 over mu_1000 ~ 1e-9 (NTK, d = 3), and ~1e-44 at k = 150
# over mu_150 ~ 1e-21 (d = 10); 1e-20 still certifies 14 digits beyond float64.
HP_REL_ERR_MAX = 1e-20
# The plain Gauss-Legendre rule in theta for (1 - u)^nu with 2 nu not an integer: error ~ n^{-2(2nu+d-1)}
# of mu_0 at n ~ 500-1000 nodes, i.e. > 1e-12 relative somewhere for the cases tested (measured 1e-9..1e-6).
PLAIN_RULE_ERR_MIN = 1e-12
# float64 against hp for the NTK at d = 3, k <= 1000: the float64 floor is ~5e-16 absolute (correctly
# rounded nodes and weights), mu_1000 ~ 1e-9, so ~1e-6 relative at worst; 1e-5 leaves a factor 10.
F64_VS_HP_RTOL = 1e-5
# Trust threshold used by the figures (log axes): a relative 1e-6 is invisible on them.
PLOT_RTOL = 1e-6
# A 160-bit sweep of an exactly vanishing eigenvalue: roundoff ~1e-47 x the weights' scale.
HP_ZERO_ATOL = 1e-40
# hp at 96 bits vs float64 for large eigenvalues (k <= 10, mu_k >= 1e-3): float64 rounding of sums.
F64_SMALL_K_RTOL = 1e-13


def _exact_power_arb(nu, d, k_max, prec=200):
    """Exact eigenvalues of (1 - u)^nu (kernels.exact_eigs_power's formula) in arb."""
    with ctx.workprec(prec):
        nu_ = arb(nu)
        C = (arb(2) ** (nu_ + d - 2) * arb(d / 2).gamma() * (nu_ + arb(d - 1) / 2).gamma()
             / (arb.pi().sqrt() * (-nu_).gamma()))
        return np.array([float(C * (arb(k) - nu_).gamma() / (arb(k) + nu_ + d - 1).gamma())
                         for k in range(k_max + 1)])


@pytest.mark.parametrize("nu,d,K", [(0.5, 3, 600), (1.5, 5, 200), (0.5, 10, 150)])
def test_hp_matches_exact_power_eigenvalues(nu, d, K):
    mu, rel = funk_hecke_hp(make_kernel("power", nu=nu), d, K)
    exact = _exact_power_arb(nu, d, K)
    assert np.min(np.abs(exact)) > 1e-30
    np.testing.assert_allclose(mu, exact, rtol=HP_EXACT_RTOL)
    assert np.max(rel) < HP_REL_ERR_MAX


def test_hp_converged_and_error_estimate_is_honest():
    """More nodes change nothing; too few nodes are caught by rel_err (it bounds the true error)."""
    kernel, d, K = make_kernel("ntk", L=4), 3, 400
    mu, rel = funk_hecke_hp(kernel, d, K)
    n, n_lo = hp_n_nodes(K, d, 160)
    ref, _ = funk_hecke_hp(kernel, d, K, n_nodes=n + 100)
    np.testing.assert_allclose(mu, ref, rtol=HP_EXACT_RTOL)
    base = int(np.ceil(np.pi / 4 * (K + d)))
    coarse, rel_coarse = funk_hecke_hp(kernel, d, K, n_nodes=base + 40)   # not converged at 160 bits
    true_rel = np.abs(coarse / ref - 1)
    assert np.max(true_rel) > 1e3 * HP_REL_ERR_MAX                         # visibly wrong somewhere
    assert np.all(true_rel <= rel_coarse)                                  # and the estimate says so


def test_hp_non_analytic_kernel_error_is_bounded():
    """Step kernel L = 3 (theta^{1/2} branch point) with the plain rule in theta: algebraic convergence,
    rel_err still bounds it."""
    kernel, d, K = make_kernel("step", L=3), 3, 100
    mu, rel = funk_hecke_hp(kernel, d, K, prec_bits=64, grading=1)
    ref, _ = funk_hecke_hp(kernel, d, K, prec_bits=64, n_nodes=3000, grading=1)   # error ~ n^-5
    assert np.all(np.abs(mu / ref - 1) <= rel)
    assert np.max(rel) > 1e3 * 2.0**-64            # honest: far above 64-bit roundoff


@pytest.mark.parametrize("nu,d,K", [(0.25, 3, 600), (0.125, 3, 300), (0.125, 5, 200)])
def test_hp_graded_rule_matches_exact_power_eigenvalues(nu, d, K):
    """(1 - u)^{1/4}, (1 - u)^{1/8}: analytic in theta^{1/2}, theta^{1/4}. The graded rule (default) is exact
    to HP_EXACT_RTOL and its error estimate says so; the plain rule in theta is off by ~1e-8 and its
    estimate says that too."""
    kernel = make_kernel("power", nu=nu)
    exact = _exact_power_arb(nu, d, K)
    mu, rel = funk_hecke_hp(kernel, d, K)
    np.testing.assert_allclose(mu, exact, rtol=HP_EXACT_RTOL)
    assert np.max(rel) < HP_REL_ERR_MAX
    plain, rel_plain = funk_hecke_hp(kernel, d, K, grading=1)
    true_plain = np.abs(plain / exact - 1)
    assert np.max(true_plain) > PLAIN_RULE_ERR_MIN and np.all(true_plain <= rel_plain)


@pytest.mark.parametrize("L", [3, 4])
def test_hp_step_kernels_converged(L):
    """Step kernels at L = 3, 4 (the page's): the graded rule's estimate is ~1e-34, not the ~1e-7 of the
    plain rule, and 30% more nodes change nothing."""
    kernel, d, K = make_kernel("step", L=L), 3, 400
    mu, rel = funk_hecke_hp(kernel, d, K)
    n, _ = hp_n_nodes(K, d, 160, kernel.angle_root)
    ref, _ = funk_hecke_hp(kernel, d, K, n_nodes=int(1.3 * n) // 2 * 2)
    np.testing.assert_allclose(mu, ref, rtol=HP_EXACT_RTOL)
    assert np.max(rel) < HP_REL_ERR_MAX


def test_float64_agrees_with_hp_where_trusted():
    """NTK at d = 3 up to k = 1000: the float64 spectrum is right to ~1e-6 and both are trusted."""
    kernel, d, K = make_kernel("ntk", L=3), 3, 1000
    mu_hp, rel = funk_hecke_hp(kernel, d, K)
    mu64 = funk_hecke(kernel, d, K)
    assert np.max(rel) < HP_REL_ERR_MAX
    np.testing.assert_allclose(mu64, mu_hp, rtol=F64_VS_HP_RTOL)
    assert np.all(trusted_float64(mu64, mu_hp, rtol=F64_VS_HP_RTOL, hp_rel_err=rel))


def test_float64_stops_being_trusted_for_small_eigenvalues():
    """RF at d = 10 decays as k^{-12}: float64 fails by k ~ 50 at PLOT_RTOL (the page plots hp there)."""
    kernel, d, K = make_kernel("rf", L=3), 10, 150
    mu_hp, rel = funk_hecke_hp(kernel, d, K)
    mask = trusted_float64(funk_hecke(kernel, d, K), mu_hp, rtol=PLOT_RTOL, hp_rel_err=rel)
    k_bad = first_untrusted(mask)
    assert k_bad is not None and 20 < k_bad < 100
    assert mask[:20].all() and not mask[120:].any()


def test_two_layer_odd_zeros_are_untrusted():
    mu_hp, rel = funk_hecke_hp(make_kernel("ntk", L=2), 3, 50)
    assert np.all(np.abs(mu_hp[3::2]) < HP_ZERO_ATOL) and np.all(rel[3::2] > 1)
    mask = trusted_float64(funk_hecke(make_kernel("ntk", L=2), 3, 50), mu_hp, rtol=PLOT_RTOL, hp_rel_err=rel)
    assert first_untrusted(mask) == 3 and first_untrusted(mask, parity="even") is None


def test_hp_precision_restored_and_value():
    before = ctx.prec
    mu, _ = funk_hecke_hp(make_kernel("laplace", c=1.0), 3, 10, prec_bits=96)
    assert ctx.prec == before
    np.testing.assert_allclose(mu, funk_hecke(make_kernel("laplace", c=1.0), 3, 10), rtol=F64_SMALL_K_RTOL)


@pytest.mark.parametrize("call,param", [
    (lambda: funk_hecke_hp(make_kernel("ntk", L=2), 1, 10), "d"),
    (lambda: funk_hecke_hp(make_kernel("ntk", L=2), 3, -2), "k_max"),
    (lambda: funk_hecke_hp(make_kernel("ntk", L=2), 3, 10, prec_bits=32), "prec_bits"),
    (lambda: funk_hecke_hp(make_kernel("ntk", L=2), 3, 10, n_nodes=2), "n_nodes"),
    (lambda: funk_hecke_hp(lambda u: u, 3, 10), "kernel"),
    (lambda: trusted_float64(np.ones(3), np.ones(3), rtol=0.0), "rtol"),
    (lambda: trusted_float64(np.ones(3), np.ones(4), rtol=1e-3), "mu64"),
    (lambda: first_untrusted(np.ones(3, bool), parity="both"), "parity"),
])
def test_invalid_parameters_name_the_parameter(call, param):
    with pytest.raises(ValueError, match=rf"\b{param}\b"):
        call()
