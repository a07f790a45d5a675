"""The Random Hierarchy Model generator: counts, unambiguity, labels, synonyms, index decoding, seeds."""

import hashlib
import itertools

import numpy as np
import pytest
import torch

from companion.rhm import RHM, MixedRadix, draw_rules, one_hot, parent_table

#: Small grammars whose every datum can be enumerated (P_max <= a few thousand).
SMALL = [dict(v=4, m=2, s=2, L=2, n_c=3), dict(v=3, m=2, s=2, L=3, n_c=2), dict(v=3, m=3, s=3, L=2, n_c=2),
         dict(v=5, m=5, s=2, L=2, n_c=5)]


def _all_data(g: RHM):
    idx = np.arange(g.P_max, dtype=np.int64)[:, None]
    digits = g.digits(idx)
    return (digits, *g.generate(digits))


@pytest.mark.parametrize("params", SMALL)
@pytest.mark.parametrize("seed", [0, 7])
def test_number_of_distinct_data_is_P_max(params, seed):
    g = RHM(**params, seed=seed)
    assert g.P_max == params["n_c"] * params["m"] ** ((params["s"] ** params["L"] - 1) // (params["s"] - 1))
    _, x, _ = _all_data(g)
    assert x.shape == (g.P_max, g.s**g.L)
    assert np.unique(x, axis=0).shape[0] == g.P_max
    # sampling the whole population without replacement gives every datum once
    xs, _ = g.sample(g.P_max, seed=seed)
    assert np.unique(xs, axis=0).shape[0] == g.P_max


@pytest.mark.parametrize("params", SMALL + [dict(v=8, m=8, s=2, L=3, n_c=8), dict(v=8, m=4, s=2, L=4, n_c=8)])
def test_every_rule_tuple_has_one_parent(params):
    for seed in range(5):
        g = RHM(**params, seed=seed)
        assert len(g.rules) == g.L and g.rules[0].shape == (g.n_c, g.m, g.s)
        for t, table in enumerate(g.rules):
            codes = (table @ (g.v ** np.arange(g.s - 1, -1, -1))).ravel()
            assert np.unique(codes).size == codes.size            # no tuple given twice at one level
            assert table.min() >= 0 and table.max() < g.v
            parents = g.parents[t]
            assert np.all(parents[codes] == np.repeat(np.arange(table.shape[0]), g.m))
            assert np.sum(parents >= 0) == table.shape[0] * g.m


def test_parent_table_rejects_an_ambiguous_table():
    rules = np.array([[[0, 1], [1, 1]], [[1, 0], [0, 1]]])   # (0, 1) given to both parents
    with pytest.raises(ValueError, match="ambiguous"):
        parent_table(rules, v=2)


@pytest.mark.parametrize("params", SMALL)
def test_labels_are_a_function_of_the_input(params):
    g = RHM(**params, seed=3)
    _, x, y = _all_data(g)
    assert np.array_equal(g.parse(x), y)                      # the bottom-up parse recovers every label
    # no input appears with two labels
    _, inverse = np.unique(x, axis=0, return_inverse=True)
    for k in np.unique(inverse):
        assert np.unique(y[inverse == k]).size == 1
    # a string outside the grammar is rejected
    bad = x[:1].copy()
    codes_used = g.parents[-1] >= 0
    if not codes_used.all():
        unused = np.flatnonzero(~codes_used)[0]
        bad[0, : g.s] = [(unused // g.v ** (g.s - 1 - j)) % g.v for j in range(g.s)]
        assert g.parse(bad)[0] == -1


@pytest.mark.parametrize("level", [1, 2, 3])
def test_synonym_exchange_keeps_the_label_and_moves_only_its_level(level):
    g = RHM(v=6, m=3, s=2, L=3, n_c=4, seed=11)
    digits = g.digits(g.sample_indices(2000, seed=0))
    x, y = g.generate(digits)
    moved = g.exchange_synonyms(digits, level, rng=np.random.default_rng(1))
    xm, ym = g.generate(moved)
    assert np.array_equal(ym, y) and np.array_equal(g.parse(xm), y)
    changed = np.any(moved != digits, axis=0)
    cols = g.depth_slice(g.L - level)
    assert changed[cols].all() and not np.delete(changed, np.arange(cols.start, cols.stop)).any()
    # the symbols at level l (the parents of level-(l-1) tuples) are unchanged
    def symbols_at(xx, lev):
        z = xx.astype(np.int64)
        for table in list(reversed(g.parents))[:lev]:
            z = table[(z.reshape(len(z), -1, g.s) @ (g.v ** np.arange(g.s - 1, -1, -1)))]
        return z
    assert np.array_equal(symbols_at(xm, level), symbols_at(x, level))
    assert not np.array_equal(xm, x)


def test_index_decoding_is_a_bijection():
    r = MixedRadix((3, 2, 5, 4))
    idx = np.arange(r.size)
    digits = r.decode(idx)
    # lexicographic order, most significant digit first
    assert [tuple(d) for d in digits] == list(itertools.product(range(3), range(2), range(5), range(4)))
    assert np.array_equal(r.encode(digits)[:, 0], idx)
    # a radix product far beyond int64: several chunks, exact round trips through Python integers
    big = MixedRadix((8,) + (4,) * 63)
    assert big.size == 8 * 4**63 and len(big.chunks) > 1 and all(c <= 2**62 for c in big.chunk_sizes)
    ints = [0, 1, big.size - 1, big.size // 3, 2**64 + 12345]
    chunks = big.from_int(ints)
    assert big.to_int(chunks) == ints
    assert np.array_equal(big.encode(big.decode(chunks)), chunks)
    d = big.decode(chunks)
    value = 0
    for digit, radix in zip(d[-1], big.radices):
        value = value * radix + int(digit)
    assert value == ints[-1]
    with pytest.raises(ValueError, match=r"indices must lie in \[0, "):
        big.from_int([big.size])


def test_sampling_without_replacement_for_astronomical_P_max():
    g = RHM(v=8, m=4, s=2, L=6, n_c=8, seed=0)        # P_max = 8 * 4**63 ~ 7e38
    assert g.P_max > 2**128
    idx = g.sample_indices(5000, seed=1)
    assert np.unique(idx, axis=0).shape[0] == 5000
    x, y = g.generate(g.digits(idx))
    assert np.array_equal(g.parse(x), y)
    (xtr, _), (xte, _) = g.train_test(300, 200, seed=2)
    assert not set(map(bytes, xtr)) & set(map(bytes, xte))


def test_train_and_test_sets_are_disjoint_and_cover_small_populations():
    g = RHM(v=4, m=2, s=2, L=2, n_c=3, seed=0)          # P_max = 24
    (xtr, _), (xte, _) = g.train_test(16, 8, seed=5)
    rows = np.concatenate([xtr, xte])
    assert np.unique(rows, axis=0).shape[0] == 24
    with pytest.raises(ValueError, match=r"P \+ P_test must be <= P_max = 24"):
        g.train_test(20, 5, seed=0)


#: SHA-256 of the rule tables of RHM(v=8, m=4, s=2, L=3, n_c=8, seed=2024) (int64, C order): the
#: grammar of a seed must be the same on every machine (it is drawn from NumPy's PCG64 doubles only).
GRAMMAR_SHA256 = "9d6a0d1f89d5df5db9029c465ca6ecd91282ea36f5a11c5a3c1750b9674d477c"


def _grammar_digest(g: RHM) -> str:
    h = hashlib.sha256()
    for t in g.rules:
        h.update(np.ascontiguousarray(t, dtype=np.int64).tobytes())
    return h.hexdigest()


def test_the_same_seed_gives_the_same_grammar_on_any_machine():
    g = RHM(v=8, m=4, s=2, L=3, n_c=8, seed=2024)
    assert _grammar_digest(g) == GRAMMAR_SHA256
    assert _grammar_digest(RHM(v=8, m=4, s=2, L=3, n_c=8, seed=2024)) == _grammar_digest(g)
    assert _grammar_digest(RHM(v=8, m=4, s=2, L=3, n_c=8, seed=2025)) != _grammar_digest(g)
    # levels are independent tables
    assert not np.array_equal(g.rules[1], g.rules[2])


def test_draw_rules_uses_only_the_generator_it_is_given():
    state = np.random.get_state()
    a = draw_rules(8, m=4, v=8, s=2, rng=np.random.default_rng(5))
    b = draw_rules(8, m=4, v=8, s=2, rng=np.random.default_rng(5))
    assert np.array_equal(a, b)
    assert np.array_equal(np.random.get_state()[1], state[1])


def test_uncorrelated_rules_carry_no_single_patch_information():
    g = RHM(v=3, m=3, s=2, L=3, n_c=3, seed=4, uncorrelated=True)
    _, x, y = _all_data(g)
    assert np.array_equal(g.parse(x), y)
    patches = x.reshape(len(x), -1, g.s) @ (g.v ** np.arange(g.s - 1, -1, -1))     # (P_max, s^(L-1)) codes
    for j in range(patches.shape[1]):
        counts = np.stack([np.bincount(patches[y == c, j], minlength=g.v**g.s) for c in range(g.n_c)])
        assert np.all(counts == counts[0])                     # the same patch histogram in every class
    # the correlated RHM with the same sizes does carry it
    gc = RHM(v=3, m=3, s=2, L=3, n_c=3, seed=4)
    _, xc, yc = _all_data(gc)
    pc = xc.reshape(len(xc), -1, g.s) @ (g.v ** np.arange(g.s - 1, -1, -1))
    counts = np.stack([np.bincount(pc[yc == c, 0], minlength=g.v**g.s) for c in range(g.n_c)])
    assert not np.all(counts == counts[0])


def test_uncorrelated_binary_model_is_parity():
    g = RHM(v=2, m=2, s=2, L=3, n_c=2, seed=9, uncorrelated=True)
    _, x, y = _all_data(g)
    parity = x.sum(axis=1) % 2
    assert np.array_equal(y, parity) or np.array_equal(y, 1 - parity)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(v=4, m=5, s=2, L=2, n_c=2), r"m must be <= v\*\*\(s-1\) = 4"),
        (dict(v=4, m=4, s=2, L=1, n_c=5), r"m \* n_c must be <= v\*\*s = 16"),
        (dict(v=1, m=1, s=2, L=2, n_c=2), r"v must be an integer >= 2"),
        (dict(v=4, m=2, s=1, L=2, n_c=2), r"s must be an integer >= 2"),
        (dict(v=4, m=2, s=2, L=0, n_c=2), r"L must be an integer >= 1"),
        (dict(v=4, m=2, s=2, L=2, n_c=1), r"n_c must be an integer >= 2"),
        (dict(v=4, m=2, s=2, L=2, n_c=2, uncorrelated=True), r"uncorrelated RHM needs m = v\*\*\(s-1\) = 4"),
    ],
)
def test_invalid_parameters_are_named(params, message):
    with pytest.raises(ValueError, match=message):
        RHM(**params, seed=0)


def test_sizes_beyond_P_max_are_refused():
    g = RHM(v=4, m=2, s=2, L=2, n_c=2, seed=0)
    with pytest.raises(ValueError, match=r"n must be <= P_max = 16"):
        g.sample_indices(17, seed=0)
    with pytest.raises(ValueError, match=r"level must be an integer in \[1, 2\]"):
        g.exchange_synonyms(g.digits(g.sample_indices(3, seed=0)), 3, rng=np.random.default_rng(0))


def test_one_hot_per_batch_numpy_and_torch_agree():
    g = RHM(v=5, m=2, s=2, L=3, n_c=3, seed=0)
    x, _ = g.sample(10, seed=0)
    a = one_hot(x, g.v)
    b = one_hot(torch.from_numpy(x), g.v)
    assert a.shape == (10, 8, 5) and a.dtype == np.float32 and b.dtype == torch.float32
    assert np.array_equal(a, b.numpy()) and np.all(a.sum(-1) == 1) and np.all(a.argmax(-1) == x)
