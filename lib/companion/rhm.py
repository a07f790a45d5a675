"""The Random Hierarchy Model (Cagnetta, Petrini, Tomasini, Favero & Wyart, PRX 14, 031001, 2024).

A random, hierarchical, context-free grammar. Parameters (the paper's notation): depth ``L``, patch
size ``s``, vocabulary ``v`` (the same at every level), synonyms ``m``, classes ``n_c``.

* **Rules** (:func:`draw_rules`). Level ``l = L`` (the top) gives each class ``m`` distinct s-tuples of
  level-``(L-1)`` symbols; every lower level ``l = L-1, ..., 1`` gives each of the ``v`` symbols ``m``
  distinct s-tuples of the level below; level-1 tuples are the input patches. The ``n_parents * m``
  tuples of a level are drawn uniformly *without replacement* from the ``v**s`` possible ones, so no
  tuple has two parents: the grammar is unambiguous and the label is a function of the input. Each
  level has its own table; a rule depends on the parent symbol, not on its position.
* **Data** (:class:`MixedRadix`, :func:`expand`). A datum is a class and, at every internal node of
  the s-ary tree of depth ``L``, one of the ``m`` rules of the node's symbol. It is indexed by an
  integer in ``[0, P_max)``, ``P_max = n_c m^((s^L - 1)/(s - 1))``, read in mixed radix: the class
  (most significant digit), then one base-``m`` digit per internal node in breadth-first order
  (root, its ``s`` children, ...). Indices are held as int64 *chunks* of that mixed-radix number
  (one chunk whenever ``P_max < 2**62``), so indices never overflow however large ``P_max`` is, and
  train and test sets are disjoint samples drawn together without replacement.
* **Inputs** are the ``s^L`` leaves, symbols in ``[0, v)``; :func:`one_hot` encodes a batch
  ``(n, s^L) -> (n, s^L, v)`` (channels last). The whole data set is never one-hot encoded.
* **Synonym exchange** at level ``l`` (:meth:`RHM.exchange_synonyms`) re-draws the rule choices of
  the level-``l`` nodes (the ``s^(L-l)`` nodes whose rules produce level-``(l-1)`` symbols): the
  label is kept. It defines the synonymic sensitivity ``S_{k,l}`` of the paper.
* **Uncorrelated variant** (the paper's control, :func:`draw_uncorrelated_rules`): rules for which
  every position of every tuple is uniform whatever the parent, so single-patch input-label
  correlations vanish; at ``v = m = n_c = 2``, ``s = 2`` it is a tree of XORs (parity).

Reusable pieces for variants (e.g. the sparse RHM, which adds uninformative positions and more
digits): :class:`MixedRadix` (any radices), :func:`draw_rules` / :func:`parent_table` (one level's
table), :func:`expand` (the top-down tree sampling). Levels in the API follow the paper (``l = 1``
at the bottom); internally rule tables are stored top-down by tree depth ``t = L - l``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .validate import check_int

#: Largest radix product held in one int64 chunk of an index (2**62 leaves room for the arithmetic).
CHUNK_LIMIT = 2**62


# --------------------------------------------------------------------------- mixed-radix indices

@dataclass(frozen=True)
class MixedRadix:
    """Integers in ``[0, size)``, ``size = prod(radices)``, as digits ``d_0 d_1 ... d_{D-1}`` with
    ``d_i`` in ``[0, radices[i])``, ``d_0`` the most significant.

    An index is stored as int64 *chunks*: consecutive digits grouped (from the least significant)
    so that each chunk's radix product is below :data:`CHUNK_LIMIT`; ``(n, n_chunks)`` arrays, most
    significant chunk first. With one chunk the index is the plain integer.
    """

    radices: tuple[int, ...]

    def __post_init__(self):
        if not self.radices:
            raise ValueError("radices must be a non-empty sequence of integers >= 1")
        rad = tuple(check_int(f"radices[{i}]", r, lo=1, hi=CHUNK_LIMIT) for i, r in enumerate(self.radices))
        object.__setattr__(self, "radices", rad)

    @functools.cached_property
    def size(self) -> int:
        """``prod(radices)`` as a Python integer (exact, however large)."""
        return math.prod(self.radices)

    @functools.cached_property
    def chunks(self) -> tuple[tuple[int, int], ...]:
        """``(start, stop)`` digit ranges of the chunks, most significant chunk first."""
        bounds, stop, prod = [], len(self.radices), 1
        for i in range(len(self.radices) - 1, -1, -1):
            if prod * self.radices[i] > CHUNK_LIMIT:
                bounds.append((i + 1, stop))
                stop, prod = i + 1, 1
            prod *= self.radices[i]
        bounds.append((0, stop))
        return tuple(reversed(bounds))

    @functools.cached_property
    def chunk_sizes(self) -> tuple[int, ...]:
        return tuple(math.prod(self.radices[a:b]) for a, b in self.chunks)

    def decode(self, index: np.ndarray) -> np.ndarray:
        """Chunks ``(n, n_chunks)`` (or ``(n,)`` for one chunk) -> digits ``(n, D)`` int64."""
        index = self._as_chunks(index)
        digits = np.empty((index.shape[0], len(self.radices)), dtype=np.int64)
        for c, (a, b) in enumerate(self.chunks):
            rest = index[:, c].copy()
            for i in range(b - 1, a - 1, -1):
                q = rest // self.radices[i]
                digits[:, i] = rest - q * self.radices[i]
                rest = q
        return digits

    def encode(self, digits: np.ndarray) -> np.ndarray:
        """Digits ``(n, D)`` -> chunks ``(n, n_chunks)`` int64 (inverse of :meth:`decode`)."""
        digits = np.asarray(digits, dtype=np.int64)
        if digits.ndim != 2 or digits.shape[1] != len(self.radices):
            raise ValueError(f"digits must be an (n, {len(self.radices)}) array; got shape {digits.shape}")
        if np.any(digits < 0) or np.any(digits >= np.array(self.radices)):
            raise ValueError("every digit must lie in [0, its radix)")
        out = np.zeros((digits.shape[0], len(self.chunks)), dtype=np.int64)
        for c, (a, b) in enumerate(self.chunks):
            for i in range(a, b):
                out[:, c] = out[:, c] * self.radices[i] + digits[:, i]
        return out

    def to_int(self, index: np.ndarray) -> list[int]:
        """Chunks -> the indices as exact Python integers."""
        index = self._as_chunks(index)
        out = [0] * index.shape[0]
        for c, size in enumerate(self.chunk_sizes):
            col = index[:, c].tolist()
            out = [o * size + x for o, x in zip(out, col)]
        return out

    def from_int(self, values) -> np.ndarray:
        """Python integers in ``[0, size)`` -> chunks ``(n, n_chunks)`` int64."""
        values = [int(x) for x in values]
        if any(x < 0 or x >= self.size for x in values):
            raise ValueError(f"indices must lie in [0, {self.size})")
        out = np.zeros((len(values), len(self.chunks)), dtype=np.int64)
        for c in range(len(self.chunks) - 1, -1, -1):
            size = self.chunk_sizes[c]
            for j, x in enumerate(values):
                values[j], out[j, c] = divmod(x, size)
        return out

    def sample(self, n: int, *, rng: np.random.Generator) -> np.ndarray:
        """``n`` distinct indices drawn uniformly without replacement, in random order: ``(n, n_chunks)``.

        One chunk: :meth:`numpy.random.Generator.choice` without replacement. Several chunks
        (``size >= 2**62``): uniform chunk rows, keeping the first occurrence of each and drawing
        again for the (astronomically rare) repeats — the first ``n`` distinct values of an i.i.d.
        uniform stream are a uniform sample without replacement in uniform random order.
        """
        n = check_int("n", n, lo=0)
        if n > self.size:
            raise ValueError(f"n must be <= the number of distinct indices {self.size}; got {n}")
        if len(self.chunks) == 1:
            return rng.choice(self.size, size=n, replace=False).astype(np.int64)[:, None]
        rows = np.empty((0, len(self.chunks)), dtype=np.int64)
        while rows.shape[0] < n:
            new = np.stack([rng.integers(0, size, size=n - rows.shape[0] + 16, dtype=np.int64)
                            for size in self.chunk_sizes], axis=1)
            rows = np.concatenate([rows, new])
            _, first = np.unique(rows, axis=0, return_index=True)
            rows = rows[np.sort(first)]
        return rows[:n]

    def _as_chunks(self, index) -> np.ndarray:
        index = np.asarray(index, dtype=np.int64)
        if index.ndim == 1 and len(self.chunks) == 1:
            index = index[:, None]
        if index.ndim != 2 or index.shape[1] != len(self.chunks):
            raise ValueError(f"index must be an (n, {len(self.chunks)}) array of chunks; got shape {index.shape}")
        return index


# --------------------------------------------------------------------------- rule tables

def tuple_code(tuples: np.ndarray, v: int) -> np.ndarray:
    """s-tuples ``(..., s)`` of symbols in ``[0, v)`` -> their base-``v`` codes in ``[0, v**s)``."""
    tuples = np.asarray(tuples, dtype=np.int64)
    code = np.zeros(tuples.shape[:-1], dtype=np.int64)
    for j in range(tuples.shape[-1]):
        code = code * v + tuples[..., j]
    return code


def tuple_of_code(codes: np.ndarray, *, v: int, s: int) -> np.ndarray:
    """Inverse of :func:`tuple_code`: codes ``(...)`` -> s-tuples ``(..., s)``."""
    rest = np.asarray(codes, dtype=np.int64)
    out = np.empty(rest.shape + (s,), dtype=np.int64)
    for j in range(s - 1, -1, -1):
        rest, out[..., j] = np.divmod(rest, v)
    return out


def draw_rules(n_parents: int, *, m: int, v: int, s: int, rng: np.random.Generator) -> np.ndarray:
    """One level's rule table: ``(n_parents, m, s)``, row ``a`` the ``m`` s-tuples parent ``a`` produces.

    The ``n_parents * m`` tuples are distinct, drawn uniformly without replacement from the ``v**s``
    tuples: each tuple has at most one parent. The draw uses only uniform
    doubles (``rng.random``) and a stable argsort, whose stream NumPy keeps fixed across machines.
    Needs ``n_parents * m <= v**s``.
    """
    n_tuples = v**s
    if n_parents * m > n_tuples:
        raise ValueError(f"n_parents * m must be <= v**s = {n_tuples}; got {n_parents} * {m}")
    order = np.argsort(rng.random(n_tuples), kind="stable")[: n_parents * m]
    return tuple_of_code(order.reshape(n_parents, m), v=v, s=s)


def draw_uncorrelated_rules(n_parents: int, *, m: int, v: int, s: int, rng: np.random.Generator) -> np.ndarray:
    """A rule table whose tuples carry no single-patch information on their parent.

    Needs ``m = v**(s-1)`` and ``n_parents <= v``. Parent ``a`` produces every tuple whose first
    ``s - 1`` symbols are free and whose last symbol is ``(sum of the others + a) mod v``, after a
    random relabelling of the symbols at each position and of the parents: every position of a
    tuple is then uniform over ``[0, v)`` whatever the parent, so the distribution of an input patch
    (or of any single symbol) is the same in every class. At ``v = m = 2``, ``s = 2`` the parent is
    the XOR of its children (up to relabelling), and the whole model a parity.
    """
    if m != v ** (s - 1) or n_parents > v:
        raise ValueError(f"the uncorrelated rules need m = v**(s-1) = {v ** (s - 1)} and n_parents <= v = {v}; "
                         f"got m = {m}, n_parents = {n_parents}")
    free = tuple_of_code(np.arange(m), v=v, s=s - 1) if s > 1 else np.zeros((1, 0), dtype=np.int64)  # (m, s-1)
    parents = rng.permutation(v)[:n_parents]
    last = (free.sum(axis=1)[None, :] + parents[:, None]) % v                          # (n_parents, m)
    tuples = np.concatenate([np.broadcast_to(free, (n_parents, m, s - 1)), last[..., None]], axis=-1)
    relabel = np.stack([rng.permutation(v) for _ in range(s)])                          # (s, v)
    return relabel[np.arange(s), tuples]


def parent_table(rules: np.ndarray, *, v: int) -> np.ndarray:
    """``(v**s,)``: the parent of each tuple code under one level's ``rules`` ``(n_parents, m, s)``;
    -1 for tuples no rule produces. Raises if a tuple has two parents (an ambiguous table)."""
    n_parents, m, s = rules.shape
    codes = tuple_code(rules, v).ravel()
    if np.unique(codes).size != codes.size:
        raise ValueError("a tuple is produced by two rules: the table is ambiguous")
    table = np.full(v**s, -1, dtype=np.int64)
    table[codes] = np.repeat(np.arange(n_parents), m)
    return table


def expand(roots: np.ndarray, choices: list[np.ndarray], rules: list[np.ndarray]) -> np.ndarray:
    """Top-down tree sampling: the leaves below ``roots`` given every node's rule choice.

    Parameters
    ----------
    roots : (n,) symbols of the root (the class).
    choices : one ``(n, s**t)`` array per depth ``t = 0, ..., L-1``: the rule chosen at each node.
    rules : one ``(n_parents, m, s)`` table per depth (top-down).

    Returns
    -------
    (n, s**L) leaves, in the smallest integer dtype that holds the symbols.
    """
    x = np.asarray(roots, dtype=np.int32)[:, None]
    for t, (c, table) in enumerate(zip(choices, rules)):
        if c.shape != x.shape:
            raise ValueError(f"choices[{t}] must have shape {x.shape}; got {c.shape}")
        n_parents, m, s = table.shape
        flat = table.reshape(n_parents * m, s).astype(np.int32)
        x = flat[x * m + c].reshape(x.shape[0], -1)       # (n, s^t, s) -> (n, s^(t+1))
    v_max = int(max(int(t.max()) for t in rules)) if rules else int(np.max(roots))
    return x.astype(np.min_scalar_type(v_max))


def one_hot(x, v: int):
    """One batch of symbols ``(n, N)`` (numpy or torch integers) -> float32 one-hot ``(n, N, v)``.

    Channels last, as :class:`companion.train.HierarchicalCNN` expects. A torch tensor stays on its
    device; numpy input gives a numpy array.
    """
    if hasattr(x, "long"):  # torch
        import torch

        return torch.nn.functional.one_hot(x.long(), v).to(torch.float32)
    x = np.asarray(x)
    return (x[..., None] == np.arange(v)).astype(np.float32)


# --------------------------------------------------------------------------- the model

@dataclass(frozen=True, kw_only=True)
class RHM:
    """A Random Hierarchy Model: parameters, its rule tables (drawn from ``seed``) and its data.

    Parameters
    ----------
    v : vocabulary size at every level (>= 2).  m : synonyms per symbol (>= 1).
    s : patch size (>= 2).  L : depth (>= 1).  n_c : classes (>= 2).
    seed : seed of the rule tables (the grammar); data are drawn with their own seeds.
    uncorrelated : draw :func:`draw_uncorrelated_rules` at every level (needs m = v**(s-1), n_c <= v).

    Requires ``m * n_c <= v**s`` (top level) and ``m * v <= v**s`` (lower levels, L >= 2).
    """

    v: int
    m: int
    s: int
    L: int
    n_c: int
    seed: int
    uncorrelated: bool = False

    def __post_init__(self):
        check_int("v", self.v, lo=2)
        check_int("m", self.m, lo=1)
        check_int("s", self.s, lo=2)
        check_int("L", self.L, lo=1)
        check_int("n_c", self.n_c, lo=2)
        check_int("seed", self.seed, lo=0)
        if not isinstance(self.uncorrelated, (bool, np.bool_)):
            raise ValueError(f"uncorrelated must be a bool; got {self.uncorrelated!r}")
        n_tuples = self.v**self.s
        if self.m * self.n_c > n_tuples:
            raise ValueError(f"m * n_c must be <= v**s = {n_tuples} (distinct tuples at the top level); "
                             f"got m = {self.m}, n_c = {self.n_c}")
        if self.L >= 2 and self.m * self.v > n_tuples:
            raise ValueError(f"m must be <= v**(s-1) = {self.v ** (self.s - 1)} (distinct tuples below the top); "
                             f"got m = {self.m}")
        if self.uncorrelated and (self.m != self.v ** (self.s - 1) or self.n_c > self.v):
            raise ValueError(f"the uncorrelated RHM needs m = v**(s-1) = {self.v ** (self.s - 1)} and n_c <= v = {self.v}; "
                             f"got m = {self.m}, n_c = {self.n_c}")

    # ---- sizes
    @property
    def d(self) -> int:
        """Input dimension: the number of leaves ``s**L``."""
        return self.s**self.L

    @property
    def n_nodes(self) -> int:
        """Internal nodes of the tree, ``(s^L - 1)/(s - 1)``: one rule choice each."""
        return (self.s**self.L - 1) // (self.s - 1)

    @property
    def P_max(self) -> int:
        """Number of distinct data, ``n_c m^((s^L - 1)/(s - 1))`` (exact Python integer)."""
        return self.n_c * self.m**self.n_nodes

    @property
    def P_c(self) -> int:
        """``n_c m^L``: the sample complexity of deep networks predicted by the paper."""
        return self.n_c * self.m**self.L

    @functools.cached_property
    def radix(self) -> MixedRadix:
        """The data index: class, then one base-m digit per internal node (breadth-first)."""
        return MixedRadix((self.n_c,) + (self.m,) * self.n_nodes)

    def depth_slice(self, t: int) -> slice:
        """Digit columns of the nodes at tree depth ``t`` (0 = root) in a digits array."""
        start = 1 + (self.s**t - 1) // (self.s - 1)
        return slice(start, start + self.s**t)

    # ---- grammar
    @functools.cached_property
    def rules(self) -> tuple[np.ndarray, ...]:
        """Rule tables top-down by depth: ``rules[0]`` (level L) is ``(n_c, m, s)``, the others
        ``(v, m, s)``; ``rules[L-1]`` (level 1) produces the input patches. Read-only."""
        streams = np.random.SeedSequence(self.seed).spawn(self.L)
        draw = draw_uncorrelated_rules if self.uncorrelated else draw_rules
        tables = []
        for t, ss in enumerate(streams):
            table = draw(self.n_c if t == 0 else self.v, m=self.m, v=self.v, s=self.s, rng=np.random.Generator(np.random.PCG64(ss)))
            table.flags.writeable = False
            tables.append(table)
        return tuple(tables)

    def level_rules(self, level: int) -> np.ndarray:
        """The rule table of paper level ``level`` in [1, L] (1 = the input patches)."""
        level = check_int("level", level, lo=1, hi=self.L)
        return self.rules[self.L - level]

    @functools.cached_property
    def parents(self) -> tuple[np.ndarray, ...]:
        """:func:`parent_table` of every depth (top-down)."""
        return tuple(parent_table(r, v=self.v) for r in self.rules)

    # ---- data
    def sample_indices(self, n: int, *, seed: int) -> np.ndarray:
        """``n`` distinct data indices, uniform without replacement: ``(n, n_chunks)`` int64 chunks."""
        n = check_int("n", n, lo=0)
        if n > self.P_max:
            raise ValueError(f"n must be <= P_max = {self.P_max}; got {n}")
        return self.radix.sample(n, rng=np.random.default_rng(seed))

    def digits(self, index: np.ndarray) -> np.ndarray:
        """Index chunks -> digits ``(n, 1 + n_nodes)``: class, then the rule choices breadth-first."""
        return self.radix.decode(index)

    def generate(self, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Digits -> ``(x, y)``: inputs ``(n, s**L)`` (symbols in [0, v)) and labels ``(n,)``."""
        digits = np.asarray(digits, dtype=np.int64)
        y = digits[:, 0]
        choices = [digits[:, self.depth_slice(t)] for t in range(self.L)]
        return expand(y, choices, list(self.rules)), y

    def sample(self, n: int, *, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` distinct data ``(x, y)``, uniform without replacement."""
        return self.generate(self.digits(self.sample_indices(n, seed=seed)))

    def train_test(self, P: int, P_test: int, *, seed: int):
        """Disjoint training and test sets (one draw without replacement, split):
        ``(x_train, y_train), (x_test, y_test)``."""
        P = check_int("P", P, lo=1)
        P_test = check_int("P_test", P_test, lo=0)
        if P + P_test > self.P_max:
            raise ValueError(f"P + P_test must be <= P_max = {self.P_max}; got {P} + {P_test}")
        x, y = self.sample(P + P_test, seed=seed)
        return (x[:P], y[:P]), (x[P:], y[P:])

    def exchange_synonyms(self, digits: np.ndarray, level: int, *, rng: np.random.Generator) -> np.ndarray:
        """Re-draw, uniformly, the rule choices of every node at paper level ``level`` in [1, L]
        (the nodes whose rules produce level-(level-1) symbols; level 1 exchanges input patches for
        synonyms). The class digit is untouched, so the label is kept. Returns new digits."""
        level = check_int("level", level, lo=1, hi=self.L)
        out = np.array(digits, dtype=np.int64, copy=True)
        cols = self.depth_slice(self.L - level)
        out[:, cols] = rng.integers(0, self.m, size=(out.shape[0], cols.stop - cols.start))
        return out

    def parse(self, x: np.ndarray) -> np.ndarray:
        """Bottom-up parse: the label of each input ``(n, s**L)``, or -1 where the input is not a
        string of the grammar. The inverse of :meth:`generate` on labels."""
        z = np.asarray(x, dtype=np.int64)
        valid = np.ones(z.shape[0], dtype=bool)
        for table in reversed(self.parents):
            codes = tuple_code(z.reshape(z.shape[0], -1, self.s), self.v)
            z = table[codes]
            valid &= np.all(z >= 0, axis=1)
            z = np.where(z >= 0, z, 0)
        return np.where(valid, z[:, 0], -1)
