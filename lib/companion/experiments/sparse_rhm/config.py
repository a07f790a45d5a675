"""Parameters of the page *Sparse Random Hierarchy Model*: the frozen config, its profiles, its validation."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ...lcn import ARCHS
from ...sparse_rhm import SparseRHM
from ...validate import check_choice, check_float, check_int, config_from_profile

PAGE = "sparse_rhm"


@dataclass(frozen=True, kw_only=True)
class Config:
    """Parameters of the page; build with :func:`make_config` (validated).

    ``grammars`` lists one ``(L, v, m, n_c)`` per depth (patch size ``s``). For every grammar, every
    ``s0`` of ``s0s`` and every architecture of ``archs``, networks are trained at
    ``P = P_c 2^k`` (``P_c = n_c m^L``) for ``k = k_lo, ..., k_hi + ceil(log2 (s0+1)^L)`` in steps
    of ``1/steps_per_octave`` (the window widened by the largest predicted cost of sparsity; sizes that
    would leave fewer than ``min_test`` test points out of ``P_max`` are dropped), ``seeds`` seeds each (a seed
    fixes the grammar, the data, the initialisation and the batch order; the same seed gives the same
    grammar at every ``s0``, so the cost of sparsity is measured seed by seed).
    """

    profile: str = "book"
    s: int = 2
    grammars: tuple[tuple[int, int, int, int], ...] = ((2, 6, 6, 2), (3, 4, 2, 2))
    s0s: tuple[int, ...] = (0, 1, 2)
    archs: tuple[str, ...] = ("lcn", "cnn")
    k_lo: int = -1
    k_hi: int = 3
    steps_per_octave: int = 2
    seeds: int = 3
    P_test: int = 1000
    min_test: int = 100
    width: int = 32
    lr: float = 0.03
    batch_size: int = 128
    loss_tol: float = 0.01
    max_epochs: int = 300
    threshold: float = 0.1
    sens_fraction: float = 0.5
    n_sens: int = 300
    diagram_s0: int = 1


_PROFILE_DEFAULTS = {
    "book": {},
    "smoke": dict(grammars=((2, 6, 6, 2), (3, 4, 2, 2)), s0s=(0, 1, 2), k_lo=0, k_hi=2, steps_per_octave=1, seeds=2, P_test=300,
                  width=16, max_epochs=60, n_sens=100),
    "paper": dict(grammars=((2, 8, 8, 8), (3, 8, 8, 8)), s0s=(0, 1, 2, 3), k_lo=-2, k_hi=3, seeds=8, P_test=10000,
                  width=512, lr=0.01, max_epochs=2000, loss_tol=1e-3, n_sens=2000),
}
PROFILES = tuple(_PROFILE_DEFAULTS)


def model(cfg: Config, L: int, s0: int, *, seed: int = 0) -> SparseRHM:
    """The sparse RHM of depth ``L`` (its grammar from ``cfg.grammars``) with ``s0`` empty slots."""
    for L_, v, m, n_c in cfg.grammars:
        if L_ == L:
            return SparseRHM(v=v, m=m, s=cfg.s, L=L, n_c=n_c, s0=s0, seed=seed)
    raise ValueError(f"L must be one of the grammars' depths {[g[0] for g in cfg.grammars]}; got {L}")


def P_grid(cfg: Config, L: int, s0: int) -> list[int]:
    """Training-set sizes of one (L, s0): ``P_c 2^k``, ``k = k_lo .. k_hi + ceil(log2 (s0+1)^L)``."""
    g = model(cfg, L, s0)
    k_top = cfg.k_hi + math.ceil(L * math.log2(s0 + 1) - 1e-9)
    q = cfg.steps_per_octave
    Ps = [max(1, round(g.P_c * 2.0 ** (k / q))) for k in range(cfg.k_lo * q, k_top * q + 1)]
    return [P for P in Ps if P + cfg.min_test <= g.P_max]


def test_size(cfg: Config, L: int, s0: int) -> int:
    """Test points of one (L, s0): ``P_test``, or what ``P_max`` leaves beside the largest training set."""
    return int(min(cfg.P_test, model(cfg, L, s0).P_max - max(P_grid(cfg, L, s0))))


def _as_grammars(value) -> tuple[tuple[int, int, int, int], ...]:
    try:
        return tuple(tuple(int(a) for a in g) for g in value)
    except (TypeError, ValueError):
        raise ValueError(f"grammars must be a list of [L, v, m, n_c] of integers; got {value!r}") from None


def make_config(profile: str = "book", **overrides) -> Config:
    """The profile's defaults with ``overrides`` (None = keep the default), validated.

    Raises ValueError naming the parameter and its valid range, before any compute.
    """
    if overrides.get("grammars") is not None:
        overrides["grammars"] = _as_grammars(overrides["grammars"])
    cfg = config_from_profile(Config, profile, _PROFILE_DEFAULTS, overrides)
    check_int("s", cfg.s, lo=2, hi=4)
    grammars = _as_grammars(cfg.grammars)
    if any(len(g) != 4 for g in grammars) or not grammars:
        raise ValueError(f"grammars must be a non-empty list of [L, v, m, n_c]; got {cfg.grammars!r}")
    depths = [g[0] for g in grammars]
    if len(set(depths)) != len(depths):
        raise ValueError(f"grammars must have distinct depths L; got {depths}")
    for L, v, m, n_c in grammars:
        check_int("grammars L", L, lo=2, hi=4)      # S_2 and D_2 need a second hidden layer
    s0s = tuple(check_int(f"s0s[{i}]", s0, lo=0, hi=8) for i, s0 in enumerate(cfg.s0s))
    if list(s0s) != sorted(set(s0s)) or len(s0s) < 3 or s0s[0] != 0:
        raise ValueError(f"s0s must be at least 3 increasing values starting at 0 (the fit of P*(s0)/P*(0)); got {cfg.s0s!r}")
    if not cfg.archs or len(set(cfg.archs)) != len(cfg.archs):
        raise ValueError(f"archs must be distinct values among {ARCHS}; got {cfg.archs!r}")
    for a in cfg.archs:
        check_choice("archs", a, ARCHS)
    check_int("k_lo", cfg.k_lo, lo=-6, hi=6)
    check_int("k_hi", cfg.k_hi, lo=cfg.k_lo + 1, hi=10)
    check_int("steps_per_octave", cfg.steps_per_octave, lo=1, hi=8)
    check_int("seeds", cfg.seeds, lo=2, hi=100)
    check_int("min_test", cfg.min_test, lo=20)
    check_int("P_test", cfg.P_test, lo=cfg.min_test, hi=10**6)
    for L, v, m, n_c in grammars:
        for s0 in s0s:
            try:
                model(replace(cfg, grammars=grammars), L, s0)
            except ValueError as e:
                raise ValueError(f"grammars: (L, v, m, n_c) = ({L}, {v}, {m}, {n_c}) at s0 = {s0} is not a valid "
                                 f"sparse RHM: {e}") from None
    cfg = replace(cfg, grammars=grammars, s0s=s0s)
    for L, v, m, n_c in grammars:
        for s0 in s0s:
            if len(P_grid(cfg, L, s0)) < 3 or test_size(cfg, L, s0) < cfg.min_test:
                raise ValueError(f"grammars: (L, v, m, n_c) = ({L}, {v}, {m}, {n_c}) at s0 = {s0} has P_max = "
                                 f"{model(cfg, L, s0).P_max}, which leaves fewer than 3 training-set sizes with min_test = "
                                 f"{cfg.min_test} test points beside them; raise m or lower k_lo")
    check_int("width", cfg.width, lo=1, hi=4096)
    check_float("lr", cfg.lr, lo=0.0, hi=1.0, lo_open=True)
    check_int("batch_size", cfg.batch_size, lo=1, hi=65536)
    check_float("loss_tol", cfg.loss_tol, lo=0.0, hi=1.0, lo_open=True)
    check_int("max_epochs", cfg.max_epochs, lo=1, hi=10**5)
    check_float("threshold", cfg.threshold, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    check_float("sens_fraction", cfg.sens_fraction, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    check_int("n_sens", cfg.n_sens, lo=10, hi=10**5)
    if cfg.n_sens > cfg.P_test:
        raise ValueError(f"n_sens must be <= P_test = {cfg.P_test} (sensitivities use test points); got {cfg.n_sens}")
    check_int("diagram_s0", cfg.diagram_s0, lo=1, hi=8)
    return cfg
