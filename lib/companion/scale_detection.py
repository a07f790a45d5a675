"""The scale-detection task of Tomasini, Petrini, Cagnetta & Wyart (MLST 2023, arXiv 2210.01506).

Reconstructed from the authors' code (the paper's text was not available to us): a 1-D image of
``d`` pixels with periodic boundaries, two *active* pixels of value ``sqrt(magn)`` at positions
``r1 < r2``, every other pixel 0. With the periodic distance ``delta = min(r2 - r1, d - (r2 - r1))``,

* label 1 ("small scale") if ``delta < xi - gap``,
* label 0 ("large scale") if ``delta >= xi + gap``,
* pairs in between are dropped.

All ``d (d - 1) / 2`` pairs can be enumerated (:meth:`ScaleDetection.pairs`); a training set is a
class-balanced sample of them (:meth:`ScaleDetection.split`), the test set the rest.

Perturbations used by the sensitivities (:mod:`companion.train.relative_sensitivity`):

* :meth:`ScaleDetection.displace` — the discrete "diffeomorphism" ``tau``: each active pixel moves by
  ``±1``, the pair of moves drawn uniformly among those that keep the label, keep the two pixels
  distinct and change the image (moving both the same way always qualifies);
* :func:`matched_noise` — Gaussian noise ``eta`` whose squared norm has, per sample, the expectation
  ``|tau x - x|^2`` (the same mean squared norm as the displacement).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validate import check_float, check_int

#: The four moves of the two active pixels, ``(dr1, dr2)``.
MOVES = np.array([(-1, -1), (-1, 1), (1, -1), (1, 1)])


def periodic_distance(r1, r2, d: int) -> np.ndarray:
    """``min(|r2 - r1| mod d, d - |r2 - r1| mod d)``, elementwise."""
    a = np.abs(np.asarray(r2) - np.asarray(r1)) % d
    return np.minimum(a, d - a)


@dataclass(frozen=True, kw_only=True)
class ScaleDetection:
    """The task at image size ``d``, scale ``xi``, margin ``gap`` and pixel intensity ``magn``.

    Valid when ``d >= 4``, ``gap >= 0``, ``xi - gap >= 2`` (some pair of distance >= 1 has label 1) and
    ``xi + gap <= d // 2`` (some pair has label 0: the periodic distance is at most ``d // 2``).
    """

    d: int
    xi: int
    gap: int = 0
    magn: float = 1.0

    def __post_init__(self):
        check_int("d", self.d, lo=4, hi=1 << 16)
        check_int("gap", self.gap, lo=0)
        check_int("xi", self.xi, lo=self.gap + 2, hi=self.d // 2 - self.gap)
        check_float("magn", self.magn, lo=0.0, lo_open=True)

    def label(self, r1, r2) -> np.ndarray:
        """1 if the periodic distance is ``< xi - gap``, 0 if ``>= xi + gap``, -1 (dropped) in between."""
        delta = periodic_distance(r1, r2, self.d)
        return np.where(delta < self.xi - self.gap, 1, np.where(delta >= self.xi + self.gap, 0, -1))

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every labelled pair: ``r1 (n,), r2 (n,), y (n,)`` with ``r1 < r2`` and ``y`` in {0, 1}."""
        r1, r2 = np.triu_indices(self.d, k=1)
        y = self.label(r1, r2)
        keep = y >= 0
        return r1[keep].astype(np.int64), r2[keep].astype(np.int64), y[keep].astype(np.int64)

    def images(self, r1, r2) -> np.ndarray:
        """The images ``(n, 1, d)`` float32 (one input channel) with ``sqrt(magn)`` at ``r1`` and ``r2``."""
        r1, r2 = np.asarray(r1), np.asarray(r2)
        x = np.zeros((len(r1), 1, self.d), dtype=np.float32)
        idx = np.arange(len(r1))
        x[idx, 0, r1 % self.d] += np.sqrt(self.magn)
        x[idx, 0, r2 % self.d] += np.sqrt(self.magn)
        return x

    def split(self, P: int, *, seed: int) -> dict[str, np.ndarray]:
        """A class-balanced training set of ``P`` pairs (``P/2`` of each label, ``P`` even) and the
        remaining pairs as test set, both shuffled: keys ``r1_train, r2_train, y_train, r1_test, ...``.

        Raises ValueError when a class has fewer than ``P/2`` pairs.
        """
        P = check_int("P", P, lo=2)
        if P % 2:
            raise ValueError(f"P must be even (balanced classes); got {P}")
        r1, r2, y = self.pairs()
        counts = np.bincount(y, minlength=2)
        if counts.min() < P // 2 + 1:
            raise ValueError(f"P must be <= {2 * (counts.min() - 1)} for d={self.d}, xi={self.xi}, gap={self.gap} "
                             f"(the smaller class has {counts.min()} pairs, one kept for testing); got {P}")
        rng = np.random.default_rng(seed)
        train = np.concatenate([rng.choice(np.flatnonzero(y == c), P // 2, replace=False) for c in (0, 1)])
        train = rng.permutation(train)
        test = rng.permutation(np.setdiff1d(np.arange(len(y)), train))
        out = {}
        for name, idx in (("train", train), ("test", test)):
            out |= {f"r1_{name}": r1[idx], f"r2_{name}": r2[idx], f"y_{name}": y[idx]}
        return out

    def displace(self, r1, r2, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``tau``: move each active pixel by ``±1`` (periodically), the two moves drawn uniformly among
        those of :data:`MOVES` that keep the label, keep the two pixels distinct and change the image (two
        neighbours may not swap). Returns new ``(r1, r2)``."""
        r1, r2 = np.asarray(r1), np.asarray(r2)
        y = self.label(r1, r2)
        n1 = (r1[:, None] + MOVES[None, :, 0]) % self.d
        n2 = (r2[:, None] + MOVES[None, :, 1]) % self.d
        swapped = (n1 == r2[:, None]) & (n2 == r1[:, None])          # the same image: no displacement
        ok = (self.label(n1, n2) == y[:, None]) & (n1 != n2) & ~swapped
        # a random admissible move per row: the argmax of random keys among admissible moves
        keys = np.where(ok, rng.random(ok.shape), -1.0)
        choice = keys.argmax(axis=1)
        rows = np.arange(len(r1))
        return n1[rows, choice], n2[rows, choice]


def matched_noise(x: np.ndarray, x_moved: np.ndarray, *, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise ``eta`` of the shape of ``x`` (n, ...) with i.i.d. entries of variance
    ``|x_moved_i - x_i|^2 / D`` in sample ``i`` (D entries per sample), so that
    ``E |eta_i|^2 = |tau x_i - x_i|^2``: noise of the same mean squared norm as the displacement."""
    x = np.asarray(x, dtype=np.float64)
    diff = (np.asarray(x_moved, dtype=np.float64) - x).reshape(len(x), -1)
    sigma = np.sqrt(np.sum(diff**2, axis=1) / diff.shape[1])
    return (rng.standard_normal(x.shape) * sigma.reshape((-1,) + (1,) * (x.ndim - 1))).astype(np.float32)
