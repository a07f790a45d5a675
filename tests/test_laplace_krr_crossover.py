"""The Laplace-KRR crossover page's experiment module: parameter validation and the logic it owns."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from companion import laplace, spectral_bias
from companion.experiments import laplace_krr_crossover as lkc

# A fitted exponent of noiseless synthetic power laws is exact to rounding.
SYNTHETIC_ATOL = 1e-9


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"sigma": 0.0}, r"sigma must be a real number in \(0.0, inf\)"),
        ({"chis": [0.0, -1.0]}, r"chis\[1\] must be a real number in \(-1.0, inf\)"),
        ({"lams": [0.0, -1e-3]}, r"lams\[1\] must be a real number in \[0.0, inf\)"),
        ({"lams": [1e-3, 1.0]}, r"lams must be increasing ridges >= 0 starting with 0"),
        ({"lams": [0.0, 1.0, 0.1]}, r"lams must be increasing ridges >= 0 starting with 0"),
        ({"lam_fixed": 0.0}, r"lam_fixed must be a real number in \(0.0, inf\)"),
        ({"lam_fixed": 0.5}, r"lam_fixed must be one of lams"),
        ({"P_1d": [64, 128, 256]}, r"P_1d must be at least 4 increasing sizes in \[4, 4194304\]"),
        ({"P_1d": [64, 32, 128, 256]}, r"P_1d must be at least 4 increasing sizes"),
        ({"P_1d": [2, 64, 128, 256]}, r"P_1d\[0\] must be an integer in \[4, 4194304\]"),
        ({"seeds_1d": 1}, r"seeds_1d must be an integer in \[2, 1000\]"),
        ({"crossover_P": [64, 256]}, r"crossover_P must be at least 3 increasing sizes"),
        ({"crossover_seeds": 1}, r"crossover_seeds must be an integer in \[2, 1000\]"),
        ({"max_nodes": 100}, r"max_nodes must be an integer in \[16384, 8388608\]"),
        ({"predictor_chi": -2.0}, r"predictor_chi must be a real number in \(-1.0, inf\)"),
        ({"predictor_P": 2}, r"predictor_P must be an integer in \[4, 100000\]"),
        ({"predictor_lams": [-1.0]}, r"predictor_lams\[0\] must be a real number in \[0.0, inf\)"),
        ({"predictor_seeds": 0}, r"predictor_seeds must be an integer in \[1, 100\]"),
        ({"dense_d": [0]}, r"dense_d\[0\] must be an integer in \[1, 50\]"),
        ({"dense_fixed_d": [5]}, r"dense_fixed_d must be a subset of dense_d"),
        ({"dense_lam_fixed": -1.0}, r"dense_lam_fixed must be a real number in \(0.0, inf\)"),
        ({"dense_P": [128, 64, 256]}, r"dense_P must be at least 3 increasing sizes in \[8, 32768\]"),
        ({"dense_P": [128, 256, 65536]}, r"dense_P\[2\] must be an integer in \[8, 32768\]"),
        ({"dense_n_test": 10}, r"dense_n_test must be an integer in \[100, 1000000\]"),
        ({"dense_seeds": 1}, r"dense_seeds must be an integer in \[2, 1000\]"),
        ({"table_d": [0, 2]}, r"table_d\[0\] must be an integer in \[1, 1000000\]"),
        ({"workers": 0}, r"workers must be an integer in \[1, 1024\]"),
        ({"P": [10]}, r"unknown parameter 'P'"),
    ],
)
def test_invalid_parameters_fail_with_the_parameter_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        lkc.make_config("book", **overrides)


def test_unknown_profile_is_rejected():
    with pytest.raises(ValueError, match=r"profile must be one of 'book', 'smoke', 'paper'; got 'fast'"):
        lkc.make_config("fast")


@pytest.mark.parametrize("profile", lkc.PROFILES)
def test_every_profile_is_valid_and_none_keeps_its_defaults(profile):
    cfg = lkc.make_config(profile, chis=None, lams=None, dense_P=None)
    assert cfg.profile == profile and 0.0 in cfg.lams and cfg.lam_fixed in cfg.lams
    assert lkc.make_config(profile, chis=[0, 1.5]).chis == (0, 1.5)   # lists become tuples


def test_windows_follow_their_stated_rules():
    P = [2**k for k in range(6, 18)]
    assert lkc.ridgeless_window(P) == (512, 131072)                    # upper 8 octaves
    # lam = 1, chi = 0: lam* = 1/P, so lam >= 10 lam* from P = 10; window = upper 4 octaves
    assert lkc.fixed_lam_window(P, lam=1.0, d=1, chi=0.0, sigma=1.0) == (8192, 131072)
    # lam = 0.1, chi = 1: lam* = P^-1/2 <= 0.01 needs P >= 10^4 -> 16384..131072
    assert lkc.fixed_lam_window(P, lam=0.1, d=1, chi=1.0, sigma=1.0) == (16384, 131072)
    # chi = 2: needs P >= 10^6 -> not reached
    assert lkc.fixed_lam_window(P, lam=0.1, d=1, chi=2.0, sigma=1.0) is None
    assert lkc.ridgeless_window([64, 128]) is None


def test_lam_star_is_the_library_crossover_ridge():
    for d, chi, P in [(1, 0.0, 100), (1, 2.0, 4096), (3, 1.0, 512)]:
        assert lkc.lam_star(P, d=d, chi=chi, sigma=0.5) == pytest.approx(
            spectral_bias.crossover_ridge(P=P, d=d, chi=chi, sigma=0.5), rel=1e-14)


def test_theory_nodes():
    assert lkc.theory_nodes(P=1000, lam=0.0, sigma=1.0, max_nodes=2**20) == 2**14      # 16 000 -> 2^14
    assert lkc.theory_nodes(P=2**16, lam=0.0, sigma=1.0, max_nodes=2**20) == 2**20
    assert lkc.theory_nodes(P=2**17, lam=0.0, sigma=1.0, max_nodes=2**20) is None
    assert lkc.theory_nodes(P=2**17, lam=1.0, sigma=1.0, max_nodes=2**20) == lkc.MIN_NODES  # rho* ~ 362
    assert lkc.theory_nodes(P=2**17, lam=1e-4, sigma=1.0, max_nodes=2**20) == 2**20        # 16 rho* ~ 579 000
    assert lkc.theory_nodes(P=2**17, lam=1e-2, sigma=1.0, max_nodes=2**20) == 2**16        # 16 rho* ~ 57 900


def test_mean_ci_is_the_student_t_interval():
    v = np.array([1.0, 2.0, 4.0, 3.5])
    m, (lo, hi) = lkc.mean_ci(v)
    half = scipy.stats.t.ppf(0.975, 3) * v.std(ddof=1) / 2.0
    assert m == pytest.approx(2.625) and (lo, hi) == pytest.approx((m - half, m + half))
    with pytest.raises(ValueError, match="at least 2 seeds"):
        lkc.mean_ci([1.0])


def test_mean_predictor_is_an_odd_smooth_step():
    out = lkc.sb_mean_predictor(chi=1.0, P=300, lam=0.0, sigma=1.0, max_nodes=2**16)
    x, f = out["x"], out["f_bar"]
    np.testing.assert_allclose(f, -f[::-1], atol=1e-12)              # odd: the grid is symmetric
    assert np.all(np.abs(f) < 1.0) and f[np.argmin(np.abs(x - 2.0))] > 0.95


def test_learning_curve_1d_equals_the_library_point_by_point():
    rows = lkc.learning_curve_1d(chi=1.0, lam=0.01, sigma=1.0, P_list=[50, 400], seed=3)
    for r in rows:  # nested sampling: the first P points of the pool are sample(P, seed)
        assert r["mse"] == laplace.learning_point_1d(P=r["P"], chi=1.0, lam=0.01, sigma=1.0, seed=3)["mse"]


def test_crossover_ridge_doubles_the_ridgeless_error():
    out = lkc.crossover_point_1d(chi=1.0, sigma=1.0, P=300, factor=2.0, seed=0)
    data = laplace.InterfaceData(d=1, chi=1.0)
    X, y = data.sample(300, seed=0)
    mse = laplace.solve_1d(X[:, 0], y, lam=out["lam_x"], sigma=1.0).test_mse(data)
    assert mse / out["mse0"] == pytest.approx(2.0, rel=3 * lkc.LOG_LAM_XTOL)


def test_dense_points_add_the_fixed_ridge_only_where_asked():
    cfg = lkc.make_config("book")
    pts = lkc.dense_points(cfg)
    assert {(p["d"], p["lam"]) for p in pts} == {(2, 0.0), (2, 1.0), (3, 0.0)}
    assert len(pts) == 3 * len(cfg.chis)


def test_exponent_fits_recover_synthetic_power_laws():
    cfg = lkc.make_config("smoke")
    rows = []
    for chi in cfg.chis:
        for lam in cfg.lams:
            beta = 1.0 if lam == 0 else 0.37 + chi
            for seed in range(3):
                rows += [{"chi": chi, "lam": lam, "seed": seed, "P": P, "mse": (seed + 1) * P**-beta} for P in cfg.P_1d]
    fits = lkc.fit_exponents_1d(pd.DataFrame(rows), cfg)
    for _, r in fits.iterrows():
        expected = 1.0 if r["regime"] == "ridgeless" else 0.37 + r["chi"]
        assert r["beta"] == pytest.approx(expected, abs=SYNTHETIC_ATOL)
        assert r["ci"][0] == pytest.approx(expected, abs=SYNTHETIC_ATOL)


def test_exponent_table():
    cfg = lkc.make_config("smoke", chis=[1.0], table_d=[1, 3])
    fits = pd.DataFrame([{"d": 1, "chi": 1.0, "regime": "ridgeless", "beta": 1.02, "ci": (0.9, 1.14)},
                         {"d": 3, "chi": 1.0, "regime": "fixed_lam", "beta": np.nan, "ci": (np.nan, np.nan)}])
    t = lkc.exponent_table(fits, cfg)
    assert list(t["d"]) == ["1", "3", "∞"]
    assert list(t["β_SB / true"]) == ["1.333", "1.067", "1.000"]
    assert list(t["measured, λ=0"]) == ["1.02 [0.90, 1.14]", "", ""] and t["measured, fixed λ"].eq("").all()
    e = lkc.exponents(10**6, 2.0)
    assert math.isclose(e["spectral_bias"] / e["true"], 1.0, rel_tol=1e-5)   # -> 1 as d -> infinity
