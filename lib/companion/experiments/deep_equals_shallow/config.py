"""Parameters of the page *Deep equals shallow*: the frozen config, its profiles and its validation."""

from __future__ import annotations

from dataclasses import dataclass

from ...validate import check_int, check_int_list, config_from_profile

PAGE = "deep_equals_shallow"


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
    ntk_d: int = 3
    ntk_depths: tuple[int, ...] = (2, 3, 4)
    ntk_widths: tuple[int, ...] = (256, 1024, 4096)
    ntk_points: int = 24
    ntk_seeds: int = 8
    krr_d: int = 3
    krr_depths: tuple[int, ...] = (3, 4, 6)
    krr_P: tuple[int, ...] = (64, 128, 256, 512, 1024, 2048, 4096)
    krr_n_test: int = 2000
    krr_seeds: int = 4


_PROFILE_DEFAULTS = {
    "book": {},
    "smoke": dict(d_values=(3,), depths=(2, 3), step_depths=(2, 3), k_max=(200,), k_max_high=60,
                  ntk_depths=(2,), ntk_widths=(64, 256), ntk_points=8, ntk_seeds=2, krr_depths=(3,),
                  krr_P=(32, 64, 128, 256), krr_n_test=300, krr_seeds=2),
}
PROFILES = tuple(_PROFILE_DEFAULTS)


def make_config(profile: str = "book", **overrides) -> Config:
    """The profile's defaults with ``overrides`` (None = keep the default), validated.

    Raises ValueError naming the parameter and its valid range, before any compute.
    """
    cfg = config_from_profile(Config, profile, _PROFILE_DEFAULTS, overrides)
    check_int_list("d_values", cfg.d_values, lo=2, hi=50)
    check_int_list("depths", cfg.depths, lo=2, hi=12)
    check_int_list("step_depths", cfg.step_depths, lo=2, hi=6)
    check_int_list("k_max", cfg.k_max, lo=20, hi=5000)
    if len(cfg.k_max) != len(cfg.d_values):
        raise ValueError(f"k_max must give one value per entry of d_values ({len(cfg.d_values)}); got {cfg.k_max}")
    if not cfg.laplace_c > 0:
        raise ValueError(f"laplace_c must be a real number in (0, inf); got {cfg.laplace_c}")
    check_int("d_high", cfg.d_high, lo=2, hi=50)
    check_int("k_max_high", cfg.k_max_high, lo=20, hi=2000)
    check_int("prec_bits", cfg.prec_bits, lo=64, hi=1024)
    check_int("ntk_d", cfg.ntk_d, lo=2, hi=100)
    check_int_list("ntk_depths", cfg.ntk_depths, lo=2, hi=8)
    check_int_list("ntk_widths", cfg.ntk_widths, lo=8, hi=65536)
    check_int("ntk_points", cfg.ntk_points, lo=2, hi=500)
    check_int("ntk_seeds", cfg.ntk_seeds, lo=2, hi=100)
    check_int("krr_d", cfg.krr_d, lo=2, hi=50)
    check_int_list("krr_depths", cfg.krr_depths, lo=3, hi=12)
    check_int_list("krr_P", cfg.krr_P, lo=8, hi=20000)
    if list(cfg.krr_P) != sorted(set(cfg.krr_P)) or len(cfg.krr_P) < 3:
        raise ValueError(f"krr_P must be at least 3 increasing sizes; got {cfg.krr_P}")
    check_int("krr_n_test", cfg.krr_n_test, lo=100, hi=100000)
    check_int("krr_seeds", cfg.krr_seeds, lo=2, hi=100)
    return cfg

