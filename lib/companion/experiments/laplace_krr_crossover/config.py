"""The page's parameters, profiles, validation, and the scaling predictions every section uses.

Reconstruction (the paper's full text and code were not available to us): data x_1 ~ |x_1|^chi
e^{-x_1^2/2}, x_perp ~ N(0, I_{d-1}), target sign(x_1), kernel exp(-||x - y||/sigma), ridge
(K + lam I) a = y (:mod:`companion.krr`'s convention, no 1/P). Predictions (MSE ~ P^-beta):
truth (1+chi)/(d+chi) for lam << lam*, (1+chi)/(d+1+chi) at fixed lam once P >> P*(lam), and the
spectral-bias value beta_SB = (1+chi)(d+1)/(d(d+1+chi)) as lam -> 0+.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.stats

from ... import spectral_bias
from ...fit import LEVEL
from ...laplace import X1_LAWS
from ...validate import (check_choice, check_float, check_float_list, check_int, check_int_list,
                         config_from_profile)

PAGE = "laplace_krr_crossover"

# --------------------------------------------------------------------------- stated in advance
#: Fit windows (fixed before any run). Ridgeless: the upper RIDGELESS_OCTAVES octaves of the sizes
#: (the ridgeless error is a power law from small P, but heavy-tailed over seeds: a wide window).
#: Fixed lam: the upper FIXED_OCTAVES octaves, restricted to lam >= FIXED_LAM_MARGIN * lam*(P),
#: i.e. P >= FIXED_LAM_MARGIN^(d+chi) P*(lam); fewer than MIN_WINDOW_SIZES sizes: "not reached".
RIDGELESS_OCTAVES = 8
FIXED_OCTAVES = 4
FIXED_LAM_MARGIN = 10.0
MIN_WINDOW_SIZES = 3
#: Nyström nodes per mode that matters (rho* ~ min(P, sqrt(P/(sigma lam)))): the library measured
#: 0.5 % at 20 nodes per mode (ridgeless), second order, so ~1 % here.
NODES_PER_MODE = 16
MIN_NODES = 2**14
#: The crossover ridge lam_x(P) is where the MSE reaches CROSSOVER_FACTOR x its ridgeless value on
#: the same training set (root in log lam to LOG_LAM_XTOL).
CROSSOVER_FACTOR = 2.0
LOG_LAM_XTOL = 1e-3
#: Sweeps of cheap calls (milliseconds each, a few seconds in all) run in the page's process:
#: starting the two sweep workers costs seconds of imports each, more than these calls take.
IN_PROCESS = 1
#: The interface slab, d >= 2: Gram memory is 8 P^2 bytes (2 GiB at P = 16384).
MAX_INTERFACE_P = 32768
#: chi of the page's data. Below -1/2 the smallest gaps near x = 0 (~ P^{-1/(1+chi)} / P) fall below
#: float64 resolution at the book's sizes and the O(P) solver's tridiagonal system loses positive
#: definiteness (chi = -0.9 fails at P = 1024); above 8 the gap r(P) is of order one at every size
#: of the page (tried: chi = 8 still runs).
CHI_RANGE = (-0.5, 8.0)
#: Smallest training set in d = 1: with P >= 32 points, the chance that all fall on one side of the
#: interface (no gap, no extreme points) is 2^{1-P} < 1e-9.
MIN_P = 32


@dataclass(frozen=True, kw_only=True)
class Config:
    """Parameters of the page; build with :func:`make_config` (validated)."""

    profile: str = "book"
    sigma: float = 1.0
    chis: tuple[float, ...] = (0.0, 1.0, 2.0)
    lams: tuple[float, ...] = (0.0, 1e-3, 1e-2, 1e-1, 1.0)     # d = 1 learning curves; must hold 0
    lam_fixed: float = 1.0                                     # the fixed-lam fits; one of lams
    P_1d: tuple[int, ...] = tuple(2**k for k in range(6, 18))
    seeds_1d: int = 16
    crossover_P: tuple[int, ...] = (256, 1024, 4096, 16384)
    crossover_seeds: int = 16
    max_nodes: int = 2**20                                     # largest Nyström grid of the theory
    predictor_chi: float = 1.0
    predictor_P: int = 1000
    predictor_lams: tuple[float, ...] = (0.0, 1.0)
    predictor_seeds: int = 4
    interface_d: tuple[int, ...] = (2, 3)                      # ridgeless curves, interface slab
    interface_P: tuple[int, ...] = tuple(2**k for k in range(8, 14))
    interface_seeds: int = 8
    interface_n_test: int = 5_000                              # test points from the data density
    interface_x1_law: str = "power"                            # x_1 law of the d >= 2 data
    slab_edges: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)  # bins of u = |x_1| / r(P)
    slab_n_per_bin: int = 800                                  # test points per bin
    slab_C: float = 1.0                                        # interface part: u < slab_C
    core_radius: float = 2.0                                   # ... and |x_perp| <= core_radius
    table_d: tuple[int, ...] = (1, 2, 3, 5, 10, 100, 1000)
    workers: int | None = None                                 # sweep processes (None: the sweep's default)


_PROFILE_DEFAULTS = {
    "book": {},
    "smoke": dict(chis=(0.0, 1.0), lams=(0.0, 1e-2, 1.0), P_1d=tuple(2**k for k in range(6, 13)), seeds_1d=4,
                  crossover_P=(64, 256, 1024), crossover_seeds=4, max_nodes=2**16, predictor_P=200,
                  predictor_seeds=2, interface_d=(2,), interface_P=(64, 128, 256, 512), interface_n_test=2000,
                  slab_n_per_bin=200, interface_seeds=3, workers=1),
    "paper": dict(P_1d=tuple(2**k for k in range(6, 21)), seeds_1d=64, crossover_P=tuple(4**k for k in range(4, 9)),
                  crossover_seeds=64, max_nodes=2**22, predictor_seeds=8,
                  interface_P=tuple(2**k for k in range(8, 16)), interface_seeds=16, slab_n_per_bin=2000),
}
PROFILES = tuple(_PROFILE_DEFAULTS)


def make_config(profile: str = "book", **overrides) -> Config:
    """The profile's defaults with ``overrides`` (None = keep the default), validated.

    Raises ValueError naming the parameter and its valid range, before any compute, also for
    combinations that would fail later (a fit window with too few sizes, a theory grid too large).
    """
    cfg = config_from_profile(Config, profile, _PROFILE_DEFAULTS, overrides)
    check_float("sigma", cfg.sigma, lo=0.0, lo_open=True)
    check_float_list("chis", cfg.chis, lo=CHI_RANGE[0], hi=CHI_RANGE[1])
    if len(set(cfg.chis)) != len(cfg.chis):
        raise ValueError(f"chis must be distinct; got {cfg.chis}")
    check_float_list("lams", cfg.lams, lo=0.0)
    if 0.0 not in cfg.lams or list(cfg.lams) != sorted(set(cfg.lams)) or len(cfg.lams) < 2:
        raise ValueError(f"lams must be increasing ridges >= 0 starting with 0 (the ridgeless curve), "
                         f"at least 2; got {cfg.lams}")
    check_float("lam_fixed", cfg.lam_fixed, lo=0.0, lo_open=True)
    if cfg.lam_fixed not in cfg.lams:
        raise ValueError(f"lam_fixed must be one of lams {cfg.lams}; got {cfg.lam_fixed}")
    _check_sizes("P_1d", cfg.P_1d, lo=MIN_P, hi=2**22, n_min=4)
    if ridgeless_window(cfg.P_1d) is None:
        raise ValueError(f"P_1d must hold at least {MIN_WINDOW_SIZES} sizes within the upper {RIDGELESS_OCTAVES} "
                         f"octaves (the ridgeless fit window, P >= max(P_1d) / {2**RIDGELESS_OCTAVES}); got {cfg.P_1d}")
    check_int("seeds_1d", cfg.seeds_1d, lo=3, hi=1000)
    _check_sizes("crossover_P", cfg.crossover_P, lo=16, hi=2**20, n_min=3)
    check_int("crossover_seeds", cfg.crossover_seeds, lo=2, hi=1000)
    check_int("max_nodes", cfg.max_nodes, lo=MIN_NODES, hi=2**23)
    theory_P = [P for P in cfg.P_1d if theory_nodes(P=P, lam=0.0, sigma=cfg.sigma, max_nodes=cfg.max_nodes)]
    if ridgeless_window(theory_P or [1]) is None:
        raise ValueError(f"max_nodes = {cfg.max_nodes} is too small: the ridgeless theory (16 Nyström nodes per "
                         f"training point) must reach at least {MIN_WINDOW_SIZES} sizes of P_1d within its upper "
                         f"{RIDGELESS_OCTAVES} octaves; raise max_nodes (<= 2**23) or lower P_1d")
    if theory_nodes(P=max(cfg.P_1d), lam=cfg.lam_fixed, sigma=cfg.sigma, max_nodes=cfg.max_nodes) is None:
        raise ValueError(f"max_nodes = {cfg.max_nodes} is too small for the theory at lam_fixed = {cfg.lam_fixed} "
                         f"and P = {max(cfg.P_1d)}; raise max_nodes (<= 2**23) or lam_fixed")
    check_float("predictor_chi", cfg.predictor_chi, lo=CHI_RANGE[0], hi=CHI_RANGE[1])
    check_int("predictor_P", cfg.predictor_P, lo=MIN_P, hi=100_000)
    check_float_list("predictor_lams", cfg.predictor_lams, lo=0.0)
    for lam in cfg.predictor_lams:
        if theory_nodes(P=cfg.predictor_P, lam=lam, sigma=cfg.sigma, max_nodes=cfg.max_nodes) is None:
            raise ValueError(f"predictor_P = {cfg.predictor_P} needs a Nyström grid larger than max_nodes = "
                             f"{cfg.max_nodes} at predictor lam = {lam:g} (16 nodes per mode); lower predictor_P "
                             f"or raise max_nodes")
    check_int("predictor_seeds", cfg.predictor_seeds, lo=1, hi=100)
    check_int_list("interface_d", cfg.interface_d, lo=2, hi=10)
    if len(set(cfg.interface_d)) != len(cfg.interface_d):
        raise ValueError(f"interface_d must be distinct dimensions in [2, 10]; got {cfg.interface_d}")
    _check_sizes("interface_P", cfg.interface_P, lo=16, hi=MAX_INTERFACE_P, n_min=MIN_WINDOW_SIZES)
    check_int("interface_seeds", cfg.interface_seeds, lo=2, hi=1000)
    check_int("interface_n_test", cfg.interface_n_test, lo=100, hi=1_000_000)
    check_choice("interface_x1_law", cfg.interface_x1_law, X1_LAWS)
    edges = check_float_list("slab_edges", cfg.slab_edges, lo=0.0)
    if edges[0] != 0.0 or list(edges) != sorted(set(edges)) or len(edges) < 3:
        raise ValueError(f"slab_edges must be at least 3 increasing bin edges of u = |x_1|/r starting at 0; got {edges}")
    check_int("slab_n_per_bin", cfg.slab_n_per_bin, lo=10, hi=100_000)
    check_float("slab_C", cfg.slab_C, lo=0.0, lo_open=True)
    if cfg.slab_C not in edges[1:] or cfg.slab_C / 2 not in edges[1:]:
        raise ValueError(f"slab_C must be an edge of slab_edges {edges} whose half is an edge too (the interface "
                         f"part u < slab_C and its check u < slab_C/2); got {cfg.slab_C}")
    check_float("core_radius", cfg.core_radius, lo=0.5, hi=6.0)
    check_int_list("table_d", cfg.table_d, lo=1, hi=10**6)
    if cfg.workers is not None:
        check_int("workers", cfg.workers, lo=1, hi=1024)
    return cfg


def _check_sizes(name, values, *, lo, hi, n_min):
    values = check_int_list(name, values, lo=lo, hi=hi)
    if list(values) != sorted(set(values)) or len(values) < n_min:
        raise ValueError(f"{name} must be at least {n_min} increasing sizes in [{lo}, {hi}]; got {values}")


# --------------------------------------------------------------------------- scaling predictions

def exponents(d: int, chi: float) -> dict:
    """The reconstruction's three exponents (MSE ~ P^-beta): ``true``, ``fixed_lam``, ``spectral_bias``."""
    return spectral_bias.exponents(d=d, chi=chi)


def rival_sb(d: int, chi: float) -> float | None:
    """beta_SB as the rival of a truth claim, or None where the two coincide (chi = 0)."""
    e = exponents(d, chi)
    return None if math.isclose(e["spectral_bias"], e["true"], rel_tol=1e-12) else e["spectral_bias"]


def lam_star(P, *, d: int, chi: float, sigma: float):
    """Crossover ridge lam*(P) = P^(-1/(d+chi)) / sigma (up to an O(1) factor; vectorised in P)."""
    return np.asarray(P, dtype=np.float64) ** (-1.0 / (d + chi)) / sigma


def ridgeless_window(P_list) -> tuple[int, int] | None:
    """Sizes in the upper RIDGELESS_OCTAVES octaves: (lo, hi), or None if fewer than MIN_WINDOW_SIZES."""
    return _window(np.asarray(P_list), max(P_list) / 2**RIDGELESS_OCTAVES)


def fixed_lam_window(P_list, *, lam: float, d: int, chi: float, sigma: float) -> tuple[int, int] | None:
    """Sizes in the upper FIXED_OCTAVES octaves with lam >= FIXED_LAM_MARGIN * lam*(P), or None."""
    P = np.asarray(P_list)
    ok = lam >= FIXED_LAM_MARGIN * lam_star(P, d=d, chi=chi, sigma=sigma)
    return _window(P[ok], max(P_list) / 2**FIXED_OCTAVES)


def _window(P: np.ndarray, lo: float):
    sel = P[P >= lo]
    return (int(sel.min()), int(sel.max())) if sel.size >= MIN_WINDOW_SIZES else None


def theory_nodes(*, P: int, lam: float, sigma: float, max_nodes: int) -> int | None:
    """Nyström grid size for the theory at (P, lam): a power of two >= NODES_PER_MODE * rho*, where
    rho* ~ min(P, sqrt(P / (sigma lam))) counts the modes with P eta_rho >~ kappa (Laplace eigenvalues
    decay as 1/(sigma rho^2)); None if that exceeds ``max_nodes``."""
    rho = P if lam == 0 else min(P, math.sqrt(P / (sigma * lam)))
    n = 2 ** math.ceil(math.log2(max(MIN_NODES, NODES_PER_MODE * rho)))  # > P when lam = 0, as it must be
    return n if n <= max_nodes else None


def mean_ci(values, level: float = LEVEL) -> tuple[float, tuple[float, float]]:
    """Mean of ``values`` (one per seed) and its Student-t interval."""
    v = np.asarray(values, dtype=np.float64)
    if v.size < 2:
        raise ValueError(f"values must hold at least 2 seeds; got {v.size}")
    m = float(v.mean())
    half = float(scipy.stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return m, (m - half, m + half)


def jackknife_ci(stat, n_seeds: int, level: float = LEVEL) -> tuple[float, float]:
    """Delete-one jackknife interval over seeds for a statistic of all seeds together.

    ``stat(idx)`` evaluates the statistic on the seeds ``idx`` (whole seeds are left out, so nested
    training sets of one seed stay together); the interval is stat(all) ± t_{n-1} SE_jack with
    SE_jack^2 = (n-1)/n sum_i (stat(without i) - mean)^2 (deterministic: the same on every machine).
    """
    if n_seeds < 3:
        raise ValueError(f"n_seeds must be at least 3 for a jackknife interval; got {n_seeds}")
    every = np.arange(n_seeds)
    full = stat(every)
    loo = np.array([stat(np.delete(every, i)) for i in range(n_seeds)])
    se = math.sqrt((n_seeds - 1) / n_seeds * float(np.sum((loo - loo.mean()) ** 2)))
    half = float(scipy.stats.t.ppf(0.5 + level / 2, n_seeds - 1)) * se
    return full - half, full + half


def fmt_window(w) -> str:
    return "—" if w is None else f"[{w[0]}, {w[1]}]"
