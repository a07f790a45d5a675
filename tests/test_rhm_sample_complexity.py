"""The page's experiment package: parameter validation, the P* estimate, reductions, claims, one tiny run."""

import math

import numpy as np
import pandas as pd
import pytest

from companion.experiments import rhm_sample_complexity as rsc


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"pairs": [[2, 4], [4, 3]]}, r"pairs must hold at least 3 distinct \[m, L\] pairs"),
        ({"pairs": [[2, 4], [4, 3], [9, 3]]}, r"pairs: \(m, L\) = \(9, 3\) is not a valid RHM .* m \* n_c must be <= v\*\*s = 64"),
        ({"pairs": [[2, 4], [3, 3], [9, 3]], "n_c": 2}, r"\(9, 3\) is not a valid RHM .* m must be <= v\*\*\(s-1\) = 8"),
        ({"pairs": [[2, 4], [3, 3], [6, 2]]}, r"pairs: \(m, L\) = \(6, 2\) has P_max = 1728 < max\(P_ratios\)"),
        ({"pairs": [[2, 4], [4, 3], [4, 2]]}, r"pairs must give at least 3 distinct n_c m\^L"),
        ({"pairs": [[2, 4], [2, 4], [4, 3]]}, r"pairs must hold at least 3 distinct"),
        ({"pairs": [[2, 4], [4, 3], [8, 3], [4, 4]], "n_c": 2}, None),
        ({"P_ratios": [1.0, 0.5, 2.0]}, r"P_ratios must be at least 3 increasing values"),
        ({"P_ratios": [0.0, 1.0, 2.0]}, r"P_ratios\[0\] must be a real number in \(0"),
        ({"seeds": 1}, r"seeds must be an integer in \[2, 100\]"),
        ({"threshold": 1.0}, r"threshold must be a real number in \(0.0, 1.0\)"),
        ({"n_sens": 5000}, r"n_sens must be <= P_test = 2000"),
        ({"shallow_fracs": [0.5, 0.99, 0.25]}, r"shallow_fracs"),
        ({"shallow_pairs": [[3, 3], [2, 3]]}, r"shallow_pairs must hold at least 3"),
        ({"shallow_P_cap": 300}, r"shallow_P_cap: \(m, L\) = \(3, 3\) keeps fewer than 3 sizes"),
        ({"control_ratios": [1.0, 4.0, 1000.0]}, r"control_ratios: max\(control_ratios\) \* n_c m\^L \+ P_test must be <= P_max"),
        ({"width": 0}, r"width must be an integer in \[1, 4096\]"),
        ({"kernel": "rbf"}, r"unknown parameter 'kernel'"),
    ],
)
def test_invalid_parameters_fail_with_the_parameter_named(overrides, message):
    if message is None:
        rsc.make_config("book", **overrides)      # valid: no error
        return
    with pytest.raises(ValueError, match=message):
        rsc.make_config("book", **overrides)


def test_profiles_are_valid_and_none_keeps_defaults():
    for profile in rsc.PROFILES:
        cfg = rsc.make_config(profile)
        assert cfg.profile == profile
    cfg = rsc.make_config("smoke", seeds=None, pairs=[[2, 3], [3, 3], [4, 3]])
    assert cfg.seeds == 2 and cfg.pairs == ((2, 3), (3, 3), (4, 3))
    with pytest.raises(ValueError, match="profile must be one of 'book', 'smoke', 'paper'"):
        rsc.make_config("huge")


def test_book_profile_spans_the_required_range():
    cfg = rsc.make_config("book")
    P_c = [cfg.n_c * m**L for m, L in cfg.pairs]
    assert len(cfg.pairs) >= 4 and max(P_c) / min(P_c) >= 30 and cfg.seeds >= 3


def test_crossing_interpolates_in_log_P():
    P = np.array([100.0, 200.0, 400.0, 800.0])
    err = np.array([0.8, 0.5, 0.1, 0.0])
    # level 0.3 lies between 200 (0.5) and 400 (0.1): halfway in error -> geometric midpoint
    assert rsc.crossing(P, err, 0.3) == pytest.approx(200 * math.sqrt(2))
    assert rsc.crossing(P, err, 0.5) == pytest.approx(200.0)      # 0.5 at 200 is not below 0.5: starts there
    assert math.isnan(rsc.crossing(P, err, 0.9))          # below at the smallest size: not bracketed
    assert math.isnan(rsc.crossing(P, np.array([0.8, 0.7, 0.6, 0.5]), 0.1))   # never below


def _fake_table(P_star_of, seeds=3, n_c=8):
    """Deep runs whose error falls linearly in log P through 10% of chance at P_star_of[(m, L)]."""
    rows = []
    level = 0.1 * (1 - 1 / n_c)
    for (m, L), ps in P_star_of.items():
        P_c = n_c * m**L
        for seed in range(seeds):
            for r in (0.25, 0.5, 1, 2, 4, 8):
                P = r * P_c
                err = float(np.clip(level * (1 - np.log2(P / (ps * (1 + 0.05 * seed)))), 0, 0.875))
                rows.append(dict(kind="deep", net="cnn", m=m, L=L, n_c=n_c, seed=seed, P=P, err=err, P_c=P_c,
                                 P_max=float(n_c * m ** (2**L - 1)), ratio=r))
    return pd.DataFrame(rows)


def test_sample_complexity_and_slope_recover_a_planted_law():
    pairs = {(2, 4): 2 * 128, (4, 3): 2 * 512, (8, 3): 2 * 4096}        # P* = 2 n_c m^L
    ps = rsc.sample_complexity(_fake_table(pairs), threshold=0.1)
    assert np.allclose(ps[ps.seed == 0]["ratio_star"], 2.0)
    fit = rsc.slope_fit(ps)
    assert fit.exponent == pytest.approx(1.0, abs=1e-9)
    planted = {(2, 4): 128, (4, 3): 1024, (8, 3): 16384}     # P* = 128 (P_c / 128)^1.4
    ps2 = rsc.sample_complexity(_fake_table(planted), threshold=0.1)
    assert rsc.slope_fit(ps2).exponent == pytest.approx(1.4, abs=0.01)


def test_rival_slope_is_the_slope_of_P_max():
    cfg = rsc.make_config("book")
    x = np.log([cfg.n_c * m**L for m, L in cfg.pairs])
    y = np.log([float(cfg.n_c * m ** (2**L - 1)) for m, L in cfg.pairs])
    assert rsc.rival_slope(cfg.pairs, cfg) == pytest.approx(np.polyfit(x, y, 1)[0])
    assert abs(rsc.rival_slope(cfg.pairs, cfg) - 1.0) > 1.0      # the book's pairs can tell the two apart


def test_grid_tolerance_is_half_a_step_at_each_end_of_the_span():
    cfg = rsc.make_config("book")
    step = max(np.diff(np.log(cfg.P_ratios)))
    span = np.log(max(cfg.n_c * m**L for m, L in cfg.pairs) / min(cfg.n_c * m**L for m, L in cfg.pairs))
    assert rsc.grid_slope_tol(cfg.P_ratios, [cfg.n_c * m**L for m, L in cfg.pairs]) == pytest.approx(step / span)


def test_stream_seeds_are_distinct_and_reproducible():
    a, b = rsc.stream_seeds(0), rsc.stream_seeds(1)
    assert a == rsc.stream_seeds(0) and len(set(a.values())) == 4 and a != b


@pytest.mark.slow
def test_one_tiny_point_trains_and_measures_sensitivities():
    out = rsc.point(net="cnn", v=4, n_c=4, s=2, m=2, L=3, uncorrelated=False, P=128, P_pool=128, P_test=200, width=32,
                    lr=0.03, batch_size=64, loss_tol=1e-3, max_epochs=300, n_sens=100, seed=0)
    assert out["train_err"] == 0.0 and 0 <= out["err"] <= 1
    keys = {f"S_{k}_{l}" for k in range(1, 4) for l in range(1, k + 1)}
    assert keys <= set(out) and {"S0_1_1", "S0_3_3"} <= set(out)
    assert all(0 <= out[k] < 10 for k in keys)
    # training makes the top layer less sensitive to label-preserving exchanges than it was at init
    assert out["S_3_1"] < out["S0_3_1"]


def test_sensitivity_crossing_compares_the_half_way_points_of_the_two_falls():
    rows = []
    for P, S, err in ((100, 0.8, 0.8), (200, 0.6, 0.6), (400, 0.2, 0.2), (800, 0.1, 0.0)):
        rows.append(dict(m=2, L=3, seed=0, n_c=2, P=P, S_2_1=S, S0_2_1=0.8, err=err))
    cross = rsc.sensitivity_crossings(pd.DataFrame(rows), k=2, l=1)
    # S: 0.4 lies halfway between 0.6 (P = 200) and 0.2 (P = 400): the geometric midpoint
    assert cross["P_S"].iloc[0] == pytest.approx(200 * math.sqrt(2))
    # error: half of chance (0.25) lies 7/8 of the way from 0.6 to 0.2
    assert cross["P_half"].iloc[0] == pytest.approx(200 * 2 ** (0.35 / 0.4))
    assert cross["ratio"].iloc[0] == pytest.approx(2 ** (0.5 - 0.875))


def _control(err_corr, err_unc, n_c=4):
    rows = []
    for unc, err in ((False, err_corr), (True, err_unc)):
        for seed, e in enumerate(err):
            rows.append(dict(uncorrelated=unc, seed=seed, P=4096, P_c=256, n_c=n_c, err=e))
    return pd.DataFrame(rows)


def test_control_claims_tell_chance_from_learning():
    cfg = rsc.make_config("book")
    ok = {c.quantity.split(":")[0]: c.verdict for c in rsc.control_claims(_control([0.0, 0.01], [0.76, 0.77]), cfg)}
    assert ok == {"correlated RHM, same (v, m, L)": "agrees", "uncorrelated RHM": "agrees"}
    bad = {c.quantity.split(":")[0]: c.verdict for c in rsc.control_claims(_control([0.7, 0.74], [0.0, 0.02]), cfg)}
    assert set(bad.values()) == {"disagrees"}


def test_training_claims_flag_a_run_that_does_not_interpolate():
    table = pd.DataFrame(dict(net=["cnn"] * 3 + ["fc"] * 2, train_err=[0, 0, 0.01, 0, 0], converged=[1, 1, 0, 1, 1]))
    verdicts = [c.verdict for c in rsc.training_claims(table)]
    assert verdicts == ["disagrees", "measured", "agrees", "measured"]


def test_outcomes_merge_agreement_with_and_without_tolerance_only():
    from companion.claims import Claim

    claims = [Claim(quantity="a", measured=1.0, ci=(0.9, 1.1), theory=1.0),
              Claim(quantity="b", measured=0.8, ci=(0.75, 0.85), theory=1.0, tol=0.2, tol_reason="r"),
              Claim(quantity="c", measured=0.5, ci=(0.4, 0.6), theory=1.0),
              Claim(quantity="d", measured=0.7, ci=(0.2, 1.2), theory=1.0, rival=0.5, rival_source="x"),
              Claim(quantity="e (2 of 4 seeds bracketed)", measured=2.0)]
    out = rsc.outcomes(claims)
    assert out.frame["outcome"].tolist() == ["holds", "holds", "disagrees", "does not discriminate", "measured"]
    assert repr(out).splitlines()[1] == "a      holds" and "<table" in out._repr_html_()
    assert out.frame["claim"].tolist()[-1] == "e"


def test_order_of_magnitude_of_the_prefactor():
    ps = pd.DataFrame(dict(m=[2, 2, 4, 4], L=[3, 3, 3, 3], P_c=[64, 64, 512, 512], ratio_star=[2.0, 3.0, 9.0, 12.0]))
    table = rsc.order_of_magnitude(ps)
    assert table["P*/(n_c m^L) in"].tolist() == ["[10^0, 10^1)", "[10^1, 10^2)"]
