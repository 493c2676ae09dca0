"""Typed configs from TOML files: load, override, check, save.

A config is a tree of dataclasses, one per section (``data``, ``model``, ``train``),
each defined beside the code it configures. This module turns a TOML (or JSON) file
into that tree and back:

    cfg = load_config("run.toml", ExperimentConfig, overrides=["train.lr=0.001"])
    save_config(cfg, "runs/x/config.toml")      # reloads to an equal config

Rules:

* Unknown sections and keys are errors that suggest the near match:
  ``run.toml: unknown key 'train.lrr' (did you mean 'train.lr'?)``.
* Values are checked against the field's type: ``int``, ``float`` (ints accepted),
  ``bool``, ``str``, ``Literal[...]``, ``X | None``, ``tuple[...]``, ``list[X]``,
  ``dict[str, X]`` and nested dataclasses.
* TOML has no null; the string ``"none"`` means ``None`` for a field whose type
  allows ``None`` (that is how :func:`save_config` writes ``None``).
* Overrides are ``dotted.key=value``; the value is parsed as a TOML literal
  (``0.001``, ``true``, ``[1, 2]``, ``"text"``) and falls back to the raw string.

Dataclasses call :func:`check_fields` in ``__post_init__`` so direct Python
construction is checked the same way.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import sys
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar, Union

from rnnlab.errors import ConfigError, suggest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

T = TypeVar("T")

NONE_STRING = "none"  # how None is spelled in TOML files and overrides


# ----------------------------------------------------------------------------- types


def _type_name(tp: Any) -> str:
    if tp is type(None):
        return "none"
    if isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "")


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _allows_none(tp: Any) -> bool:
    return tp is type(None) or (_is_union(tp) and type(None) in typing.get_args(tp))


def _describe(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "float", str: "string"}.get(type(value))
    if kind is None:
        kind = "array" if isinstance(value, (list, tuple)) else type(value).__name__
    return f"{kind} {value!r}"


def coerce(value: Any, tp: Any, where: str) -> Any:
    """Check ``value`` against the type ``tp`` and convert it to that type.

    Conversions are the lossless ones a file format needs: int -> float, list ->
    tuple, dict -> dataclass, ``"none"`` -> None. ``where`` names the field in errors.
    """
    if tp is Any:
        return value
    if _allows_none(tp) and (value is None or value == NONE_STRING):
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if _is_union(tp):
        members = [a for a in args if a is not type(None)]
        errors = []
        for member in members:
            try:
                return coerce(value, member, where)
            except ConfigError as error:
                errors.append(str(error))
        if len(members) == 1:
            raise ConfigError(errors[0])
        expected = " or ".join(_type_name(a) for a in args)
        raise ConfigError(f"{where}: expected {expected}, got {_describe(value)}")
    if origin is Literal:
        if value in args and type(value) in {type(a) for a in args}:
            return value
        valid = ", ".join(repr(a) for a in args)
        hint = suggest(value, [str(a) for a in args]) if isinstance(value, str) else ""
        raise ConfigError(f"{where}: unknown value {value!r}{hint}; valid: {valid}")
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if isinstance(value, tp):
            return value
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a table, got {_describe(value)}")
        return config_from_dict(tp, value, prefix=where)
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected an array, got {_describe(value)}")
        if origin is list or (len(args) == 2 and args[1] is Ellipsis):
            item_types = [args[0] if args else Any] * len(value)
        else:
            item_types = list(args)
            if len(item_types) != len(value):
                raise ConfigError(
                    f"{where}: expected an array of {len(item_types)} items, got {len(value)}"
                )
        items = [coerce(v, t, f"{where}[{i}]") for i, (v, t) in enumerate(zip(value, item_types))]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a table, got {_describe(value)}")
        value_type = args[1] if args else Any
        return {str(k): coerce(v, value_type, f"{where}.{k}") for k, v in value.items()}
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp in (bool, str):
        if isinstance(value, tp):
            return value
    elif tp is Path:
        if isinstance(value, (str, Path)):
            return Path(value)
    else:
        raise ConfigError(f"{where}: unsupported field type {_type_name(tp)}")
    raise ConfigError(f"{where}: expected {_type_name(tp)}, got {_describe(value)}")


def _field_types(schema: type) -> dict[str, Any]:
    hints = typing.get_type_hints(schema)
    return {f.name: hints[f.name] for f in dataclasses.fields(schema) if f.init}


def check_fields(instance: Any) -> None:
    """Type-check (and normalise in place) every field of a config dataclass.

    Call it first thing in ``__post_init__``; frozen dataclasses are supported.
    """
    for name, tp in _field_types(type(instance)).items():
        value = coerce(getattr(instance, name), tp, name)
        object.__setattr__(instance, name, value)


# ----------------------------------------------------------------------------- dicts


def config_from_dict(schema: type[T], data: Mapping[str, Any], *, prefix: str = "") -> T:
    """Build the dataclass ``schema`` from a nested mapping; unknown keys are errors.

    ``prefix`` is the dotted path of this section, used in error messages.
    """
    types_by_name = _field_types(schema)
    dotted = (lambda k: f"{prefix}.{k}") if prefix else (lambda k: k)
    for key in data:
        if key not in types_by_name:
            kind = "key" if prefix else "section or key"
            valid = [dotted(k) for k in types_by_name]
            raise ConfigError(f"unknown {kind} '{dotted(key)}'{suggest(dotted(key), valid)}")
    values = {k: coerce(v, types_by_name[k], dotted(k)) for k, v in data.items()}
    try:
        return schema(**values)
    except ConfigError as error:
        message = str(error)
        if prefix and not message.startswith(prefix):
            message = f"{prefix}.{message}"
        raise ConfigError(message) from None


def config_to_dict(config: Any) -> dict[str, Any]:
    """Nested plain dict of a config dataclass (tuples become lists)."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, Path):
            return str(value)
        return value

    return plain(config)


# ----------------------------------------------------------------------------- overrides


def parse_override(text: str) -> tuple[str, Any]:
    """Split ``"train.lr=0.001"`` into ``("train.lr", 0.001)``.

    The value is read as a TOML literal; if that fails it is the raw string, so
    ``model.cell=gru`` works without quotes.
    """
    key, sep, raw = text.partition("=")
    key, raw = key.strip(), raw.strip()
    if not sep or not key or not re.fullmatch(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*", key):
        raise ConfigError(f"override '{text}': expected dotted.key=value, e.g. train.lr=0.001")
    try:
        value = tomllib.loads(f"value = {raw}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def apply_overrides(config: T, overrides: Iterable[str]) -> T:
    """Return a copy of ``config`` with ``dotted.key=value`` overrides applied and checked."""
    data = config_to_dict(config)
    for text in overrides:
        key, value = parse_override(text)
        node: Any = data
        schema: Any = type(config)
        parts = key.split(".")
        for depth, part in enumerate(parts):
            here = ".".join(parts[: depth + 1])
            if schema is not None:
                fields = _field_types(schema)
                if part not in fields:
                    prefix = ".".join(parts[:depth])
                    valid = [f"{prefix}.{k}" if prefix else k for k in fields]
                    raise ConfigError(f"override '{text}': unknown key '{here}'{suggest(here, valid)}")
                tp = fields[part]
                schema = tp if dataclasses.is_dataclass(tp) else None
            if depth == len(parts) - 1:
                node[part] = value
            else:
                if not isinstance(node.get(part), dict):
                    if schema is None and part in node and node[part] is not None:
                        raise ConfigError(f"override '{text}': '{here}' is not a table")
                    node[part] = {}
                node = node[part]
    try:
        return config_from_dict(type(config), data)
    except ConfigError as error:
        raise ConfigError(f"--set: {error}") from None


# ----------------------------------------------------------------------------- files


def load_config(path: str | Path, schema: type[T], overrides: Iterable[str] = ()) -> T:
    """Read a ``.toml`` or ``.json`` config file into ``schema``, then apply overrides."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config ({error.strerror})") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"{path}: not valid {path.suffix.lstrip('.') or 'TOML'}: {error}") from None
    try:
        config = config_from_dict(schema, data)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
    return apply_overrides(config, overrides)


def save_config(config: Any, path: str | Path) -> Path:
    """Write ``config`` as TOML (``.toml``) or JSON (any other suffix); returns the path."""
    path = Path(path)
    data = config_to_dict(config)
    text = dumps_toml(data) if path.suffix == ".toml" else json.dumps(data, indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- TOML writer


_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    escaped = []
    for ch in text:
        if ch in '"\\':
            escaped.append("\\" + ch)
        elif ch in "\b\t\n\f\r":
            escaped.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            escaped.append(f"\\u{ord(ch):04x}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


def _toml_value(value: Any, where: str) -> str:
    if value is None:
        return _toml_string(NONE_STRING)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)  # shortest repr round-trips exactly and always has '.' or 'e'
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v, where) for v in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v, where)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise ConfigError(f"{where}: cannot write {type(value).__name__} to TOML")


def dumps_toml(data: Mapping[str, Any]) -> str:
    """Serialise a nested dict of plain values to TOML; sub-dicts become ``[tables]``."""
    lines: list[str] = []

    def table(node: Mapping[str, Any], path: list[str]) -> None:
        scalars = {k: v for k, v in node.items() if not isinstance(v, Mapping)}
        tables = {k: v for k, v in node.items() if isinstance(v, Mapping)}
        if path and (scalars or not tables):
            if lines:
                lines.append("")
            lines.append("[" + ".".join(_toml_key(p) for p in path) + "]")
        for key, value in scalars.items():
            lines.append(f"{_toml_key(str(key))} = {_toml_value(value, '.'.join(path + [key]))}")
        for key, value in tables.items():
            table(value, path + [str(key)])

    table(data, [])
    return "\n".join(lines) + "\n"


def with_values(config: Any, values: dict[str, Any]) -> Any:
    """A copy of ``config`` with ``{"section.key": value}`` set (None values skipped), re-validated."""
    data = config_to_dict(config)
    for key, value in values.items():
        if value is None:
            continue
        node = data
        *parents, last = key.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return config_from_dict(type(config), data)


def require_at_least(config: Any, names: Iterable[str], minimum: int = 1, prefix: str = "") -> None:
    """ConfigError ``"{prefix}{name} must be >= {minimum}, got {value}"`` for the first field below ``minimum``."""
    for name in names:
        value = getattr(config, name)
        if value < minimum:
            raise ConfigError(f"{prefix}{name} must be >= {minimum}, got {value}")


def require_rate(config: Any, names: Iterable[str], prefix: str = "") -> None:
    """ConfigError ``"{prefix}{name} must be in [0, 1), got {value}"`` for the first field outside [0, 1)."""
    for name in names:
        value = getattr(config, name)
        if not 0.0 <= value < 1.0:
            raise ConfigError(f"{prefix}{name} must be in [0, 1), got {value}")
