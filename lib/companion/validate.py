"""Parameter checks that fail at once with a message naming the parameter and its valid range.

Every public entry point validates its inputs with these before any compute, so a page given
invalid parameters stops at its first cell with a readable error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def check_int(name: str, value, *, lo: int | None = None, hi: int | None = None) -> int:
    """Return ``value`` if it is an integer in [lo, hi], else raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int,)) and not _is_integral(value):
        raise ValueError(f"{name} must be an integer{_range(lo, hi)}; got {value!r}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be an integer{_range(lo, hi)}; got {value}")
    return value


def check_float(
    name: str,
    value,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Return ``value`` as float if it is finite and within the (half-)open or closed range."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number{_frange(lo, hi, lo_open, hi_open)}; got {value!r}") from None
    if isinstance(value, bool) or not math.isfinite(x):
        raise ValueError(f"{name} must be a finite real number{_frange(lo, hi, lo_open, hi_open)}; got {value!r}")
    bad_lo = lo is not None and (x <= lo if lo_open else x < lo)
    bad_hi = hi is not None and (x >= hi if hi_open else x > hi)
    if bad_lo or bad_hi:
        raise ValueError(f"{name} must be a real number{_frange(lo, hi, lo_open, hi_open)}; got {value!r}")
    return x


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise ``ValueError`` listing them."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value


def check_int_list(name: str, values, *, lo: int | None = None, hi: int | None = None, nonempty: bool = True) -> tuple[int, ...]:
    """Validate a sequence of integers, each in [lo, hi]; return it as a tuple."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a list of integers{_range(lo, hi)}; got {values!r}")
    out = tuple(check_int(f"{name}[{i}]", v, lo=lo, hi=hi) for i, v in enumerate(values))
    if nonempty and not out:
        raise ValueError(f"{name} must be a non-empty list of integers{_range(lo, hi)}")
    return out


def check_float_list(name: str, values, *, lo: float | None = None, hi: float | None = None,
                     lo_open: bool = False, nonempty: bool = True) -> tuple[float, ...]:
    """Validate a sequence of reals, each in the given range; return it as a tuple."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a list of real numbers{_frange(lo, hi, lo_open, False)}; got {values!r}")
    out = tuple(check_float(f"{name}[{i}]", v, lo=lo, hi=hi, lo_open=lo_open) for i, v in enumerate(values))
    if nonempty and not out:
        raise ValueError(f"{name} must be a non-empty list of real numbers")
    return out


def _is_integral(value) -> bool:
    try:
        import numpy as np

        return isinstance(value, np.integer)
    except ImportError:  # pragma: no cover
        return False


def _range(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f" in [{lo}, {hi}]"
    if lo is not None:
        return f" >= {lo}"
    if hi is not None:
        return f" <= {hi}"
    return ""


def _frange(lo, hi, lo_open, hi_open) -> str:
    if lo is None and hi is None:
        return ""
    left = "(" if lo_open or lo is None else "["
    right = ")" if hi_open or hi is None else "]"
    return f" in {left}{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}{right}"


def config_from_profile(cls, profile: str, profiles: dict[str, dict], overrides: dict):
    """A page's frozen config: ``cls`` defaults, then ``profiles[profile]``, then ``overrides``.

    ``None`` in ``overrides`` keeps the default (a page's parameters cell sets every optional parameter
    to None); lists become tuples. Unknown names and profiles raise ``ValueError`` listing the valid
    ones. The values themselves are validated by the caller.
    """
    from dataclasses import fields, replace

    profile = check_choice("profile", profile, profiles)
    names = [f.name for f in fields(cls) if f.name != "profile"]
    for name in overrides:
        if name not in names:
            raise ValueError(f"unknown parameter {name!r}; valid parameters: {', '.join(names)}")
    values = {**profiles[profile], **{k: v for k, v in overrides.items() if v is not None}}
    return replace(cls(profile=profile), **{k: (tuple(v) if isinstance(v, list) else v) for k, v in values.items()})
