"""The page's experiment package: parameter validation, this book's formulas, one tiny run end to end."""

import math

import numpy as np
import pytest

from companion.claims import Claim
from companion.experiments import spatial_pooling as sp


@pytest.mark.parametrize("overrides, message", [
    ({"d": 60}, r"L: d = 60 must be divisible by 2\*\*L"),
    ({"xi": 40}, r"xi must be an integer in \[6, 28\]"),
    ({"gap": 20}, r"gap must be an integer in \[0, 16\]"),
    ({"filter_size": 4}, r"filter_size must be odd"),
    ({"L": 3}, r"filter_size: the non-strided CNN's receptive field .* = 7 must reach xi - gap = 12"),
    ({"L": 3, "filter_size": 5}, r"L: the strided CNN's receptive field 2\*\*L = 8 must reach xi - gap = 12"),
    ({"P_list": [128, 64]}, r"P_list must be at least 2 increasing even sizes <= 1406"),
    ({"P_list": [64, 2000]}, r"P_list must be at least 2 increasing even sizes"),
    ({"P_list": [64, 129]}, r"P_list must be at least 2 increasing even sizes"),
    ({"seeds": 1}, r"seeds must be an integer in \[2, 100\]"),
    ({"n_sens": 10**6}, r"n_sens must be an integer in \[10, 992\]"),
    ({"kernel": "rbf"}, r"unknown parameter 'kernel'"),
])
def test_invalid_parameters_fail_with_the_parameter_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        sp.make_config("book", **overrides)


def test_profiles_are_valid():
    for profile in sp.PROFILES:
        assert sp.make_config(profile).profile == profile
    paper = sp.make_config("paper")
    assert (paper.d, paper.xi, paper.seeds) == (256, 64, 10)
    with pytest.raises(ValueError, match="profile must be one of 'book', 'smoke', 'paper'"):
        sp.make_config("huge")


def test_formulas():
    assert sp.strided_G(np.array([0, 1, 2])) == pytest.approx([1.0, 0.5, 0.5 * (1 + 1 / math.pi)])
    assert sp.strided_D(3) == pytest.approx(1 / 8)
    assert sp.nonstrided_D(2, 3) == pytest.approx(3 / 16)
    # the stated depth exponents are those of the formulas at large k
    k = np.array([1e6, 2e6])
    assert np.diff(np.log(sp.nonstrided_G(k, 3)))[0] / math.log(2) == pytest.approx(sp.NONSTRIDED_LOGK_SLOPES["G"])
    assert np.diff(np.log2(sp.strided_G(np.array([40, 41]))))[0] == pytest.approx(sp.STRIDED_LOG2_SLOPES["G"], abs=1e-9)


def test_a_tiny_run_end_to_end():
    kw = dict(d=16, xi=4, gap=1, L=4, width=4, filter_size=3, P=16, lr=0.01, batch_size=8, loss_tol=1e-4,
              max_epochs=3, n_sens=20, seed=0)
    out = sp.point(arch="strided", **kw)
    assert 0 <= out["err"] <= 1 and out["epochs"] == 3
    assert all(np.isfinite(out[f"{q}_{k}"]) for q in ("D", "G", "D0", "G0") for k in range(5))
    assert out["D_0"] == pytest.approx(out["D0_0"]) and out["G_0"] == pytest.approx(out["G0_0"])   # the input
    assert set(f"zf_{k}" for k in range(1, 5)) <= set(out)
    again = sp.point(arch="strided", **kw)
    assert again["D_3"] == out["D_3"]                 # seeded: reproducible


def test_claims_from_a_tiny_table():
    cfg = sp.make_config("smoke", d=16, xi=4, gap=1, L=4, P_list=[16, 32], n_sens=20)
    rows = []
    for arch in ("strided", "nonstrided", "linear"):
        for seed in range(2):
            P = 32
            row = dict(arch=arch, P=P, seed=seed, err=0.1 * seed, train_err=0.0, converged=True)
            for k in range(cfg.L + 1):
                row |= {f"D0_{k}": 1.0, f"G0_{k}": 1.0, f"D_{k}": 2.0 ** -k * (1 + 0.1 * seed),
                        f"G_{k}": 1.0 + k * (1 + 0.1 * seed)}
            for k in range(1, cfg.L + 1):
                row |= {f"zf0_{k}": 0.5, f"zf_{k}": 0.9}
            rows.append(row)
    import pandas as pd
    runs = pd.DataFrame(rows)
    ideal = sp.ideal(cfg)
    claims = (sp.training_claims(runs) + sp.derivation_claims(ideal, cfg) + sp.trained_claims(runs, ideal, cfg)
              + sp.control_claims(runs, ideal, cfg) + sp.measured_claims(runs, cfg) + sp.filter_claims(runs, cfg))
    assert all(isinstance(c, Claim) for c in claims)
    t = sp.layer_table(runs, "strided", cfg.L)
    r = t[(t["phase"] == "trained") & (t["k"] == 2)].iloc[0]
    assert r["D"] == pytest.approx(0.25 * math.sqrt(1.1)) and r["D_lo"] < r["D"] < r["D_hi"]   # geometric mean
    assert "holds" in sp.outcomes(claims)
    assert "layer 4" in sp.conclusion(runs, ideal, cfg)
