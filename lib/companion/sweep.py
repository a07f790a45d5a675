"""Function × parameter grid × seeds → a tidy table, cached and in parallel.

``sweep(fn, grid, seeds=...)`` calls ``fn(**params, seed=s)`` for every point of the grid and every
seed and returns a :class:`pandas.DataFrame` with one row per call (or per row ``fn`` returns): the
parameters, the seed, and the keys of the dict ``fn`` returned.

Where calls run:
* locally by default, in a :class:`concurrent.futures.ProcessPoolExecutor` of
  ``min(n_calls, os.cpu_count())`` workers (``COMPANION_WORKERS`` overrides), each limited to one
  BLAS/torch thread — on small problems one thread per worker is fastest;
* anywhere else by passing ``executor=``: any object with ``submit(fn, **kwargs)`` returning a
  future with ``.result()``. On a SLURM cluster that is submitit's ``AutoExecutor``::

      ex = submitit.AutoExecutor(folder="slurm_logs")
      ex.update_parameters(timeout_min=60, slurm_partition="cpu", cpus_per_task=1)
      table = sweep(fn, grid, seeds=range(10), executor=ex)

  (``AutoExecutor`` falls back to local processes where there is no SLURM.)

``fn`` must be importable (a module-level library function) so that workers can find it.
Results are cached (see :mod:`companion.cache`) as they arrive, so an interrupted sweep resumes.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import multiprocessing
import os
import sys
from collections.abc import Iterable, Mapping
from contextlib import contextmanager, nullcontext

import pandas as pd

from . import cache as _cache

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def expand_grid(grid: Mapping[str, Iterable] | Iterable[Mapping]) -> list[dict]:
    """A dict of lists → its Cartesian product; a list of dicts → itself (explicit points)."""
    if isinstance(grid, Mapping):
        keys = list(grid)
        values = []
        for k in keys:
            v = grid[k]
            if isinstance(v, (str, bytes)) or not isinstance(v, Iterable):
                raise ValueError(f"grid[{k!r}] must be a list of values; got {v!r}")
            values.append(list(v))
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    points = [dict(p) for p in grid]
    if not all(isinstance(p, dict) for p in points):
        raise ValueError("grid must be a dict of lists or a list of dicts")
    return points


def _init_worker() -> None:
    """Limit every thread pool of a worker to one thread.

    The environment variables (set while the pool lives, so every spawned worker inherits them) cover
    libraries loaded after start-up; ``threadpoolctl`` covers the BLAS that unpickling this module
    already loaded; torch is limited only if the worker has imported it (never imported here).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


@contextmanager
def scoped_environ(**values: str):
    """Set environment variables for the duration of a ``with`` block, then restore them exactly
    (variables that were unset are removed again)."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _local_executor(n_workers: int) -> cf.Executor:
    return cf.ProcessPoolExecutor(max_workers=n_workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_init_worker)


def _rows(params: dict, seed, out) -> list[dict]:
    base = {**params, "seed": seed}
    if isinstance(out, Mapping):
        return [{**base, **out}]
    if isinstance(out, list) and all(isinstance(r, Mapping) for r in out):
        return [{**base, **r} for r in out]
    raise TypeError(f"a sweep function must return a dict or a list of dicts; got {type(out).__name__}")


class SweepError(RuntimeError):
    """A point of a sweep failed: the message names the function, the point and the original error
    (for a remote job, its traceback)."""


def _describe(kwargs: dict) -> str:
    return ", ".join(f"{k}={v!r:.60}" for k, v in kwargs.items())


def _queued_slurm_jobs() -> set[str] | None:
    """Ids of the jobs SLURM still holds (array tasks one by one), or None without ``squeue``."""
    import shutil
    import subprocess

    if not shutil.which("squeue"):
        return None
    out = subprocess.run(["squeue", "-h", "-r", "-o", "%i"], capture_output=True, text=True)
    return set(out.stdout.split()) if out.returncode == 0 else None


def _collect(futures, on_result, on_error, *, poll: float = 1.0, grace: float | None = None) -> None:
    """Wait for every future; call ``on_result(i, out)`` or ``on_error(i, exc)`` as each finishes.

    A SLURM job (a future with ``job_id``) that has left the queue without writing its result —
    cancelled, killed, out of time — is an error once ``grace`` seconds have passed (default 30,
    ``COMPANION_SLURM_GRACE``): without accounting, SLURM cannot say so and submitit would wait forever.
    """
    import time

    grace = float(os.environ.get("COMPANION_SLURM_GRACE", 30.0)) if grace is None else grace
    pending, gone_since = list(futures), {}
    while pending:
        still = []
        queued = _queued_slurm_jobs() if any(hasattr(f, "job_id") for f, _ in pending) else None
        for fut, i in pending:
            if fut.done():
                try:
                    out = fut.result()
                except Exception as exc:
                    on_error(i, exc)
                else:
                    on_result(i, out)
            elif queued is not None and hasattr(fut, "job_id") and str(fut.job_id) not in queued:
                since = gone_since.setdefault(i, time.monotonic())
                if time.monotonic() - since > grace:
                    on_error(i, RuntimeError(f"SLURM job {fut.job_id} left the queue without a result "
                                             "(cancelled, killed or out of time)"))
                else:
                    still.append((fut, i))
            else:
                gone_since.pop(i, None)
                still.append((fut, i))
        pending = still
        if pending:
            time.sleep(poll)


def ex_submit(executor, fn, kwargs: dict):
    """``executor.submit(fn, **kwargs)``; a separate function so that jobs can be batched."""
    return executor.submit(fn, **kwargs)


#: Settings of the SLURM executor, from the environment (see :func:`executor_from_environment`).
SLURM_ENV = {"COMPANION_SLURM_PARTITION": "partition (default: the cluster's default)",
             "COMPANION_SLURM_TIME_MIN": "time limit of a job in minutes (default 60)",
             "COMPANION_SLURM_MEM_GB": "memory of a job in GB (default 4)",
             "COMPANION_SLURM_CPUS": "CPUs of a job (default 1)",
             "COMPANION_SLURM_FOLDER": "where submitit keeps job scripts and logs (default _build/slurm)"}


def executor_from_environment():
    """``None`` (local processes) unless ``COMPANION_EXECUTOR=slurm``: then submitit's SLURM executor,
    one job per sweep point, submitted as a job array, with the ``COMPANION_SLURM_*`` settings."""
    kind = os.environ.get("COMPANION_EXECUTOR", "local").strip().lower()
    if kind in {"", "local"}:
        return None
    if kind != "slurm":
        raise ValueError(f"COMPANION_EXECUTOR must be 'local' or 'slurm'; got {kind!r}")
    import logging

    import submitit

    logging.getLogger("submitit").setLevel(logging.ERROR)  # sacct warnings when accounting is off
    env = os.environ
    folder = env.get("COMPANION_SLURM_FOLDER") or str(_cache.PROJECT_ROOT / "_build" / "slurm")
    cpus = int(env.get("COMPANION_SLURM_CPUS", "1"))
    ex = submitit.AutoExecutor(folder=folder, cluster="slurm")
    params = {"timeout_min": int(env.get("COMPANION_SLURM_TIME_MIN", "60")),
              "mem_gb": float(env.get("COMPANION_SLURM_MEM_GB", "4")), "cpus_per_task": cpus,
              "slurm_setup": [f"export {v}={cpus}" for v in THREAD_VARS]}
    if env.get("COMPANION_SLURM_PARTITION"):
        params["slurm_partition"] = env["COMPANION_SLURM_PARTITION"]
    ex.update_parameters(**params)
    return ex


def _progress(total: int, enabled: bool | None, desc: str):
    if enabled is None:
        enabled = os.environ.get("COMPANION_PROGRESS", "").lower() in {"1", "on", "true"} or sys.stderr.isatty()
    from tqdm import tqdm

    return tqdm(total=total, disable=not enabled, desc=desc, file=sys.stderr)


def sweep(fn, grid, *, seeds: Iterable[int] = (0,), executor=None, n_workers: int | None = None,
          cache: bool = True, progress: bool | None = None) -> pd.DataFrame:
    """Run ``fn(**point, seed=s)`` over ``grid`` × ``seeds``; return a tidy DataFrame.

    Parameters
    ----------
    fn : module-level function taking keyword arguments and ``seed``; returns a dict (one row) or a
        list of dicts (several rows) of results.
    grid : dict of lists (Cartesian product) or list of dicts (explicit points).
    seeds : the seeds, each passed as ``seed=``; use ``seeds=(None,)`` for deterministic ``fn``
        that take no seed.
    executor : None (local process pool) or an object with ``submit`` (e.g. submitit's
        ``AutoExecutor``); calls already cached are not submitted.
    n_workers : local workers (default: ``COMPANION_WORKERS`` or the number of CPUs).
    cache : use the on-disk cache (also switched off by ``COMPANION_CACHE=off``).
    progress : tqdm bar on stderr; None = only when stderr is a terminal or ``COMPANION_PROGRESS=1``.

    Rows come back in grid order, whatever order the calls finish in.
    """
    points = expand_grid(grid)
    seeds = list(seeds)
    if not seeds:
        raise ValueError("seeds must hold at least one seed")
    calls = [(p, s) for p in points for s in seeds]
    kwargs_of = [({**p, "seed": s} if s is not None else dict(p)) for p, s in calls]
    store = _cache.open_store() if cache else None
    keys = [_cache.cache_key(fn, kw) for kw in kwargs_of] if store else [None] * len(calls)

    results: list = [_cache.MISSING] * len(calls)
    if store:
        for i, key in enumerate(keys):
            results[i] = store.get(key)
    todo = [i for i, r in enumerate(results) if r is _cache.MISSING]
    name = f"{fn.__module__}.{getattr(fn, '__qualname__', fn)}"

    def done(i, out):
        results[i] = out
        if store:
            store.put(keys[i], out)

    def failure(i, exc) -> SweepError:
        return SweepError(f"{name}({_describe(kwargs_of[i])}) failed: {type(exc).__name__}: {exc}")

    if executor is None:
        executor = executor_from_environment()
    with _progress(len(calls), progress, getattr(fn, "__name__", "sweep")) as bar:
        bar.update(len(calls) - len(todo))
        if n_workers is None:
            n_workers = int(os.environ.get("COMPANION_WORKERS", os.cpu_count() or 1))
        if executor is None and (n_workers <= 1 or len(todo) <= 1):
            for i in todo:
                try:
                    out = fn(**kwargs_of[i])
                except Exception as exc:
                    raise failure(i, exc) from exc
                done(i, out)
                bar.update()
        elif executor is None:  # a local pool: fail fast, keeping every point already finished
            with scoped_environ(**dict.fromkeys(THREAD_VARS, "1")):
                ex = _local_executor(min(n_workers, len(todo)))
                try:
                    futures = {ex.submit(fn, **kwargs_of[i]): i for i in todo}
                    for fut in cf.as_completed(futures):
                        try:
                            out = fut.result()
                        except Exception as exc:
                            raise failure(futures[fut], exc) from exc
                        done(futures[fut], out)
                        bar.update()
                finally:
                    ex.shutdown(wait=True, cancel_futures=True)
        else:  # e.g. submitit: one job array; every job that finished is kept before any error is raised
            batch = executor.batch() if hasattr(executor, "batch") else nullcontext()
            with batch:
                futures = [(ex_submit(executor, fn, kwargs_of[i]), i) for i in todo]
            errors = []

            def collected(i, out):
                done(i, out)
                bar.update()

            _collect(futures, collected, lambda i, exc: errors.append(failure(i, exc)))
            if errors:
                more = f" (and {len(errors) - 1} other point(s); the finished ones are cached)" if len(errors) > 1 else ""
                raise SweepError(f"{errors[0]}{more}") from errors[0]

    rows = [row for (p, s), out in zip(calls, results) for row in _rows(p, s, out)]
    return pd.DataFrame(rows)
