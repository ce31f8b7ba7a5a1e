"""docs/cli.md tells the truth about the CLI: every command it documents exists and accepts every option
it lists; every command takes --store; the filters it lists are those of every indicator command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from peacewatch.cli.app import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
INDICATORS = ("series", "compare", "trend", "changepoints", "its", "events")


def _commands() -> dict[str, object]:
    found: dict[str, object] = {}

    def walk(prefix: str, command) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(f"{prefix} {name}".strip(), sub)
        else:
            found[prefix] = command

    walk("", typer.main.get_command(app))
    return found


COMMANDS = _commands()


def _accepted(command) -> set[str]:
    return {o for p in command.params for o in (*getattr(p, "opts", ()), *getattr(p, "secondary_opts", ()))}


def _documented() -> list[tuple[str, str]]:
    """(command, its synopsis) for each `### \\`...\\`` heading and each row of the command tables."""
    out = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"### `([^`]+)`", line) or re.match(r"\| `([^`]+)` \|", line)
        if not m:
            continue
        words = m.group(1).replace("\\|", "|").split()
        name = " ".join(words[:2]) if " ".join(words[:2]) in COMMANDS else words[0]
        out.append((name, m.group(1)))
    return out


DOCUMENTED = _documented()


def test_docs_cli_documents_every_command_and_nothing_else():
    assert {name for name, _ in DOCUMENTED} == set(COMMANDS)


@pytest.mark.parametrize(("name", "synopsis"), DOCUMENTED, ids=[n for n, _ in DOCUMENTED])
def test_every_documented_option_is_accepted(name, synopsis):
    accepted = _accepted(COMMANDS[name])
    listed = set(OPTION.findall(synopsis))
    if "[filters]" in synopsis:
        listed |= _filter_flags()
    assert listed - accepted == set(), f"docs/cli.md lists options `{name}` does not accept"


def _filter_flags() -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Filters") : text.index("## Indicators and statistics")]
    paragraph = section.split("\n\n")[1]
    return set(OPTION.findall(paragraph))


def test_every_command_takes_store_as_the_docs_say():
    # docs/cli.md: every command but agreements from-pax and login, which read no store.
    missing = sorted(n for n, c in COMMANDS.items() if "--store" not in _accepted(c))
    assert missing == ["agreements from-pax", "login"]


@pytest.mark.parametrize("name", INDICATORS)
def test_the_documented_filters_are_those_of_every_indicator_command(name):
    assert _filter_flags() <= _accepted(COMMANDS[name])


def test_every_command_with_a_json_payload_takes_json():
    # brief, chart and agreements from-pax write files; serve serves; every other command prints a payload.
    writers = {"brief", "chart", "agreements from-pax", "serve"}
    assert [n for n, c in COMMANDS.items() if n not in writers and "--json" not in _accepted(c)] == []


def test_every_command_that_reads_the_store_takes_snapshot():
    # ingest, store compact and the syncs write; snapshots and diff read the history itself; from-pax
    # and login read no store; serve takes a snapshot per request (?snapshot=N); watch syncs and then
    # reads the snapshot its sync made, never an older one.
    others = {"ingest", "store compact", "snapshots", "diff", "agreements from-pax", "login", "serve"}
    others |= {"watch"}
    others |= {n for n in COMMANDS if n.startswith("sync ")}
    assert [n for n, c in COMMANDS.items() if n not in others and "--snapshot" not in _accepted(c)] == []
