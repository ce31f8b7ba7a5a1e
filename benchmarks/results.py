"""Where the benchmark scripts put their tables: appended to docs/benchmarks.md, printed as well."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def publish(report: str) -> None:
    """Print ``report`` and append it to docs/benchmarks.md."""
    print(report)
    previous = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else "# Benchmarks\n\n"
    BENCHMARKS_MD.write_text(previous.rstrip() + "\n\n" + report, encoding="utf-8")
