import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from loss_casebook.plotting import plot_curves  # noqa: E402


def test_plot_curves_draws_each_curve_and_reference_line():
    ax = plot_curves({"loss": [-0.2, -0.4], "val_loss": [-0.1, -0.3]},
                     ylabel="cosine loss", hlines={"0": 0.0})
    curves = [line for line in ax.get_lines() if line.get_label() in ("loss", "val_loss")]
    assert len(curves) == 2
    assert list(curves[0].get_xdata()) == [1, 2]  # epochs count from 1
    assert any(list(line.get_ydata()) == [0.0, 0.0] for line in ax.get_lines())
    assert ax.get_ylabel() == "cosine loss" and ax.get_xlabel() == "epoch"
    plt.close("all")


@pytest.mark.parametrize("curves, word", [({}, "at least one"), ({"loss": []}, "no values")])
def test_plot_curves_rejects_empty_input(curves, word):
    with pytest.raises(ValueError, match=word):
        plot_curves(curves, ylabel="y")


def test_plot_curves_on_a_log_scale():
    ax = plot_curves({"minus the loss": [118.0, 2067.0, 123401.0]}, ylabel="-loss",
                     hlines={"floor": 2067.0}, yscale="log")
    assert ax.get_yscale() == "log"
    assert any(list(line.get_ydata()) == [2067.0, 2067.0] for line in ax.get_lines())
    plt.close("all")


@pytest.mark.parametrize("kwargs, word", [
    ({"curves": {"loss": [1.0, -2.0]}, "yscale": "log"}, "values <= 0"),
    ({"curves": {"loss": [1.0]}, "hlines": {"zero": 0.0}, "yscale": "log"}, "reference line"),
    ({"curves": {"loss": [1.0]}, "yscale": "symlog10"}, "'linear', 'log' or 'symlog'"),
    ({"curves": {"loss": [1.0]}, "label_lines_at": "middle"}, "'start', 'end' or 'legend'"),
])
def test_plot_curves_rejects_what_a_log_scale_cannot_show(kwargs, word):
    with pytest.raises(ValueError, match=word):
        plot_curves(ylabel="y", **kwargs)
    plt.close("all")


def test_plot_curves_on_a_symmetric_log_scale_shows_negative_losses():
    ax = plot_curves({"tensorflow": [-118.0, -123401.0], "jax": [57.0, -2067.0]},
                     ylabel="loss", hlines={"floor": -2067.0}, yscale="symlog")
    assert ax.get_yscale() == "symlog"
    low, high = ax.get_ylim()
    assert low < -123401.0 and high > 57.0  # every value on the chart
    plt.close("all")


def test_on_a_symmetric_log_scale_an_all_negative_chart_stops_at_zero():
    ax = plot_curves({"loss": [-57.0, -2067.0, -2067.0]}, ylabel="loss",
                     hlines={"floor": -2067.0}, yscale="symlog", label_lines_at="end")
    assert ax.get_ylim()[1] == 0
    (label,) = ax.texts
    assert label.get_text() == "floor" and label.xy == (3, -2067.0)  # at the last epoch
    plt.close("all")


def test_coinciding_curves_stay_visible_and_lines_can_be_named_in_the_legend():
    ax = plot_curves({"jax": [1.1, 0.744], "torch": [1.1, 0.744]}, ylabel="loss",
                     hlines={"floor": 0.744}, label_lines_at="legend")
    jax, torch = (line for line in ax.get_lines() if line.get_label() in ("jax", "torch"))
    assert (jax.get_marker(), jax.get_fillstyle()) != (torch.get_marker(), torch.get_fillstyle())
    assert not ax.texts  # no annotation on the chart
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == ["jax", "torch", "floor"]
    plt.close("all")
