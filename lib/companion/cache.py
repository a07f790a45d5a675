"""A content-addressed on-disk cache for sweep results that cannot lie.

Key = SHA-256 of (the function's module and qualified name, its keyword arguments as canonical
JSON, the source of the code it runs — its module and every ``companion`` module that module
imports, transitively — and the pinned environment: ``requirements.txt`` and the versions of
Python, NumPy, SciPy, pandas and torch). Changing a module a function does not import leaves its
entries valid; upgrading NumPy invalidates them all. An interrupted sweep resumes from the entries
already written.

An entry is one JSON file, never a pickle (a cache shared on a cluster filesystem must not run
code when read). It holds its own key and the SHA-256 of its payload; arrays are stored as raw
bytes of a numeric dtype. On reading, an entry whose key differs from the requested one (a file
copied over another), whose checksum fails (a flipped bit), or that does not decode is reported on
stderr, deleted and recomputed: never trusted. Writes are atomic (temporary file in the same
folder, then ``os.replace``).

Environment:
  ``COMPANION_CACHE``      ``off`` disables the cache (the test suite does this so that nbval
                           really recomputes every page);
  ``COMPANION_CACHE_DIR``  where entries live. Default: ``.cache/companion/`` in the project's
                           checkout (the folder holding ``pyproject.toml`` above this package),
                           whichever way a page is run; ``~/.cache/companion`` for an installed copy.
A cache directory that cannot be created or written gives one message on stderr, and the sweep
computes without a cache.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import platform
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import numpy as np

from . import deps

#: Returned by :meth:`DiskCache.get` for an absent or rejected entry.
MISSING = object()

FORMAT = "companion-cache/2"
PROJECT_ROOT = deps.PACKAGE_ROOT.parents[1]
_ENV_PACKAGES = ("numpy", "scipy", "pandas", "torch")
_NUMERIC_KINDS = "biufc"  # bool, signed, unsigned, float, complex: no object arrays


def _warn(message: str) -> None:
    print(f"companion.cache: {message}", file=sys.stderr, flush=True)


@functools.cache
def library_hash() -> str:
    """SHA-256 of every ``.py`` file of the ``companion`` package (paths and contents, sorted)."""
    root = deps.PACKAGE_ROOT
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@functools.cache
def code_hash(module_name: str) -> str:
    """SHA-256 of the source a function of ``module_name`` runs: the module's file and the
    ``companion`` modules it imports, transitively (the whole library if the file is unknown)."""
    module = sys.modules.get(module_name)
    path = Path(getattr(module, "__file__", "") or "")
    if not path.is_file():
        return library_hash()
    files = sorted({path.resolve(), *deps.dependencies(path)})
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


@functools.cache
def environment_hash() -> str:
    """SHA-256 of the pinned environment: ``requirements.txt`` (if in a checkout) and the versions of
    Python and the numerical packages actually imported."""
    h = hashlib.sha256()
    req = PROJECT_ROOT / "requirements.txt"
    if req.is_file():
        h.update(req.read_bytes())
    h.update(platform.python_version().encode())
    for pkg in _ENV_PACKAGES:
        try:
            h.update(f"{pkg}={metadata.version(pkg)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{pkg}=absent".encode())
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
    """Hex key of a call ``fn(**kwargs)`` under the current code and environment."""
    payload = {
        "fn": f"{fn.__module__}.{fn.__qualname__}",
        "kwargs": _canonical(kwargs),
        "code": code_hash(fn.__module__),
        "environment": environment_hash(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


# --------------------------------------------------------------------------- the data format

def encode(value):
    """A JSON-able tree of ``value``: dicts with string keys, lists, tuples, str, bool, int, float,
    None, NumPy scalars and numeric arrays. Anything else raises ``TypeError`` (never pickled)."""
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"cache: dict keys must be strings; got {sorted(map(repr, value))[:3]}")
        return {"__dict__": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(f"cache: arrays must have a numeric dtype; got {value.dtype}")
        return {"__ndarray__": base64.b64encode(value.tobytes(order="C")).decode(), "dtype": value.dtype.str,
                "shape": list(value.shape)}
    if isinstance(value, np.generic):
        if value.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(f"cache: scalars must be numeric; got {value.dtype}")
        return {"__scalar__": encode(np.asarray(value))}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cache: cannot store a value of type {type(value).__name__} "
                    "(dicts, lists, tuples, numbers, strings and numeric arrays only)")


def decode(tree):
    """Inverse of :func:`encode`; raises ``ValueError`` on anything :func:`encode` cannot write."""
    if isinstance(tree, list):
        return [decode(v) for v in tree]
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if not isinstance(tree, dict) or len(tree) == 0:
        raise ValueError(f"cache: unexpected node {tree!r:.60}")
    if set(tree) == {"__dict__"} and isinstance(tree["__dict__"], dict):
        return {k: decode(v) for k, v in tree["__dict__"].items()}
    if set(tree) == {"__tuple__"} and isinstance(tree["__tuple__"], list):
        return tuple(decode(v) for v in tree["__tuple__"])
    if set(tree) == {"__scalar__"}:
        a = decode(tree["__scalar__"])
        if not isinstance(a, np.ndarray) or a.shape != ():
            raise ValueError("cache: malformed scalar")
        return a[()]
    if set(tree) == {"__ndarray__", "dtype", "shape"}:
        dtype = np.dtype(tree["dtype"])
        if dtype.kind not in _NUMERIC_KINDS:
            raise ValueError(f"cache: refusing dtype {dtype}")
        a = np.frombuffer(base64.b64decode(tree["__ndarray__"], validate=True), dtype=dtype)
        return a.reshape(tree["shape"]).copy()
    raise ValueError(f"cache: unexpected node with keys {sorted(tree)}")


# --------------------------------------------------------------------------- the store

def enabled() -> bool:
    return os.environ.get("COMPANION_CACHE", "on").lower() not in {"off", "0", "false", "no"}


def cache_dir() -> Path:
    """``COMPANION_CACHE_DIR``, else ``.cache/companion`` in the checkout, else ``~/.cache/companion``."""
    if os.environ.get("COMPANION_CACHE_DIR"):
        return Path(os.environ["COMPANION_CACHE_DIR"])
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / ".cache" / "companion"
    return Path.home() / ".cache" / "companion"


class CacheUnavailable(OSError):
    """The cache directory cannot be created or written."""


class DiskCache:
    """JSON entries under ``root``; one file per key, two-level fan-out.

    Raises :class:`CacheUnavailable` (one readable line) if ``root`` cannot be created or written.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else cache_dir()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=self.root, prefix=".probe-")
            os.close(fd)
            os.unlink(probe)
        except OSError as e:
            raise CacheUnavailable(f"cache directory {self.root} is not writable ({e.strerror or e}); "
                                   "computing without a cache") from None
        self.rejected = 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def _reject(self, path: Path, why: str):
        self.rejected += 1
        _warn(f"rejected entry {path.name}: {why}; it is deleted and recomputed")
        path.unlink(missing_ok=True)
        return MISSING

    def get(self, key: str, default=MISSING):
        """Stored value for ``key``, or ``default`` (``MISSING``) if absent or rejected."""
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return default
        except OSError as e:
            _warn(f"cannot read {path.name} ({e.strerror}); recomputing")
            return default
        try:
            header, _, payload = raw.partition(b"\n")
            head = json.loads(header)
            if not isinstance(head, dict) or head.get("format") != FORMAT:
                self._reject(path, "not a cache entry of this format")
                return default
            if head.get("key") != key:
                self._reject(path, f"it holds the result of another call (key {str(head.get('key'))[:12]}…)")
                return default
            if hashlib.sha256(payload).hexdigest() != head.get("sha256"):
                self._reject(path, "its payload does not match its checksum")
                return default
            return decode(json.loads(payload))
        except (ValueError, TypeError, UnicodeDecodeError) as e:
            self._reject(path, f"it does not decode ({' '.join(str(e).split())[:80]})")
            return default

    def put(self, key: str, value) -> None:
        """Store ``value`` atomically: a reader sees the old entry or the whole new one."""
        payload = json.dumps(encode(value), separators=(",", ":"), allow_nan=True).encode()
        header = json.dumps({"format": FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()})
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header.encode() + b"\n" + payload)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def open_store() -> DiskCache | None:
    """The cache for this process, or None (with one message) if it is switched off or unusable."""
    if not enabled():
        return None
    try:
        return DiskCache()
    except CacheUnavailable as e:
        _warn(str(e))
        return None
