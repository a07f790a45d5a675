"""Execute the book's pages: Jupytext sources → papermill → executed notebooks in the book.

    python -m companion.pages run [PAGE ...] [--stale] [-p NAME VALUE ...] [--jobs N]
    python -m companion.pages status

* ``notebooks/<page>.py`` (Jupytext percent format) is the only source of a page; it is executed
  into ``book/notebooks/<page>.ipynb`` with its ``parameters`` cell overridden by ``-p``.
* Each executed page records, in its metadata under ``companion``, a content hash of its inputs:
  the page source, the library source (:func:`companion.cache.library_hash`) and the parameters.
  ``--stale`` executes only pages whose recorded hash differs from the current one (timestamps are
  never used: a fresh clone has arbitrary ones); a page keeps the parameters it was run with until
  it is run again with other ``-p`` values (no ``-p``: the page's defaults).
* A page executes into a temporary file and replaces the published one only on success; its claims
  file (``book/results/<page>.json``, see :mod:`companion.claims`) moves in with it. A failed run
  leaves the published page untouched and keeps the failed notebook in ``_build/failed/``.
* Pages run in parallel, ``--jobs`` at a time (default: 2, or the number of CPUs if fewer).
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
import tempfile
import time
from pathlib import Path

import yaml

from .cache import library_hash
from .sweep import scoped_environ

ROOT = Path(os.environ.get("COMPANION_ROOT", Path.cwd()))
SRC_DIR = "notebooks"
OUT_DIR = "book/notebooks"
RESULTS_DIR = "book/results"
FAILED_DIR = "_build/failed"


def all_pages(root: Path = ROOT) -> list[str]:
    return sorted(p.stem for p in (root / SRC_DIR).glob("*.py"))


def source_path(page: str, root: Path = ROOT) -> Path:
    path = root / SRC_DIR / f"{page}.py"
    if not path.is_file():
        raise ValueError(f"page must be one of {', '.join(all_pages(root)) or '(none)'}; got {page!r}")
    return path


def output_path(page: str, root: Path = ROOT) -> Path:
    return root / OUT_DIR / f"{page}.ipynb"


def input_hash(page: str, parameters: dict, root: Path = ROOT) -> str:
    """SHA-256 of (page source, library source hash, parameters as canonical JSON)."""
    h = hashlib.sha256()
    h.update(source_path(page, root).read_bytes())
    h.update(library_hash().encode())
    h.update(json.dumps(parameters, sort_keys=True).encode())
    return h.hexdigest()


def recorded(page: str, root: Path = ROOT) -> dict | None:
    """The ``companion`` metadata of the executed page, or None if absent or unreadable."""
    try:
        nb = json.loads(output_path(page, root).read_text())
        return nb["metadata"]["companion"]
    except (OSError, ValueError, KeyError):
        return None


def is_stale(page: str, root: Path = ROOT) -> bool:
    rec = recorded(page, root)
    return rec is None or rec.get("input_hash") != input_hash(page, rec.get("parameters", {}), root)


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


def execute(page: str, parameters: dict | None = None, *, root: Path = ROOT, workers: int | None = None) -> float:
    """Execute one page; publish it atomically on success. Returns the wall time in seconds."""
    import papermill

    parameters = dict(parameters or {})
    check_parameters(page, parameters, root)
    out = output_path(page, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    results_final = root / RESULTS_DIR / f"{page}.json"
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"{page}-") as tmp:
        tmp = Path(tmp)
        src_nb, run_nb = tmp / "source.ipynb", tmp / f"{page}.ipynb"
        _to_ipynb(page, src_nb, root)
        env = {"COMPANION_RESULTS_DIR": str(tmp / "results")} | ({"COMPANION_WORKERS": str(workers)} if workers else {})
        try:
            with scoped_environ(**env):
                papermill.execute_notebook(str(src_nb), str(run_nb), parameters=parameters, kernel_name="python3",
                                           cwd=str(out.parent), progress_bar=False)
        except BaseException:
            failed = root / FAILED_DIR
            failed.mkdir(parents=True, exist_ok=True)
            if run_nb.exists():
                shutil.copy(run_nb, failed / f"{page}.ipynb")
            raise
        nb = json.loads(run_nb.read_text())
        nb["metadata"]["companion"] = {
            "input_hash": input_hash(page, parameters, root),
            "parameters": parameters,
            "library_hash": library_hash(),
            "wall_seconds": round(time.perf_counter() - t0, 1),
        }
        staged = out.with_name(f".{page}.staged.ipynb")
        staged.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        results_tmp = tmp / "results" / f"{page}.json"
        if results_tmp.exists():
            results_final.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(results_tmp, results_final.with_name(f".{page}.staged.json"))
            os.replace(results_final.with_name(f".{page}.staged.json"), results_final)
        os.replace(staged, out)
    return time.perf_counter() - t0


def _parse_params(pairs: list[list[str]]) -> dict:
    return {name: yaml.safe_load(value) for name, value in pairs}


def _run_one(page: str, parameters: dict, workers: int) -> tuple[str, float | None, str]:
    """Execute in a child process so pages run in parallel and one failure cannot take down another."""
    cmd = [sys.executable, "-m", "companion.pages", "_exec", page, json.dumps(parameters), str(workers)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        return page, None, (proc.stderr or proc.stdout)[-4000:]
    return page, time.perf_counter() - t0, ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m companion.pages", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="execute pages")
    run.add_argument("pages", nargs="*", help="page names (default: all)")
    run.add_argument("--stale", action="store_true", help="only pages whose inputs changed")
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="override a parameter (value parsed as YAML)")
    run.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    sub.add_parser("status", help="show which pages are stale")
    ex = sub.add_parser("_exec")  # internal: one page in this process
    ex.add_argument("page")
    ex.add_argument("parameters")
    ex.add_argument("workers", type=int)
    args = ap.parse_args(argv)

    if args.cmd == "_exec":
        execute(args.page, json.loads(args.parameters), workers=args.workers)
        return 0
    if args.cmd == "status":
        for page in all_pages():
            rec = recorded(page)
            state = "missing" if rec is None else ("stale" if is_stale(page) else "up to date")
            print(f"{page:32s} {state:11s} parameters={rec.get('parameters') if rec else None}")
        return 0

    pages = args.pages or all_pages()
    for page in pages:
        source_path(page)  # unknown page names fail before anything runs
    overrides = _parse_params(args.parameter)
    jobs = []
    for page in pages:
        if args.stale and not is_stale(page):
            print(f"{page}: up to date")
            continue
        params = overrides if (overrides or not args.stale) else (recorded(page) or {}).get("parameters", {})
        check_parameters(page, params)
        jobs.append((page, params))
    if not jobs:
        return 0
    n_jobs = max(1, min(args.jobs, len(jobs)))
    workers = max(1, (os.cpu_count() or 1) // n_jobs)
    failures = 0
    with cf.ThreadPoolExecutor(n_jobs) as pool:
        for page, seconds, err in pool.map(lambda j: _run_one(*j, workers), jobs):
            if seconds is None:
                failures += 1
                print(f"{page}: FAILED (published page left untouched; see {FAILED_DIR}/{page}.ipynb)\n{err}",
                      file=sys.stderr)
            else:
                print(f"{page}: executed in {seconds:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
