"""An interrupted page run (SIGTERM or SIGINT, to the command or to its process group) leaves no
process behind, no temporary file, and publishes nothing."""

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from companion import pages

HEADER = textwrap.dedent(
    '''\
    # ---
    # jupyter:
    #   kernelspec:
    #     display_name: Python 3
    #     language: python
    #     name: python3
    # ---

    '''
)

HANGING = HEADER + textwrap.dedent(
    '''\
    # %% tags=["parameters"]
    started_dir = "."

    # %%
    from companion.sweep import sweep
    import _sweep_fns as fns
    sweep(fns.hang, {"x": [1, 2], "started_dir": [started_dir]}, seeds=[0], n_workers=2, cache=False)
    '''
)


def _tagged(token: str) -> list[int]:
    """Pids of live processes whose environment carries ``token`` (every descendant of the run)."""
    pids = []
    for env in Path("/proc").glob("[0-9]*/environ"):
        try:
            if token.encode() in env.read_bytes():
                pids.append(int(env.parent.name))
        except OSError:
            continue
    return [p for p in pids if p != os.getpid()]


def _wait(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["SIGTERM to the command", "SIGINT to its process group"])
def test_interrupted_run_leaves_nothing_behind(tmp_path, how):
    root = tmp_path / "root"
    (root / "notebooks").mkdir(parents=True)
    started, tmpdir = tmp_path / "started", tmp_path / "tmp"
    started.mkdir()
    tmpdir.mkdir()
    token = f"COMPANION_TEST_{uuid.uuid4().hex}"
    env = {**os.environ, "COMPANION_ROOT": str(root), "TMPDIR": str(tmpdir), token: "1",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])}
    (root / "notebooks" / "hang.py").write_text(HANGING.replace('started_dir = "."', f'started_dir = {str(started)!r}'))
    cmd = [sys.executable, "-m", "companion.pages", "run", "hang"]
    proc = subprocess.Popen(cmd, cwd=root, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait(lambda: len(list(started.iterdir())) == 2, 120), "the page's sweep workers never started"
        before = len(_tagged(token))
        assert before >= 5      # the command, the page process, the kernel, two workers (+ resource tracker)
        t0 = time.time()
        if how.startswith("SIGTERM"):
            proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        gone = _wait(lambda: not _tagged(token), 10)
        left = _tagged(token)
        elapsed = time.time() - t0
    finally:
        for pid in _tagged(token):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    assert gone, f"{len(left)} of {before} processes survived the interrupt: {left}"
    assert proc.returncode != 0 and "interrupted" in err and "nothing published" in err
    assert not pages.output_path("hang", root).exists()          # nothing published
    assert not (root / "book" / "results").exists() or not list((root / "book" / "results").iterdir())
    assert not list(tmpdir.iterdir()), f"temporary files left: {list(tmpdir.iterdir())}"
    assert not list(root.rglob("*.staged"))
    print(f"{how}: {before} processes, all gone {elapsed:.1f} s after the signal")


def test_a_run_interrupted_after_its_notebook_finished_does_not_publish(tmp_path, monkeypatch):
    """The signal arrives between the end of the notebook and its publication."""
    import papermill

    root = tmp_path
    (root / "notebooks").mkdir()
    (root / "notebooks" / "toy.py").write_text(HEADER + '# %% tags=["parameters"]\nn = 1\n\n# %%\nn + 1\n')

    def finish_then_interrupt(src, out, **kw):
        Path(out).write_text(Path(src).read_text())
        pages._INTERRUPTED.set()                       # what the SIGTERM handler does

    monkeypatch.setattr(papermill, "execute_notebook", finish_then_interrupt)
    try:
        with pytest.raises(KeyboardInterrupt, match="nothing published"):
            pages.execute("toy", root=root)
    finally:
        pages._INTERRUPTED.clear()
    assert not pages.output_path("toy", root).exists()
    assert not (root / "book" / "results").exists()
