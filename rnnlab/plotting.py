"""matplotlib is optional: one place imports it for every plot rnnlab writes."""

from __future__ import annotations

import sys

from rnnlab.errors import ConfigError


def load_pyplot(purpose: str, required: bool = False):
    """``matplotlib.pyplot`` on the file-only Agg backend, or None when it is not installed.

    Args:
        purpose: what the plot is, for the message ("loss plot", "--attention-plot").
        required: the user asked for this plot, so a missing matplotlib is a ConfigError;
            otherwise a one-line warning and None (the plot is skipped).
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        if required:
            raise ConfigError(f"{purpose} needs matplotlib: pip install matplotlib") from None
        print(f"rnnlab: warning: matplotlib is not installed; skipping the {purpose}", file=sys.stderr)
        return None
    return plt
