"""YAML mappings -> typed frozen dataclasses, with errors that name the file and the field.

Shared by the config loader and the brief loader so both report mistakes the same way.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from bot.errors import BriefbotError


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return " or ".join(repr(a) for a in get_args(tp))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in get_args(tp))
    if origin is tuple:
        return f"a list of {_type_name(get_args(tp)[0])}"
    if origin is dict:
        return "a mapping"
    if tp is type(None):
        return "null"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        Path: "a path",
    }.get(tp, getattr(tp, "__name__", str(tp)))


def from_mapping(
    cls: Any,
    data: Any,
    *,
    file: str,
    error: type[BriefbotError],
    where: str = "",
    hidden: tuple[str, ...] = (),
) -> Any:
    """Build dataclass `cls` from a YAML mapping, checking every key and type.

    Errors are raised as `error` and name the file, the dotted field path and what was expected.
    """
    label = where or "the top level"
    if not isinstance(data, dict):
        raise error(f"{file}: {label} must be a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - known)
    if unknown:
        raise error(
            f"{file}: {where + '.' if where else ''}{unknown[0]}: unknown setting; "
            f"known settings here are: {', '.join(sorted(known - set(hidden)))}"
        )
    missing = [
        f.name
        for f in dataclasses.fields(cls)
        if f.init
        and f.name not in data
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise error(
            f"{file}: {where + '.' if where else ''}{missing[0]}: required field is missing"
        )
    kwargs = {}
    for name, value in data.items():
        kwargs[name] = _coerce(
            hints[name], value, file, f"{where}.{name}" if where else name, error, hidden
        )
    return cls(**kwargs)


def _coerce(
    tp: Any, value: Any, file: str, where: str, error: type[BriefbotError], hidden: tuple[str, ...]
) -> Any:
    origin = get_origin(tp)
    bad = error(f"{file}: {where}: expected {_type_name(tp)}, got {value!r}")
    if origin in (types.UnionType, typing.Union):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(arg, value, file, where, error, hidden)
            except BriefbotError:
                continue
        raise bad
    if origin is Literal:
        if value in get_args(tp):
            return value
        raise bad
    if origin is tuple:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise bad
        item = get_args(tp)[0]
        return tuple(
            _coerce(item, v, file, f"{where}[{i}]", error, hidden) for i, v in enumerate(value)
        )
    if origin is dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise bad
        kt, vt = get_args(tp)
        return {
            _coerce(kt, k, file, f"{where}", error, hidden): _coerce(
                vt, v, file, f"{where}.{k}", error, hidden
            )
            for k, v in value.items()
        }
    if dataclasses.is_dataclass(tp):
        return from_mapping(
            tp, value if value is not None else {}, file=file, error=error, where=where
        )
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise bad
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise bad
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise bad
    if tp is str:
        if isinstance(value, str):
            return value
        raise bad
    if tp is Path:
        if isinstance(value, str) and value.strip():
            return Path(value)
        raise bad
    raise bad  # pragma: no cover - a type this loader was not taught
