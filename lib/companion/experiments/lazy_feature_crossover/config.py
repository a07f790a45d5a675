"""Parameters of the page *lazy-feature crossover*: the frozen config, its profiles, its validation."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...digits import SOURCES, size
from ...validate import check_choice, check_float, check_float_list, check_int, check_int_list, config_from_profile

PAGE = "lazy_feature_crossover"

__all__ = ["PAGE", "PROFILES", "Config", "make_config", "x_grid"]


@dataclass(frozen=True, kw_only=True)
class Config:
    """Parameters of the page; build with :func:`make_config` (validated).

    Data: ``P`` training and ``n_test`` test digits of ``source`` (one fixed split, ``data_seed``),
    parity labels, average-pooled ``pool`` x ``pool`` and renormalised to norm sqrt(d).
    Networks: ``L`` hidden layers, every width of ``widths``, at every x = sqrt(h) alpha of
    ``log10_x`` (the paper's alpha, so x is the authors' code's alpha), ``seeds`` initialisations each.
    Dynamics: gradient flow with the paper's adaptive step, at most ``max_steps`` accepted steps.
    Fits: the kernel change's lazy side is x >= ``lazy_from``; the feature side (t_1) x <= ``feature_to``.
    """

    profile: str = "book"
    source: str = "mnist"
    P: int = 200
    n_test: int = 1000
    pool: int = 2
    data_seed: int = 0
    L: int = 2
    widths: tuple[int, ...] = (8, 24, 64)
    log10_x: tuple[float, ...] = (-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
    seeds: int = 4
    max_steps: int = 20000
    lazy_from: float = 100.0
    feature_to: float = 0.1


_PROFILE_DEFAULTS = {
    "book": {},
    "smoke": dict(P=64, n_test=200, widths=(8, 16, 64), log10_x=(-2.0, -1.0, 0.0, 2.0, 4.0), seeds=2,
                  max_steps=5000),
    "paper": dict(P=4000, n_test=1000, pool=1, L=3, widths=(100, 300, 1000),
                  log10_x=tuple(k / 2 for k in range(-6, 11)), seeds=20, max_steps=10**6),
}
PROFILES = tuple(_PROFILE_DEFAULTS)


def x_grid(cfg: Config) -> list[float]:
    """The values of x = sqrt(h) alpha: 10 ** log10_x."""
    return [10.0**v for v in cfg.log10_x]


def make_config(profile: str = "book", **overrides) -> Config:
    """The profile's defaults with ``overrides`` (None = keep the default), validated.

    Raises ValueError naming the parameter and its valid range, before any compute.
    """
    cfg = config_from_profile(Config, profile, _PROFILE_DEFAULTS, overrides)
    check_choice("source", cfg.source, SOURCES)
    total = size(cfg.source)
    check_int("P", cfg.P, lo=8, hi=total - 1)
    check_int("n_test", cfg.n_test, lo=20, hi=total - cfg.P)
    side = 28 if cfg.source == "mnist" else 8
    pool = check_int("pool", cfg.pool, lo=1, hi=side)
    if side % pool:
        raise ValueError(f"pool must divide the image side {side} of source {cfg.source!r}; got {pool}")
    check_int("data_seed", cfg.data_seed, lo=0)
    check_int("L", cfg.L, lo=1, hi=10)
    widths = check_int_list("widths", cfg.widths, lo=2, hi=100_000)
    if list(widths) != sorted(set(widths)) or len(widths) < 3:
        raise ValueError(f"widths must be at least 3 increasing integers (the collapse across h); got {cfg.widths!r}")
    if widths[-1] / widths[0] < 8:
        raise ValueError(f"widths must span a factor >= 8 (max/min) to test sqrt(h) scaling; got {cfg.widths!r}")
    logs = check_float_list("log10_x", cfg.log10_x, lo=-8.0, hi=8.0)
    if list(logs) != sorted(set(logs)) or len(logs) < 4:
        raise ValueError(f"log10_x must be at least 4 increasing values in [-8, 8]; got {cfg.log10_x!r}")
    if logs[-1] - logs[0] < 6:
        raise ValueError(f"log10_x must span at least 6 decades of sqrt(h) alpha; got {logs[0]} to {logs[-1]}")
    check_int("seeds", cfg.seeds, lo=2, hi=1000)
    check_int("max_steps", cfg.max_steps, lo=10, hi=10**8)
    lazy = check_float("lazy_from", cfg.lazy_from, lo=0.0, lo_open=True)
    feat = check_float("feature_to", cfg.feature_to, lo=0.0, lo_open=True)
    if sum(v >= math.log10(lazy) - 1e-12 for v in logs) < 2:
        raise ValueError(f"lazy_from must leave at least 2 values of 10**log10_x >= it (the lazy-side slope); "
                         f"got lazy_from = {lazy:g}")
    if sum(v <= math.log10(feat) + 1e-12 for v in logs) < 2:
        raise ValueError(f"feature_to must leave at least 2 values of 10**log10_x <= it (the feature-side t_1 "
                         f"slope); got feature_to = {feat:g}")
    if feat >= lazy:
        raise ValueError(f"feature_to must be < lazy_from; got {feat:g} >= {lazy:g}")
    return cfg
