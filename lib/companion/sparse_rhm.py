"""The Sparse Random Hierarchy Model (Tomasini & Wyart, ICML 2024, arXiv:2404.10727).

An extension of :class:`companion.rhm.RHM` (the grammar, its rule tables and the rule-choice digits
are the RHM's, unchanged) that scatters the informative symbols among *empty* slots, as the
features of an image sit among uninformative pixels. Reconstructed from the authors' code and notes:

* Every s-tuple a rule produces becomes a patch of ``s (s0 + 1)`` positions: each of the ``s``
  informative children gets its own *sub-patch* of ``s0 + 1`` slots and sits in one of them, the
  ``s0`` others holding the empty symbol. An empty position produces an all-empty patch at the
  level below. The input has ``(s (s0 + 1))^L`` positions, ``s^L`` of them informative.
* The slot of every non-root node of the tree is one more digit of the datum, uniform in
  ``[0, s0 + 1)``, independent of the rule choices: a datum is the RHM's digits (class, one rule
  choice per internal node, breadth-first) followed by one slot digit per non-root node
  (breadth-first by depth ``t = 1, ..., L``). The number of distinct data is

      P_max = n_c m^((s^L - 1)/(s - 1)) (s0 + 1)^(s (s^L - 1)/(s - 1)).

  Data are sampled without replacement from this mixed-radix index (uniform over the product, so
  rule choices and slots are independent). The two transformations re-draw one kind of digit from
  their own random stream and leave the other untouched:
* **Diffeomorphism** at level ``l`` (:meth:`SparseRHM.diffeo`): re-draw the slots of the nodes that
  level-``l`` rules produce (the level-``(l-1)`` symbols; ``l = 1`` moves input symbols within their
  sub-patches). Values and rules are kept, so the label is kept: the task is invariant to it.
* **Synonym exchange** at level ``l`` (:meth:`RHM.exchange_synonyms`, inherited): re-draw the rule
  choices at level ``l``; slots kept.
* Symbols are in ``[0, v)``; the empty symbol is ``v``. :func:`one_hot` encodes informative
  positions as one-hot vectors over the ``v`` symbols and empty positions as all-zero vectors.
* ``s0 = 0`` is exactly the RHM: same digits (the slot digits have radix 1), same inputs, same labels.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .rhm import RHM, MixedRadix, expand, tuple_code
from .validate import check_int

#: Largest input length accepted: (s (s0 + 1))^L positions per datum.
MAX_INPUT = 2**20


@dataclass(frozen=True, kw_only=True)
class SparseRHM(RHM):
    """A Sparse Random Hierarchy Model: an :class:`RHM` plus ``s0`` empty slots per informative one.

    Parameters
    ----------
    v, m, s, L, n_c, seed : as :class:`RHM` (``seed`` draws the same rule tables as the RHM).
    s0 : empty slots per informative slot (>= 0; ``s0 = 0`` is the RHM).
    """

    s0: int = 0

    def __post_init__(self):
        super().__post_init__()
        check_int("s0", self.s0, lo=0, hi=64)
        if self.uncorrelated:
            raise ValueError("uncorrelated must be False for the sparse RHM (not part of the model)")
        if self.D > MAX_INPUT:
            raise ValueError(f"the input length (s (s0 + 1))^L must be <= {MAX_INPUT}; got "
                             f"({self.s} * {self.s0 + 1})^{self.L} = {self.D}")

    # ---- sizes
    @property
    def patch(self) -> int:
        """Positions per patch, ``s (s0 + 1)``: the filter size = stride of matched networks."""
        return self.s * (self.s0 + 1)

    @property
    def D(self) -> int:
        """Input length ``(s (s0 + 1))^L``."""
        return self.patch**self.L

    @property
    def empty(self) -> int:
        """The code of the empty symbol, ``v``."""
        return self.v

    @property
    def n_slots(self) -> int:
        """Non-root nodes of the tree, ``s (s^L - 1)/(s - 1)``: one slot digit each."""
        return self.s * self.n_nodes

    @property
    def P_max(self) -> int:
        """``n_c m^((s^L-1)/(s-1)) (s0+1)^(s (s^L-1)/(s-1))`` (exact Python integer)."""
        return super().P_max * (self.s0 + 1) ** self.n_slots

    @functools.cached_property
    def radix(self) -> MixedRadix:
        """The data index: the RHM's digits (class, rule choices), then one slot digit per
        non-root node, breadth-first by depth."""
        return MixedRadix((self.n_c,) + (self.m,) * self.n_nodes + (self.s0 + 1,) * self.n_slots)

    def slot_slice(self, t: int) -> slice:
        """Digit columns of the slots of the nodes at tree depth ``t`` in [1, L]."""
        t = check_int("t", t, lo=1, hi=self.L)
        start = 1 + self.n_nodes + self.s * (self.s ** (t - 1) - 1) // (self.s - 1)
        return slice(start, start + self.s**t)

    # ---- data
    def positions(self, digits: np.ndarray) -> np.ndarray:
        """Input positions ``(n, s**L)`` of the ``s**L`` informative leaves (in RHM leaf order).

        Leaf ``k`` has at depth ``t`` the ancestor ``a_t = k // s^(L-t)``, child index ``a_t mod s``
        in its parent's patch and slot ``u_t``; its position is
        ``sum_t (s0+1 (a_t mod s) + u_t) (s (s0+1))^(L-t)``.
        """
        digits = np.asarray(digits, dtype=np.int64)
        leaf = np.arange(self.s**self.L)
        pos = np.zeros((digits.shape[0], leaf.size), dtype=np.int64)
        for t in range(1, self.L + 1):
            anc = leaf // self.s ** (self.L - t)
            slots = digits[:, self.slot_slice(t)][:, anc]
            pos += ((self.s0 + 1) * (anc % self.s) + slots) * self.patch ** (self.L - t)
        return pos

    def generate(self, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Digits -> ``(x, y)``: inputs ``(n, D)`` (symbols in [0, v], ``v`` = empty), labels ``(n,)``.

        The informative symbols are the RHM's leaves (:meth:`RHM.generate` on the rule digits),
        placed at :meth:`positions`.
        """
        digits = np.asarray(digits, dtype=np.int64)
        y = digits[:, 0]
        choices = [digits[:, self.depth_slice(t)] for t in range(self.L)]
        leaves = expand(y, choices, list(self.rules))
        x = np.full((digits.shape[0], self.D), self.empty, dtype=np.min_scalar_type(self.v))
        np.put_along_axis(x, self.positions(digits), leaves, axis=1)
        return x, y

    def diffeo(self, digits: np.ndarray, level: int, *, rng: np.random.Generator) -> np.ndarray:
        """A diffeomorphism at paper level ``level`` in [1, L]: re-draw, uniformly, the slots of every
        node produced by a level-``level`` rule (tree depth ``L - level + 1``). Rule choices and the
        class are untouched, so the label is kept. Returns new digits."""
        level = check_int("level", level, lo=1, hi=self.L)
        out = np.array(digits, dtype=np.int64, copy=True)
        cols = self.slot_slice(self.L - level + 1)
        out[:, cols] = rng.integers(0, self.s0 + 1, size=(out.shape[0], cols.stop - cols.start))
        return out

    def parse(self, x: np.ndarray) -> np.ndarray:
        """Bottom-up parse: the label of each input ``(n, D)``, or -1 where the input is not a string
        of the sparse grammar (a sub-patch without exactly one informative slot under an informative
        parent, a patch mixing empty and informative sub-patches, or a tuple no rule produces)."""
        z = np.asarray(x, dtype=np.int64)
        n, valid = z.shape[0], np.ones(z.shape[0], dtype=bool)
        for table in reversed(self.parents):
            sub = z.reshape(n, -1, self.s, self.s0 + 1)                      # (n, patches, s, s0+1)
            filled = sub != self.empty
            count = filled.sum(axis=3)                                      # informative per sub-patch
            all_empty = np.all(count == 0, axis=2)
            full = np.all(count == 1, axis=2)
            valid &= np.all(all_empty | full, axis=1)
            symbols = np.where(filled, sub, 0).sum(axis=3)                  # the one informative symbol
            parent = table[tuple_code(symbols, self.v)]
            valid &= np.all(all_empty | (parent >= 0), axis=1)
            z = np.where(all_empty, self.empty, np.maximum(parent, 0))
        return np.where(valid & (z[:, 0] != self.empty), z[:, 0], -1)


def one_hot(x, v: int):
    """Symbols ``(n, D)`` in [0, v] (``v`` = empty; numpy or torch) -> float32 ``(n, D, v)``: one-hot
    over the ``v`` symbols at informative positions, all-zero at empty ones (channels last).
    A torch tensor stays on its device."""
    if hasattr(x, "long"):  # torch
        import torch

        return torch.nn.functional.one_hot(x.long(), v + 1)[..., :v].to(torch.float32)
    x = np.asarray(x)
    return (x[..., None] == np.arange(v)).astype(np.float32)
