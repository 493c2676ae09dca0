"""Errors rnnlab raises for bad input.

Every error a user can cause (a bad option, a malformed file, an unknown cell name)
is an :class:`RnnlabError` whose message is one line naming the field, file or line
and what was expected. The CLI prints such messages without a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class RnnlabError(Exception):
    """Base class for errors caused by user input (options, files, configs)."""


class ConfigError(RnnlabError, ValueError):
    """An option or config value is invalid."""


class DataError(RnnlabError, ValueError):
    """An input file or dataset is malformed."""


class CheckpointError(RnnlabError):
    """A checkpoint is missing, corrupt, or does not match the model."""


class EngineUnavailable(RnnlabError):
    """A requested compute engine cannot run the given configuration."""


def suggest(name: str, valid: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the nearest valid name, or ``""``."""
    matches = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def unknown_choice(field: str, name: str, valid: Iterable[str]) -> ConfigError:
    """Build the standard error for a name that is not one of ``valid``."""
    valid = sorted(valid)
    return ConfigError(
        f"unknown {field} '{name}'{suggest(name, valid)}; valid: {', '.join(valid)}"
    )
