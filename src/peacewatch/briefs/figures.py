"""The figure blocks of a brief (series charts and maps), made with ``charts`` and ``maps``."""

from __future__ import annotations

from peacewatch.briefs.build import data_dir, filters_from
from peacewatch.briefs.spec import Brief, MapBlock, PointsBlock, SeriesBlock
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
    """A Figure for a series, map or points block of ``brief``."""
    f = filters_from(block.filters, brief.datasets)
    if kind == "series":
        from peacewatch.briefs import charts

        span = f"{block.from_.isoformat()}:{block.to.isoformat()}"
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
    from peacewatch.briefs import maps

    if kind == "points":
        return _points(block, f, store, block_id, base_dir)
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
    rows = analysis.events(f, store=store, limit=block.limit).drop_columns(["raw"]).to_pylist()
    boundaries = None
    if block.boundaries:
        path = maps.boundaries_path(block.boundaries, data_dir=data_dir(), base_dir=base_dir)
        boundaries = maps.load_boundaries(path)
    command = (
        f"peacewatch events {f.cli_args(analysis.as_store(store).path)} --limit {block.limit} --format csv"
    )
    return maps.points_map(
        rows,
        title=block.title,
        command=command,
        boundaries=boundaries,
        id=block_id,
        datasets=sel.provenance(),
    )
