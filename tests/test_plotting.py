"""Plots are optional: without matplotlib, skipped plots warn in one line and requested ones fail clearly."""

import sys

import pytest

from rnnlab.errors import ConfigError
from rnnlab.plotting import load_pyplot


def test_missing_matplotlib_skips_optional_plots_with_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now raises ImportError
    assert load_pyplot("loss plot") is None
    assert capsys.readouterr().err == "rnnlab: warning: matplotlib is not installed; skipping the loss plot\n"


def test_missing_matplotlib_fails_a_requested_plot(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ConfigError, match=r"^--attention-plot needs matplotlib: pip install matplotlib$"):
        load_pyplot("--attention-plot", required=True)


def test_pyplot_uses_the_file_only_backend():
    pytest.importorskip("matplotlib")
    plt = load_pyplot("test plot")
    import matplotlib

    assert plt is not None and matplotlib.get_backend().lower() == "agg"
