"""The page's experiment package: parameter validation, the grids, the reductions (P*, exponents,
P*_S, P*_D), the claims' verdicts on planted data, and one tiny run."""

import math

import numpy as np
import pandas as pd
import pytest

from companion.experiments import sparse_rhm as sr


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"s0s": [0, 1]}, r"s0s must be at least 3 increasing values starting at 0"),
        ({"s0s": [1, 2, 3]}, r"s0s must be at least 3 increasing values starting at 0"),
        ({"s0s": [0, 2, 1]}, r"s0s must be at least 3 increasing values"),
        ({"grammars": [[2, 4, 4, 4], [3, 4, 2, 2]], "k_lo": 1}, r"\(L, v, m, n_c\) = \(2, 4, 4, 4\) at s0 = 0 has P_max = 256, "
                                                              r"which leaves fewer than 3 training-set sizes"),
        ({"grammars": [[2, 4, 5, 2]]}, r"\(2, 4, 5, 2\) at s0 = 0 is not a valid sparse RHM: m must be <= v\*\*\(s-1\)"),
        ({"grammars": [[1, 4, 2, 2]]}, r"grammars L must be an integer in \[2, 4\]"),
        ({"grammars": [[2, 6, 6, 2], [2, 8, 8, 8]]}, r"grammars must have distinct depths"),
        ({"grammars": [[2, 6, 6]]}, r"grammars must be a non-empty list of \[L, v, m, n_c\]"),
        ({"archs": ["lcn", "fc"]}, r"archs must be one of 'lcn', 'cnn'"),
        ({"seeds": 1}, r"seeds must be an integer in \[2, 100\]"),
        ({"threshold": 0.0}, r"threshold must be a real number in \(0.0, 1.0\)"),
        ({"n_sens": 5000}, r"n_sens must be <= P_test = 1000"),
        ({"width": 0}, r"width must be an integer in \[1, 4096\]"),
        ({"k_hi": -1}, r"k_hi must be an integer in \[0, 10\]"),
        ({"depth": 3}, r"unknown parameter 'depth'"),
        ({"grammars": [[2, 8, 8, 8], [3, 4, 2, 2]], "seeds": 2}, None),
    ],
)
def test_invalid_parameters_fail_with_the_parameter_named(overrides, message):
    if message is None:
        sr.make_config("book", **overrides)
        return
    with pytest.raises(ValueError, match=message):
        sr.make_config("book", **overrides)


def test_profiles_are_valid():
    for profile in sr.PROFILES:
        assert sr.make_config(profile).profile == profile
    cfg = sr.make_config("paper")
    assert all((v, m, n_c) == (8, 8, 8) for _, v, m, n_c in cfg.grammars) and cfg.width == 512


def test_grid_reaches_the_largest_predicted_cost():
    cfg = sr.make_config("book")
    for L, v, m, n_c in cfg.grammars:
        P_c = n_c * m**L
        for s0 in cfg.s0s:
            Ps = sr.P_grid(cfg, L, s0)
            assert Ps[0] == round(P_c * 2.0**cfg.k_lo)
            top = P_c * 2.0**cfg.k_hi * (s0 + 1) ** L
            P_max = sr.model(cfg, L, s0).P_max
            # the grid reaches 2^k_hi times the LCN's predicted P*, unless P_max stops it first
            assert max(Ps) >= 0.999 * top or max(Ps) * 2 ** (1 / cfg.steps_per_octave) + cfg.min_test > P_max
            assert np.allclose(np.diff(np.log2(Ps)), 1 / cfg.steps_per_octave, atol=0.05)
            assert sr.test_size(cfg, L, s0) >= cfg.min_test


def _planted(P_star_of, *, seeds=3, n_c=2, grid=None):
    """Runs (on a half-octave grid: the first size below P* is at most half an octave beyond it, where
    the planted line is not yet clipped at zero) whose error falls linearly in log2 P through 10% of chance at P_star_of[(L, arch, s0)] (times
    a seed factor), and whose S_2, D_2 fall through half their untrained value at the same P."""
    rows, chance = [], 1 - 1 / n_c
    for (L, arch, s0), ps in P_star_of.items():
        for seed in range(seeds):
            p = ps * (1 + 0.1 * seed)
            for P in grid or [2.0 ** (k / 2) for k in range(4, 32)]:
                t = np.log2(P / p)
                err = float(np.clip(0.1 * chance * (1 - 2 * t), 0, chance))
                S = float(np.clip(0.5 * (1 - 0.5 * t), 0.01, 1.0))
                rows.append(dict(L=L, arch=arch, s0=s0, seed=seed, n_c=n_c, m=2, v=4, P=P, P_c=16, err=err,
                                 S_2=S, D_2=S if s0 else float("nan"), S0_2=1.0, D0_2=1.0 if s0 else float("nan"),
                                 train_err=0.0, converged=True))
    return pd.DataFrame(rows)


def _laws(base=100.0):
    out = {}
    for L in (2, 3):
        for s0 in (0, 1, 2):
            out[(L, "lcn", s0)] = base * (s0 + 1) ** L
            out[(L, "cnn", s0)] = base * (s0 + 1) ** 2
    return out


def test_exponents_recover_planted_laws_and_the_claims_agree():
    cfg = sr.make_config("book", seeds=3)
    table = _planted(_laws())
    ps = sr.thresholds(table, cfg)
    seed0 = ps[ps.seed == 0].set_index(["L", "arch", "s0"])["P_star"]
    assert all(seed0[k] == pytest.approx(v, rel=1e-9) for k, v in _laws().items())
    for L in (2, 3):
        assert sr.exponent_fit(ps, L, "lcn").exponent == pytest.approx(L, abs=1e-6)
        assert sr.exponent_fit(ps, L, "cnn").exponent == pytest.approx(2.0, abs=1e-6)
    verdicts = {c.quantity: c.verdict for c in sr.exponent_claims(table, ps, cfg) + sr.depth_claims(table, ps, cfg)}
    assert verdicts["LCN, L = 3: exponent of s0+1 in P*(s0)/P*(0)"] == "agrees"
    assert verdicts["CNN, L = 3: exponent of s0+1 in P*(s0)/P*(0)"] == "agrees"
    assert verdicts["LCN: exponent at L = 3 minus exponent at L = 2"] == "agrees"
    assert verdicts["CNN: exponent at L = 3 minus exponent at L = 2"] == "agrees"


def test_claims_disagree_when_the_architectures_swap_laws():
    cfg = sr.make_config("book", seeds=3)
    swapped = {(L, "cnn" if a == "lcn" else "lcn", s0): v for (L, a, s0), v in _laws().items()}
    table = _planted(swapped)
    ps = sr.thresholds(table, cfg)
    verdicts = {c.quantity: c.verdict for c in sr.exponent_claims(table, ps, cfg) + sr.depth_claims(table, ps, cfg)}
    assert verdicts["LCN, L = 3: exponent of s0+1 in P*(s0)/P*(0)"] == "disagrees"
    assert verdicts["CNN: exponent at L = 3 minus exponent at L = 2"] == "disagrees"


def test_thresholds_read_P_star_and_the_half_way_points():
    cfg = sr.make_config("book")
    table = _planted({(2, "lcn", 1): 1000.0}, seeds=2)
    ps = sr.thresholds(table, cfg)
    row = ps[ps.seed == 0].iloc[0]
    assert row["P_star"] == pytest.approx(1000.0, rel=1e-9)          # 10% of chance exactly at P*
    assert row["P_half"] == pytest.approx(1000.0 * 2**-2, rel=1e-9)   # 50% of chance: 2 octaves earlier
    assert row["P_S"] == pytest.approx(1000.0, rel=1e-9) and row["P_D"] == pytest.approx(1000.0, rel=1e-9)
    claims = sr.sensitivity_claims(ps.assign(P_half=ps["P_S"]), cfg)
    assert {c.verdict for c in claims if "s0 = 1" in c.quantity and "LCN, L = 2" in c.quantity} == {"agrees"}


def test_coarse_grid_tolerance_is_the_change_of_the_exponent():
    cfg = sr.make_config("book")
    table = _planted(_laws(), grid=[2.0 ** (k / 4) for k in range(8, 64)])
    ps = sr.thresholds(table, cfg)
    tol, reason = sr.exponent_tolerance(table, ps, cfg, L=3, arch="lcn")
    # a planted straight line is read exactly on either grid (quarter and half octave)
    assert tol == pytest.approx(0.0, abs=1e-9) and "twice as coarse" in reason


def test_spearman_interval_covers_a_monotone_relation():
    x = np.linspace(0, 1, 50)
    rho, ci, n = sr.spearman_ci(x, x**2 + 0.01 * np.sin(40 * x))
    assert rho > 0.95 and ci[0] <= rho <= ci[1] and n == 50
    assert math.isnan(sr.spearman_ci([1, 2], [1, 2])[0])


def test_one_tiny_point_trains_and_measures_both_sensitivities():
    out = sr.point(arch="lcn", L=2, v=4, m=4, n_c=2, s=2, s0=1, P=256, P_pool=256, P_test=200, width=16, lr=0.03,
                   batch_size=64, loss_tol=0.01, max_epochs=200, n_sens=100, seed=0)
    assert out["train_err"] == 0.0 and 0 <= out["err"] <= 1
    assert all(0 <= out[k] < 10 for k in ("S0_2", "D0_2", "S_2", "D_2"))
    out0 = sr.point(arch="cnn", L=2, v=4, m=4, n_c=2, s=2, s0=0, P=32, P_pool=32, P_test=50, width=8, lr=0.03,
                    batch_size=64, loss_tol=0.01, max_epochs=5, n_sens=20, seed=0)
    assert math.isnan(out0["D_2"]) and math.isnan(out0["D0_2"])          # no empty slots: no diffeomorphism
