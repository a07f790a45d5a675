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
def test_execute_publish_and_staleness(root):
    assert pages.is_stale("toy", root)
    pages.execute("toy", {"n": 4}, root=root)
    out = pages.output_path("toy", root)
    nb, _ = _outputs(out)
    meta = nb["metadata"]["companion"]
    assert meta["parameters"] == {"n": 4}
    assert meta["input_hash"] == pages.input_hash("toy", {"n": 4}, root)
    assert not pages.is_stale("toy", root)
    res = json.loads((root / "book/results/toy.json").read_text())
    assert res["sections"]["s"][0]["measured"] == 16

    # editing the source makes the page stale; touching it (timestamps) does not
    src = root / "notebooks/toy.py"
    shutil.copystat(src, src)
    assert not pages.is_stale("toy", root)
    src.write_text(TOY.replace("n * n", "n * n + 0"))
    assert pages.is_stale("toy", root)


@pytest.mark.slow
def test_failed_run_never_clobbers_the_published_page(root):
    pages.execute("toy", {"n": 2}, root=root)
    out = pages.output_path("toy", root)
    before = out.read_bytes()
    results_before = (root / "book/results/toy.json").read_bytes()
    with pytest.raises(Exception, match="n must be an integer >= 1"):
        pages.execute("toy", {"n": 0}, root=root)
    assert out.read_bytes() == before
    assert (root / "book/results/toy.json").read_bytes() == results_before
    assert (root / "_build/failed/toy.ipynb").exists()
    assert not list((root / "book/notebooks").glob(".*staged*"))


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
