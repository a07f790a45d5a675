"""Measured-versus-theory claims: the table a page prints and the data file the book keeps.

A page ends each experiment with a list of :class:`Claim` and calls :func:`publish`, which

* displays a table (quantity, measured with interval, theory, tolerance, verdict) whose text is
  rounded to each claim's stated precision, so nbval compares it across machines without tripping
  on float noise, yet fails when a number moves by one unit of that precision or a verdict flips;
* writes the same claims at full precision to ``$COMPANION_RESULTS_DIR/<page>.json`` when that
  variable is set (the page pipeline sets it and moves the file into ``book/results/`` together with
  the executed page, only on success), so a summary across pages never retypes a number.

Verdict rule: a claim *agrees* when the theory value lies within the measured interval widened by
``tol`` on each side (for a claim without interval: ``|measured − theory| ≤ tol``).
"""

from __future__ import annotations

import html
import json
import math
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One checked statement of a page.

    quantity : what is measured, e.g. "NTK exponent, d=3, L=4, even k".
    measured : the measured value; ci : optional (lo, hi) interval on it.
    theory : the predicted value (None for a measurement reported without prediction).
    tol : tolerance added to each side of the interval when comparing with theory (stated, not tuned).
    digits : decimals shown (choose coarser than run-to-run noise).
    source : where the prediction comes from (paper and equation).
    """

    quantity: str
    measured: float
    theory: float | None = None
    ci: tuple[float, float] | None = None
    tol: float = 0.0
    digits: int = 2
    source: str = ""

    @property
    def verdict(self) -> str:
        if self.theory is None:
            return "measured"
        if not math.isfinite(self.measured):
            return "no measurement"
        lo, hi = self.ci if self.ci is not None else (self.measured, self.measured)
        return "agrees" if lo - self.tol <= self.theory <= hi + self.tol else "DISAGREES"

    def _fmt(self, x: float) -> str:
        if x is None:
            return "—"
        if not math.isfinite(x):
            return str(x)
        s = f"{x:.{self.digits}f}"
        return "0." + "0" * self.digits if s.lstrip("-") == "0." + "0" * self.digits else s  # no "-0.00"

    def row(self) -> dict[str, str]:
        if self.theory == 0 and self.ci is None and abs(self.measured) <= self.tol:
            measured = f"< {self.tol:g}"  # an exact zero: print the bound, not roundoff noise
        else:
            measured = self._fmt(self.measured)
            if self.ci is not None:
                measured += f" [{self._fmt(self.ci[0])}, {self._fmt(self.ci[1])}]"
        return {
            "quantity": self.quantity,
            "measured [95% CI]": measured,
            "theory": self._fmt(self.theory) if self.theory is not None else "—",
            "tol": f"{self.tol:.3g}",
            "verdict": self.verdict,
        }


class ClaimsTable:
    """Displays as an HTML table in the book and as aligned text in nbval/terminals."""

    def __init__(self, claims: list[Claim], title: str = ""):
        self.claims = list(claims)
        self.title = title

    def rows(self) -> list[dict[str, str]]:
        return [c.row() for c in self.claims]

    def __repr__(self) -> str:
        rows = self.rows()
        if not rows:
            return "(no claims)"
        cols = list(rows[0])
        width = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
        lines = [self.title] if self.title else []
        lines.append("  ".join(c.ljust(width[c]) for c in cols))
        lines += ["  ".join(r[c].ljust(width[c]) for c in cols) for r in rows]
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        rows = self.rows()
        cols = list(rows[0]) if rows else []
        head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(r[c])}</td>" for c in cols) + "</tr>" for r in rows
        )
        cap = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        return f'<table class="claims">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def publish(claims: list[Claim], *, page: str, section: str) -> ClaimsTable:
    """Record ``claims`` under ``section`` of ``page``'s results file and return the table to show.

    The file is written only when ``COMPANION_RESULTS_DIR`` is set; sections accumulate in it
    (a page calls ``publish`` once per experiment).
    """
    out_dir = os.environ.get("COMPANION_RESULTS_DIR")
    if out_dir:
        path = Path(out_dir) / f"{page}.json"
        data = json.loads(path.read_text()) if path.exists() else {"page": page, "sections": {}}
        data["sections"][section] = [
            {**asdict(c), "verdict": c.verdict} for c in claims
        ]
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, allow_nan=True)
            f.write("\n")
        os.replace(tmp, path)
    return ClaimsTable(claims, title=section)
