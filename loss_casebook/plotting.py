"""Small matplotlib helpers shared by the chapters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    ylabel: str,
    hlines: Mapping[str, float] | None = None,
    yscale: str = "linear",
    ax: Axes | None = None,
) -> Axes:
    """Plot named per-epoch curves, with labelled horizontal reference lines.

    Parameters
    ----------
    curves:
        Label -> values, one value per epoch (epochs are numbered from 1).
    ylabel:
        Label of the y axis.
    hlines:
        Label -> y value of dashed reference lines (a zero line, a ceiling).
    yscale:
        ``"linear"``, ``"log"`` (for positive curves that span decades) or
        ``"symlog"`` (for curves that span decades on both sides of 0, or
        below it: linear within 1 of 0, logarithmic beyond).
    ax:
        Axes to draw on; a new 6 x 3.5 inch figure if omitted.

    Raises
    ------
    ValueError
        If ``curves`` is empty, a curve has no values, ``yscale`` is not one
        of the three, or a log scale is asked for values that are not positive.
    """
    if not curves:
        raise ValueError("curves must name at least one curve.")
    if yscale not in ("linear", "log", "symlog"):
        raise ValueError(f"yscale must be 'linear', 'log' or 'symlog', got {yscale!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for label, values in curves.items():
        values = list(values)
        if not values:
            raise ValueError(f"curve {label!r} has no values.")
        if yscale == "log" and min(values) <= 0:
            raise ValueError(f"curve {label!r} has values <= 0, which a log scale "
                             "cannot show; use yscale='symlog'.")
        ax.plot(range(1, len(values) + 1), values, marker=".", label=label)
    for label, y in (hlines or {}).items():
        if yscale == "log" and y <= 0:
            raise ValueError(f"reference line {label!r} is at {y} <= 0, which a log "
                             "scale cannot show.")
        ax.axhline(y, linestyle="--", color="grey", linewidth=1)
        ax.annotate(label, (1, y), textcoords="offset points", xytext=(2, 3), color="dimgrey")
    if yscale == "symlog":
        ax.set_yscale("symlog", linthresh=1.0)
    else:
        ax.set_yscale(yscale)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax
