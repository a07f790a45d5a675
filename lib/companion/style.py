"""One figure style for the whole book.

Colour-blind-safe palette (Okabe–Ito); log-log axes for power laws, with the fit window shaded and
the theory line dashed. The library never selects a matplotlib backend: pages render inline PNG.
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

#: Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.constrained_layout.use": True,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.grid": True,
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "mathtext.fontset": "cm",
    "legend.frameon": False,
    "lines.linewidth": 1.4,
    "lines.markersize": 4,
}


def apply() -> None:
    """Make the book's style the default of the calling page (call once, in the page's set-up cell)."""
    mpl.rcParams.update(RC)


@contextmanager
def book_style():
    """The book's style inside a ``with`` block (the interactive flag is left alone: a figure created
    here must still be shown by the inline backend after the block, and the first pyplot call inside
    may be the one that switches the backend on)."""
    saved = {k: mpl.rcParams[k] for k in RC}
    mpl.rcParams.update(RC)
    try:
        yield
    finally:
        mpl.rcParams.update(saved)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


#: Width of the book's text column in inches: a figure drawn wider is scaled down in the page and its
#: text falls below the 9 pt minimum (fonts are set at 9–10 pt for a figure shown at this width).
COLUMN_WIDTH = 7.0


def subplots(nrows: int = 1, ncols: int = 1, *, width: float = COLUMN_WIDTH, height_per_row: float = 3.0, **kw):
    """``plt.subplots`` with the book's style, drawn for the page column (at most ``COLUMN_WIDTH`` wide).

    Split panels that do not fit into several figures, or stack them in rows, rather than widen.
    """
    if not 0 < width <= COLUMN_WIDTH:
        raise ValueError(f"width must be in (0, {COLUMN_WIDTH}] inches (the book's column); got {width}")
    with book_style():
        fig, axes = plt.subplots(nrows, ncols, figsize=(width, height_per_row * nrows), squeeze=False, **kw)
    return fig, axes


def loglog(ax, *, xlabel: str, ylabel: str) -> None:
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def shade_window(ax, window, *, label: str | None = "fit window") -> None:
    """Shade the x-range used by a fit."""
    ax.axvspan(window[0], window[1], color="0.5", alpha=0.12, lw=0, label=label)


def theory_line(ax, x, y, *, label: str | None = None, color: str = "0.2", lw: float = 1.1, **kw):
    """A dashed theory curve."""
    return ax.plot(np.asarray(x), np.asarray(y), ls="--", color=color, lw=lw, label=label, **kw)
