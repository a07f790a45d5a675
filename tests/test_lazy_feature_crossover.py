"""The page's experiment package: parameter validation, data, reductions (crossing, collapse exponent,
fluctuation slope) on synthetic tables with known answers, and one tiny run."""

import math

import numpy as np
import pandas as pd
import pytest

from companion.experiments import lazy_feature_crossover as lfc


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"widths": [10, 28]}, r"widths must be at least 3 increasing integers"),
        ({"widths": [28, 10, 80]}, r"widths must be at least 3 increasing integers"),
        ({"widths": [10, 20, 40]}, r"widths must span a factor >= 8"),
        ({"widths": [1, 8, 16]}, r"widths\[0\] must be an integer in \[2, 100000\]"),
        ({"log10_x": [-2, 0, 2, 3]}, r"log10_x must span at least 6 decades"),
        ({"log10_x": [-2, 4, 0, 2]}, r"log10_x must be at least 4 increasing values"),
        ({"seeds": 1}, r"seeds must be an integer in \[2, 1000\]"),
        ({"P": 5000}, r"P must be an integer in \[8, 4999\]"),
        ({"P": 4500, "n_test": 1000}, r"n_test must be an integer in \[20, 500\]"),
        ({"L": 0}, r"L must be an integer in \[1, 10\]"),
        ({"pool": 3}, r"pool must divide the image side 28"),
        ({"source": "cifar"}, r"source must be one of 'mnist', 'sklearn8x8'"),
        ({"lazy_from": 1e5}, r"lazy_from must leave at least 2 values"),
        ({"feature_to": 1e-3}, r"feature_to must leave at least 2 values"),
        ({"kernel": "rbf"}, r"unknown parameter 'kernel'"),
        ({"source": "sklearn8x8", "pool": 2, "P": 500, "n_test": 500}, None),
    ],
)
def test_invalid_parameters_fail_with_the_parameter_named(overrides, message):
    if message is None:
        lfc.make_config("book", **overrides)
        return
    with pytest.raises(ValueError, match=message):
        lfc.make_config("book", **overrides)


def test_profiles_are_valid_and_the_book_spans_the_required_range():
    for profile in lfc.PROFILES:
        assert lfc.make_config(profile).profile == profile
    cfg = lfc.make_config("book")
    assert len(cfg.widths) >= 3 and max(cfg.widths) / min(cfg.widths) >= 8
    assert max(cfg.log10_x) - min(cfg.log10_x) >= 6 and cfg.seeds >= 3
    paper = lfc.make_config("paper")
    assert max(paper.widths) == 1000 and paper.seeds == 20 and paper.P + paper.n_test == 5000 and paper.pool == 1
    with pytest.raises(ValueError, match="profile must be one of 'book', 'smoke', 'paper'"):
        lfc.make_config("huge")


def test_pooled_digits_stay_centred_and_normalised():
    X_tr, y_tr, X_te, y_te = lfc.pooled_digits(source="mnist", P=200, n_test=50, pool=4, data_seed=1)
    assert X_tr.shape == (200, 49) and X_te.shape == (50, 49)
    assert np.allclose(np.linalg.norm(X_tr, axis=1), 7.0)
    assert set(np.unique(y_tr)) == {-1.0, 1.0}
    # pooling is linear: the training mean of the pooled, renormalised inputs is small
    assert np.abs(X_tr.mean(axis=0)).max() < 0.5


def _synthetic(fn, widths=(10, 40, 160), xs=np.logspace(-2, 4, 7), seeds=3, noise=0.0):
    """A runs table whose kernel change is fn(h, alpha) (times log-normal noise per seed)."""
    rng = np.random.default_rng(0)
    rows = []
    for h in widths:
        for x in xs:
            for s in range(seeds):
                a = x / math.sqrt(h)
                rows.append(dict(h=h, x=x, seed=s, alpha=a, kernel_change=fn(h, a) * math.exp(noise * rng.standard_normal()),
                                 err=0.1, t1=1.0))
    return pd.DataFrame(rows)


def test_collapse_exponent_finds_sqrt_h_and_the_rival():
    """Curves that are functions of sqrt(h) alpha give gamma = 1/2; functions of alpha give gamma = 0."""
    sqrt_h = _synthetic(lambda h, a: 1.0 / (math.sqrt(h) * a) + 0.3 / (math.sqrt(h) * a) ** 0.5)
    ce = lfc.collapse_exponents(sqrt_h)
    assert np.allclose(ce["gamma"], 0.5) and (ce["spread_sqrt_h_alpha"] < 1e-12).all() and (ce["spread_alpha"] > 0.1).all()
    in_alpha = _synthetic(lambda h, a: 1.0 / a + 0.3 / a**0.5)
    assert np.allclose(lfc.collapse_exponents(in_alpha)["gamma"], 0.0)


def test_crossover_and_lazy_slope_on_a_known_curve():
    """kernel change = 2 / (sqrt(h) alpha): crosses 1 at sqrt(h) alpha = 2, alpha* ~ h^-1/2, slope -1."""
    t = _synthetic(lambda h, a: 2.0 / (math.sqrt(h) * a), noise=0.05)
    cross = lfc.crossings(t)
    assert np.allclose(cross["x_star"], 2.0, rtol=0.1)
    fit = lfc.crossover_fit(cross)
    assert fit.ci[0] - 0.05 <= -0.5 <= fit.ci[1] + 0.05 and fit.ci[1] < 0
    cfg = lfc.make_config("book", widths=[10, 40, 160], seeds=3)
    k = lfc.kernel_slope(t, cfg)
    assert k.ci[0] <= -1.0 <= k.ci[1]


def test_first_crossing_interpolates_in_log_log_and_needs_a_bracket():
    from companion.experiments.lazy_feature_crossover.run import _first_crossing

    x = np.array([0.01, 1.0, 100.0])
    assert _first_crossing(x, np.array([100.0, 10.0, 0.1]), 1.0) == pytest.approx(10.0)   # halfway in log
    assert math.isnan(_first_crossing(x, np.array([0.5, 0.1, 0.01]), 1.0))               # below from the start
    assert math.isnan(_first_crossing(x, np.array([5.0, 4.0, 3.0]), 1.0))                 # never below


def test_fluctuation_fit_recovers_one_over_h():
    rows = [dict(h=h, x=x, var=c / h) for x, c in ((100.0, 0.3), (1e4, 0.5)) for h in (10, 30, 100)]
    b, ci, dof = lfc.fluctuation_fit(pd.DataFrame(rows), [100.0, 1e4])
    assert b == pytest.approx(-1.0) and dof == 3


def test_one_tiny_point_runs_and_reports():
    out = lfc.point(source="sklearn8x8", P=16, n_test=30, pool=1, data_seed=0, L=2, h=6, x=100.0, max_steps=20000, seed=0)
    assert out["converged"] and out["train_err"] == 0.0 and out["F_test"].shape == (30,)
    assert 0 <= out["err"] <= 1 and out["kernel_change"] > 0 and out["alpha"] == pytest.approx(100 / math.sqrt(6))


def test_slope_drift_is_zero_on_a_pure_power_and_sees_the_next_order():
    cfg = lfc.make_config("book", widths=[10, 40, 160], seeds=3, log10_x=[-3, -2, -1, 0, 1, 2, 3, 4])
    pure = _synthetic(lambda h, a: 1.0 / (math.sqrt(h) * a), xs=np.logspace(-3, 4, 8))
    assert lfc.slope_drift(pure, cfg, "kernel_change", "lazy") < 1e-12
    bent = _synthetic(lambda h, a: 1.0 / (math.sqrt(h) * a) + 30.0 / (math.sqrt(h) * a) ** 2, xs=np.logspace(-3, 4, 8))
    fit = lfc.kernel_slope(bent, cfg)
    drift = lfc.slope_drift(bent, cfg, "kernel_change", "lazy")
    assert fit.exponent < -1.0 and 0 < drift and fit.exponent + drift >= -1.0 - 0.05   # the upper half is closer to -1
