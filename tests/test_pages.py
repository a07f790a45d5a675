"""The page pipeline on a toy page: hashing, staleness, atomic publication, parameter errors."""

import json
import shutil
import textwrap

import pytest

from companion import pages

TOY = textwrap.dedent(
    '''\
    # ---
    # jupyter:
    #   kernelspec:
    #     display_name: Python 3
    #     language: python
    #     name: python3
    # ---

    # %% tags=["parameters"]
    n = 3
    profile = "book"

    # %%
    from companion.claims import Claim, publish
    if n < 1:
        raise ValueError(f"n must be an integer >= 1; got {n}")
    publish([Claim(quantity="n squared", measured=n * n)], page="toy", section="s")
    '''
)


@pytest.fixture
def root(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "toy.py").write_text(TOY)
    return tmp_path


def _outputs(nb_path):
    nb = json.loads(nb_path.read_text())
    return nb, [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]


@pytest.mark.slow
def test_default_run_publishes_and_tracks_staleness(root):
    assert pages.is_stale("toy", root)
    out = pages.execute("toy", root=root)
    assert out == pages.output_path("toy", root)
    nb, _ = _outputs(out)
    meta = nb["metadata"]["companion"]
    assert meta["parameters"] == {}
    assert meta["input_hash"] == pages.input_hash("toy", {}, root)
    assert not pages.is_stale("toy", root)
    res = json.loads((root / "book/results/toy.json").read_text())
    assert res["sections"]["s"][0]["measured"] == 9
    # code is folded for readers, except the parameters cell
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert ["hide-input" in c["metadata"]["tags"] for c in code] == [False, True]

    # editing the source makes the page stale; touching it (timestamps) does not
    src = root / "notebooks/toy.py"
    shutil.copystat(src, src)
    assert not pages.is_stale("toy", root)
    src.write_text(TOY.replace("n * n", "n * n + 0"))
    assert pages.is_stale("toy", root)
    assert pages.why_stale("toy", root) == ["changed: notebooks/toy.py"]


def test_why_stale_names_the_library_module_that_changed(root, monkeypatch):
    """A page records the digest of each input; a changed module is named, an unrelated one is not."""
    digests = {"notebooks/toy.py": "s", "lib/companion/claims.py": "c1"}
    monkeypatch.setattr(pages, "inputs", lambda page, root=None: dict(digests))
    meta = {"parameters": {}, "input_hash": pages.input_hash("toy", {}, root), "inputs": dict(digests)}
    monkeypatch.setattr(pages, "recorded", lambda page, root=None: meta)
    assert pages.why_stale("toy", root) == []
    digests["lib/companion/claims.py"] = "c2"
    assert pages.why_stale("toy", root) == ["changed: lib/companion/claims.py"]
    digests["lib/companion/fit.py"] = "f"
    assert pages.why_stale("toy", root)[-1] == "new input: lib/companion/fit.py"
    meta["parameters"] = {"n": 4}
    assert pages.why_stale("toy", root) == ["executed with non-default parameters"]


def test_toy_page_inputs_are_its_imports_and_the_pipeline(root):
    got = set(pages.inputs("toy", root))
    assert {"notebooks/toy.py", "lib/companion/claims.py", "lib/companion/pages.py"} <= got
    assert "lib/companion/rhm.py" not in got


@pytest.mark.slow
def test_a_run_with_other_parameters_never_replaces_the_published_page(root):
    published = pages.execute("toy", root=root)
    before = published.read_bytes()
    results_before = (root / "book/results/toy.json").read_bytes()
    out = pages.execute("toy", {"n": 4}, root=root)
    assert out.parent == pages.run_dir("toy", {"n": 4}, root) and out.parent.is_relative_to(root / "_build/runs/toy")
    assert json.loads((out.parent / "toy.json").read_text())["sections"]["s"][0]["measured"] == 16
    assert json.loads((out.parent / "parameters.json").read_text()) == {"n": 4}
    assert published.read_bytes() == before
    assert (root / "book/results/toy.json").read_bytes() == results_before
    assert not pages.is_stale("toy", root)


@pytest.mark.slow
def test_failed_run_never_clobbers_the_published_page(root):
    pages.execute("toy", root=root)
    out = pages.output_path("toy", root)
    before = out.read_bytes()
    results_before = (root / "book/results/toy.json").read_bytes()
    src = root / "notebooks/toy.py"
    src.write_text(TOY.replace("n = 3", "n = 0"))
    with pytest.raises(Exception, match="n must be an integer >= 1"):
        pages.execute("toy", root=root)
    assert out.read_bytes() == before
    assert (root / "book/results/toy.json").read_bytes() == results_before
    assert (root / "_build/failed/toy.ipynb").exists()
    assert not list((root / "book").rglob(".*staged*"))


@pytest.mark.slow
def test_command_errors_are_one_line(root):
    import subprocess
    import sys

    def run(*args):
        return subprocess.run([sys.executable, "-m", "companion.pages", "run", *args], cwd=root, text=True,
                              capture_output=True, env={**pages.os.environ, "COMPANION_ROOT": str(root)})

    for args, message in ((("nope",), "page must be one of toy; got 'nope'"),
                          (("toy", "-p", "nn", "1"), "unknown parameter(s) nn for page 'toy'; valid parameters: n, profile"),
                          (("toy", "--stale", "-p", "n", "2"), "drop -p")):
        proc = run(*args)
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr
    proc = run("toy", "-p", "n", "0")  # the page itself refuses the value: one line naming it
    assert proc.returncode == 1 and "ValueError: n must be an integer >= 1; got 0" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_parameter_and_page_are_rejected_before_running(root):
    with pytest.raises(ValueError, match="unknown parameter.*nn.*valid parameters: n, profile"):
        pages.check_parameters("toy", {"nn": 1}, root)
    with pytest.raises(ValueError, match="page must be one of toy"):
        pages.source_path("nope", root)


@pytest.mark.parametrize("page", pages.all_pages(pages.Path(__file__).resolve().parents[1]))
def test_every_parameter_of_every_page_is_seen_by_papermill(page, tmp_path):
    """papermill skips (with only a warning) a parameter line it cannot parse, e.g. one whose comment
    holds '=': such a parameter could then not be set from the command line."""
    import re
    import subprocess
    import sys

    import papermill

    root = pages.Path(__file__).resolve().parents[1]
    src = pages.source_path(page, root).read_text()
    cell = src.split('# %% tags=["parameters"]', 1)[1].split("# %%", 1)[0]
    names = re.findall(r"^(\w+)\s*=", cell, re.M)
    nb = tmp_path / "page.ipynb"
    subprocess.run([sys.executable, "-m", "jupytext", "--quiet", "--to", "ipynb", "-o", str(nb),
                    str(pages.source_path(page, root))], check=True)
    assert names and sorted(papermill.inspect_notebook(str(nb))) == sorted(names)
