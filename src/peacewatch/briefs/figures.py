"""The figure blocks of a brief (series charts and maps), made with ``charts`` and ``maps``."""

from __future__ import annotations

import dataclasses

from peacewatch.briefs.spec import Brief, MapBlock, PointsBlock, SeriesBlock, data_dir, filters_from
from peacewatch.errors import BriefError


def make(
    kind: str,
    block: SeriesBlock | MapBlock | PointsBlock,
    brief: Brief,
    store,
    block_id: str,
    *,
    base_dir=None,
):
    """A Figure for a series, map or points block of ``brief``. Series and points stop at the brief's
    as-of date, as its verdicts and claims do."""
    if kind == "series":
        f = filters_from(block.filters, brief.datasets)
        stop, note = _series_end(block, brief, f, store)
        figure = _series(block, f, f"{block.from_.isoformat()}:{stop.isoformat()}", store, block_id)
        if not note:
            return figure
        # In the caption too, which is printed under the chart: the notes are folded away with the
        # chart's data, and a reader must not take the chart's last day for the end of events.
        return dataclasses.replace(
            figure, notes=(*figure.notes, note), description=f"{figure.description} {note}".strip()
        )
    from peacewatch.briefs import maps

    if kind == "points":
        f = filters_from(block.filters, brief.datasets, as_of=brief.as_of)
        return _points(block, f, store, block_id, base_dir)
    f = filters_from(block.filters, brief.datasets)
    return maps.change_map_figure(
        f,
        boundaries=block.boundaries,
        window=block.window,
        baseline=block.baseline,
        title=block.title,
        id=block_id,
        data_dir=data_dir(),
        base_dir=base_dir,
        store=store,
    )


def _points(block: PointsBlock, f, store, block_id: str, base_dir):
    from peacewatch import analysis
    from peacewatch.briefs import maps

    _, sel = analysis.selection(f, store)
    lacking = [e["dataset_id"] for e in sel.datasets if "latitude" in (e.get("fields_missing") or [])]
    if lacking:
        raise BriefError(
            f"a points map needs coordinates, which {', '.join(lacking)} do not have.",
            hint="Use a map block (a choropleth by province) for this dataset.",
        )
    rows = analysis.events(f, store=store, limit=block.limit).to_pylist()
    boundaries = None
    if block.boundaries:
        path = maps.boundaries_path(block.boundaries, data_dir=data_dir(), base_dir=base_dir)
        boundaries = maps.load_boundaries(path)
    command = f"peacewatch events {analysis.reproduce_flags(f, store)} --limit {block.limit} --format csv"
    return maps.points_map(
        rows,
        title=block.title,
        command=command,
        boundaries=boundaries,
        id=block_id,
        datasets=sel.provenance(),
        snapshot=analysis.as_store(store).snapshot,
    )


def _series_end(block: SeriesBlock, brief: Brief, f, store):
    """The last day a series chart draws, and the note saying why when it is not its `to`: the chart's
    data end where the claims beside it stop (the brief's as_of), and where the data end, since a day
    the data do not cover would be drawn as a day without events."""
    from peacewatch.analysis.coverage import filters_coverage

    if block.from_ > brief.as_of:
        raise BriefError(
            f"the series {block.title!r} starts {block.from_}, after the brief's as_of {brief.as_of}; "
            "nothing it would draw can be known yet.",
            hint="Set its `from` on or before as_of in brief.yaml, or move as_of.",
        )
    stop = min(block.to, brief.as_of)
    cover = filters_coverage(store, f)
    if cover.end is None or cover.end >= stop:
        return stop, None
    if cover.end < block.from_:
        raise BriefError(
            f"the series {block.title!r} starts {block.from_}, after the data end ({cover.describe()}).",
            hint="Ingest data that cover it, or move its `from` in brief.yaml.",
        )
    return cover.end, (
        f"The data end on {cover.end} ({cover.describe()}); the chart stops there rather than draw "
        f"the days to {stop} as days without events."
    )


def _series(block: SeriesBlock, f, span: str, store, block_id: str):
    from peacewatch.briefs import charts

    shade = [{"label": s.label, "span": s.span} for s in block.shade]
    if block.small_multiples:
        return charts.small_multiples_figure(
            f,
            by=block.by,
            span=span,
            title=block.title,
            measure=block.measure,
            shade=shade,
            id=block_id,
            store=store,
        )
    return charts.series_figure(
        f,
        by=block.by,
        span=span,
        title=block.title,
        measure=block.measure,
        stack=block.stack,
        shade=shade,
        changepoints=block.changepoints,
        id=block_id,
        store=store,
    )
