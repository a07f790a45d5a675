"""Parameters of the page *feature vs lazy on the sphere*: frozen config, profiles, validation."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...validate import check_float, check_int, config_from_profile

PAGE = "feature_vs_lazy_sphere"


def beta_feature(d: int, nu_t: float = math.inf) -> float:
    """beta_feature = min(2 nu_t, d + 2) / (d - 1): ReLU atoms, harmonic decay k^{-(d+2)/2} (spectral-bias
    ansatz, derived in the science brief; not quoted from the paper)."""
    return min(2 * nu_t, d + 2) / (d - 1)


def beta_lazy(d: int, nu_t: float = math.inf) -> float:
    """beta_lazy = min(2 nu_t, 2 d) / (d - 1): the two-layer NTK, harmonic decay k^{-d} (same ansatz)."""
    return min(2 * nu_t, 2 * d) / (d - 1)


@dataclass(frozen=True, kw_only=True)
class Config:
    """Parameters of the page; build with :func:`make_config`.

    Learning curves of the constant target at each d of ``dims`` for the sizes ``sizes[i]`` (one tuple
    per d), ``seeds`` seeds, feature regime = minimum-L1 LP over ``M`` random directions (checked at
    2M at the largest size), lazy regime = ridgeless NTK regression; the exponent is fitted over the
    sizes >= ``fit_from``. The rough target: an even Gaussian random field of smoothness ``nu_t`` at
    d = ``grf_d``, sizes ``grf_sizes``. Trained networks at the sizes ``train_sizes`` (d = 3).
    """

    profile: str = "book"
    dims: tuple[int, ...] = (2, 3, 5)
    sizes: tuple[tuple[int, ...], ...] = ((8, 16, 32, 64, 128), (16, 32, 64, 128, 256), (16, 32, 64, 128))
    seeds: int = 3
    M: int = 4000
    n_test: int = 2000
    fit_from: int = 32
    nu_t: float = 1.5
    grf_d: int = 3
    grf_sizes: tuple[int, ...] = (16, 32, 64, 128, 256)
    spectrum_nodes: int = 24
    spectrum_k: tuple[int, int] = (2, 20)
    spectrum_seeds: int = 4
    train_sizes: tuple[int, ...] = (16, 32)
    H: int = 1000
    lam: float = 1e-4
    lr: float = 5.0
    steps: int = 10000
    alphas: tuple[float, ...] = (1.0, 10.0, 100.0, 1000.0)
    lazy_lr: float = 1.0
    lazy_steps: int = 3000


_PROFILES = {
    "book": {},
    "smoke": dict(sizes=((8, 16, 32), (16, 32, 64), (16, 32, 64)), seeds=2, M=1000, n_test=500, fit_from=8,
                  grf_sizes=(16, 32, 64), spectrum_nodes=12, spectrum_k=(2, 10), spectrum_seeds=2,
                  train_sizes=(16,), H=300, steps=1000, alphas=(1.0, 10.0, 100.0), lazy_steps=500),
    "paper": dict(sizes=((8, 16, 32, 64, 128, 256), (16, 32, 64, 128, 256, 512, 1024), (16, 32, 64, 128, 256, 512, 1024)),
                  seeds=8, M=16000, n_test=10000, grf_sizes=(16, 32, 64, 128, 256, 512, 1024), spectrum_nodes=40,
                  spectrum_k=(2, 36), spectrum_seeds=8, train_sizes=(16, 32, 64), H=4000, steps=100000,
                  alphas=(1.0, 10.0, 100.0, 1000.0), lazy_steps=20000),
}
PROFILES = tuple(_PROFILES)


def make_config(profile: str = "book", **overrides) -> Config:
    """The profile's defaults with ``overrides`` (None keeps the default), validated before any compute.

    Raises ValueError naming the parameter and its valid range.
    """
    if overrides.get("sizes") is not None:
        try:
            overrides["sizes"] = tuple(tuple(int(n) for n in s) for s in overrides["sizes"])
        except (TypeError, ValueError):
            raise ValueError(f"sizes must be a list of lists of integers (one list per d); got {overrides['sizes']!r}") from None
    cfg = config_from_profile(Config, profile, _PROFILES, overrides)
    if len(cfg.dims) < 1 or len(set(cfg.dims)) != len(cfg.dims):
        raise ValueError(f"dims must be distinct dimensions; got {cfg.dims!r}")
    for d in cfg.dims:
        check_int("d (in dims)", d, lo=2, hi=20)
    if len(cfg.sizes) != len(cfg.dims):
        raise ValueError(f"sizes must hold one list of sizes per d of dims ({len(cfg.dims)}); got {len(cfg.sizes)}")
    check_int("M", cfg.M, lo=10, hi=10**6)
    check_int("fit_from", cfg.fit_from, lo=1)
    for name, ns in [(f"sizes (d = {d})", s) for d, s in zip(cfg.dims, cfg.sizes)] + [("grf_sizes", cfg.grf_sizes)]:
        for n in ns:
            check_int(f"n in {name}", n, lo=2, hi=cfg.M)
        if list(ns) != sorted(set(ns)):
            raise ValueError(f"{name} must be increasing; got {ns!r}")
        if sum(n >= cfg.fit_from for n in ns) < 3:
            raise ValueError(f"{name} must hold at least 3 sizes >= fit_from = {cfg.fit_from} (the exponent fit); got {ns!r}")
    check_int("seeds", cfg.seeds, lo=2, hi=100)
    check_int("n_test", cfg.n_test, lo=100, hi=10**5)
    check_float("nu_t", cfg.nu_t, lo=0.0, hi=20.0, lo_open=True)
    check_int("grf_d", cfg.grf_d, lo=3, hi=3)
    check_int("spectrum_nodes", cfg.spectrum_nodes, lo=4, hi=64)
    k_lo, k_hi = cfg.spectrum_k
    check_int("spectrum_k[0]", k_lo, lo=2)
    check_int("spectrum_k[1]", k_hi, lo=k_lo + 4, hi=cfg.spectrum_nodes - 1)
    check_int("spectrum_seeds", cfg.spectrum_seeds, lo=1, hi=100)
    if not cfg.train_sizes:
        raise ValueError("train_sizes must hold at least one size")
    for n in cfg.train_sizes:
        check_int("n in train_sizes", n, lo=2, hi=1024)
    check_int("H", cfg.H, lo=10, hi=10**6)
    check_float("lam", cfg.lam, lo=0.0, hi=1.0, lo_open=True)
    check_float("lr", cfg.lr, lo=0.0, hi=100.0, lo_open=True)
    check_int("steps", cfg.steps, lo=10, hi=10**8)
    if len(cfg.alphas) < 3 or list(cfg.alphas) != sorted(set(cfg.alphas)):
        raise ValueError(f"alphas must be at least 3 increasing output scales (the rate fit); got {cfg.alphas!r}")
    for a in cfg.alphas:
        check_float("alpha in alphas", a, lo=0.0, lo_open=True)
    check_float("lazy_lr", cfg.lazy_lr, lo=0.0, hi=2.0, lo_open=True)
    check_int("lazy_steps", cfg.lazy_steps, lo=10, hi=10**7)
    return cfg
