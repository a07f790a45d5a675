"""Tests of companion.laplace: data model, Laplace Gram, exact d = 1 solver, dense route.

By oracle (dense Cholesky, scikit-learn, Monte Carlo), identity (CDF vs quadrature, nested
sampling) and scaling (the ridgeless d = 1 exponent).
"""

import math

import numpy as np
import pytest
import scipy.stats
from sklearn.kernel_ridge import KernelRidge

from companion.krr import krr_coef
from companion.laplace import (
    PCG_RTOL,
    InterfaceData,
    laplace_gram,
    learning_curve_dense,
    learning_curve_interface,
    learning_point_1d,
    learning_point_dense,
    solve_1d,
    solve_pcg,
    vecchia_factor,
)

# Exact O(P) solve vs dense Cholesky of the same system, P = 40: both are backward stable, and the
# Gram's condition number is <~ sigma / (smallest gap) ~ 1e4 here, so agreement to ~1e-12 relative
# to max|f| (measured: <= 4e-13); 1e-9 leaves room for other BLAS builds.
ORACLE_RTOL = 1e-9
# Monte-Carlo comparisons: |exact - MC| <= Z_BAND standard errors (two-sided false-alarm rate 6e-5
# per comparison for Gaussian errors; seeds are fixed, so the tests are deterministic).
Z_BAND = 4.0
# Gauss rules with N_QUAD = 8 vs 16 nodes per piece (measured: <= 2e-12 relative, worst at chi < 0).
QUAD_RTOL = 1e-10
# CDF increments vs the quadrature of the density on the same pieces (measured ~1e-16 absolute).
CDF_ATOL = 1e-13
# Kolmogorov–Smirnov test of the sampler against the exact CDF: reject below this p-value.
KS_ALPHA = 1e-3
# Ridgeless d = 1 learning-curve exponent: the reconstruction predicts beta = 1 for every chi. With 16 seeds
# and P = 64..4096 the fitted slope of mean log-MSE scatters by ~0.07 (per-seed std ~0.25 / 4;
# measured -0.98, -1.11, -1.05 for chi = 0, 1, 2 with 32 seeds), so a band of 0.25 is ~3.5 sigma.
EXPONENT_BAND = 0.25

# The same in d = 2 with 3 seeds and P = 128..2048 (dense, slow): local slopes scatter by ~0.1.
EXPONENT_BAND_D2 = 0.15

CHIS = [0.0, 1.0, 2.5, -0.5]

# Sums of a few thousand quadrature contributions regrouped by region vs their plain sum.
PARTS_RTOL = 1e-12
# Region integrals vs scipy.integrate.quad of the same predictor (adaptive, epsrel 1e-11).
REGION_RTOL = 1e-8
# PCG stops at ||residual|| <= PCG_RTOL ||y|| (labels +-1, so ||y|| = sqrt(P)); predictions are the
# kernel interpolant of the residual, of its size: compared with dense Cholesky to 100 x that bound
# per point (measured <= 3e-8 at P = 600, d = 2, 3).
PCG_PRED_ATOL = 100 * PCG_RTOL * math.sqrt(600)
# With every earlier point as neighbour the Vecchia factor is the exact inverse Cholesky factor:
# L^T D^-1 L K = I to rounding amplified by cond(K) ~ 1e3 at P = 40 (measured <= 2e-12).
VECCHIA_EXACT_ATOL = 1e-9


def _data_1d(chi, P, seed=1):
    data = InterfaceData(d=1, chi=chi)
    X, y = data.sample(P, seed=seed)
    return data, X, y


@pytest.mark.parametrize("chi", CHIS)
@pytest.mark.parametrize("lam", [0.0, 0.1, 3.0])
@pytest.mark.parametrize("sigma", [0.05, 1.0, 5.0])
def test_exact_solver_equals_dense_cholesky(chi, lam, sigma):
    data, X, y = _data_1d(chi, 40)
    model = solve_1d(X[:, 0], y, lam=lam, sigma=sigma)
    a = krr_coef(laplace_gram(X, X, sigma=sigma), y, lam=lam)
    t = np.linspace(-6.0, 6.0, 2001)
    f_dense = laplace_gram(t[:, None], X, sigma=sigma) @ a
    f_train = laplace_gram(X, X, sigma=sigma) @ a
    scale = np.max(np.abs(f_dense))
    np.testing.assert_allclose(model.predict(t), f_dense, rtol=0, atol=ORACLE_RTOL * scale)
    np.testing.assert_allclose(model.predict(X[:, 0]), f_train, rtol=0, atol=ORACLE_RTOL * scale)
    np.testing.assert_allclose(model.coef(), a, rtol=0, atol=ORACLE_RTOL * np.max(np.abs(a)))


@pytest.mark.parametrize("chi", [0.0, 1.0, 2.0])
@pytest.mark.parametrize("lam", [1e-3, 0.5])
def test_exact_solver_equals_sklearn_kernel_ridge(chi, lam):
    data, X, y = _data_1d(chi, 60, seed=2)
    Xt, _ = data.sample(500, seed=3)
    sk = KernelRidge(kernel="precomputed", alpha=lam).fit(laplace_gram(X, X, sigma=1.0), y)
    expected = sk.predict(laplace_gram(Xt, X, sigma=1.0))
    got = solve_1d(X[:, 0], y, lam=lam, sigma=1.0).predict(Xt[:, 0])
    np.testing.assert_allclose(got, expected, rtol=0, atol=ORACLE_RTOL * np.max(np.abs(expected)))


@pytest.mark.parametrize("chi", CHIS)
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_exact_test_errors_equal_monte_carlo(chi, lam):
    data, X, y = _data_1d(chi, 40)
    model = solve_1d(X[:, 0], y, lam=lam, sigma=0.7)
    Xt, yt = data.sample(400_000, seed=11)
    f = model.predict(Xt[:, 0])
    sq = (f - yt) ** 2
    assert abs(model.test_mse(data) - sq.mean()) <= Z_BAND * sq.std() / math.sqrt(sq.size)
    wrong = (f * yt <= 0).astype(float)
    p = model.class_err(data)
    assert abs(p - wrong.mean()) <= Z_BAND * math.sqrt(max(p * (1 - p), 1e-12) / wrong.size)


@pytest.mark.parametrize("chi", CHIS)
def test_test_mse_quadrature_is_converged(chi):
    data, X, y = _data_1d(chi, 300, seed=4)
    for lam, sigma in [(0.0, 1.0), (0.05, 0.1), (1.0, 3.0)]:
        model = solve_1d(X[:, 0], y, lam=lam, sigma=sigma)
        assert model.test_mse(data, n_quad=8) == pytest.approx(model.test_mse(data, n_quad=16), rel=QUAD_RTOL)


@pytest.mark.parametrize("chi", CHIS)
def test_quadrature_of_density_equals_cdf(chi):
    data = InterfaceData(d=1, chi=chi)
    edges = np.concatenate((-np.geomspace(8.0, 1e-6, 40), [0.0], np.geomspace(1e-7, 8.0, 50)))
    a, b = edges[:-1], edges[1:]
    nodes, w, piece = data.quadrature(a, b)
    mass = np.bincount(piece, weights=w, minlength=a.size)
    np.testing.assert_allclose(mass, data.cdf(b) - data.cdf(a), rtol=0, atol=CDF_ATOL)
    assert data.cdf(-np.inf) == 0.0 and data.cdf(0.0) == 0.5 and data.cdf(np.inf) == 1.0


@pytest.mark.parametrize("chi", [0.0, 1.0, 2.0])
def test_sampler_matches_density(chi):
    data = InterfaceData(d=3, chi=chi)
    X, y = data.sample(20_000, seed=5)
    assert scipy.stats.kstest(X[:, 0], data.cdf).pvalue > KS_ALPHA
    assert scipy.stats.kstest(X[:, 1:].ravel(), scipy.stats.norm.cdf).pvalue > KS_ALPHA
    np.testing.assert_array_equal(y, np.sign(X[:, 0]))


def test_sampling_is_nested_and_reproducible():
    data = InterfaceData(d=2, chi=1.5)
    X_small, _ = data.sample(100, seed=9)
    X_big, _ = data.sample(1000, seed=9)
    np.testing.assert_array_equal(X_small, X_big[:100])
    assert not np.array_equal(X_big, data.sample(1000, seed=10)[0])


def test_laplace_gram_matches_definition_and_keeps_close_points():
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((7, 3)), rng.standard_normal((5, 3))
    expected = np.exp(-np.linalg.norm(X[:, None, :] - Y[None, :, :], axis=-1) / 0.8)
    np.testing.assert_allclose(laplace_gram(X, Y, sigma=0.8), expected, rtol=1e-14)
    # x and x + 1e-9 at |x| = 3: a Gram-trick distance would be ~sqrt(eps)*3 ~ 4e-8 off
    x = np.array([[3.0], [3.0 + 1e-9]])
    assert laplace_gram(x, x, sigma=1.0)[0, 1] == pytest.approx(math.exp(-1e-9), rel=0, abs=1e-15)


@pytest.mark.parametrize("chi", [0.0, 1.0, 2.0])
def test_ridgeless_exponent_d1(chi):
    """MSE ~ P^-beta with beta = (1 + chi)/(d + chi) = 1 in d = 1 for every chi (extreme-value regime)."""
    Ps = [2**k for k in range(6, 13)]
    logm = np.mean([[math.log(learning_point_1d(P=P, chi=chi, lam=0.0, sigma=1.0, seed=s)["mse"]) for P in Ps]
                    for s in range(16)], axis=0)
    slope = np.polyfit(np.log(Ps), logm, 1)[0]
    assert abs(-slope - 1.0) < EXPONENT_BAND


@pytest.mark.slow
@pytest.mark.parametrize("chi", [0.0, 1.0])
def test_ridgeless_exponent_d2_dense(chi):
    """d = 2 ridgeless: beta = (1 + chi)/(2 + chi) = 1/2, 2/3 (dense route). Measured here: 0.52, 0.76
    (and 0.47, 0.68 with 4 seeds and P up to 4096)."""
    Ps = [128, 256, 512, 1024, 2048]
    runs = [learning_curve_dense(d=2, chi=chi, lam=0.0, sigma=1.0, P_list=Ps, n_test=10_000, seed=s) for s in range(3)]
    slope = np.polyfit(np.log(Ps), np.mean([np.log(r["mse"]) for r in runs], axis=0), 1)[0]
    assert abs(-slope - (1 + chi) / (2 + chi)) < EXPONENT_BAND_D2


def test_dense_route_equals_exact_solver_in_d1():
    seed, P = 3, 300
    out = learning_point_dense(d=1, chi=1.0, lam=0.01, sigma=1.0, P=P, n_test=20_000, seed=seed)
    data = InterfaceData(d=1, chi=1.0)
    X, y = data.sample(P, seed=np.random.SeedSequence(seed).spawn(2)[0])  # the training stream
    exact = solve_1d(X[:, 0], y, lam=0.01, sigma=1.0).test_mse(data)
    assert abs(out["mse"] - exact) <= Z_BAND * out["mse_se"]


def test_learning_curve_dense_d2_shape_and_decrease():
    out = learning_curve_dense(d=2, chi=0.0, lam=0.0, sigma=1.0, P_list=[32, 512], n_test=4000, seed=0)
    assert out["P"] == [32, 512] and len(out["mse"]) == len(out["class_err"]) == 2
    assert out["mse"][1] < out["mse"][0]
    assert 0 <= out["class_err"][1] < out["class_err"][0] < 0.5


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: InterfaceData(d=0, chi=0.0), "d"),
        (lambda: InterfaceData(d=1.5, chi=0.0), "d"),
        (lambda: InterfaceData(d=1, chi=-1.0), "chi"),
        (lambda: InterfaceData(d=1, chi=float("nan")), "chi"),
        (lambda: InterfaceData(d=1).sample(0, seed=0), "P"),
        (lambda: InterfaceData(d=1).sample(5, seed=-1), "seed"),
        (lambda: laplace_gram(np.zeros((2, 1)), np.zeros((2, 1)), sigma=0.0), "sigma"),
        (lambda: solve_1d(np.array([0.1, 0.2]), np.array([1.0, 1.0]), lam=-1.0, sigma=1.0), "lam"),
        (lambda: solve_1d(np.array([0.1, 0.2]), np.array([1.0, 1.0]), lam=0.0, sigma=-1.0), "sigma"),
        (lambda: solve_1d(np.array([0.1, 0.1]), np.array([1.0, 1.0]), lam=0.0, sigma=1.0), "x"),
        (lambda: solve_1d(np.array([0.1, 0.2]), np.array([1.0]), lam=0.0, sigma=1.0), "x and y"),
        (lambda: solve_1d(np.array([0.1, 0.2]), np.array([1.0, 1.0]), lam=0.0, sigma=1.0)
         .test_mse(InterfaceData(d=2)), "data"),
        (lambda: InterfaceData(d=1).quadrature([-1.0], [1.0]), "pieces"),
        (lambda: learning_point_1d(P=10, chi=-2.0, lam=0.0, sigma=1.0, seed=0), "chi"),
        (lambda: learning_curve_dense(d=2, chi=0.0, lam=0.0, sigma=1.0, P_list=[], n_test=10, seed=0), "P_list"),
        (lambda: learning_curve_dense(d=2, chi=0.0, lam=0.0, sigma=1.0, P_list=[4], n_test=0, seed=0), "n_test"),
    ],
)
def test_invalid_parameters_raise_naming_them(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# --------------------------------------------------------------------------- regions of the d = 1 error

@pytest.mark.parametrize("chi", [0.0, 1.0, 2.0])
@pytest.mark.parametrize("lam", [0.0, 0.05])
def test_test_mse_parts_sum_to_the_test_mse_and_match_quad(chi, lam):
    import scipy.integrate

    data, X, y = _data_1d(chi, 50, seed=7)
    model = solve_1d(X[:, 0], y, lam=lam, sigma=1.0)
    parts = model.test_mse_parts(data)
    assert sum(parts.values()) == pytest.approx(model.test_mse(data), rel=PARTS_RTOL)
    err = lambda t: (model.predict(np.array([t]))[0] - np.sign(t)) ** 2 * data.density(t)
    quad = lambda a, b: scipy.integrate.quad(err, a, b, epsabs=0, epsrel=1e-11, limit=200)[0]
    r_a, r_b = model.extreme_gaps()
    x = np.sort(X[:, 0])
    assert (r_a, r_b) == (-x[x < 0].max(), x[x > 0].min())
    assert parts["gap"] == pytest.approx(quad(-r_a, 0.0) + quad(0.0, r_b), rel=REGION_RTOL)
    tails = quad(-data.x1_max, x[0]) + quad(x[-1], data.x1_max)
    assert parts["tails"] == pytest.approx(tails, rel=REGION_RTOL)


def test_parts_when_all_points_lie_on_one_side():
    data = InterfaceData(d=1, chi=0.0)
    model = solve_1d(np.array([0.5, 1.0, 2.0]), np.ones(3), lam=0.0, sigma=1.0)
    parts = model.test_mse_parts(data)
    assert model.extreme_gaps() == (math.inf, 0.5)
    # the piece containing 0 is the left tail: it counts as the gap, the right tail as tails
    assert parts["gap"] > parts["tails"] > 0 and sum(parts.values()) == pytest.approx(model.test_mse(data))


# --------------------------------------------------------------------------- data laws, gap scale, slab

@pytest.mark.parametrize("chi", [0.0, 1.0, 2.0, -0.5])
def test_power_law_sampler_and_gap_scale(chi):
    data = InterfaceData(d=2, chi=chi, x1_law="power")
    X, _ = data.sample(20_000, seed=5)
    assert np.all(np.abs(X[:, 0]) <= 1.0)
    assert scipy.stats.kstest(X[:, 0], data.cdf).pvalue > KS_ALPHA
    # the box [0, r] x [-r/2, r/2] at x_perp = 0 holds one training point on average (exact for this law)
    d1 = InterfaceData(d=1, chi=chi, x1_law="power")
    for P in (100, 10_000):
        assert P * (d1.cdf(d1.gap_scale(P)) - 0.5) == pytest.approx(1.0, rel=1e-12)
    r = data.gap_scale(10_000)
    box = 10_000 * (data.cdf(r) - 0.5) * r / math.sqrt(2 * math.pi)  # x_perp density ~ phi(0) on the box
    assert box == pytest.approx(1.0, rel=1e-3)


@pytest.mark.parametrize("law", ["gaussian", "power"])
@pytest.mark.parametrize("d, chi", [(2, 1.0), (3, 0.0)])
def test_slab_weights_integrate_the_density(law, d, chi):
    data = InterfaceData(d=d, chi=chi, x1_law=law)
    edges = [0.0, 0.5, 1.0, 2.0]
    slab = data.slab_sample(4000, u_edges=edges, core_radius=2.0, seed=3)
    r = 0.3
    X, w = slab.at(r)
    assert np.all(np.abs(X[:, 0]) <= edges[-1] * r) and np.all(np.linalg.norm(X[:, 1:], axis=1) <= 2.0)
    u = np.asarray(edges)
    exact = slab.core_mass * 2 * (data.cdf(u[1:] * r) - data.cdf(u[:-1] * r))   # both signs of x_1
    got = slab.bin_means(w)
    se = np.array([w[slab.bins == k].std() / math.sqrt(4000) for k in range(3)])
    assert np.all(np.abs(got - exact) <= Z_BAND * se + 1e-12 * exact)
    if law == "power":  # w is constant in a bin: exact
        np.testing.assert_allclose(got, exact, rtol=1e-12)
    # a non-trivial integrand, x_1^2, against its exact integral over each bin (power law: closed form)
    if law == "power":
        k = 1.0 + chi
        exact_x2 = slab.core_mass * k / (k + 2) * np.diff((u * r) ** (k + 2))
        g = w * X[:, 0] ** 2
        se2 = np.array([g[slab.bins == b].std() / math.sqrt(4000) for b in range(3)])
        assert np.all(np.abs(slab.bin_means(g) - exact_x2) <= Z_BAND * se2)


# --------------------------------------------------------------------------- Vecchia + conjugate gradients

def test_vecchia_with_every_earlier_point_is_the_exact_inverse():
    X, _ = InterfaceData(d=2, chi=1.0).sample(40, seed=1)
    L, D = vecchia_factor(X, sigma=1.0, lam=0.1, m=40)
    K = laplace_gram(X, X, sigma=1.0) + 0.1 * np.eye(40)
    Kinv = (L.T @ (L.toarray() / D[:, None]))
    np.testing.assert_allclose(Kinv @ K, np.eye(40), atol=VECCHIA_EXACT_ATOL)
    assert np.allclose(L.diagonal(), 1.0) and np.all(np.triu(L.toarray(), 1) == 0)


def test_vecchia_factor_of_nested_sets_is_the_leading_block():
    X, _ = InterfaceData(d=3, chi=0.0).sample(700, seed=2)
    L, D = vecchia_factor(X, sigma=1.0, m=10)
    L3, D3 = vecchia_factor(X[:300], sigma=1.0, m=10)
    np.testing.assert_array_equal(L[:300, :300].toarray(), L3.toarray())
    np.testing.assert_array_equal(D[:300], D3)


@pytest.mark.parametrize("d, chi, lam", [(2, 2.0, 0.0), (3, 1.0, 0.0), (2, 0.0, 0.3)])
def test_pcg_equals_dense_cholesky(d, chi, lam):
    data = InterfaceData(d=d, chi=chi)
    X, y = data.sample(600, seed=4)
    K = laplace_gram(X, X, sigma=1.0)
    a, n_iter = solve_pcg(K, y, lam=lam, factor=vecchia_factor(X, sigma=1.0, lam=lam))
    a0 = krr_coef(K.copy(), y, lam=lam)
    Xt, _ = data.sample(2000, seed=5)
    Kt = laplace_gram(Xt, X, sigma=1.0)
    np.testing.assert_allclose(Kt @ a, Kt @ a0, rtol=0, atol=PCG_PRED_ATOL)
    assert n_iter < 40


def test_pcg_reports_non_convergence():
    X, y = InterfaceData(d=2, chi=0.0).sample(200, seed=0)
    K = laplace_gram(X, X, sigma=1.0)
    with pytest.raises(np.linalg.LinAlgError, match="maxiter = 1"):
        solve_pcg(K, y, lam=0.0, factor=vecchia_factor(X, sigma=1.0, m=2), maxiter=1)


def test_interface_curve_total_equals_the_dense_route_and_slab_equals_monte_carlo():
    kw = dict(d=2, chi=1.0, lam=0.0, sigma=1.0, P_list=[100, 400], n_test=20_000, seed=6)
    rows = learning_curve_interface(**kw, n_per_bin=3000, u_edges=[0.0, 1.0, 4.0], core_radius=2.0)
    dense = learning_curve_dense(**kw)   # same training and test streams (SeedSequence(seed).spawn)
    for r, mse, cls in zip(rows, dense["mse"], dense["class_err"]):
        assert r["mse"] == pytest.approx(mse, rel=1e-6) and r["class_err"] == pytest.approx(cls, abs=1e-4)
    # the slab part at P = 400 vs plain Monte Carlo from the data density, same training set
    data = InterfaceData(d=2, chi=1.0)
    X, y = data.sample(400, seed=np.random.SeedSequence(6).spawn(3)[0])
    a = krr_coef(laplace_gram(X, X, sigma=1.0), y, lam=0.0)
    Xt, yt = data.sample(200_000, seed=99)
    r = rows[1]["r"]
    inside = (np.abs(Xt[:, 0]) < r) & (np.linalg.norm(Xt[:, 1:], axis=1) <= 2.0)
    f = np.zeros(len(Xt))
    f[inside] = laplace_gram(Xt[inside], X, sigma=1.0) @ a
    e = np.where(inside, (f - yt) ** 2, 0.0)
    assert abs(rows[1]["slab"][0] - e.mean()) <= Z_BAND * e.std() / math.sqrt(e.size)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: InterfaceData(d=1, x1_law="uniform"), "x1_law"),
        (lambda: InterfaceData(d=1, x1_law="power").quadrature([0.1], [0.2]), "x1_law"),
        (lambda: solve_1d(np.array([-0.1, 0.2]), np.array([-1.0, 1.0]), lam=0.0, sigma=1.0)
         .test_mse(InterfaceData(d=1, x1_law="power")), "x1_law"),
        (lambda: InterfaceData(d=2).slab_sample(10, u_edges=[0.5, 1.0], core_radius=2.0, seed=0), "u_edges"),
        (lambda: InterfaceData(d=2).slab_sample(10, u_edges=[0.0, 1.0], core_radius=0.0, seed=0), "core_radius"),
        (lambda: vecchia_factor(np.zeros((5, 2)) + np.arange(5)[:, None], sigma=1.0, m=0), "m"),
        (lambda: learning_curve_interface(d=2, chi=0.0, lam=0.0, sigma=1.0, P_list=[64, 32], n_test=10,
                                          n_per_bin=5, u_edges=[0, 1], core_radius=2.0, seed=0), "P_list"),
    ],
)
def test_invalid_interface_parameters_raise_naming_them(call, name):
    with pytest.raises(ValueError, match=name):
        call()
