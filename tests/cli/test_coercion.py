"""Option values converted without pydantic (cli/coercion.py) give what typer's own adapters give:
the same value, or the same error message, for whatever a user types."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest
import typer
import typer.main
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._coercion import build_runtime_param

from peacewatch.cli import coercion
from peacewatch.cli.app import app

probe = typer.Typer()


@probe.command()
def every_kind(
    files: Annotated[list[Path] | None, typer.Argument()] = None,
    text: Annotated[str | None, typer.Option()] = None,
    texts: Annotated[list[str] | None, typer.Option()] = None,
    count: Annotated[int, typer.Option()] = 3,
    limit: Annotated[int, typer.Option(min=0)] = 30,
    between: Annotated[int | None, typer.Option(min=-5, max=5)] = None,
    share: Annotated[float, typer.Option()] = 0.5,
    whole_share: Annotated[float, typer.Option()] = 1,
    store: Annotated[Path | None, typer.Option(envvar="PW_TEST_STORE")] = None,
    paths: Annotated[list[Path] | None, typer.Option()] = None,
    flag: Annotated[bool, typer.Option()] = False,
) -> None:
    """A command with every kind of option peacewatch's commands have."""


COMMAND = typer.main.get_command(probe)
PARAMS = {p.name: p for p in COMMAND.params}
# What people type: numbers in every spelling, paths, words, blanks, underscores, exponents, signs.
typed = st.one_of(
    st.text(alphabet="0123456789+-._eE xX/a~", max_size=8),
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "-", "٣", "1_000", "0x1F", "inf", "nan", "1e3", ".5", "5.", "007", "true"]),
)


def outcome(runtime, param, value):
    ctx = typer.Context(COMMAND)
    try:
        got = runtime._coerce_value(value, param=param, ctx=ctx)
        return ("value", type(got), repr(got))  # repr: nan == nan
    except typer.BadParameter as exc:
        return ("error", exc.format_message())


def same_as_typer(name, value):
    param = PARAMS[name]
    desc = param.type_descriptor
    plain = coercion.PlainParam(
        parameter_info=desc.parameter_info,
        annotation=desc.annotation,
        convert=coercion.converter(desc.annotation, desc.parameter_info),
    )
    assert outcome(plain, param, value) == outcome(build_runtime_param(desc), param, value)


def _unseated(command, parent=None):
    ctx = typer.Context(command, parent=parent)
    for param in [*command.params, command.get_help_option(ctx)]:
        if param is not None and param._runtime_param is None:
            yield f"{command.name} --{param.name}: {param.type_descriptor.annotation.__name__}"
    for sub in getattr(command, "commands", {}).values():
        yield from _unseated(sub, ctx)


def test_every_option_of_the_cli_but_the_datetime_ones_converts_without_pydantic():
    # A typer whose internals moved would silently bring pydantic back into every command. The
    # datetime options (ingest's date bounds, the syncs' ranges) keep typer's converter: only the
    # commands that take them pay for it.
    assert coercion.ACTIVE
    command = typer.main.get_command(app)
    assert coercion.seat(command) > 200
    assert sorted(_unseated(command)) == [
        "acled --since: datetime",
        "acled --until: datetime",
        "gdelt --since: datetime",
        "ingest --covers_to: datetime",
        "ingest --earliest_date: datetime",
        "ingest --latest_date: datetime",
        "ucdp --since: datetime",
        "ucdp --until: datetime",
    ]


KINDS = ["text", "count", "limit", "between", "share", "whole_share", "store", "flag"]


@pytest.mark.parametrize("name", KINDS)
def test_every_kind_of_option_has_a_plain_converter(name):
    desc = PARAMS[name].type_descriptor
    assert coercion.converter(desc.annotation, desc.parameter_info) is not None


@settings(max_examples=150, deadline=None)
@given(value=typed, name=st.sampled_from(["text", "count", "limit", "between", "share", "whole_share"]))
def test_a_typed_value_converts_as_typer_converts_it(value, name):
    same_as_typer(name, value)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(typed, max_size=3).map(tuple), name=st.sampled_from(["texts", "files", "paths"]))
def test_a_repeated_option_converts_as_typer_converts_it(values, name):
    same_as_typer(name, values)


@pytest.mark.parametrize(
    ("name", "value"),
    [("count", 3), ("limit", 30), ("share", 0.5), ("whole_share", 1), ("flag", False), ("flag", "yes")],
)
def test_defaults_and_environment_values_convert_as_typer_converts_them(name, value):
    same_as_typer(name, value)


def test_paths_convert_as_typer_converts_them(tmp_path):
    for value in [str(tmp_path), str(tmp_path / "missing.duckdb"), "relative/file.csv", tmp_path, "~"]:
        same_as_typer("store", value)
