"""The minimum-L1 (total-variation) ReLU interpolant on the sphere: the feature-regime limit.

Petrini, Cagnetta, Vanden-Eijnden & Wyart (NeurIPS 2022), Sec. 3: a one-hidden-layer ReLU network
trained in the feature (mean-field) regime with a vanishing L1 penalty (or a vanishing
initialisation) converges to

    min ||mu||_TV   subject to   sum_j w_j sigma(theta_j . x_i) = y_i,  i = 1..n,

a measure mu = sum_j w_j delta_{theta_j} on unit directions theta_j, sigma = ReLU, ||mu||_TV = sum |w_j|.
Restricted to a dictionary of unit directions this is a linear program, solved here with scipy's
HiGHS; a vertex solution has at most n non-zero weights.

The LP is solved through its dual, max y.lam s.t. |Phi^T lam| <= 1 (n variables), which HiGHS'
dual simplex solves several times faster than the primal (measured: 19 s against 62 s at d = 3,
n = 256, M = 8000, on a loaded 2-core machine). The dictionary of M random directions makes the
answer an upper bound on the continuum TV norm; :func:`min_l1` is this LP, and the page checks that
its test error is stable when M doubles. (Column generation pricing the most violated direction
was tried: it converged to the same norm to 1e-5 but, with scipy's linprog unable to warm-start,
its 30-50 LP rounds took longer than one dictionary LP at n = 256.)

Atoms (:func:`count_atoms`): neurons with non-zero weight whose activation patterns
sign(theta . x_i) over the training set coincide act identically on the training set and merge into
one atom (paper, Sec. 4).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.optimize

from .sphere import sample_sphere
from .validate import check_int

#: Relative weight below which a neuron counts as switched off (HiGHS' feasibility tolerance is 1e-7
#: on O(1) constraints, so weights below ~1e-9 of the largest are solver noise, not atoms).
ZERO_WEIGHT = 1e-9


@dataclass(frozen=True)
class L1Solution:
    """A ReLU predictor f(x) = sum_j w_j relu(theta_j . x) with its solve statistics.

    theta : (m, d) unit directions with non-zero weight; w : (m,) weights.
    norm : sum |w_j| (the total variation); columns : size of the dictionary; seconds : wall time of the LP.
    """

    theta: np.ndarray
    w: np.ndarray
    norm: float
    columns: int
    seconds: float

    def predict(self, X: np.ndarray) -> np.ndarray:
        """f(X): (n, d) -> (n,)."""
        return relu_features(X, self.theta) @ self.w


def relu_features(X: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """relu(X theta^T): (n, d), (m, d) -> (n, m) float64."""
    return np.maximum(np.asarray(X, dtype=np.float64) @ np.asarray(theta, dtype=np.float64).T, 0.0)


def _check_inputs(X, y):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,); got shapes {X.shape} and {y.shape}")
    check_int("n", X.shape[0], lo=1)
    check_int("d", X.shape[1], lo=2)
    if not np.allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-10):
        raise ValueError("X must hold points on the unit sphere (rows of norm 1)")
    return X, y


def _solve_lp(Phi: np.ndarray, y: np.ndarray):
    """Solve min ||w||_1 s.t. Phi w = y through its dual, max y.lam s.t. |Phi^T lam| <= 1 (n variables,
    2m rows: several times faster with HiGHS' dual simplex than the primal with 2m columns, measured at
    n = 256, m = 8000). Returns (w, lam, slack): w from the dual's row marginals, lam the duals.
    ``slack`` = ||y - Phi w||_1 (0 up to HiGHS' tolerances when the dictionary can interpolate).
    """
    n, m = Phi.shape
    A_ub, b_ub = np.vstack([Phi.T, -Phi.T]), np.ones(2 * m)
    # HiGHS' presolve occasionally misreads this degenerate LP when two training points nearly
    # coincide (seen at d = 2): then the dual is re-solved without presolve, then the primal.
    for presolve in (True, False):
        res = scipy.optimize.linprog(-y, A_ub=A_ub, b_ub=b_ub, bounds=(None, None), method="highs-ds",
                                     options={"presolve": presolve})
        if res.status == 0:
            marg = -res.ineqlin.marginals
            w, lam = marg[:m] - marg[m:], res.x
            break
    else:
        res = scipy.optimize.linprog(np.ones(2 * m), A_eq=np.hstack([Phi, -Phi]), b_eq=y, bounds=(0, None),
                                     method="highs", options={"presolve": False})
        if res.status != 0:
            raise RuntimeError(f"HiGHS did not solve the L1 interpolation LP: {res.message}")
        w, lam = res.x[:m] - res.x[m:], res.eqlin.marginals
    slack = float(np.abs(y - Phi @ w).sum())
    return w, lam, slack


def min_l1(X, y, *, M: int, seed, max_doublings: int = 3) -> L1Solution:
    """Minimum-L1 interpolant over a dictionary of ``M`` directions drawn uniformly on S^{d-1} with
    ``seed`` (:func:`min_l1_dictionary`). X : (n, d) on the sphere; y : (n,); M >= n.

    A random dictionary may miss an activation pattern that interpolation needs (seen at d = 2 when
    two training points nearly coincide): the LP is then infeasible, and the dictionary is doubled
    (fresh directions added) up to ``max_doublings`` times; ``columns`` of the answer says how many
    directions it used.
    """
    X, y = _check_inputs(X, y)
    M = check_int("M", M, lo=max(10, X.shape[0]))
    theta = sample_sphere(M, X.shape[1], seed=seed)
    rng_seed = np.random.SeedSequence(seed).spawn(max_doublings)
    for i in range(max_doublings + 1):
        try:
            return min_l1_dictionary(X, y, theta)
        except RuntimeError:
            if i == max_doublings:
                raise
            theta = np.vstack([theta, sample_sphere(len(theta), X.shape[1], seed=rng_seed[i])])


def min_l1_dictionary(X, y, theta) -> L1Solution:
    """Minimum-L1 interpolant over a fixed dictionary: min ||w||_1 s.t. relu(X theta^T) w = y.

    Parameters
    ----------
    X : (n, d) training points on S^{d-1}; y : (n,) targets; theta : (M, d) unit directions.

    Returns
    -------
    :class:`L1Solution` restricted to the directions with |w_j| > ZERO_WEIGHT * max |w|.
    """
    X, y = _check_inputs(X, y)
    theta = np.asarray(theta, dtype=np.float64)
    if theta.ndim != 2 or theta.shape[1] != X.shape[1]:
        raise ValueError(f"theta must be (M, d) with d = {X.shape[1]}; got shape {theta.shape}")
    t0 = time.perf_counter()
    w, _, slack = _solve_lp(relu_features(X, theta), y)
    if slack > 1e-6 * max(1.0, float(np.abs(y).sum())):
        raise RuntimeError(f"the dictionary cannot interpolate the data (residual {slack:.2e}); use more directions")
    keep = np.abs(w) > ZERO_WEIGHT * np.abs(w).max()
    return L1Solution(theta=theta[keep], w=w[keep], norm=float(np.abs(w).sum()), columns=len(theta),
                      seconds=time.perf_counter() - t0)


def count_atoms(theta, w, X, *, zero: float = ZERO_WEIGHT) -> int:
    """Number of atoms n_A: distinct activation patterns (theta_h . x_i > 0 for i = 1..n) among the
    neurons with |w_h| > zero * max |w| (Petrini et al. 2022, Sec. 4; neurons with one pattern act
    identically on the training set and merge). Neurons active on no training point are not atoms.

    theta : (H, d); w : (H,); X : (n, d). Returns an int >= 0.
    """
    theta = np.asarray(theta, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if len(w) == 0 or np.abs(w).max() == 0:
        return 0
    on = np.abs(w) > zero * np.abs(w).max()
    patterns = (np.asarray(X, dtype=np.float64) @ theta[on].T > 0).T     # (H_on, n)
    patterns = patterns[patterns.any(axis=1)]
    return int(len(np.unique(np.packbits(patterns, axis=1), axis=0)))
