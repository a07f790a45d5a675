"""Module-level functions for the sweep tests (workers must be able to import them)."""

import os

CALLS_FILE_ENV = "SWEEP_TEST_CALLS"


def square(*, x, seed):
    path = os.environ.get(CALLS_FILE_ENV)
    if path:
        with open(path, "a") as f:
            f.write(f"{x},{seed}\n")
    return {"y": x * x + seed, "pid": os.getpid()}


def two_rows(*, x, seed):
    return [{"k": 0, "v": x}, {"k": 1, "v": -x}]


def fails_at(*, x, seed, bad):
    if x == bad:
        raise RuntimeError(f"boom at {x}")
    return square(x=x, seed=seed)


def blas_threads(*, x, seed):
    import threadpoolctl

    return {"threads": max((p["num_threads"] for p in threadpoolctl.threadpool_info()), default=1)}


def slow_square(*, x, seed, sleep):
    """``square`` after ``sleep`` seconds (for cancelling jobs midway)."""
    import time

    time.sleep(sleep)
    return square(x=x, seed=seed)


def hang(*, x, seed, started_dir):
    """Mark this worker as started (file named by its pid), then sleep for ten minutes."""
    import time
    from pathlib import Path

    Path(started_dir, f"{x}-{os.getpid()}").touch()
    time.sleep(600)
    return {"y": x}
