"""Generate the book's results summary (``book/results.md``) from the pages' claims files.

Each executed page leaves ``book/results/<page>.json`` (see :mod:`companion.claims`); this module
turns all of them into one table per page, so no number is ever retyped by hand.

    python -m companion.summary
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .claims import ClaimsTable, load, tally

ROOT = Path(os.environ.get("COMPANION_ROOT", Path.cwd()))

HEADER = """# Summary of results

Every number below was measured by the page it links to, with that page's published (default)
parameters, and copied here by `python -m companion.summary` from the page's claims file
(`book/results/<page>.json`); no number is typed by hand.

How to read a verdict: a claim *agrees* when the prediction lies in the measured 95% interval (for a
deterministic measurement, within the method's stated accuracy); *agrees within tolerance only* when
only the stated tolerance brings it in; *does not discriminate* when the interval, widened by the
tolerance, holds the prediction and its rival alike; *disagrees* otherwise; *measured* numbers carry
no prediction. Each tolerance states its reason, and each prediction its source, in the notes under
its table.
"""


def render(root: Path = ROOT) -> str:
    parts = [HEADER]
    for path in sorted((root / "book" / "results").glob("*.json")):
        page, sections = load(path)
        everything = [c for claims in sections.values() for c in claims]
        parts.append(f"\n## [{page.replace('_', ' ').capitalize()}](notebooks/{page}.ipynb)\n")
        parts.append(f"{tally(everything)}.\n")
        for section, claims in sections.items():
            if claims:
                parts.append("\n" + ClaimsTable(claims, title=section)._repr_html_() + "\n")
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
