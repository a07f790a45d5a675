"""The minimum-L1 ReLU interpolant: interpolation, vertex sparsity, optimality on a planted
solution, atom counting."""

import numpy as np
import pytest

from companion.minl1 import count_atoms, min_l1, min_l1_dictionary, relu_features
from companion.sphere import sample_sphere

#: HiGHS' primal feasibility tolerance is 1e-7; interpolation is checked at that level.
FEAS_TOL = 1e-6


@pytest.mark.parametrize("d, n", [(2, 12), (3, 40), (5, 30)])
def test_lp_interpolates_with_at_most_n_atoms(d, n):
    X = sample_sphere(n, d, seed=1)
    y = np.random.default_rng(2).standard_normal(n)
    sol = min_l1(X, y, M=2000, seed=3)
    assert np.abs(sol.predict(X) - y).max() < FEAS_TOL
    assert len(sol.w) <= n                                   # a vertex of the LP
    assert count_atoms(sol.theta, sol.w, X) <= len(sol.w)
    assert sol.norm == pytest.approx(np.abs(sol.w).sum(), rel=1e-9)


def test_lp_finds_a_planted_sparse_solution_in_the_dictionary():
    """y made by 2 dictionary atoms: the LP's norm is at most theirs (it is the minimum)."""
    d, n = 3, 30
    X = sample_sphere(n, d, seed=4)
    theta = sample_sphere(500, d, seed=5)
    w_true = np.zeros(500)
    w_true[[7, 123]] = [1.5, -0.5]
    y = relu_features(X, theta) @ w_true
    sol = min_l1_dictionary(X, y, theta)
    assert sol.norm <= 2.0 + 1e-7
    assert np.abs(sol.predict(X) - y).max() < FEAS_TOL


def test_count_atoms_merges_neurons_with_one_activation_pattern():
    X = sample_sphere(50, 3, seed=6)
    base = sample_sphere(3, 3, seed=7)
    # each of 3 directions duplicated with a tiny rotation (same pattern on X), plus one switched-off neuron
    near = base + 1e-9 * sample_sphere(3, 3, seed=8)
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    theta = np.vstack([base, near, sample_sphere(1, 3, seed=9)])
    w = np.array([1.0, 2.0, -1.0, 0.5, 0.5, 0.5, 0.0])
    assert count_atoms(theta, w, X) == 3
    assert count_atoms(theta[:3], np.array([1.0, 0.0, 1.0]), X) == 2


def test_invalid_inputs_raise():
    X = sample_sphere(10, 3, seed=0)
    with pytest.raises(ValueError, match="M must be an integer"):
        min_l1(X, np.ones(10), M=5, seed=0)
    with pytest.raises(ValueError, match="unit sphere"):
        min_l1(2 * X, np.ones(10), M=100, seed=0)
    with pytest.raises(ValueError, match="d must be an integer"):
        min_l1(np.ones((10, 1)), np.ones(10), M=100, seed=0)
    with pytest.raises(ValueError, match="X must be"):
        min_l1(X, np.ones(9), M=100, seed=0)
