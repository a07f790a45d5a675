"""Which files of the ``companion`` package a page depends on, found by reading its imports.

A page is stale when its source or one of the library modules it imports (directly or through
other modules, including imports inside functions) changed — not when an unrelated module did.
The import graph is read statically with :mod:`ast`; parent packages' ``__init__.py`` count as
imported. A page whose imports cannot be read (a syntax error) depends on the whole package.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

PACKAGE = "companion"
PACKAGE_ROOT = Path(__file__).resolve().parent


def _module_file(name: str, root: Path) -> Path | None:
    """``companion.a.b`` → ``root/a/b.py`` or ``root/a/b/__init__.py`` (None if neither exists)."""
    parts = name.split(".")[1:]
    base = root.joinpath(*parts) if parts else root
    for cand in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
        if cand is not None and cand.is_file():
            return cand
    return None


def _name_of(path: Path, root: Path) -> tuple[str, bool]:
    """(dotted module name, is a package) of a file inside the package."""
    rel = path.relative_to(root).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def _imported_names(tree: ast.AST, current: str | None, is_package: bool) -> set[str]:
    """Dotted names a module imports, relative imports resolved against ``current``; for
    ``from X import y`` both ``X`` and ``X.y`` (y may be a submodule)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if current is None:
                    continue
                pkg = current.split(".") if is_package else current.split(".")[:-1]
                pkg = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join(pkg + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            out.add(base)
            out.update(f"{base}.{alias.name}" for alias in node.names)
    return out


def dependencies(source: Path, root: Path = PACKAGE_ROOT) -> list[Path]:
    """Files of the package that ``source`` (a page or any Python file) imports, transitively;
    the whole package if ``source`` cannot be parsed."""
    try:
        tree = ast.parse(Path(source).read_text())
    except SyntaxError:
        return sorted(root.rglob("*.py"))
    seen: set[Path] = set()
    source = Path(source).resolve()
    inside = source.is_relative_to(root)  # a module of the package: its relative imports resolve
    todo = [(tree, *(_name_of(source, root) if inside else (None, False)))]
    while todo:
        tree, current, is_pkg = todo.pop()
        for name in _imported_names(tree, current, is_pkg):
            if name != PACKAGE and not name.startswith(PACKAGE + "."):
                continue
            parts = name.split(".")
            for k in range(1, len(parts) + 1):  # the module and every parent package
                path = _module_file(".".join(parts[:k]), root)
                if path is not None and path not in seen:
                    seen.add(path)
                    mod, pkg = _name_of(path, root)
                    todo.append((ast.parse(path.read_text()), mod, pkg))
    return sorted(seen)


def file_digests(paths, root: Path) -> dict[str, str]:
    """``{path relative to root: SHA-256 of its bytes}``."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
