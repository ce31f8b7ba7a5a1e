"""Option values converted without pydantic, as typer would convert them.

Typer (0.2x) converts the value of every option of the command being run with a pydantic
``TypeAdapter`` built on first use. Importing pydantic and building the adapters of a command's
twenty-odd options took 0.15-0.3 s of every command (measured on `peacewatch datasets`, whose own
work is a few milliseconds). peacewatch's options are plain: ``str``, ``int``, ``float``, ``bool``,
``Path`` and lists of them. For these, :func:`seat` gives each option a converter that does in plain
Python what typer's adapter does; a value it does not recognise as plainly valid (an integer written
``1_000``, a bound crossed) is handed to typer's own adapter, and an option of another type (ingest's
two datetimes) keeps it, so results and error messages stay typer's. tests/cli/test_coercion.py holds
the two paths to the same answers.

This reaches into typer's internals (``typer._coercion.RuntimeParam`` and the parameters'
``_runtime_param`` slot): when they are missing (another typer), :func:`seat` changes nothing and
typer converts as it always does; ``ACTIVE`` says which, and a test checks it with the installed typer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import typer

try:
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_path
    from typer.core import _TyperParameter

    ACTIVE = hasattr(_TyperParameter, "get_runtime_param")
except ImportError:  # pragma: no cover - a typer without pydantic adapters is fast as it is
    ACTIVE = False

# What pydantic's lax int and float accept from a string, in its plainest spelling (ASCII digits, no
# spaces or underscores, no 'inf'): anything else goes to typer's adapter.
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


class _Typer:
    """The answer of a converter that leaves the value to typer's adapter."""


TYPER = _Typer()
Convert = Callable[[Any, Any, Any], Any]  # (value, param, ctx) -> converted value, or TYPER


def _str(value: Any, param: Any, ctx: Any) -> Any:
    return value if type(value) is str else TYPER


def _bool(value: Any, param: Any, ctx: Any) -> Any:
    # A flag's value is already a bool (typer then converts nothing); a missing --help is None, which
    # typer answers before converting; only a bool from an environment variable reaches typer here.
    return value if type(value) is bool else TYPER


def _number(kind: type, pattern: re.Pattern[str], info: Any) -> Convert | None:
    if info.clamp:
        return None  # typer clamps out-of-range values: left to it
    low, high = info.min, info.max

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        typed = type(value) is str and pattern.fullmatch(value)
        default = type(value) is kind or (kind is float and type(value) is int)
        if not (typed or default):
            return TYPER
        number = kind(value)
        if (low is not None and number < low) or (high is not None and number > high):
            return TYPER  # typer's message for a value out of range
        return number

    return convert


def _path(annotation: type, info: Any) -> Convert:
    path_type = info.path_type if info.path_type is not None else annotation

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        # typer makes the Path with a pydantic adapter, then checks it (exists, file or folder, ...)
        # without one: the Path is made here and the checks are typer's.
        if isinstance(value, path_type):  # a default
            return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
        if type(value) is not str or not value:
            return TYPER
        return coerce_cli_path(path_type(value), info, path_type=path_type, param=param, ctx=ctx)

    return convert


def _leaf(annotation: Any, info: Any) -> Convert | None:
    if annotation is str:
        return _str
    if annotation is bool:
        return _bool
    if annotation is int:
        return _number(int, _INT, info)
    if annotation is float:
        return _number(float, _FLOAT, info)
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return _path(annotation, info)
    return None


def _list(item: Convert) -> Convert:
    def convert(value: Any, param: Any, ctx: Any) -> Any:
        values = value if isinstance(value, (list, tuple)) else [value]
        out = [item(v, param, ctx) for v in values]
        return TYPER if any(v is TYPER for v in out) else out

    return convert


def converter(annotation: Any, info: Any) -> Convert | None:
    """The plain converter of an option, or None when typer's adapter must do it."""
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None:
        return None
    if get_origin(annotation) is list:
        (item,) = get_args(annotation) or (None,)
        leaf = _leaf(item, info)
        return _list(leaf) if leaf is not None else None
    return _leaf(annotation, info)


if ACTIVE:

    @dataclass(frozen=True)
    class PlainParam(RuntimeParam):
        """typer's runtime conversion of one parameter, done by ``convert`` when it can."""

        convert: Convert

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            out = self.convert(value, param, ctx)
            if out is TYPER:
                adapter = build_runtime_param(param.type_descriptor)
                return adapter._coerce_value(value, param=param, ctx=ctx)
            return out


def seat(command: Any, parent: Any = None) -> int:
    """Give the parameters of ``command`` and its subcommands (their --help too) plain converters
    where they can have one; returns how many got one (0 when typer is not the one this module knows)."""
    if not ACTIVE:
        return 0
    # The --help option is made per command for a context (its names may be set by the context).
    ctx = typer.Context(command, parent=parent, **getattr(command, "context_settings", {}))
    seated = 0
    for param in [*command.params, command.get_help_option(ctx)]:
        desc = getattr(param, "type_descriptor", None)
        if not isinstance(param, _TyperParameter) or desc is None or param._runtime_param is not None:
            continue
        if desc.file_annotation is not None:
            continue
        convert = converter(desc.annotation, desc.parameter_info)
        if convert is not None:
            param._runtime_param = PlainParam(
                parameter_info=desc.parameter_info, annotation=desc.annotation, convert=convert
            )
            seated += 1
    for sub in getattr(command, "commands", {}).values():
        seated += seat(sub, ctx)
    return seated
