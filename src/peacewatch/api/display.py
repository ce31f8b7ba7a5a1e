"""How results show themselves: as Altair charts (the brief's own Vega-Lite specs) and as HTML in a
notebook (key numbers, the interval, the datasets and the command that reproduces them).

Nothing here queries: the results hand over their payloads and the points to draw.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import altair as alt

    from peacewatch.briefs.figure import Figure


def altair_chart(figure: Figure) -> alt.TopLevelMixin:
    """The Figure's Vega-Lite spec as an Altair chart of the matching top-level kind."""
    import altair as alt

    spec = figure.spec
    kinds: list[tuple[str, Any]] = [
        ("layer", alt.LayerChart),
        ("vconcat", alt.VConcatChart),
        ("hconcat", alt.HConcatChart),
        ("concat", alt.ConcatChart),
        ("facet", alt.FacetChart),
        ("repeat", alt.RepeatChart),
    ]
    for key, cls in kinds:
        if key in spec:
            chart: alt.TopLevelMixin = cls.from_dict(spec)
            return chart
    unit: alt.TopLevelMixin = alt.Chart.from_dict(spec)
    return unit


def number(x: float | int | None, digits: int = 3) -> str:
    """A number as the CLI prints it: 3 significant digits below 1000, thousands separated above.

    >>> number(0.21468), number(12345.6), number(None)
    ('0.215', '12,346', '')
    """
    if x is None:
        return ""
    if isinstance(x, int) and not isinstance(x, bool):
        return f"{x:,}"
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def table_html(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, limit: int = 20) -> str:
    """A small HTML table of ``rows`` (at most ``limit``, with a line saying how many were left out)."""
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{_e(number(v) if isinstance(v, float) else v)}</td>" for v in (r.get(c) for c in columns)
        )
        + "</tr>"
        for r in rows[:limit]
    )
    more = f"<p><i>{len(rows) - limit:,} more rows: see to_pandas()</i></p>" if len(rows) > limit else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def datasets_html(datasets: Iterable[Mapping[str, Any]]) -> str:
    """The datasets behind a number: id, source, version, coverage and the start of the sha256."""
    items = []
    for d in datasets:
        sha = str(d.get("sha256") or "")[:12]
        version = f" version {_e(d['version'])}" if d.get("version") else ""
        cover = f", {_e(d.get('date_min'))} to {_e(d.get('date_max'))}" if d.get("date_min") else ""
        items.append(
            f"<li><code>{_e(d.get('dataset_id'))}</code> ({_e(d.get('source'))}{version}{cover}; "
            f"sha256 {_e(sha)}…)</li>"
        )
    return f"<p>Datasets:</p><ul>{''.join(items)}</ul>" if items else "<p>Datasets: none</p>"


def page(
    title: str,
    *,
    lines: Sequence[str] = (),
    notes: Sequence[str | None] = (),
    body: str = "",
    datasets: Iterable[Mapping[str, Any]] = (),
    command: str = "",
) -> str:
    """A result's notebook display: a title, key lines (already HTML), notes, a body (a table or a
    chart), the datasets and the command that reproduces it."""
    parts = [f"<div class='peacewatch-result'><h4>{_e(title)}</h4>"]
    parts += [f"<p>{line}</p>" for line in lines]
    parts += [f"<p><i>{_e(n)}</i></p>" for n in notes if n]
    parts.append(body)
    parts.append(datasets_html(datasets))
    if command:
        parts.append(f"<p>Reproduce: <code>{_e(command)}</code></p>")
    parts.append("</div>")
    return "".join(parts)


def svg_or_note(figure: Figure) -> str:
    """The figure as inline SVG; a note instead when it cannot be drawn offline here."""
    try:
        return figure.svg()
    except Exception as exc:  # the display must never fail because a renderer is missing
        return f"<p><i>(chart not drawn: {_e(exc)}; use .chart())</i></p>"


__all__ = ["altair_chart", "datasets_html", "number", "page", "svg_or_note", "table_html"]
