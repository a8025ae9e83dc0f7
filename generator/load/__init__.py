"""Loaders: the only code that reads the office's files.

``load_model(data_dir)`` reads every file of DESIGN §4 and returns the typed model together with
every finding (errors and warnings) collected in one pass: a broken row is reported and left out,
the loading goes on. The model is ``None`` only when portal.yaml is missing or unreadable.
"""

from __future__ import annotations

from pathlib import Path

from ..findings import Finding
from ..model import Model
from .base import LoadContext
from .directory import load_directory
from .items import load_items
from .portal import load_portal
from .results import load_results
from .roster import load_experts, load_roster
from .tasks import load_tasks
from .vocab import load_vocabularies

__all__ = ["load_model"]


def load_model(data_dir: str | Path) -> tuple[Model | None, list[Finding]]:
    root = Path(data_dir)
    ctx = LoadContext(root)
    portal = load_portal(ctx)
    vocab = load_vocabularies(ctx)
    items = load_items(ctx, vocab)
    enterprises = load_directory(ctx, portal)
    inspectors = load_roster(ctx, portal)
    experts = load_experts(ctx)
    tasks = load_tasks(ctx, portal, vocab)
    task_ids = {t.id for t in tasks} | _task_stems(root)
    results = load_results(ctx, vocab, task_ids)
    if portal is None:
        return None, ctx.findings
    model = Model(
        portal=portal,
        vocab=vocab,
        items=items,
        enterprises=enterprises,
        inspectors=inspectors,
        experts=experts,
        tasks=tasks,
        results=results,
        data_dir=str(root),
    )
    return model, ctx.findings


def _task_stems(root: Path) -> set[str]:
    folder = root / "tasks"
    if not folder.is_dir():
        return set()
    return {p.stem for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml")}
