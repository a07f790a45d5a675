"""A content-addressed on-disk cache for sweep results.

Key = SHA-256 of (function's module and qualified name, its keyword arguments as canonical JSON,
the hash of the whole library source). A library change therefore invalidates every entry; an
interrupted sweep resumes from the entries already written.

Writes are atomic (temporary file in the same folder, then ``os.replace``); an entry that cannot
be read back is deleted and recomputed, never trusted.

Environment:
  ``COMPANION_CACHE``      ``off`` disables the cache (the test suite does this so that nbval
                           really recomputes every page);
  ``COMPANION_CACHE_DIR``  where entries live (default ``~/.cache/companion``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import tempfile
from pathlib import Path

import numpy as np

#: Returned by :meth:`DiskCache.get` for an absent or unreadable entry.
MISSING = object()


@functools.cache
def library_hash() -> str:
    """SHA-256 of every ``.py`` file of the ``companion`` package (paths and contents, sorted)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _canonical(obj):
    """JSON-able canonical form of parameters (tuples → lists, numpy scalars → Python)."""
    if isinstance(obj, dict):
        return {str(k): _canonical(v) for k, v in sorted(obj.items())}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return {"__ndarray__": obj.tolist(), "dtype": str(obj.dtype)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot hash parameter of type {type(obj).__name__}: {obj!r}")


def cache_key(fn, kwargs: dict) -> str:
    """Hex key of a call ``fn(**kwargs)`` under the current library source."""
    payload = {
        "fn": f"{fn.__module__}.{fn.__qualname__}",
        "kwargs": _canonical(kwargs),
        "library": library_hash(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def enabled() -> bool:
    return os.environ.get("COMPANION_CACHE", "on").lower() not in {"off", "0", "false", "no"}


def cache_dir() -> Path:
    return Path(os.environ.get("COMPANION_CACHE_DIR", Path.home() / ".cache" / "companion"))


class DiskCache:
    """Pickle store under ``root``; one file per key, two-level fan-out."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else cache_dir()

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pkl"

    def get(self, key: str, default=MISSING):
        """Stored value for ``key``, or ``default`` (``MISSING``) if absent or unreadable."""
        path = self._path(key)
        try:
            with open(path, "rb") as f:
                return pickle.load(f)
        except FileNotFoundError:
            return default
        except Exception:  # truncated or corrupted entry: drop it and recompute
            path.unlink(missing_ok=True)
            return default

    def put(self, key: str, value) -> None:
        """Store ``value`` atomically: a reader sees the old entry or the whole new one."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pkl")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

