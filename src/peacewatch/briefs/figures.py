"""The figure blocks of a brief (series charts and maps), made with ``charts`` and ``maps``."""

from __future__ import annotations

from peacewatch.briefs.build import data_dir, filters_from
from peacewatch.briefs.spec import Brief, MapBlock, SeriesBlock


def make(kind: str, block: SeriesBlock | MapBlock, brief: Brief, store, block_id: str, *, base_dir=None):
    """A Figure for a series or map block of ``brief``."""
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
