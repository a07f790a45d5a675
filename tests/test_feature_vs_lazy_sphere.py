"""The page's experiment package: parameter validation, predictions, exponent fits on planted
curves, claims, one tiny learning-curve point."""

import math

import numpy as np
import pandas as pd
import pytest

from companion.experiments import feature_vs_lazy_sphere as fvl


@pytest.mark.parametrize("overrides, message", [
    ({"dims": [1, 3, 5]}, r"d \(in dims\) must be an integer in \[2, 20\]"),
    ({"sizes": [[8, 16], [16, 32, 64, 128, 256], [16, 32, 64, 128]]}, r"sizes \(d = 2\) must hold at least 3 sizes >= fit_from"),
    ({"sizes": [[8, 16, 32]]}, r"sizes must hold one list of sizes per d"),
    ({"M": 5}, r"M must be an integer in \[10, 1000000\]"),
    ({"M": 100}, r"n in sizes \(d = 2\) must be an integer in \[2, 100\]"),
    ({"nu_t": 0.0}, r"nu_t must be a real number in \(0.0, 20.0\]"),
    ({"seeds": 1}, r"seeds must be an integer in \[2, 100\]"),
    ({"alphas": [1.0, 10.0]}, r"alphas must be at least 3 increasing"),
    ({"spectrum_k": (2, 30)}, r"spectrum_k\[1\] must be an integer in \[6, 23\]"),
    ({"kernel": "rbf"}, r"unknown parameter 'kernel'"),
])
def test_invalid_parameters_fail_with_the_parameter_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        fvl.make_config("book", **overrides)


def test_profiles_are_valid_and_book_reaches_256_at_d3():
    for p in fvl.PROFILES:
        fvl.make_config(p)
    cfg = fvl.make_config("book")
    assert max(cfg.sizes[cfg.dims.index(3)]) >= 256 and cfg.seeds >= 3
    assert max(fvl.make_config("paper").sizes[1]) >= 1024


def test_predicted_exponents():
    assert (fvl.beta_feature(2), fvl.beta_lazy(2)) == (4.0, 4.0)
    assert (fvl.beta_feature(3), fvl.beta_lazy(3)) == (2.5, 3.0)
    assert (fvl.beta_feature(5), fvl.beta_lazy(5)) == (1.75, 2.5)
    assert fvl.beta_feature(3, 1.5) == fvl.beta_lazy(3, 1.5) == 1.5


def _planted(beta_f, beta_l, seeds=3):
    rows = []
    for s in range(seeds):
        for n in (16, 32, 64, 128, 256):
            rows.append(dict(target="constant", d=3, n=n, seed=s, eps_feature=(1 + 0.1 * s) * n ** -beta_f,
                             eps_lazy=(1 + 0.05 * s) * n ** -beta_l, n_atoms=int(0.8 * n)))
            rows.append(dict(target="grf", d=3, n=n, seed=s, eps_feature=(1 + 0.1 * s) * n ** -1.5,
                             eps_lazy=(1 + 0.05 * s) * n ** -1.5, n_atoms=n))
    return pd.DataFrame(rows)


def test_exponent_fit_recovers_planted_exponents_and_claims_use_rivals():
    runs = _planted(2.5, 3.0)
    fit, drift = fvl.exponent(runs, "constant", 3, "feature", n_min=32)
    assert fit.exponent == pytest.approx(2.5, abs=1e-9) and drift == pytest.approx(0, abs=1e-9)
    cfg = fvl.make_config("book", dims=[3], sizes=[[16, 32, 64, 128, 256]])
    claims = [c for c in fvl.exponent_claims(runs, cfg) if "constant" in c.quantity]
    assert [c.verdict for c in claims] == ["agrees", "agrees"]
    assert claims[0].rival == 3.0 and claims[1].rival == 2.5
    swapped = fvl.exponent_claims(_planted(3.0, 2.5), cfg)
    assert [c.verdict for c in swapped if "constant" in c.quantity] == ["disagrees", "disagrees"]
    assert fvl.sparsity_fit(runs, "constant", 3).exponent == pytest.approx(1.0, abs=0.03)   # int() rounding of 0.8 n


def test_one_tiny_point():
    out = fvl.curve_point(d=3, n=20, n_pool=20, n_test=200, M=500, target="constant", nu_t=1.5, seed=0)
    assert 0 < out["eps_lazy"] < out["eps_feature"] < 1
    assert out["n_atoms"] <= out["n_neurons"] <= 20 and math.isfinite(out["tv"])
    g = fvl.curve_point(d=3, n=20, n_pool=20, n_test=200, M=500, target="grf", nu_t=1.5, seed=0)
    assert g["target_var"] > 0
