"""brief.yaml: the questions a brief answers and the evidence blocks under each (docs/brief-format.md)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from peacewatch.errors import CaseError
from peacewatch.indicators.filters import Filters
from peacewatch.yamldoc import LineYAML


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Shade(_Strict):
    label: str
    span: str


class SeriesBlock(_Strict):
    filters: dict[str, Any] = {}
    by: Literal["day", "week", "month"] = "week"
    from_: dt.date = Field(alias="from")
    to: dt.date
    measure: Literal["events", "fatalities"] = "events"
    stack: Literal["event_type"] | None = None
    small_multiples: Literal["admin1"] | None = None
    shade: list[Shade] = []
    changepoints: bool = False
    title: str


class MapBlock(_Strict):
    filters: dict[str, Any] = {}
    boundaries: str
    level: Literal["admin1"] = "admin1"
    window: str
    baseline: str
    title: str


class PointsBlock(_Strict):
    """Events as dots where the data have coordinates (over boundaries, when given)."""

    filters: dict[str, Any] = {}
    boundaries: str | None = None
    title: str
    limit: int = Field(default=5000, ge=1, le=50_000)


class CompareBlock(_Strict):
    filters: dict[str, Any] = {}
    window: str
    baseline: str
    measure: Literal["events", "fatalities"] = "events"
    title: str | None = None


class EventsBlock(_Strict):
    filters: dict[str, Any] = {}
    limit: int = Field(default=10, ge=1, le=200)
    title: str | None = None


class Block(_Strict):
    """One evidence block: exactly one of its fields is given."""

    verdicts: list[str] | Literal["all"] | None = None
    series: SeriesBlock | None = None
    map: MapBlock | None = None
    points: PointsBlock | None = None
    compare: CompareBlock | None = None
    claims: list[str] | Literal["all"] | None = None
    evidence: list[str] | None = None
    events: EventsBlock | None = None

    def kind(self) -> str:
        given = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a block holds exactly one of {', '.join(type(self).model_fields)}; found "
                f"{', '.join(given) or 'none'}"
            )
        return given[0]


class Section(_Strict):
    question: str
    narrative: str | None = None
    cannot_show: str | None = None
    blocks: list[Block] = []


class Brief(_Strict):
    title: str
    subtitle: str | None = None
    as_of: dt.date
    datasets: list[str] = []
    sections: Annotated[list[Section], Field(min_length=1)]


def read_on(brief: Brief, datasets: Callable[[list[str]], tuple[str, ...]]) -> Brief:
    """The brief with the datasets it names (``datasets``, and a block's ``filters.dataset``) replaced
    by what ``datasets`` says to read for them (``Reading.datasets``: --dataset, or a stand-in)."""

    def block(b: Block) -> Block:
        kind = b.kind()
        inner = getattr(b, kind)
        spec = getattr(inner, "filters", None)
        if not isinstance(spec, dict) or "dataset" not in spec:
            return b
        own = spec["dataset"]
        chosen = list(datasets([own] if isinstance(own, str) else list(own or ())))
        return b.model_copy(update={kind: inner.model_copy(update={"filters": {**spec, "dataset": chosen}})})

    sections = [s.model_copy(update={"blocks": [block(b) for b in s.blocks]}) for s in brief.sections]
    return brief.model_copy(update={"datasets": list(datasets(brief.datasets)), "sections": sections})


def load_brief(path: Path) -> Brief:
    """Load and check brief.yaml, reporting every problem with file:line."""
    try:
        doc = LineYAML(path)
    except ValueError as exc:  # not YAML, a key given twice, or past the bounds of yamldoc
        raise CaseError(str(exc)) from None
    try:
        brief = Brief.model_validate(doc.data if isinstance(doc.data, dict) else {})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            lines.append(f"{doc.where(loc)}: {'.'.join(str(p) for p in loc)}: {err['msg']}")
        raise CaseError(f"{len(lines)} problem(s) in {path}:\n  " + "\n  ".join(lines)) from None
    problems = []
    for i, section in enumerate(brief.sections):
        for j, block in enumerate(section.blocks):
            try:
                block.kind()
            except ValueError as exc:
                problems.append(f"{doc.where(('sections', i, 'blocks', j))}: {exc}")
    if problems:
        raise CaseError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems))
    return brief


# Where a brief finds its files, and how a block's filters are read: shared by the blocks of build.py
# and the figures of figures.py, so neither imports the other.
DATA_DIR_ENV = "PEACEWATCH_DATA"


def data_dir() -> Path:
    """The shared data folder: $PEACEWATCH_DATA, else ../shared/data beside the working directory's repo."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    here = Path(__file__).resolve()
    for parent in (Path.cwd(), *here.parents):
        candidate = parent.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path("../shared/data").resolve()


def filters_from(spec: dict[str, Any], datasets: list[str], as_of: dt.date | None = None) -> Filters:
    """Filters of a block (the CLI's names); the brief's datasets apply unless the block names its own,
    and an open end stops at the brief's as-of date."""
    f = Filters.from_spec({"dataset": datasets, **spec}, where="brief.yaml")
    return f.replace(date_to=f.date_to or as_of)
