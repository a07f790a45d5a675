"""Measured-versus-theory claims: the table a page shows and the data file the book keeps.

A claim is one checked statement: a measured value (with its 95% interval where it has one), the
prediction and its source, optionally a **rival** prediction (e.g. spectral bias against the true
exponent), and a **tolerance with its reason** (the accuracy of the method, never tuned on the
answer). Its verdict is one of

``agrees``
    the prediction lies in the measured interval (for a deterministic measurement, which has no
    interval: within ``tol`` of it — the tolerance is then the method's accuracy);
``agrees within tolerance only``
    the interval excludes the prediction; only the tolerance added to each side brings it in;
``does not discriminate``
    the interval widened by the tolerance contains the prediction *and* the rival: the measurement
    cannot tell them apart, whatever its central value;
``disagrees``
    the prediction lies outside the interval widened by the tolerance;
``measured``
    a number reported without a prediction (``theory=None``);
``no measurement``
    the measurement is not finite.

:func:`publish` returns a :class:`ClaimsTable`, which shows a one-line tally, the claims that do not
simply agree, and the whole table (collapsed when long); its text is rounded to each claim's stated
precision so that nbval compares it across machines without tripping on float noise, yet fails when a
number moves by one unit of that precision or a verdict flips. When ``COMPANION_RESULTS_DIR`` is set
(the page pipeline sets it) the claims are also written at full precision to ``<page>.json``.
"""

from __future__ import annotations

import html
import json
import math
import os
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

AGREES = "agrees"
WITHIN_TOL = "agrees within tolerance only"
NO_DISCRIMINATION = "does not discriminate"
DISAGREES = "disagrees"
MEASURED = "measured"
NO_MEASUREMENT = "no measurement"
#: Every verdict, in the order a tally lists them.
VERDICTS = (AGREES, WITHIN_TOL, NO_DISCRIMINATION, DISAGREES, MEASURED, NO_MEASUREMENT)

#: Background colours of the verdict cells (Okabe–Ito hues, lightened for text contrast).
_VERDICT_COLOURS = {AGREES: "#d4efe6", WITHIN_TOL: "#fbeccc", NO_DISCRIMINATION: "#fbeccc",
                    DISAGREES: "#f6d5c6", MEASURED: "#ececec", NO_MEASUREMENT: "#f6d5c6"}
#: Tables longer than this are collapsed behind their tally.
COLLAPSE_AFTER = 6


@dataclass(frozen=True, kw_only=True)
class Claim:
    """One checked statement of a page.

    quantity : what is measured, e.g. "NTK exponent, d=3, L=4, even k".
    measured : the measured value; ci : optional (lo, hi) 95% interval on it.
    theory : the prediction (None for a number reported without prediction); source : where it comes from.
    rival : a competing prediction, if one exists; rival_source : where it comes from.
    tol : tolerance added to each side of the interval; tol_reason : why this much (required if tol > 0).
    digits : decimals shown (choose coarser than run-to-run noise).
    """

    quantity: str
    measured: float
    theory: float | None = None
    ci: tuple[float, float] | None = None
    tol: float = 0.0
    tol_reason: str = ""
    rival: float | None = None
    rival_source: str = ""
    digits: int = 2
    source: str = ""

    def __post_init__(self):
        if not (self.tol >= 0 and math.isfinite(self.tol)):
            raise ValueError(f"tol must be a finite number >= 0; got {self.tol!r} ({self.quantity})")
        if self.tol > 0 and not self.tol_reason:
            raise ValueError(f"tol_reason must say why the tolerance is {self.tol:g} ({self.quantity})")
        if self.rival is not None and self.theory is None:
            raise ValueError(f"a rival prediction needs a prediction (theory) to compete with ({self.quantity})")
        if self.ci is not None and not self.ci[0] <= self.ci[1]:
            raise ValueError(f"ci must be (lo, hi) with lo <= hi; got {self.ci} ({self.quantity})")

    @property
    def verdict(self) -> str:
        if self.theory is None:
            return MEASURED
        if not math.isfinite(self.measured):
            return NO_MEASUREMENT
        lo, hi = self.ci if self.ci is not None else (self.measured, self.measured)
        wide_lo, wide_hi = lo - self.tol, hi + self.tol
        predicted = wide_lo <= self.theory <= wide_hi
        if predicted and self.rival is not None and wide_lo <= self.rival <= wide_hi:
            return NO_DISCRIMINATION
        if not predicted:
            return DISAGREES
        if self.ci is None or lo <= self.theory <= hi:
            return AGREES
        return WITHIN_TOL

    def _fmt(self, x: float | None) -> str:
        if x is None:
            return "—"
        if not math.isfinite(x):
            return str(x)
        s = f"{x:.{self.digits}f}"
        return "0." + "0" * self.digits if s.lstrip("-") == "0." + "0" * self.digits else s  # no "-0.00"

    def row(self) -> dict[str, str]:
        """The claim as display strings (rounded to ``digits``)."""
        if self.theory == 0 and self.ci is None and abs(self.measured) <= self.tol:
            measured = f"< {self.tol:g}"  # an exact zero: print the bound, not roundoff noise
        else:
            measured = self._fmt(self.measured)
            if self.ci is not None:
                measured += f" [{self._fmt(self.ci[0])}, {self._fmt(self.ci[1])}]"
        return {
            "quantity": self.quantity,
            "measured [95% CI]": measured,
            "prediction": self._fmt(self.theory),
            "rival": self._fmt(self.rival),
            "tolerance": f"±{self.tol:.3g}" if self.tol > 0 else "—",
            "verdict": self.verdict,
        }


def tally(claims: list[Claim]) -> str:
    """One line, e.g. "58 claims: 57 agree, 1 does not discriminate"."""
    counts = Counter(c.verdict for c in claims)
    plural = {AGREES: "agree", DISAGREES: "disagree", NO_DISCRIMINATION: "do not discriminate",
              WITHIN_TOL: "agree within tolerance only", MEASURED: "measured", NO_MEASUREMENT: "no measurement"}
    parts = [f"{counts[v]} {v if counts[v] == 1 else plural[v]}" for v in VERDICTS if counts[v]]
    n = len(claims)
    return f"{n} claim{'s' if n != 1 else ''}: " + ", ".join(parts) if n else "no claims"


class ClaimsTable:
    """Displays as an HTML table in the book and as aligned text in nbval and terminals.

    Both show the tally, the claims that do not simply agree, the table, and numbered notes: the
    source of each prediction and rival, and the reason of each tolerance.
    """

    def __init__(self, claims: list[Claim], title: str = ""):
        self.claims = list(claims)
        self.title = title

    @property
    def verdicts(self) -> list[str]:
        return [c.verdict for c in self.claims]

    def _notes(self) -> tuple[list[str], list[dict[str, str]]]:
        """Numbered notes (sources, tolerance reasons) and each claim's row with its note marks."""
        notes: list[str] = []

        def mark(text: str) -> str:
            if not text:
                return ""
            if text not in notes:
                notes.append(text)
            return f" [{notes.index(text) + 1}]"

        rows = []
        for c in self.claims:
            r = c.row()
            if c.theory is not None:
                r["prediction"] += mark(c.source)
            if c.rival is not None:
                r["rival"] += mark(c.rival_source)
            if c.tol > 0:
                r["tolerance"] += mark(c.tol_reason)
            rows.append(r)
        show_rival = any(c.rival is not None for c in self.claims)
        return notes, [{k: v for k, v in r.items() if show_rival or k != "rival"} for r in rows]

    def __repr__(self) -> str:
        if not self.claims:
            return "(no claims)"
        notes, rows = self._notes()
        cols = list(rows[0])
        width = {c: max(len(c), *(len(r[c]) for r in rows)) for c in cols}
        lines = [self.title] if self.title else []
        lines.append(tally(self.claims))
        lines.append("  ".join(c.ljust(width[c]) for c in cols))
        lines += ["  ".join(r[c].ljust(width[c]) for c in cols) for r in rows]
        lines += [f"[{i}] {n}" for i, n in enumerate(notes, 1)]
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        if not self.claims:
            return "<p>(no claims)</p>"
        notes, rows = self._notes()
        cols = list(rows[0])
        pad = "padding:2px 8px;"
        num = {"measured [95% CI]", "prediction", "rival", "tolerance"}

        def cell(col: str, text: str) -> str:
            style = pad + ("text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;" if col in num else "")
            if col == "verdict":
                style += f"background:{_VERDICT_COLOURS[text]};white-space:nowrap;"
            return f'<td style="{style}">{html.escape(text)}</td>'

        def table(rs: list[dict[str, str]]) -> str:
            head = "".join(f'<th style="{pad}text-align:{"right" if c in num else "left"}">{html.escape(c)}</th>'
                           for c in cols)
            body = "".join("<tr>" + "".join(cell(c, r[c]) for c in cols) + "</tr>" for r in rs)
            return (f'<table class="claims" style="border-collapse:collapse;font-size:0.85em;margin:0.3em 0">'
                    f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

        parts = [f"<p><strong>{html.escape(self.title)}</strong> — {html.escape(tally(self.claims))}</p>"
                 if self.title else f"<p>{html.escape(tally(self.claims))}</p>"]
        exceptions = [r for r in rows if r["verdict"] != AGREES]
        if len(rows) > COLLAPSE_AFTER:
            if exceptions and len(exceptions) < len(rows):
                parts.append(table(exceptions))
            parts.append(f"<details><summary>all {len(rows)} claims</summary>{table(rows)}</details>")
        else:
            parts.append(table(rows))
        if notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
            parts.append(f'<ol style="font-size:0.8em;margin-top:0.2em">{items}</ol>')
        return '<div class="claims-block">' + "".join(parts) + "</div>"


def publish(claims: list[Claim], *, page: str, section: str) -> ClaimsTable:
    """Record ``claims`` under ``section`` of ``page``'s results file and return the table to show.

    The file is written only when ``COMPANION_RESULTS_DIR`` is set; sections accumulate in it
    (a page calls ``publish`` once per experiment).
    """
    out_dir = os.environ.get("COMPANION_RESULTS_DIR")
    if out_dir:
        path = Path(out_dir) / f"{page}.json"
        data = json.loads(path.read_text()) if path.exists() else {"page": page, "sections": {}}
        data["sections"][section] = [{**asdict(c), "verdict": c.verdict} for c in claims]
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, allow_nan=True)
            f.write("\n")
        os.replace(tmp, path)
    return ClaimsTable(claims, title=section)


def load(path: Path) -> tuple[str, dict[str, list[Claim]]]:
    """Read a results file back: (page, {section: claims})."""
    data = json.loads(Path(path).read_text())
    sections = {}
    for section, items in data["sections"].items():
        sections[section] = [Claim(**{k: (tuple(v) if k == "ci" and v is not None else v)
                                      for k, v in c.items() if k != "verdict"}) for c in items]
    return data["page"], sections
