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


@pytest.mark.parametrize("part", ["code_hash", "environment_hash"])
def test_code_or_environment_change_invalidates(cache_dir, monkeypatch, part):
    sweep.sweep(fns.square, {"x": [1]}, seeds=[0], n_workers=1)
    monkeypatch.setattr(cache, part, lambda *a: "something-else")
    sweep.sweep(fns.square, {"x": [1]}, seeds=[0], n_workers=1)
    assert _ncalls(cache_dir) == 2


def test_code_hash_covers_the_modules_a_function_imports_only():
    import companion.fit  # noqa: F401 (loaded, so that its code hash is its own file's)
    import companion.krr as krr_module
    from companion import deps

    files = {p.name for p in deps.dependencies(krr_module.__file__)}
    assert "validate.py" in files and "fit.py" not in files    # krr imports validate, not fit
    assert cache.code_hash("companion.krr") != cache.code_hash("companion.fit")
    assert cache.code_hash("companion.krr") == cache.code_hash("companion.krr")
    assert cache.code_hash("no.such.module") == cache.library_hash()


def _stored(cache_dir, x):
    sweep.sweep(fns.square, {"x": [x]}, seeds=[0], n_workers=1)
    key = cache.cache_key(fns.square, {"x": x, "seed": 0})
    return key, cache.DiskCache()._path(key)


def test_flipped_bit_is_detected_reported_and_recomputed(cache_dir, capfd):
    key, path = _stored(cache_dir, 4)
    raw = bytearray(path.read_bytes())
    pos = raw.index(b'"y":') + 6                   # inside the payload: a digit of 16
    raw[pos] ^= 0x01
    path.write_bytes(bytes(raw))
    df = sweep.sweep(fns.square, {"x": [4]}, seeds=[0], n_workers=1)
    assert df["y"].tolist() == [16] and _ncalls(cache_dir) == 2
    assert "checksum" in capfd.readouterr().err
    assert cache.DiskCache().get(key)["y"] == 16   # rewritten whole


def test_entry_copied_over_another_key_is_rejected(cache_dir, capfd):
    _, path4 = _stored(cache_dir, 4)
    key5, path5 = _stored(cache_dir, 5)
    path5.write_bytes(path4.read_bytes())          # x=5's file now holds x=4's (valid) entry
    df = sweep.sweep(fns.square, {"x": [5]}, seeds=[0], n_workers=1)
    assert df["y"].tolist() == [25] and _ncalls(cache_dir) == 3
    assert "another call" in capfd.readouterr().err


@pytest.mark.parametrize("garbage", [b"\x80\x05garbage", b"", b'{"format": "companion-cache/2"}\n[1'])
def test_pickles_and_garbage_are_never_loaded(cache_dir, garbage, capfd):
    key, path = _stored(cache_dir, 4)
    import pickle

    path.write_bytes(garbage or pickle.dumps({"y": 16, "pid": 0}))
    assert cache.DiskCache().get(key) is cache.MISSING and not path.exists()
    assert "rejected" in capfd.readouterr().err


def test_round_trip_of_the_data_format():
    import numpy as np

    value = [{"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": (1, 2.5, None), "c": np.int64(7),
              "d": float("nan"), "e": "text", "f": [True, np.complex128(1 + 2j)]}]
    back = cache.decode(cache.encode(value))
    assert back[0]["a"].dtype == np.float32 and np.array_equal(back[0]["a"], value[0]["a"])
    assert back[0]["b"] == (1, 2.5, None) and back[0]["c"] == 7 and type(back[0]["c"]) is np.int64
    assert np.isnan(back[0]["d"]) and back[0]["f"][1] == 1 + 2j
    for bad in (object(), {1: 2}, np.array(["s"]), np.array([object()])):
        with pytest.raises(TypeError, match="cache"):
            cache.encode(bad)


@pytest.fixture
def read_only_dir(tmp_path):
    """A really read-only folder: permissions for a normal user; a read-only tmpfs mount for root
    (who may write anywhere else), skipped if root cannot mount."""
    import subprocess

    ro = tmp_path / "ro"
    ro.mkdir()
    if os.geteuid() != 0:
        ro.chmod(0o500)
        yield ro
        ro.chmod(0o700)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(ro)],
                             capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("running as root without the right to mount a read-only filesystem")
    try:
        yield ro
    finally:
        subprocess.run(["umount", str(ro)], check=True)


def test_read_only_cache_directory_falls_back_to_computing(read_only_dir, monkeypatch, capfd):
    assert not os.access(read_only_dir, os.W_OK) or os.geteuid() == 0
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(read_only_dir / "cache"))
    monkeypatch.setenv("COMPANION_CACHE", "on")
    df = sweep.sweep(fns.square, {"x": [3]}, seeds=[0], n_workers=1)
    assert df["y"].tolist() == [9]
    err = capfd.readouterr().err
    assert "not writable" in err and "computing without a cache" in err and err.count("\n") == 1
    assert not list(read_only_dir.iterdir())


def test_unwritable_cache_path_falls_back_to_computing(tmp_path, monkeypatch, capfd):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setenv("COMPANION_CACHE", "on")
    df = sweep.sweep(fns.square, {"x": [3]}, seeds=[0], n_workers=1)
    assert df["y"].tolist() == [9]
    err = capfd.readouterr().err
    assert "not writable" in err and err.count("\n") == 1


def test_one_cache_location_in_a_checkout(monkeypatch):
    monkeypatch.delenv("COMPANION_CACHE_DIR", raising=False)
    assert cache.cache_dir() == cache.PROJECT_ROOT / ".cache" / "companion"


def test_a_failing_point_is_named_with_its_parameters(cache_dir):
    with pytest.raises(sweep.SweepError, match=r"fails_at\(x=3, bad=3, seed=0\) failed: RuntimeError: boom at 3"):
        sweep.sweep(fns.fails_at, {"x": [3], "bad": [3]}, seeds=[0], n_workers=1)
    with pytest.raises(sweep.SweepError, match=r"x=3, bad=3, seed=0"):
        sweep.sweep(fns.fails_at, {"x": [1, 3], "bad": [3]}, seeds=[0], n_workers=2, cache=False)


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
