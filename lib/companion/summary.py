"""Generate the book's results summary (``book/results.md``) from the pages' claims files.

Each executed page leaves ``book/results/<page>.json`` (see :mod:`companion.claims`); this module
turns all of them into one table per page, so no number is ever retyped by hand.

    python -m companion.summary
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .claims import Claim

ROOT = Path(os.environ.get("COMPANION_ROOT", Path.cwd()))

HEADER = """# Summary of results

Every number below was measured by the page it links to, in the parameters that page was last
executed with, and copied here by `python -m companion.summary` from the page's claims file
(`book/results/<page>.json`). A claim *agrees* when the prediction lies within the measured 95%
interval widened by the stated tolerance.
"""


def _cell(s: str) -> str:
    return s.replace("|", "\\|")


def render(root: Path = ROOT) -> str:
    parts = [HEADER]
    for path in sorted((root / "book" / "results").glob("*.json")):
        data = json.loads(path.read_text())
        page = data["page"]
        parts.append(f"\n## [{page.replace('_', ' ').capitalize()}](notebooks/{page}.ipynb)\n")
        for section, claims in data["sections"].items():
            parts.append(f"\n**{section}**\n")
            rows = [Claim(**{k: (tuple(v) if k == "ci" and v is not None else v)
                             for k, v in c.items() if k != "verdict"}).row() for c in claims]
            if not rows:
                continue
            cols = list(rows[0])
            parts.append("| " + " | ".join(cols) + " |")
            parts.append("|" + "---|" * len(cols))
            parts += ["| " + " | ".join(_cell(r[c]) for c in cols) + " |" for r in rows]
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    out = ROOT / "book" / "results.md"
    text = render()
    if not out.exists() or out.read_text() != text:
        tmp = out.with_suffix(".md.tmp")
        tmp.write_text(text)
        os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
