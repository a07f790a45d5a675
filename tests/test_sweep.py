"""Sweep helper and disk cache: tidy output, order, parallelism, resume, invalidation, corruption."""

import concurrent.futures as cf
import os

import pytest

from companion import cache, sweep

import _sweep_fns as fns


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COMPANION_CACHE", "on")
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv(fns.CALLS_FILE_ENV, str(calls))
    return tmp_path


def _ncalls(tmp_path):
    p = tmp_path / "calls.txt"
    return len(p.read_text().splitlines()) if p.exists() else 0


def test_tidy_table_in_grid_order(cache_dir):
    df = sweep.sweep(fns.square, {"x": [3, 1, 2]}, seeds=[0, 10], n_workers=1)
    assert list(df.columns) == ["x", "seed", "y", "pid"]
    assert df[["x", "seed"]].values.tolist() == [[3, 0], [3, 10], [1, 0], [1, 10], [2, 0], [2, 10]]
    assert df["y"].tolist() == [9, 19, 1, 11, 4, 14]


def test_list_of_rows_and_explicit_points(cache_dir):
    df = sweep.sweep(fns.two_rows, [{"x": 1}, {"x": 5}], seeds=[0], cache=False, n_workers=1)
    assert df[["x", "k", "v"]].values.tolist() == [[1, 0, 1], [1, 1, -1], [5, 0, 5], [5, 1, -5]]


def test_parallel_workers_give_same_table(cache_dir):
    serial = sweep.sweep(fns.square, {"x": range(6)}, seeds=[0, 1], cache=False, n_workers=1)
    par = sweep.sweep(fns.square, {"x": range(6)}, seeds=[0, 1], cache=False, n_workers=2)
    assert par["y"].tolist() == serial["y"].tolist()
    assert set(par["pid"]) != {os.getpid()}  # really ran in worker processes


def test_cache_hits_and_resume(cache_dir):
    sweep.sweep(fns.square, {"x": [1, 2]}, seeds=[0], n_workers=1)
    assert _ncalls(cache_dir) == 2
    sweep.sweep(fns.square, {"x": [1, 2, 3]}, seeds=[0], n_workers=1)  # only x=3 is new
    assert _ncalls(cache_dir) == 3


def test_interrupted_sweep_keeps_finished_points(cache_dir):
    with pytest.raises(RuntimeError, match="boom"):
        sweep.sweep(fns.fails_at, {"x": [1, 2, 3], "bad": [3]}, seeds=[0], n_workers=1)
    assert _ncalls(cache_dir) == 2
    df = sweep.sweep(fns.fails_at, [{"x": 1, "bad": 9}, {"x": 2, "bad": 9}], seeds=[0], n_workers=1)
    assert _ncalls(cache_dir) == 4  # different params ("bad") → different keys: recomputed
    assert df["y"].tolist() == [1, 4]


def test_cache_disabled_by_environment(cache_dir, monkeypatch):
    monkeypatch.setenv("COMPANION_CACHE", "off")
    sweep.sweep(fns.square, {"x": [1]}, seeds=[0], n_workers=1)
    sweep.sweep(fns.square, {"x": [1]}, seeds=[0], n_workers=1)
    assert _ncalls(cache_dir) == 2
    assert not (cache_dir / "cache").exists()


def test_library_change_invalidates(cache_dir, monkeypatch):
    sweep.sweep(fns.square, {"x": [1]}, seeds=[0], n_workers=1)
    monkeypatch.setattr(cache, "library_hash", lambda: "a-different-library")
    sweep.sweep(fns.square, {"x": [1]}, seeds=[0], n_workers=1)
    assert _ncalls(cache_dir) == 2


def test_corrupt_entry_is_recomputed_not_trusted(cache_dir):
    sweep.sweep(fns.square, {"x": [4]}, seeds=[0], n_workers=1)
    key = cache.cache_key(fns.square, {"x": 4, "seed": 0})
    path = cache.DiskCache()._path(key)
    path.write_bytes(b"\x80\x05garbage")  # a truncated pickle
    df = sweep.sweep(fns.square, {"x": [4]}, seeds=[0], n_workers=1)
    assert df["y"].tolist() == [16] and _ncalls(cache_dir) == 2
    assert cache.DiskCache().get(key)["y"] == 16  # rewritten whole


def test_key_depends_on_function_and_parameters():
    k = cache.cache_key(fns.square, {"x": 1, "seed": 0})
    assert k != cache.cache_key(fns.square, {"x": 2, "seed": 0})
    assert k != cache.cache_key(fns.two_rows, {"x": 1, "seed": 0})
    assert k == cache.cache_key(fns.square, {"seed": 0, "x": 1})  # order of kwargs is irrelevant


def test_external_executor_is_used(cache_dir):
    class Recording(cf.ThreadPoolExecutor):
        n = 0

        def submit(self, fn, /, *args, **kwargs):
            Recording.n += 1
            return super().submit(fn, *args, **kwargs)

    with Recording(2) as ex:
        df = sweep.sweep(fns.square, {"x": [1, 2, 3]}, seeds=[0], executor=ex, cache=False)
    assert Recording.n == 3 and df["y"].tolist() == [1, 4, 9]


def test_bad_grid_is_rejected():
    with pytest.raises(ValueError, match=r"grid\['x'\] must be a list"):
        sweep.sweep(fns.square, {"x": 3})
    with pytest.raises(ValueError, match="seeds"):
        sweep.sweep(fns.square, {"x": [1]}, seeds=[])


def test_local_workers_run_single_threaded(monkeypatch):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    df = sweep.sweep(fns.blas_threads, {"x": [1, 2]}, seeds=[0], cache=False, n_workers=2)
    assert df["threads"].tolist() == [1, 1]
