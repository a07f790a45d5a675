"""The Laplace-KRR crossover page's experiment package: parameter validation and the logic it owns."""

import math

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from companion import laplace, spectral_bias
from companion.claims import AGREES, DISAGREES, NO_DISCRIMINATION, WITHIN_TOL
from companion.experiments import laplace_krr_crossover as lkc

# A fitted exponent of noiseless synthetic power laws is exact to rounding.
SYNTHETIC_ATOL = 1e-9


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"sigma": 0.0}, r"sigma must be a real number in \(0.0, inf\)"),
        ({"chis": [0.0, -1.0]}, r"chis\[1\] must be a real number in \[-0.5, 8.0\]"),
        ({"chis": [9.0]}, r"chis\[0\] must be a real number in \[-0.5, 8.0\]"),
        ({"chis": [1.0, 1.0]}, r"chis must be distinct"),
        ({"lams": [0.0, -1e-3]}, r"lams\[1\] must be a real number in \[0.0, inf\)"),
        ({"lams": [1e-3, 1.0]}, r"lams must be increasing ridges >= 0 starting with 0"),
        ({"lams": [0.0, 1.0, 0.1]}, r"lams must be increasing ridges >= 0 starting with 0"),
        ({"lams": [0.0], "lam_fixed": 1.0}, r"lams must be increasing ridges >= 0 starting with 0 .*at least 2"),
        ({"lam_fixed": 0.0}, r"lam_fixed must be a real number in \(0.0, inf\)"),
        ({"lam_fixed": 0.5}, r"lam_fixed must be one of lams"),
        ({"P_1d": [64, 128, 256]}, r"P_1d must be at least 4 increasing sizes in \[32, 4194304\]"),
        ({"P_1d": [64, 32, 128, 256]}, r"P_1d must be at least 4 increasing sizes"),
        ({"P_1d": [16, 64, 128, 256]}, r"P_1d\[0\] must be an integer in \[32, 4194304\]"),
        ({"P_1d": [32, 64, 128, 100_000]}, r"P_1d must hold at least 3 sizes within the upper 8 octaves"),
        ({"seeds_1d": 2}, r"seeds_1d must be an integer in \[3, 1000\]"),
        ({"crossover_P": [64, 256]}, r"crossover_P must be at least 3 increasing sizes"),
        ({"crossover_seeds": 1}, r"crossover_seeds must be an integer in \[2, 1000\]"),
        ({"max_nodes": 100}, r"max_nodes must be an integer in \[16384, 8388608\]"),
        ({"max_nodes": 2**14, "P_1d": [2**k for k in range(12, 18)]}, r"max_nodes = 16384 is too small: the ridgeless"),
        ({"max_nodes": 2**14, "lams": [0, 1e-6], "lam_fixed": 1e-6, "P_1d": [2**k for k in range(6, 14)]},
         r"max_nodes = 16384 is too small for the theory at lam_fixed"),
        ({"predictor_chi": -0.9}, r"predictor_chi must be a real number in \[-0.5, 8.0\]"),
        ({"predictor_P": 16}, r"predictor_P must be an integer in \[32, 100000\]"),
        ({"predictor_P": 90_000}, r"predictor_P = 90000 needs a Nyström grid larger than max_nodes"),
        ({"predictor_lams": [-1.0]}, r"predictor_lams\[0\] must be a real number in \[0.0, inf\)"),
        ({"predictor_seeds": 0}, r"predictor_seeds must be an integer in \[1, 100\]"),
        ({"interface_d": [1]}, r"interface_d\[0\] must be an integer in \[2, 10\]"),
        ({"interface_d": [2, 2]}, r"interface_d must be distinct"),
        ({"interface_P": [128, 64, 256]}, r"interface_P must be at least 3 increasing sizes in \[16, 32768\]"),
        ({"interface_P": [128, 256, 65536]}, r"interface_P\[2\] must be an integer in \[16, 32768\]"),
        ({"interface_seeds": 1}, r"interface_seeds must be an integer in \[2, 1000\]"),
        ({"interface_n_test": 10}, r"interface_n_test must be an integer in \[100, 1000000\]"),
        ({"interface_x1_law": "uniform"}, r"interface_x1_law must be one of 'gaussian', 'power'"),
        ({"slab_edges": [0.5, 1.0, 2.0]}, r"slab_edges must be at least 3 increasing bin edges"),
        ({"slab_edges": [0.0, 1.0]}, r"slab_edges must be at least 3 increasing bin edges"),
        ({"slab_C": 3.0}, r"slab_C must be an edge of slab_edges .* whose half is an edge too"),
        ({"slab_C": 0.25}, r"slab_C must be an edge of slab_edges .* whose half is an edge too"),
        ({"slab_n_per_bin": 5}, r"slab_n_per_bin must be an integer in \[10, 100000\]"),
        ({"core_radius": 0.1}, r"core_radius must be a real number in \[0.5, 6.0\]"),
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
    cfg = lkc.make_config(profile, chis=None, lams=None, interface_P=None)
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


def test_rival_is_beta_sb_except_where_it_equals_the_truth():
    assert lkc.rival_sb(1, 0.0) is None and lkc.rival_sb(3, 0.0) is None
    assert lkc.rival_sb(1, 1.0) == pytest.approx(4 / 3) and lkc.rival_sb(2, 2.0) == pytest.approx(0.9)


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


def test_jackknife_interval_of_a_mean_is_the_student_t_interval():
    v = np.random.default_rng(1).normal(size=30)
    lo, hi = lkc.jackknife_ci(lambda idx: float(v[idx].mean()), 30)
    m, (lo_t, hi_t) = lkc.mean_ci(v)   # for the mean, the jackknife SE is exactly s / sqrt(n)
    assert (lo, hi) == pytest.approx((lo_t, hi_t), rel=1e-12)
    with pytest.raises(ValueError, match="at least 3"):
        lkc.jackknife_ci(lambda idx: 0.0, 2)


def test_mean_predictor_is_an_odd_smooth_step():
    out = lkc.sb_mean_predictor(chi=1.0, P=300, lam=0.0, sigma=1.0, max_nodes=2**16)
    x, f = out["x"], out["f_bar"]
    np.testing.assert_allclose(f, -f[::-1], atol=1e-12)              # odd: the grid is symmetric
    assert np.all(np.abs(f) < 1.0) and f[np.argmin(np.abs(x - 2.0))] > 0.95


def test_learning_curve_1d_equals_the_library_point_by_point_and_its_parts_add_up():
    rows = lkc.learning_curve_1d(chi=1.0, lam=0.01, sigma=1.0, P_list=[50, 400], seed=3)
    for r in rows:  # nested sampling: the first P points of the pool are sample(P, seed)
        assert r["mse"] == pytest.approx(laplace.learning_point_1d(P=r["P"], chi=1.0, lam=0.01, sigma=1.0, seed=3)["mse"],
                                         rel=1e-12)
        assert r["mse"] == pytest.approx(r["mse_gap"] + r["mse_bulk"] + r["mse_tails"], rel=1e-12)
        assert 0 < r["r_A"] < 1 and 0 < r["r_B"] < 1


def test_crossover_ridge_doubles_the_ridgeless_error():
    out = lkc.crossover_point_1d(chi=1.0, sigma=1.0, P=300, factor=2.0, seed=0)
    data = laplace.InterfaceData(d=1, chi=1.0)
    X, y = data.sample(300, seed=0)
    mse = laplace.solve_1d(X[:, 0], y, lam=out["lam_x"], sigma=1.0).test_mse(data)
    assert mse / out["mse0"] == pytest.approx(2.0, rel=3 * lkc.LOG_LAM_XTOL)


def _synthetic_curves(cfg, beta_of, parts=True):
    rows = []
    for chi in cfg.chis:
        for lam in cfg.lams:
            beta = beta_of(chi, lam)
            for seed in range(3):
                for P in cfg.P_1d:
                    m = (seed + 1) * P**-beta
                    rows.append({"chi": chi, "lam": lam, "seed": seed, "P": P, "mse": m, "mse_gap": 0.7 * m,
                                 "mse_bulk": 0.1 * m, "mse_tails": 0.2 * m * (1 + seed) * P**-0.1,
                                 "r_A": 1.0 / P, "r_B": 2.0 / P})
    return pd.DataFrame(rows)


def test_exponent_fits_recover_synthetic_power_laws():
    cfg = lkc.make_config("smoke")
    beta_of = lambda chi, lam: 1.0 if lam == 0 else 0.37 + chi
    fits = lkc.fit_exponents_1d(_synthetic_curves(cfg, beta_of), cfg)
    for _, r in fits.iterrows():
        expected = {"ridgeless": 1.0, "ridgeless_gap": 1.0, "ridgeless_tails": 1.1}.get(r["regime"], 0.37 + r["chi"])
        assert r["beta"] == pytest.approx(expected, abs=SYNTHETIC_ATOL)
        assert r["ci"][0] == pytest.approx(expected, abs=SYNTHETIC_ATOL)


def test_region_table_shares():
    cfg = lkc.make_config("smoke")
    c = _synthetic_curves(cfg, lambda chi, lam: 1.0)
    c["mse_tails"] = 0.2 * c["mse"]
    t = lkc.region_table(c)
    np.testing.assert_allclose(t[["frac_gap", "frac_bulk", "frac_tails"]].to_numpy(), [[0.7, 0.1, 0.2]] * len(t))
    # geometric means over the seeds (1, 2, 3) x P^-1
    np.testing.assert_allclose(t["mse"], 6 ** (1 / 3) / t["P"], rtol=1e-12)


def test_gap_slope_is_one_when_the_error_is_the_gap_times_a_function_of_the_ratio():
    rng = np.random.default_rng(0)
    rows = []
    for seed in range(40):
        for P in (256, 4096, 65536):    # sizes far apart: a common 1/P trend must not count
            e1, e2 = rng.exponential(size=2) / P
            r_a, r_b = e1 ** 0.5, e2 ** 0.5                       # chi = 1: r^(1+chi) exponential
            G = r_a**2 + r_b**2
            rows.append({"chi": 1.0, "lam": 0.0, "seed": seed, "P": P, "r_A": r_a, "r_B": r_b,
                         "mse_gap": G * (1 + (r_a / r_b) ** 2) / (1 + r_a / r_b) ** 2, "mse": G + 0.3 / P})
    t = lkc.gap_table(pd.DataFrame(rows))
    s = lkc.gap_slope(t, chi=1.0, col="mse_gap")
    assert s["ci"][0] < 1.0 < s["ci"][1] and abs(s["slope"] - 1.0) < 0.1 and s["corr"] > 0.9
    # an error unrelated to the gaps (but with the same 1/P trend) has slope 0
    t["mse_gap"] = rng.lognormal(size=len(t)) / t["P"]
    ci = lkc.gap_slope(t, chi=1.0, col="mse_gap")["ci"]
    assert ci[0] < 0.0 < ci[1]


def test_spread_slope_recovers_a_synthetic_cv_law():
    rng = np.random.default_rng(2)
    P = np.array([256, 1024, 4096, 16384])
    rows = []
    for seed in range(400):
        z = rng.standard_normal()
        for p in P:   # CV = 0.5 (P/256)^-0.25 exactly in law
            rows.append({"chi": 0.0, "lam": 1.0, "seed": seed, "P": p, "mse": (1 + 0.5 * (p / 256) ** -0.25 * z) / p})
    s = lkc.spread_slope(pd.DataFrame(rows), chi=0.0, lam=1.0, window=(256, 16384))
    assert s["ci"][0] < -0.25 < s["ci"][1] and s["cv_lo"] == pytest.approx(0.5, rel=0.1)


def _interface_rows(beta_part, beta_half, beta_total, d=2, chi=1.0):
    edges = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
    rows = []
    for seed in range(3):
        for P in (256, 512, 1024, 2048):
            half = (seed + 1) * P**-beta_half
            part = half + (seed + 2) * P**-beta_part
            slab = np.array([half / 2, half / 2, part - half, 1e-3 * part, 0.0])
            rows.append({"d": d, "chi": chi, "seed": seed, "P": P, "slab": slab, "slab_mass": np.ones(5),
                         "mse": 3 * P**-beta_total, "n_iter": 10})
    return pd.DataFrame(rows), edges


def test_fit_interface_reads_the_slab_below_C_and_C_over_2():
    table, edges = _interface_rows(0.6, 0.6, 0.9)
    cfg = lkc.make_config("smoke", interface_P=[256, 512, 1024, 2048], slab_edges=edges, slab_C=1.0)
    f = lkc.fit_interface(table, cfg).iloc[0]
    assert f["beta"] == pytest.approx(0.6, abs=SYNTHETIC_ATOL) and f["beta_half"] == pytest.approx(0.6, abs=SYNTHETIC_ATOL)
    assert f["beta_total"] == pytest.approx(0.9, abs=SYNTHETIC_ATOL)
    np.testing.assert_allclose(lkc.slab_part(table, 1.0, edges), table["slab"].map(lambda v: v[:3].sum()))


def test_interface_claims_use_the_slab_width_as_tolerance_and_beta_sb_as_rival():
    cfg = lkc.make_config("smoke", slab_C=1.0)
    fits = pd.DataFrame([{"d": 2, "chi": 2.0, "window": (256, 8192), "beta": 0.76, "ci": (0.72, 0.80),
                          "beta_half": 0.75, "beta_total": 0.8, "ci_total": (0.7, 0.9)}])
    c = lkc.interface_claims(fits, cfg)[0]
    assert c.theory == 0.75 and c.rival == pytest.approx(0.9) and c.tol == pytest.approx(0.01)
    assert c.verdict == AGREES
    wide = fits.assign(ci=[(0.6, 0.95)])
    assert lkc.interface_claims(wide, cfg)[0].verdict == NO_DISCRIMINATION
    far = fits.assign(beta=0.90, ci=[(0.86, 0.94)], beta_half=0.9)
    assert lkc.interface_claims(far, cfg)[0].verdict == DISAGREES
    # the systematic is part of the check: with a slab-width change of 0.05 the same interval only
    # reaches the truth through its tolerance
    tol_only = fits.assign(beta=0.80, ci=[(0.78, 0.82)], beta_half=0.85)
    assert lkc.interface_claims(tol_only, cfg)[0].verdict == WITHIN_TOL


def test_exponent_table():
    cfg = lkc.make_config("smoke", chis=[1.0], table_d=[1, 3])
    fits = pd.DataFrame([{"d": 1, "chi": 1.0, "beta": 1.02, "ci": (0.9, 1.14)},
                         {"d": 3, "chi": 1.0, "beta": np.nan, "ci": (np.nan, np.nan)}])
    t = lkc.exponent_table(fits, cfg)
    assert list(t["d"]) == ["1", "3", "∞"]
    assert list(t["β_SB / true"]) == ["1.333", "1.067", "1.000"]
    assert list(t["measured, λ=0 (interface)"]) == ["1.02 [0.90, 1.14]", "", ""]
    e = lkc.exponents(10**6, 2.0)
    assert math.isclose(e["spectral_bias"] / e["true"], 1.0, rel_tol=1e-5)   # -> 1 as d -> infinity
