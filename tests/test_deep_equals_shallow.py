"""The page's experiment module: parameter validation and the small pieces of logic it owns."""

import numpy as np
import pytest

from companion import kernels
from companion.experiments import deep_equals_shallow as des


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"d_values": [1]}, r"d_values\[0\] must be an integer in \[2, 50\]"),
        ({"depths": [2, -1]}, r"depths\[1\] must be an integer in \[2, 12\]"),
        ({"d_values": [3, 5], "k_max": [100]}, r"k_max must give one value per entry of d_values"),
        ({"krr_P": [64, 32, 128]}, r"krr_P must be at least 3 increasing sizes"),
        ({"ntk_widths": [4]}, r"ntk_widths\[0\] must be an integer in \[8, 65536\]"),
        ({"kernel": "rbf"}, r"unknown parameter 'kernel'"),
    ],
)
def test_invalid_parameters_fail_with_the_parameter_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        des.make_config("book", **overrides)


def test_unknown_profile_is_rejected():
    with pytest.raises(ValueError, match=r"profile must be one of 'book', 'smoke'; got 'paper'"):
        des.make_config("paper")


def test_none_keeps_profile_default_and_lists_become_tuples():
    cfg = des.make_config("smoke", d_values=None, depths=[2, 4])
    assert cfg.d_values == (3,) and cfg.depths == (2, 4)


def test_trusted_limit_stops_at_first_untrusted_degree():
    row = {"trusted": np.array([True] * 10 + [False] + [True] * 9)}   # k = 10 untrusted
    assert des.trusted_limit(row, 0) == 8 and des.trusted_limit(row, 1) == 19
    row = {"trusted": np.array([True] * 11 + [False] + [True] * 8)}
    assert des.trusted_limit(row, 0) == 18 and des.trusted_limit(row, 1) == 9   # k = 11 untrusted


def test_krr_theory_exponent():
    # mu_k ~ k^-d (NTK, Laplace) -> -2d/(d-1); k^-(d+2) (RF) -> -2(d+2)/(d-1)
    assert des.krr_theory_exponent({"name": "ntk", "L": 3}, 3) == pytest.approx(-3.0)
    assert des.krr_theory_exponent({"name": "laplace", "c": 1.0}, 5) == pytest.approx(-2.5)
    assert des.krr_theory_exponent({"name": "rf", "L": 3}, 3) == pytest.approx(-5.0)


def test_smooth_target_has_degrees_one_to_three_only():
    # Projection onto degree k via Funk-Hecke-free check: the target is a cubic polynomial, so its
    # mean over the sphere of (f - mean) * P_k(x.e) vanishes for k >= 4 by orthogonality.
    from companion.sphere import gegenbauer, sample_sphere

    X = sample_sphere(200_000, 3, seed=0)
    f = des.smooth_target(X)
    P = gegenbauer(6, 3, X @ np.array([0.6, 0.8, 0.0]))
    proj = (P * f).mean(axis=1)
    assert np.all(np.abs(proj[4:]) < 0.02) and np.abs(proj[1:4]).max() > 0.1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"d_values": [3, 3], "k_max": [100, 100]}, r"d_values must hold distinct integers in \[2, 50\]"),
        ({"depths": [2, 3, 3]}, r"depths must hold distinct integers"),
        ({"step_depths": [7]}, r"step_depths\[0\] must be an integer in \[2, 6\]"),
        ({"k_max": [40, 400]}, r"k_max\[0\] must be an integer in \[100, 5000\]"),
        ({"d_values": [50], "k_max": [200]}, r"k_max must be at least 5 d for each d .* need >= 250"),
        ({"k_max_high": 20}, r"k_max_high must be an integer in \[40, 2000\]"),
        ({"laplace_c": 100.0}, r"laplace_c must be in \(0, min\(k_max\)/10\] = \(0, 40\]"),
        ({"prec_bits": 96}, r"prec_bits must be at least 130 .* k_max = 300 at d = 10"),
    ],
)
def test_spectra_parameters_that_would_break_later_fail_at_validation(overrides, message):
    """Combinations that pass the ranges but break a fit, a claim's accuracy estimate or the precision."""
    with pytest.raises(ValueError, match=message):
        des.make_config("book", **overrides)


def test_spectra_smallest_valid_parameters_are_accepted():
    cfg = des.make_config("smoke", d_values=[3, 20], k_max=[100, 100], k_max_high=40, laplace_c=10.0)
    assert cfg.k_max == (100, 100) and cfg.prec_bits == 160
