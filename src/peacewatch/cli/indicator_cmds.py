"""Indicator and statistics commands: series, compare, trend, changepoints, its."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Added with the indicators issue."""
