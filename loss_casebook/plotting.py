"""Small matplotlib helpers shared by the chapters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes


#: Marker and fill of the 1st, 2nd, ... curve: curves that coincide stay
#: visible, and no curve is told from another by its colour alone.
_MARKERS = ((".", "full"), ("o", "none"), ("x", "full"), ("s", "none"), ("^", "none"))


def plot_curves(
    curves: Mapping[str, Sequence[float]],
    *,
    ylabel: str,
    hlines: Mapping[str, float] | None = None,
    yscale: str = "linear",
    label_lines_at: str = "start",
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
        below it: linear within 1 of 0, logarithmic beyond). On a symmetric
        log scale the axis stops at 0 on the side where nothing is drawn.
    label_lines_at:
        ``"start"`` (first epoch), ``"end"`` (last epoch) or ``"legend"``:
        where the labels of the reference lines go, clear of the curves.
    ax:
        Axes to draw on; a new 6 x 3.5 inch figure if omitted.

    Raises
    ------
    ValueError
        If ``curves`` is empty, a curve has no values, ``yscale`` is not one
        of the three, ``label_lines_at`` is not one of its three, or a
        log scale is asked for values that are not positive.
    """
    if not curves:
        raise ValueError("curves must name at least one curve.")
    if yscale not in ("linear", "log", "symlog"):
        raise ValueError(f"yscale must be 'linear', 'log' or 'symlog', got {yscale!r}.")
    if label_lines_at not in ("start", "end", "legend"):
        raise ValueError("label_lines_at must be 'start', 'end' or 'legend', "
                         f"got {label_lines_at!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    drawn: list[float] = []
    for label, values in curves.items():
        values = list(values)
        if not values:
            raise ValueError(f"curve {label!r} has no values.")
        if yscale == "log" and min(values) <= 0:
            raise ValueError(f"curve {label!r} has values <= 0, which a log scale "
                             "cannot show; use yscale='symlog'.")
        marker, fill = _MARKERS[len(ax.get_lines()) % len(_MARKERS)]
        ax.plot(range(1, len(values) + 1), values, marker=marker, fillstyle=fill,
                label=label)
        drawn += values
    last = max(len(list(v)) for v in curves.values())
    x, align = (1, "left") if label_lines_at == "start" else (last, "right")
    for label, y in (hlines or {}).items():
        if yscale == "log" and y <= 0:
            raise ValueError(f"reference line {label!r} is at {y} <= 0, which a log "
                             "scale cannot show.")
        if label_lines_at == "legend":
            ax.axhline(y, linestyle="--", color="grey", linewidth=1, label=label)
        else:
            ax.axhline(y, linestyle="--", color="grey", linewidth=1)
            ax.annotate(label, (x, y), textcoords="offset points", xytext=(2, 3),
                        color="dimgrey", ha=align)
        drawn.append(y)
    if yscale == "symlog":
        ax.set_yscale("symlog", linthresh=1.0)
        if max(drawn) < 0:
            ax.set_ylim(top=0)
        elif min(drawn) > 0:
            ax.set_ylim(bottom=0)
    else:
        ax.set_yscale(yscale)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax
