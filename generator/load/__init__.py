"""Loaders: the only code that reads the office's files.

``load_model(data_dir)`` reads every file of DESIGN §4 and returns the typed model together with
every finding (errors and warnings) collected in one pass: a broken row is reported and left out,
the loading goes on. The model is ``None`` only when portal.yaml is missing or unreadable.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..findings import Finding
from ..model import Model
from .base import LoadContext
from .cache import LoadCache
from .directory import load_directory
from .followups import load_followups
from .items import load_items
from .plans import load_plans
from .portal import load_portal
from .results import load_results
from .roster import load_experts, load_roster
from .tasks import load_tasks
from .vocab import load_vocabularies

__all__ = ["LoadCache", "load_model"]

log = logging.getLogger("gongshi")


def load_model(
    data_dir: str | Path, cache_dir: str | Path | None = None
) -> tuple[Model | None, list[Finding]]:
    """The model and every finding. With ``cache_dir`` (a folder outside the data folder), the
    directory, task and results files whose bytes are unchanged since the last load with that
    cache are not parsed again (:mod:`.cache`); the model and findings are the same."""
    root = Path(data_dir)
    ctx = LoadContext(root)
    cache = _cache(root, cache_dir)
    portal = load_portal(ctx)
    vocab = load_vocabularies(ctx)
    items = load_items(ctx, vocab)
    enterprises = load_directory(ctx, portal, cache)
    inspectors = load_roster(ctx, portal)
    experts = load_experts(ctx)
    tasks = load_tasks(ctx, portal, vocab, cache)
    task_ids = {t.id for t in tasks} | _task_stems(root)
    results = load_results(ctx, vocab, task_ids, cache)
    followups = load_followups(ctx, task_ids)
    plans = load_plans(ctx, portal)
    if cache is not None:
        cache.save()
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
        followups=followups,
        plans=plans,
    )
    return model, ctx.findings


def _cache(root: Path, cache_dir: str | Path | None) -> LoadCache | None:
    """The load cache in ``cache_dir``; None (no cache) for a folder inside the data folder,
    which only the office writes."""
    if cache_dir is None:
        return None
    folder = Path(cache_dir)
    if folder.resolve().is_relative_to(root.resolve()):
        log.warning("gongshi：加载缓存目录 %s 位于数据目录 %s 之内，本次不使用缓存；"
                    "请把缓存放在数据目录之外。", folder, root)
        return None
    return LoadCache(folder)


def _task_stems(root: Path) -> set[str]:
    folder = root / "tasks"
    if not folder.is_dir():
        return set()
    from .tasks import TASK_SUFFIXES

    return {p.stem for p in folder.iterdir() if p.suffix.lower() in TASK_SUFFIXES}
