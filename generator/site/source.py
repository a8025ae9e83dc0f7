"""Getting a checked model and its public view: load -> check -> refuse on errors -> view.

Shared by ``gongshi build`` and the MkDocs plugin (``mkdocs build`` / ``mkdocs serve``). The
special data folder ``@fixtures`` selects the code-built fixture (tests, development).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
from pathlib import Path

from ..findings import DataError, Finding, has_errors, without_derived
from ..model import Model
from .view import PublicView

FIXTURES = "@fixtures"
log = logging.getLogger("mkdocs.plugins.gongshi")


def today_beijing() -> dt.date:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def resolve_as_of(option: str | dt.date | None) -> dt.date:
    """``--as-of`` / plugin option, else env ``GONGSHI_AS_OF``, else today in Beijing."""
    value = option or os.environ.get("GONGSHI_AS_OF") or ""
    if isinstance(value, dt.date):
        return value
    if not value:
        return today_beijing()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"日期格式错误：{value!r}，应为 YYYY-MM-DD，例如 2023-12-29") from exc


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name in (module, module.rsplit(".", 1)[0] + "." + module.rsplit(".", 1)[1]):
            return None
        raise


def load_view(
    data_dir: str, as_of: dt.date, cache_dir: str | os.PathLike[str] | None = None
) -> tuple[Model, PublicView, list[Finding]]:
    """Load, check and derive the public view; raise DataError when the data has errors.

    ``cache_dir``: an incremental build's cache folder; the loaders keep what they read in
    its ``load/``, the checks what they found over the directory in its ``checks/``."""
    load = _optional("generator.load")
    state = _optional("generator.state")
    if data_dir == FIXTURES or load is None or state is None:
        if data_dir != FIXTURES:
            log.warning("gongshi：数据加载模块（generator.load / generator.state）尚未就绪，"
                        "使用内置测试数据生成站点。")
        from .fixtures import fixture_model_with_results

        model, view = fixture_model_with_results(as_of)
        return model, view, []
    cache = Path(cache_dir) if cache_dir is not None else None
    model, findings = load.load_model(data_dir, cache_dir=cache / "load" if cache else None)
    findings = list(findings)
    if model is None:
        raise DataError(findings)
    from ..checks import CheckContext, run_checks

    # Draw information for the checks, from published material only: the site build never
    # reads secrets/ (PROTOCOL §6.9), hence a secrets folder that cannot exist.
    extras = state.check_context_extras(data_dir, model, as_of, secrets_dir=os.devnull)
    if isinstance(extras, tuple):
        extras, more = extras
        findings += list(more)
    ctx = CheckContext.for_model(model, as_of, cache=cache / "checks" if cache else None,
                                 **dict(extras or {}))
    findings = without_derived(findings + run_checks(model, ctx))
    if has_errors(findings):
        raise DataError(findings)
    view = state.public_view(model, data_dir, as_of)
    return model, view, findings
