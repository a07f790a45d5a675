"""Parameters of the page *How deep CNNs lose spatial information*: the frozen config, its profiles,
its validation."""

from __future__ import annotations

from dataclasses import dataclass

from ...scale_detection import ScaleDetection
from ...validate import check_float, check_int, check_int_list, config_from_profile

PAGE = "spatial_pooling"


@dataclass(frozen=True, kw_only=True)
class Config:
    """Parameters of the page; build with :func:`make_config` (validated).

    Task: scale detection at image size ``d``, scale ``xi``, margin ``gap``
    (:class:`companion.scale_detection.ScaleDetection`). Networks: :class:`companion.cnn1d.CNN1d`
    with ``L`` hidden layers of ``width`` channels, strided (filter 2, stride 2) or not (filter
    ``filter_size``, stride 1). The strided CNN is trained at every ``P`` of ``P_list``; the
    non-strided CNN and the linear (no ReLU) strided control at the largest ``P``; ``seeds`` seeds
    each. Sensitivities on ``n_sens`` test pairs; the idealised networks on every pair with
    ``ideal_draws`` draws of displacement and noise.
    """

    profile: str = "book"
    d: int = 64
    xi: int = 16
    gap: int = 4
    L: int = 6
    width: int = 32
    filter_size: int = 3
    P_list: tuple[int, ...] = (64, 128, 256, 512)
    seeds: int = 4
    lr: float = 0.01
    batch_size: int = 64
    loss_tol: float = 1e-4
    max_epochs: int = 1000
    linear_max_epochs: int = 100
    n_sens: int = 500
    ideal_draws: int = 8


_PROFILE_DEFAULTS = {
    "book": {},
    "smoke": dict(d=32, xi=8, gap=2, L=5, width=8, P_list=(64, 128), seeds=2, max_epochs=60, linear_max_epochs=10,
                  n_sens=100, ideal_draws=2),
    "paper": dict(d=256, xi=64, gap=4, L=8, width=64, filter_size=9, P_list=(128, 256, 512, 1024, 2048), seeds=10,
                  n_sens=2000, ideal_draws=16),
}
PROFILES = tuple(_PROFILE_DEFAULTS)


def task(cfg: Config) -> ScaleDetection:
    return ScaleDetection(d=cfg.d, xi=cfg.xi, gap=cfg.gap)


def make_config(profile: str = "book", **overrides) -> Config:
    """The profile's defaults with ``overrides`` (None = keep the default), validated.

    Raises ValueError naming the parameter and its valid range, before any compute.
    """
    cfg = config_from_profile(Config, profile, _PROFILE_DEFAULTS, overrides)
    check_int("d", cfg.d, lo=8, hi=4096)
    check_int("gap", cfg.gap, lo=0, hi=cfg.d // 4)
    check_int("xi", cfg.xi, lo=cfg.gap + 2, hi=cfg.d // 2 - cfg.gap)
    check_int("L", cfg.L, lo=2, hi=12)
    if cfg.d % 2**cfg.L:
        raise ValueError(f"L: d = {cfg.d} must be divisible by 2**L (the strided CNN halves the image L times); "
                         f"valid L are 2..{(cfg.d & -cfg.d).bit_length() - 1}; got L = {cfg.L}")
    check_int("width", cfg.width, lo=1, hi=1024)
    check_int("filter_size", cfg.filter_size, lo=3, hi=cfg.d)
    if cfg.filter_size % 2 == 0:
        raise ValueError(f"filter_size must be odd (centred circular padding); got {cfg.filter_size}")
    if cfg.L * (cfg.filter_size - 1) + 1 < cfg.xi - cfg.gap:
        raise ValueError(f"filter_size: the non-strided CNN's receptive field L (filter_size - 1) + 1 = "
                         f"{cfg.L * (cfg.filter_size - 1) + 1} must reach xi - gap = {cfg.xi - cfg.gap} (else it cannot "
                         f"see both pixels of a small-scale pair); use filter_size >= "
                         f"{2 * ((cfg.xi - cfg.gap - 1 + cfg.L - 1) // (2 * cfg.L)) + 1}")
    if 2**cfg.L < cfg.xi - cfg.gap:
        raise ValueError(f"L: the strided CNN's receptive field 2**L = {2 ** cfg.L} must reach xi - gap = {cfg.xi - cfg.gap}")
    P_list = check_int_list("P_list", cfg.P_list, lo=2)
    counts = [int((task(cfg).pairs()[2] == c).sum()) for c in (0, 1)]
    P_cap = 2 * (min(counts) - 1)
    if list(P_list) != sorted(set(P_list)) or len(P_list) < 2 or any(P % 2 for P in P_list) or max(P_list) > P_cap:
        raise ValueError(f"P_list must be at least 2 increasing even sizes <= {P_cap} (balanced training sets from "
                         f"the {sum(counts)} pairs of d={cfg.d}, xi={cfg.xi}, gap={cfg.gap}); got {P_list}")
    check_int("seeds", cfg.seeds, lo=2, hi=100)
    check_float("lr", cfg.lr, lo=0.0, hi=1.0, lo_open=True)
    check_int("batch_size", cfg.batch_size, lo=1, hi=65536)
    check_float("loss_tol", cfg.loss_tol, lo=0.0, hi=1.0, lo_open=True)
    check_int("max_epochs", cfg.max_epochs, lo=1, hi=10**5)
    check_int("linear_max_epochs", cfg.linear_max_epochs, lo=1, hi=10**5)
    n_test = sum(counts) - max(P_list)
    check_int("n_sens", cfg.n_sens, lo=10, hi=n_test)
    check_int("ideal_draws", cfg.ideal_draws, lo=2, hi=1000)
    return cfg
