"""Sweeps on a real SLURM cluster (``make cluster-up``): the same ``sweep`` call as locally, through
the executor ``make pages EXECUTOR=slurm`` uses. Skipped, with the reason, when no cluster is up."""

import os
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from companion import sweep
from companion.experiments.laplace_krr_crossover.one_d import learning_curve_1d

import _sweep_fns as fns

pytestmark = pytest.mark.cluster


def _cluster_up() -> str | None:
    if not shutil.which("sinfo"):
        return "no SLURM client here (run `make cluster-up`)"
    out = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20)
    if out.returncode != 0 or not re.search(r"idle|mix|alloc", out.stdout):
        return f"no SLURM node is up (sinfo: {(out.stdout + out.stderr).strip()[:80]!r}; run `make cluster-up`)"
    return None


@pytest.fixture
def slurm(tmp_path, monkeypatch):
    why = _cluster_up()
    if why:
        pytest.skip(why)
    monkeypatch.setenv("COMPANION_EXECUTOR", "slurm")
    monkeypatch.setenv("COMPANION_SLURM_FOLDER", str(tmp_path / "slurm"))
    monkeypatch.setenv("COMPANION_SLURM_TIME_MIN", "10")
    monkeypatch.setenv("COMPANION_SLURM_MEM_GB", "1")
    monkeypatch.setenv("COMPANION_SLURM_GRACE", "5")
    monkeypatch.setenv("COMPANION_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COMPANION_CACHE", "on")
    monkeypatch.setenv(fns.CALLS_FILE_ENV, str(tmp_path / "calls.txt"))
    # jobs import the test functions by name, like a page's workers import the library
    tests_dir = str(Path(__file__).resolve().parent)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [tests_dir, os.environ.get("PYTHONPATH")])))
    return tmp_path


def _ncalls(tmp_path):
    p = tmp_path / "calls.txt"
    return len(p.read_text().splitlines()) if p.exists() else 0


def test_a_page_sweep_as_a_job_array_equals_the_local_run(slurm, monkeypatch):
    grid = {"chi": [0.0, 1.0], "lam": [0.0], "sigma": [1.0], "P_list": [[16, 64, 256]]}
    remote = sweep.sweep(learning_curve_1d, grid, seeds=[0, 1], cache=False)
    monkeypatch.setenv("COMPANION_EXECUTOR", "local")   # the same call, locally
    local = sweep.sweep(learning_curve_1d, grid, seeds=[0, 1], n_workers=1, cache=False)
    pd.testing.assert_frame_equal(local, remote)
    assert len(remote) == 2 * 2 * 3
    # one job array: every job is <array id>_<task>, and they share the array id
    logs = sorted((slurm / "slurm").glob("*_log.out"))
    ids = {re.match(r"(\d+)_(\d+)_", p.name).group(1) for p in logs}
    assert len(logs) == 4 and len(ids) == 1


def test_cancelled_jobs_resume_from_the_cache_and_lose_nothing(slurm):
    grid = {"x": list(range(8)), "sleep": [3.0]}
    state = {}

    def first_run():
        try:
            sweep.sweep(fns.slow_square, grid, seeds=[0])
        except sweep.SweepError as e:
            state["error"] = str(e)

    t = threading.Thread(target=first_run)
    t.start()
    entries = lambda: list((slurm / "cache").rglob("*.json"))
    deadline = time.time() + 120
    while len(entries()) < 2 and time.time() < deadline:   # at least two points finished and cached
        time.sleep(0.5)
    assert len(entries()) >= 2, "no job finished within 120 s"
    jobs = subprocess.run(["squeue", "-h", "-o", "%A"], capture_output=True, text=True).stdout.split()
    subprocess.run(["scancel", *jobs], check=True)
    t.join(timeout=120)
    assert not t.is_alive() and "error" in state and "x=" in state["error"]
    cached_before, calls_before = len(entries()), _ncalls(slurm)
    assert 2 <= cached_before < 8

    df = sweep.sweep(fns.slow_square, grid, seeds=[0])       # re-submitted: only the missing points run
    recomputed = _ncalls(slurm) - calls_before
    assert recomputed == 8 - cached_before
    assert df["y"].tolist() == [x * x for x in range(8)] and len(entries()) == 8
    print(f"cancelled midway: {cached_before} of 8 points were cached, {recomputed} recomputed, "
          f"{calls_before - cached_before} finished-but-uncollected calls rerun")


def test_a_failing_job_reports_its_point_and_the_remote_traceback(slurm):
    with pytest.raises(sweep.SweepError) as err:
        sweep.sweep(fns.fails_at, {"x": [1, 3], "bad": [3]}, seeds=[0])
    msg = str(err.value)
    assert "x=3, bad=3, seed=0" in msg
    assert "Traceback" in msg and "RuntimeError: boom at 3" in msg
    assert len(list((slurm / "cache").rglob("*.json"))) == 1    # the good point is kept
