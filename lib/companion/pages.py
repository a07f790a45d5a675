"""Execute the book's pages: Jupytext sources → papermill → executed notebooks in the book.

    python -m companion.pages run [PAGE ...] [--stale] [-p NAME VALUE ...] [--jobs N]
    python -m companion.pages status
    python -m companion.pages why-stale PAGE

* ``notebooks/<page>.py`` (Jupytext percent format) is the only source of a page. Run with its
  default parameters it is *published*: executed into ``book/notebooks/<page>.ipynb`` (the page of
  the book and nbval's golden record), its claims into ``book/results/<page>.json``. Run with any
  ``-p`` override it goes to ``_build/runs/<page>/<hash of the parameters>/`` (notebook, claims,
  ``parameters.json``) and never replaces the published page; the path is printed at the end.
* Every code cell except the ``parameters`` cell is folded for readers (tag ``hide-input``).
* Each executed page records, in its metadata under ``companion``, a content hash of its inputs:
  the page source, the library modules it imports (transitively, :func:`companion.deps.dependencies`,
  plus this pipeline), the pinned environment (``requirements.txt``) and the parameters, with the digest of every input file. ``--stale``
  re-publishes only pages whose inputs changed; ``status`` names the files that changed
  (timestamps are never used: a fresh clone has arbitrary ones).
* A page executes into a temporary file and its files are replaced only on success. A failed run
  leaves them untouched, keeps the failed notebook in ``_build/failed/``, and prints one line: the
  error the page raised (e.g. an invalid parameter, named with its valid range).
* Errors of the command itself (an unknown page or parameter, a malformed value) print one line and
  exit with status 2 before anything runs.
* Pages run in parallel, ``--jobs`` at a time (default: 2, or the number of CPUs if fewer).
* An interrupted run (SIGINT or SIGTERM, to the command or to its process group) stops every process
  it started — page processes, their kernels, sweep workers and resource trackers — removes its
  temporary files, publishes nothing (even a page whose notebook had just finished), prints
  ``interrupted: nothing published`` and exits with status 130.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import hashlib
import json
import os
import shutil
import subprocess
import sys
import signal
import tempfile
import threading
import time
from pathlib import Path

import yaml

from . import deps
from .cache import library_hash
from .sweep import THREAD_VARS, scoped_environ

ROOT = Path(os.environ.get("COMPANION_ROOT", Path.cwd()))
SRC_DIR = "notebooks"
OUT_DIR = "book/notebooks"
RESULTS_DIR = "book/results"
FAILED_DIR = "_build/failed"
RUNS_DIR = "_build/runs"


def all_pages(root: Path = ROOT) -> list[str]:
    return sorted(p.stem for p in (root / SRC_DIR).glob("*.py"))


def source_path(page: str, root: Path = ROOT) -> Path:
    path = root / SRC_DIR / f"{page}.py"
    if not path.is_file():
        raise ValueError(f"page must be one of {', '.join(all_pages(root)) or '(none)'}; got {page!r}")
    return path


def output_path(page: str, root: Path = ROOT) -> Path:
    return root / OUT_DIR / f"{page}.ipynb"


def inputs(page: str, root: Path = ROOT) -> dict[str, str]:
    """``{file: SHA-256}`` of everything a published page is computed from: its source, the library
    modules it imports (transitively) and this pipeline, which shapes the executed notebook."""
    src = source_path(page, root)
    lib = sorted(set(deps.dependencies(src)) | {Path(__file__).resolve()})
    req = root / "requirements.txt"  # the pinned environment
    out = deps.file_digests([src] + ([req] if req.is_file() else []), root)
    out |= {f"lib/{deps.PACKAGE}/{k}": v for k, v in deps.file_digests(lib, deps.PACKAGE_ROOT).items()}
    return out


def input_hash(page: str, parameters: dict, root: Path = ROOT) -> str:
    """SHA-256 of (the page's :func:`inputs`, parameters as canonical JSON)."""
    h = hashlib.sha256()
    h.update(json.dumps(inputs(page, root), sort_keys=True).encode())
    h.update(json.dumps(parameters, sort_keys=True).encode())
    return h.hexdigest()


def recorded(page: str, root: Path = ROOT) -> dict | None:
    """The ``companion`` metadata of the executed page, or None if absent or unreadable."""
    try:
        nb = json.loads(output_path(page, root).read_text())
        return nb["metadata"]["companion"]
    except (OSError, ValueError, KeyError):
        return None


def why_stale(page: str, root: Path = ROOT) -> list[str]:
    """Why the published page must be re-executed (empty if it is up to date): missing, run with
    non-default parameters, or the input files that changed, were added or removed since."""
    rec = recorded(page, root)
    if rec is None:
        return ["not executed yet"]
    if rec.get("parameters") != {}:
        return ["executed with non-default parameters"]
    if rec.get("input_hash") == input_hash(page, {}, root):
        return []
    before, now = rec.get("inputs") or {}, inputs(page, root)
    if not before:
        return ["executed before its inputs were recorded"]
    reasons = [f"changed: {f}" for f in sorted(now) if f in before and before[f] != now[f]]
    reasons += [f"new input: {f}" for f in sorted(set(now) - set(before))]
    reasons += [f"no longer an input: {f}" for f in sorted(set(before) - set(now))]
    return reasons or ["its recorded input hash differs"]


def is_stale(page: str, root: Path = ROOT) -> bool:
    """True if the published page is missing, was run with other than the default parameters, or any
    of its inputs (page source, the library modules it imports) changed since."""
    return bool(why_stale(page, root))


#: Code cells a reader sees: only the parameters cell. Every other code cell gets ``hide-input``
#: (folded, one click from view) unless its source already chooses how it is shown.
SHOWN_TAGS = {"parameters"}
DISPLAY_TAGS = {"hide-input", "remove-input", "hide-cell", "remove-cell", "hide-output", "remove-output"}


def _to_ipynb(page: str, dest: Path, root: Path) -> None:
    """The Jupytext source as a notebook, with code folded away for readers (see ``SHOWN_TAGS``)."""
    subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--to", "ipynb", "-o", str(dest),
                    str(source_path(page, root))], check=True)
    nb = json.loads(dest.read_text())
    for cell in nb["cells"]:
        tags = cell.setdefault("metadata", {}).setdefault("tags", [])
        if cell["cell_type"] == "code" and not (set(tags) & (SHOWN_TAGS | DISPLAY_TAGS)):
            tags.append("hide-input")
    dest.write_text(json.dumps(nb, indent=1, ensure_ascii=False))


def check_parameters(page: str, parameters: dict, root: Path = ROOT) -> None:
    """Reject names that are not in the page's ``parameters`` cell (papermill would only warn)."""
    import papermill

    with tempfile.TemporaryDirectory() as tmp:
        nb = Path(tmp) / f"{page}.ipynb"
        _to_ipynb(page, nb, root)
        known = papermill.inspect_notebook(str(nb))
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise ValueError(f"unknown parameter(s) {', '.join(unknown)} for page {page!r}; "
                         f"valid parameters: {', '.join(known)}")


def run_dir(page: str, parameters: dict, root: Path = ROOT) -> Path:
    """Where a run with non-default ``parameters`` goes: ``_build/runs/<page>/<hash of parameters>/``."""
    digest = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()[:12]
    return root / RUNS_DIR / page / digest


def destination(page: str, parameters: dict, root: Path = ROOT) -> tuple[Path, Path]:
    """(executed notebook, claims file) of a run: the published page only for the default parameters."""
    if not parameters:
        return output_path(page, root), root / RESULTS_DIR / f"{page}.json"
    where = run_dir(page, parameters, root)
    return where / f"{page}.ipynb", where / f"{page}.json"


#: Set when this process is told to stop; no page is published after that.
_INTERRUPTED = threading.Event()
INTERRUPTED_MESSAGE = "interrupted: nothing published"
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _stop_tree(pid: int, *, grace: float) -> None:
    """SIGTERM every descendant of ``pid`` (not ``pid`` itself), then SIGKILL what is left after ``grace`` s.
    Kernels run in sessions of their own, so process groups alone would miss them."""
    import psutil

    try:
        procs = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=grace)


def _on_stop_in_page_process(signum, frame):
    """In a page's process: stop the kernel and its workers, then unwind (nothing is published)."""
    if _INTERRUPTED.is_set():
        return
    _INTERRUPTED.set()
    _stop_tree(os.getpid(), grace=3.0)
    raise KeyboardInterrupt(INTERRUPTED_MESSAGE)


def _replace_atomically(data: bytes, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    staged = dest.with_name(f".{dest.name}.staged")
    staged.write_bytes(data)
    os.replace(staged, dest)


def execute(page: str, parameters: dict | None = None, *, root: Path = ROOT, workers: int | None = None) -> Path:
    """Execute one page and return where the executed notebook went.

    With the default parameters (``parameters`` empty) the page is *published*: it replaces
    ``book/notebooks/<page>.ipynb`` and its claims file ``book/results/<page>.json``. Any other
    parameters write both to :func:`run_dir` instead, with ``parameters.json``; the published page is
    never touched. Either way the files are replaced only after the whole page ran; a failed run leaves
    them untouched and keeps its partial notebook in ``_build/failed/``.
    """
    import papermill

    parameters = dict(parameters or {})
    check_parameters(page, parameters, root)
    out, results_final = destination(page, parameters, root)
    cwd = output_path(page, root).parent  # pages run where the published page lives (relative paths)
    cwd.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"{page}-") as tmp:
        tmp = Path(tmp)
        src_nb, run_nb = tmp / "source.ipynb", tmp / f"{page}.ipynb"
        _to_ipynb(page, src_nb, root)
        env = {"COMPANION_RESULTS_DIR": str(tmp / "results")}
        if workers:  # the page's share of the CPUs: its sweep workers, and its own BLAS/torch threads
            env |= {"COMPANION_WORKERS": str(workers)} | dict.fromkeys(THREAD_VARS, str(workers))
        try:
            with scoped_environ(**env):
                papermill.execute_notebook(str(src_nb), str(run_nb), parameters=parameters, kernel_name="python3",
                                           cwd=str(cwd), progress_bar=False)
        except BaseException:
            failed = root / FAILED_DIR
            failed.mkdir(parents=True, exist_ok=True)
            if run_nb.exists():
                shutil.copy(run_nb, failed / f"{page}.ipynb")
            raise
        nb = json.loads(run_nb.read_text())
        nb["metadata"]["companion"] = {
            "input_hash": input_hash(page, parameters, root),
            "inputs": inputs(page, root),
            "parameters": parameters,
            "library_hash": library_hash(),
            "wall_seconds": round(time.perf_counter() - t0, 1),
        }
        results_tmp = tmp / "results" / f"{page}.json"
        in_main = threading.current_thread() is threading.main_thread()
        if in_main:  # the files of one run are replaced together: a stop signal waits until they are
            signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            if _INTERRUPTED.is_set():  # interrupted after the notebook finished: still nothing published
                raise KeyboardInterrupt(INTERRUPTED_MESSAGE)
            if results_tmp.exists():
                _replace_atomically(results_tmp.read_bytes(), results_final)
            if parameters:
                _replace_atomically((json.dumps(parameters, indent=1, sort_keys=True) + "\n").encode(),
                                    out.with_name("parameters.json"))
            _replace_atomically((json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode(), out)
        finally:
            if in_main:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
    return out


def _parse_params(pairs: list[list[str]]) -> dict:
    return {name: yaml.safe_load(value) for name, value in pairs}


_CHILDREN: list[subprocess.Popen] = []
_CHILDREN_LOCK = threading.Lock()


def _run_one(page: str, parameters: dict, workers: int) -> tuple[str, float | None, str]:
    """Execute in a child process so pages run in parallel and one failure cannot take down another.
    The child runs in a session of its own: a stop signal reaches it through :func:`_on_stop`.

    Returns (page, seconds or None on failure, where the notebook went or the one-line error)."""
    cmd = [sys.executable, "-m", "companion.pages", "_exec", page, json.dumps(parameters), str(workers)]
    t0 = time.perf_counter()
    with _CHILDREN_LOCK:
        if _INTERRUPTED.is_set():
            return page, None, INTERRUPTED_MESSAGE
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        _CHILDREN.append(proc)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        lines = (stderr or stdout).strip().splitlines()
        return page, None, lines[-1] if lines else f"exit status {proc.returncode}"
    return page, time.perf_counter() - t0, stdout.strip().splitlines()[-1]


def _on_stop(signum, frame):
    """In the command: forward the stop to every page process, kill what does not stop, unwind."""
    if _INTERRUPTED.is_set():
        return
    _INTERRUPTED.set()
    with _CHILDREN_LOCK:
        children = [p for p in _CHILDREN if p.poll() is None]
    for p in children:
        p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20.0
    for p in children:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _stop_tree(p.pid, grace=1.0)
            p.kill()
    raise KeyboardInterrupt(INTERRUPTED_MESSAGE)


def _exec(page: str, parameters: dict, workers: int) -> int:
    """One page in this process; on failure, one line on stderr: the error the page raised."""
    from papermill.exceptions import PapermillExecutionError

    for sig in _STOP_SIGNALS:
        signal.signal(sig, _on_stop_in_page_process)
    try:
        out = execute(page, parameters, workers=workers)
    except PapermillExecutionError as e:
        if _INTERRUPTED.is_set():
            print(INTERRUPTED_MESSAGE, file=sys.stderr)
            return 130
        print(f"{e.ename}: {e.evalue}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _stop_tree(os.getpid(), grace=3.0)
        print(INTERRUPTED_MESSAGE, file=sys.stderr)
        return 130
    print(out.relative_to(ROOT) if out.is_relative_to(ROOT) else out)
    return 0


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit status 2 (argparse's default prints the usage too)
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    ap = _Parser(prog="python -m companion.pages", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="execute pages")
    run.add_argument("pages", nargs="*", help="page names (default: all)")
    run.add_argument("--stale", action="store_true", help="only published pages whose inputs changed")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="override a parameter (value parsed as YAML); the run then goes to " + RUNS_DIR)
    run.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    sub.add_parser("status", help="show which published pages are stale, and why")
    why = sub.add_parser("why-stale", help="which inputs of a page changed since it was published")
    why.add_argument("page")
    ex = sub.add_parser("_exec")  # internal: one page in this process
    ex.add_argument("page")
    ex.add_argument("parameters")
    ex.add_argument("workers", type=int)
    args = ap.parse_args(argv)

    if args.cmd == "_exec":
        return _exec(args.page, json.loads(args.parameters), args.workers)
    if args.cmd == "why-stale":
        try:
            source_path(args.page)
        except ValueError as e:
            ap.error(str(e))
        reasons = why_stale(args.page)
        print(f"{args.page}: " + ("up to date" if not reasons else "stale"))
        for reason in reasons:
            print(f"    {reason}")
        return 0
    if args.cmd == "status":
        for page in all_pages():
            reasons = why_stale(page)
            print(f"{page:32s} {'stale' if reasons else 'up to date'}")
            for reason in reasons:
                print(f"    {reason}")
        return 0

    try:
        pages = args.pages or all_pages()
        for page in pages:
            source_path(page)  # unknown page names fail before anything runs
        try:
            overrides = _parse_params(args.parameter)
        except yaml.YAMLError as e:
            raise ValueError(f"a -p value is not valid YAML: {' '.join(str(e).split())}") from None
        if args.stale and overrides:
            raise ValueError("--stale re-executes published pages, which use the default parameters; drop -p")
        for page in pages:
            check_parameters(page, overrides)
    except ValueError as e:
        ap.error(str(e))
    jobs = []
    for page in pages:
        if args.stale and not is_stale(page):
            print(f"{page}: up to date")
            continue
        jobs.append((page, overrides))
    if not jobs:
        return 0
    n_jobs = max(1, min(args.jobs, len(jobs)))
    workers = max(1, (os.cpu_count() or 1) // n_jobs)
    failures = 0
    for sig in _STOP_SIGNALS:
        signal.signal(sig, _on_stop)
    try:
        return _run_jobs(jobs, n_jobs, workers, overrides)
    except KeyboardInterrupt:
        print(f"{INTERRUPTED_MESSAGE} (every page process stopped)", file=sys.stderr)
        return 130


def _run_jobs(jobs, n_jobs: int, workers: int, overrides: dict) -> int:
    failures = 0
    with cf.ThreadPoolExecutor(n_jobs) as pool:
        for page, seconds, info in pool.map(lambda j: _run_one(*j, workers), jobs):
            if seconds is None:
                failures += 1
                print(f"{page}: FAILED: {info}\n  (nothing replaced; the partial notebook is {FAILED_DIR}/{page}.ipynb)",
                      file=sys.stderr)
            else:
                note = "published" if not overrides else "not published: non-default parameters"
                print(f"{page}: executed in {seconds:.0f} s -> {info} ({note})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
