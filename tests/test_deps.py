"""Page dependencies read from imports: oracle on a fake package, and on the real pages."""

import textwrap
from pathlib import Path

from companion import deps


def _write(root: Path, rel: str, text: str = "") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def _fake_package(tmp_path):
    pkg = tmp_path / "companion"
    _write(pkg, "__init__.py")
    _write(pkg, "a.py", "from . import b\n")                   # relative import of a sibling
    _write(pkg, "b.py", "def f():\n    from .c import g\n")     # import inside a function
    _write(pkg, "c.py", "import numpy\ng = 1\n")
    _write(pkg, "unused.py", "from . import a\n")
    _write(pkg, "exp/__init__.py")
    _write(pkg, "exp/page/__init__.py")
    _write(pkg, "exp/page/run.py", "from ...a import b\nfrom . import helper\n")
    _write(pkg, "exp/page/helper.py")
    return pkg


def test_transitive_relative_and_lazy_imports(tmp_path):
    pkg = _fake_package(tmp_path)
    page = _write(tmp_path, "page.py", "import os\nfrom companion.exp.page import run\n")
    got = {p.relative_to(pkg).as_posix() for p in deps.dependencies(page, root=pkg)}
    assert got == {"__init__.py", "a.py", "b.py", "c.py", "exp/__init__.py", "exp/page/__init__.py",
                   "exp/page/run.py", "exp/page/helper.py"}


def test_unrelated_module_is_not_a_dependency_and_unparsable_page_depends_on_everything(tmp_path):
    pkg = _fake_package(tmp_path)
    page = _write(tmp_path, "page.py", "from companion import c\n")
    assert {p.name for p in deps.dependencies(page, root=pkg)} == {"__init__.py", "c.py"}
    broken = _write(tmp_path, "broken.py", "from companion import (\n")
    assert len(deps.dependencies(broken, root=pkg)) == len(list(pkg.rglob("*.py")))


def test_real_pages_depend_on_their_own_modules_only():
    nb = Path(__file__).resolve().parents[1] / "notebooks"
    rhm = {p.relative_to(deps.PACKAGE_ROOT).as_posix() for p in deps.dependencies(nb / "rhm_sample_complexity.py")}
    assert {"rhm.py", "train.py", "experiments/rhm_sample_complexity/run.py"} <= rhm
    assert "laplace.py" not in rhm and "kernels.py" not in rhm
    lap = {p.relative_to(deps.PACKAGE_ROOT).as_posix() for p in deps.dependencies(nb / "laplace_krr_crossover.py")}
    assert "laplace.py" in lap and "rhm.py" not in lap
