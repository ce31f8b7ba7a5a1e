"""Commands that write case files: `peacewatch agreements from-pax`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peacewatch.cli import render

agreements_app = typer.Typer(
    name="agreements",
    help="Write agreement files (agreement.yaml) to complete by hand.",
    no_args_is_help=True,
    add_completion=False,
)


@agreements_app.command("from-pax")
def from_pax(
    agtid: Annotated[
        str, typer.Argument(metavar="AGTID", help="The PA-X AgtId of the agreement, e.g. 2271.")
    ],
    pax_file: Annotated[
        Path,
        typer.Option("--pax-file", help="The PA-X all-agreements CSV (.csv or .csv.gz).", show_default=False),
    ],
    out: Annotated[
        str | None,  # a string keeps the trailing "/" that marks a folder to create
        typer.Option(
            "--out",
            metavar="FILE",
            help="File to write, or folder (ending in /) to write agreement.yaml into. "
            "Default: <case id>/agreement.yaml.",
            show_default=False,
        ),
    ] = None,
    case_id: Annotated[
        str | None,
        typer.Option("--case-id", help="Agreement id. Default: a slug of the title and year."),
    ] = None,
) -> None:
    """Write a skeleton agreement.yaml from a PA-X row: parties and one stub per provision coded present."""
    from peacewatch.agreements import pax

    made = pax.write_skeleton(agtid, pax_file, out=out, case_id=case_id)
    render.console.print(f"wrote {made.path}", soft_wrap=True, highlight=False, markup=False)
    render.console.print(
        f"{made.data['id']}: {made.parties} parties, {made.stubs} provision stubs "
        "(complete the stubs and the parties' actors before `peacewatch evaluate`)",
        soft_wrap=True,
        highlight=False,
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(agreements_app, name="agreements")
