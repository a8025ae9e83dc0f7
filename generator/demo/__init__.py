"""Deterministic demo data (the fictitious 示例区 district) and synthetic scale data.

- :func:`write_office_files` writes the district's office files into a data folder
  (portal.yaml, items.yaml, directory/, roster/, tasks/), byte-identical on every run.
- :func:`generator.demo.schedule.demo_events` lists the office's commits, draws, cancels,
  reveals and publications for the lead's replay, which writes data/log/ and data/draws/.
- :func:`generator.demo.results.write_results` writes a task's results once its draw is known.
- :func:`generator.demo.synthetic.write_synthetic` writes city / province scale data.
"""

from __future__ import annotations

from pathlib import Path

from .district import AS_OF, DEMO_SEED, build_district
from .results import write_results
from .schedule import DemoEvent, demo_events

__all__ = [
    "AS_OF",
    "DEMO_SEED",
    "DemoEvent",
    "build_district",
    "demo_events",
    "write_office_files",
    "write_results",
]


def write_office_files(data_dir: str | Path, seed: int = DEMO_SEED) -> None:
    """Write the district demo's office files into ``data_dir`` (idempotent, same bytes)."""
    from .district import write_district

    write_district(Path(data_dir), seed)
