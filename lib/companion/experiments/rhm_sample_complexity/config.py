"""Parameters of the page *Random Hierarchy Model*: the frozen config, its profiles, its validation."""

from __future__ import annotations

from dataclasses import dataclass

from ...rhm import RHM
from ...validate import check_float, check_float_list, check_int, config_from_profile

PAGE = "rhm_sample_complexity"


@dataclass(frozen=True, kw_only=True)
class Config:
    """Parameters of the page; build with :func:`make_config` (validated).

    Deep CNNs: every ``(m, L)`` of ``pairs`` at ``P = ratio * n_c m^L`` for each ratio of ``P_ratios``,
    ``seeds`` seeds (a seed fixes the grammar, the data, the initialisation and the batch order).
    Shallow nets: ``shallow_pairs`` at ``P = frac * P_max`` for each of ``shallow_fracs`` up to
    ``shallow_P_cap`` training points. Control: the uncorrelated RHM with
    ``v = m = n_c = control_v`` and depth ``control_L`` against the correlated one at ``control_ratios``.
    """

    profile: str = "book"
    v: int = 8
    n_c: int = 8
    s: int = 2
    pairs: tuple[tuple[int, int], ...] = ((2, 4), (3, 3), (4, 3), (4, 4), (8, 3))
    P_ratios: tuple[float, ...] = (0.25, 0.3536, 0.5, 0.7071, 1.0, 1.4142, 2.0, 2.8284, 4.0)
    seeds: int = 4
    P_test: int = 2000
    width: int = 128
    lr: float = 0.03
    batch_size: int = 128
    loss_tol: float = 0.01
    max_epochs: int = 1000
    threshold: float = 0.1
    n_sens: int = 500
    shallow_pairs: tuple[tuple[int, int], ...] = ((2, 3), (3, 3), (4, 3))
    shallow_fracs: tuple[float, ...] = (0.015625, 0.03125, 0.0625, 0.125, 0.25, 0.5)
    shallow_P_cap: int = 16384
    shallow_width: int = 256
    shallow_seeds: int = 4
    control_v: int = 4
    control_L: int = 3
    control_ratios: tuple[float, ...] = (1.0, 4.0, 16.0)
    control_seeds: int = 4


_PROFILE_DEFAULTS = {
    "book": {},
    "smoke": dict(v=4, n_c=4, pairs=((2, 3), (3, 3), (4, 3)), P_ratios=(0.5, 1.0, 2.0, 4.0), seeds=2,
                  P_test=300, width=32, max_epochs=200, n_sens=100, shallow_pairs=((2, 2), (3, 2), (2, 3)),
                  shallow_fracs=(0.0625, 0.125, 0.25), shallow_P_cap=1024, shallow_width=64,
                  control_v=2, control_L=4, control_ratios=(1.0, 4.0)),
    "paper": dict(pairs=((2, 4), (2, 5), (3, 3), (3, 4), (4, 3), (4, 4), (6, 3), (8, 3)),
                  P_ratios=(0.125, 0.1768, 0.25, 0.3536, 0.5, 0.7071, 1.0, 1.4142, 2.0, 2.8284, 4.0, 5.6569, 8.0),
                  seeds=8, P_test=10000, width=256, n_sens=2000, shallow_pairs=((2, 3), (3, 3), (4, 3), (2, 4)),
                  shallow_fracs=(0.0039063, 0.0078125, 0.015625, 0.03125, 0.0625, 0.125, 0.25, 0.5),
                  shallow_P_cap=140000, shallow_width=1024, shallow_seeds=4, control_ratios=(1.0, 4.0, 16.0, 64.0),
                  control_seeds=4),
}
PROFILES = tuple(_PROFILE_DEFAULTS)


def _as_pairs(name: str, value) -> tuple[tuple[int, int], ...]:
    try:
        return tuple((int(m), int(L)) for m, L in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a list of [m, L] pairs of integers; got {value!r}") from None


def _pairs(name: str, value, *, min_len: int) -> tuple[tuple[int, int], ...]:
    pairs = _as_pairs(name, value)
    for i, (m, L) in enumerate(pairs):
        check_int(f"{name}[{i}] m", m, lo=1)
        check_int(f"{name}[{i}] L", L, lo=1, hi=8)
    if len(set(pairs)) != len(pairs) or len(pairs) < min_len:
        raise ValueError(f"{name} must hold at least {min_len} distinct [m, L] pairs; got {value!r}")
    return pairs


def _increasing(name: str, values, *, lo: float, hi: float | None = None, min_len: int = 1) -> tuple[float, ...]:
    out = check_float_list(name, values, lo=lo, hi=hi, lo_open=True)
    if list(out) != sorted(set(out)) or len(out) < min_len:
        raise ValueError(f"{name} must be at least {min_len} increasing values; got {values!r}")
    return out


def grammar(cfg: Config, m: int, L: int, *, seed: int = 0, v: int | None = None, n_c: int | None = None,
            uncorrelated: bool = False) -> RHM:
    """The RHM of one ``(m, L)`` at the page's ``v``, ``n_c``, ``s`` (validated by :class:`RHM`)."""
    return RHM(v=cfg.v if v is None else v, m=m, s=cfg.s, L=L, n_c=cfg.n_c if n_c is None else n_c, seed=seed,
               uncorrelated=uncorrelated)


def control_grammar(cfg: Config, *, uncorrelated: bool, seed: int = 0) -> RHM:
    """The control's RHM: ``v = n_c = control_v``, ``m = v**(s-1)`` (every tuple used), depth ``control_L``."""
    v = cfg.control_v
    return grammar(cfg, v ** (cfg.s - 1), cfg.control_L, seed=seed, v=v, n_c=v, uncorrelated=uncorrelated)


def shallow_grid(cfg: Config, g: RHM) -> list[int]:
    """The shallow nets' training-set sizes for one grammar: ``round(frac * P_max)``, those up to
    ``shallow_P_cap``."""
    return [P for P in (max(2, round(f * g.P_max)) for f in cfg.shallow_fracs) if P <= cfg.shallow_P_cap]


def P_grid(ratios, P_c: int) -> list[int]:
    """Training-set sizes ``round(ratio * P_c)``."""
    return [max(1, round(r * P_c)) for r in ratios]


def make_config(profile: str = "book", **overrides) -> Config:
    """The profile's defaults with ``overrides`` (None = keep the default), validated.

    Raises ValueError naming the parameter and its valid range, before any compute.
    """
    for key in ("pairs", "shallow_pairs"):
        if overrides.get(key) is not None:
            overrides[key] = _as_pairs(key, overrides[key])
    cfg = config_from_profile(Config, profile, _PROFILE_DEFAULTS, overrides)
    check_int("v", cfg.v, lo=2, hi=64)
    check_int("n_c", cfg.n_c, lo=2, hi=cfg.v**cfg.s)
    check_int("s", cfg.s, lo=2, hi=8)
    pairs = _pairs("pairs", cfg.pairs, min_len=3)
    if len({cfg.n_c * m**L for m, L in pairs}) < 3:
        raise ValueError(f"pairs must give at least 3 distinct n_c m^L (the slope fit); got {pairs}")
    ratios = _increasing("P_ratios", cfg.P_ratios, lo=0.0, min_len=3)
    check_int("seeds", cfg.seeds, lo=2, hi=100)
    check_int("P_test", cfg.P_test, lo=50, hi=10**6)
    for m, L in pairs:
        try:
            g = grammar(cfg, m, L)
        except ValueError as e:
            raise ValueError(f"pairs: (m, L) = ({m}, {L}) is not a valid RHM at v = {cfg.v}, n_c = {cfg.n_c}, "
                             f"s = {cfg.s}: {e}") from None
        if max(P_grid(ratios, g.P_c)) + cfg.P_test > g.P_max:
            raise ValueError(f"pairs: (m, L) = ({m}, {L}) has P_max = {g.P_max} < max(P_ratios) * n_c m^L + P_test "
                             f"= {max(P_grid(ratios, g.P_c)) + cfg.P_test}; drop it or lower P_ratios / P_test")
    check_int("width", cfg.width, lo=1, hi=4096)
    check_float("lr", cfg.lr, lo=0.0, hi=1.0, lo_open=True)
    check_int("batch_size", cfg.batch_size, lo=1, hi=65536)
    check_float("loss_tol", cfg.loss_tol, lo=0.0, hi=1.0, lo_open=True)
    check_int("max_epochs", cfg.max_epochs, lo=1, hi=10**5)
    check_float("threshold", cfg.threshold, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    check_int("n_sens", cfg.n_sens, lo=10, hi=10**5)
    if cfg.n_sens > cfg.P_test:
        raise ValueError(f"n_sens must be <= P_test = {cfg.P_test} (sensitivities use test points); got {cfg.n_sens}")
    shallow = _pairs("shallow_pairs", cfg.shallow_pairs, min_len=3)
    fracs = _increasing("shallow_fracs", cfg.shallow_fracs, lo=0.0, hi=0.95, min_len=3)
    check_int("shallow_P_cap", cfg.shallow_P_cap, lo=2, hi=10**7)
    for m, L in shallow:
        try:
            g = grammar(cfg, m, L)
        except ValueError as e:
            raise ValueError(f"shallow_pairs: (m, L) = ({m}, {L}) is not a valid RHM: {e}") from None
        if round(min(fracs) * g.P_max) < 2:
            raise ValueError(f"shallow_fracs: min(shallow_fracs) * P_max must be >= 2 for (m, L) = ({m}, {L}) "
                             f"(P_max = {g.P_max})")
        if len(shallow_grid(cfg, g)) < 3:
            raise ValueError(f"shallow_P_cap: (m, L) = ({m}, {L}) keeps fewer than 3 sizes of shallow_fracs * P_max "
                             f"below shallow_P_cap = {cfg.shallow_P_cap}")
    if len({grammar(cfg, m, L).P_max for m, L in shallow}) < 3:
        raise ValueError(f"shallow_pairs must give at least 3 distinct P_max (the slope fit); got {shallow}")
    check_int("shallow_width", cfg.shallow_width, lo=1, hi=65536)
    check_int("shallow_seeds", cfg.shallow_seeds, lo=2, hi=100)
    check_int("control_v", cfg.control_v, lo=2, hi=16)
    check_int("control_L", cfg.control_L, lo=2, hi=6)
    control_ratios = _increasing("control_ratios", cfg.control_ratios, lo=0.0, min_len=2)
    g = control_grammar(cfg, uncorrelated=True)
    if max(P_grid(control_ratios, g.P_c)) + cfg.P_test > g.P_max:
        raise ValueError(f"control_ratios: max(control_ratios) * n_c m^L + P_test must be <= P_max = {g.P_max} "
                         f"for the control (v = m = n_c = {cfg.control_v}, L = {cfg.control_L})")
    check_int("control_seeds", cfg.control_seeds, lo=2, hi=100)
    return cfg
