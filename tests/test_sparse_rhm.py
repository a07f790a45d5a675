"""The sparse RHM generator: counts by enumeration, labels kept by diffeomorphisms and synonym
exchanges, the reduction to the RHM at s0 = 0, uniform slots, one-hot encoding, validation."""

import numpy as np
import pytest
import scipy.stats
import torch

from companion.rhm import RHM
from companion.sparse_rhm import SparseRHM, one_hot

#: Small sparse grammars whose every datum can be enumerated (P_max <= ~10^4).
SMALL = [dict(v=3, m=2, s=2, L=2, n_c=2, s0=1), dict(v=4, m=2, s=2, L=2, n_c=2, s0=2),
         dict(v=3, m=1, s=3, L=2, n_c=2, s0=1), dict(v=2, m=1, s=2, L=3, n_c=2, s0=1)]
#: Significance level of the statistical test of uniform slots (a false alarm 1 time in 10^4).
ALPHA = 1e-4


def _all(g: SparseRHM):
    digits = g.digits(g.radix.from_int(range(g.P_max)))
    return (digits, *g.generate(digits))


@pytest.mark.parametrize("params", SMALL)
def test_number_of_distinct_data_is_the_P_max_formula(params):
    g = SparseRHM(**params, seed=1)
    s, L, s0 = params["s"], params["L"], params["s0"]
    n_nodes = (s**L - 1) // (s - 1)
    assert g.P_max == params["n_c"] * params["m"] ** n_nodes * (s0 + 1) ** (s * n_nodes)
    _, x, y = _all(g)
    assert x.shape == (g.P_max, (s * (s0 + 1)) ** L)
    assert np.unique(x, axis=0).shape[0] == g.P_max              # every index a distinct input
    assert np.all((x != g.empty).sum(axis=1) == s**L)          # s^L informative positions each
    assert np.array_equal(g.parse(x), y)                       # the label is a function of the input


@pytest.mark.parametrize("params", SMALL)
@pytest.mark.parametrize("level", [1, 2])
def test_diffeomorphism_and_synonym_exchange_keep_the_label(params, level):
    g = SparseRHM(**params, seed=2)
    digits, x, y = _all(g)
    rng = np.random.default_rng(0)
    moved_d, _ = g.generate(g.diffeo(digits, level, rng=rng))
    moved_s, _ = g.generate(g.exchange_synonyms(digits, level, rng=rng))
    assert np.array_equal(g.parse(moved_d), y) and np.array_equal(g.parse(moved_s), y)
    # the diffeomorphism moves symbols but keeps the informative values in order; exchanges keep slots
    assert np.array_equal(np.sort(moved_d != g.empty, axis=1).sum(axis=1), (x != g.empty).sum(axis=1))
    assert np.array_equal(moved_s != g.empty, x != g.empty)
    assert not np.array_equal(moved_d, x)                      # it does move something


def test_diffeo_redraws_only_the_slots_of_its_level():
    g = SparseRHM(v=4, m=2, s=2, L=3, n_c=2, s0=2, seed=0)
    digits = g.digits(g.sample_indices(500, seed=1))
    new = g.diffeo(digits, 2, rng=np.random.default_rng(3))
    changed = np.flatnonzero(np.any(new != digits, axis=0))
    cols = g.slot_slice(g.L - 2 + 1)
    assert changed.min() >= cols.start and changed.max() < cols.stop
    new = g.exchange_synonyms(digits, 1, rng=np.random.default_rng(3))
    changed = np.flatnonzero(np.any(new != digits, axis=0))
    assert changed.max() < 1 + g.n_nodes                       # rule digits only, never a slot


def test_parse_rejects_inputs_outside_the_grammar():
    g = SparseRHM(v=3, m=2, s=2, L=2, n_c=2, s0=1, seed=0)
    _, x, _ = _all(g)
    bad = x[:50].copy()
    first = np.argmax(bad != g.empty, axis=1)
    bad[np.arange(50), first ^ 1] = bad[np.arange(50), first]   # two symbols in one sub-patch
    assert np.all(g.parse(bad) == -1)


@pytest.mark.parametrize("params", [dict(v=4, m=2, s=2, L=2, n_c=3), dict(v=8, m=4, s=2, L=4, n_c=8),
                                    dict(v=8, m=8, s=2, L=6, n_c=8)])
def test_s0_zero_is_exactly_the_rhm(params):
    r, g = RHM(**params, seed=5), SparseRHM(**params, seed=5, s0=0)
    assert g.P_max == r.P_max and g.D == r.d
    for a, b in zip(r.rules, g.rules):
        assert np.array_equal(a, b)
    n = min(300, r.P_max)
    xr, yr = r.sample(n, seed=9)
    xs, ys = g.sample(n, seed=9)
    assert np.array_equal(xr, xs) and np.array_equal(yr, ys)
    assert torch.equal(one_hot(torch.from_numpy(xs), g.v), torch.nn.functional.one_hot(torch.from_numpy(xr).long(), r.v).float())


def test_slots_are_uniform_and_independent_of_the_symbols():
    g = SparseRHM(v=4, m=2, s=2, L=2, n_c=2, s0=2, seed=0)
    digits = g.digits(g.sample_indices(6000, seed=3))
    pos = g.positions(digits)
    slot = pos % (g.s0 + 1)                                    # slot of each leaf within its sub-patch
    counts = np.stack([np.bincount(slot[:, k], minlength=g.s0 + 1) for k in range(slot.shape[1])])
    assert scipy.stats.chisquare(counts.ravel().reshape(-1, g.s0 + 1), axis=1).pvalue.min() > ALPHA / slot.shape[1]
    x, _ = g.generate(digits)
    leaves = np.take_along_axis(x, pos, axis=1)
    table = np.zeros((g.v, g.s0 + 1))
    np.add.at(table, (leaves[:, 0], slot[:, 0]), 1)
    assert scipy.stats.chi2_contingency(table).pvalue > ALPHA


def test_one_hot_is_all_zero_at_empty_slots():
    g = SparseRHM(v=3, m=2, s=2, L=2, n_c=2, s0=2, seed=0)
    x, _ = g.sample(20, seed=0)
    for enc in (one_hot(x, g.v), one_hot(torch.from_numpy(x), g.v).numpy()):
        assert enc.shape == (20, g.D, g.v)
        assert np.all(enc[x == g.empty] == 0)
        assert np.all(enc[x != g.empty].sum(axis=-1) == 1)
        assert np.array_equal(enc[x != g.empty].argmax(-1), x[x != g.empty])


def test_same_seed_same_grammar_at_every_s0():
    tables = [SparseRHM(v=4, m=2, s=2, L=3, n_c=2, s0=s0, seed=4).rules for s0 in (0, 1, 2)]
    assert all(np.array_equal(a, b) for t in tables[1:] for a, b in zip(tables[0], t))


@pytest.mark.parametrize("kw, message", [
    (dict(s0=-1), r"s0 must be an integer in \[0, 64\]"),
    (dict(s0=1.5), r"s0 must be an integer"),
    (dict(s0=7, L=6), r"input length \(s \(s0 \+ 1\)\)\^L must be <="),
    (dict(m=5), r"m must be <= v\*\*\(s-1\)"),
    (dict(uncorrelated=True, m=4), r"uncorrelated must be False"),
])
def test_invalid_parameters_fail_with_the_parameter_named(kw, message):
    params = dict(v=4, m=2, s=2, L=2, n_c=2, s0=1, seed=0) | kw
    with pytest.raises(ValueError, match=message):
        SparseRHM(**params)


def test_transformations_validate_the_level():
    g = SparseRHM(v=4, m=2, s=2, L=2, n_c=2, s0=1, seed=0)
    d = g.digits(g.sample_indices(3, seed=0))
    with pytest.raises(ValueError, match=r"level must be an integer in \[1, 2\]"):
        g.diffeo(d, 3, rng=np.random.default_rng(0))
