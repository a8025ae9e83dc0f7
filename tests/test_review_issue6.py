"""Review of issue 6 (Hardening): the leak scanner's secret and risk-class rules, and a
10,000-character name through the renderer."""

from __future__ import annotations

import dataclasses
import datetime as dt

from generator.site import leak
from generator.site.fixtures import fixture_model_with_results


def test_scanner_catches_embargoed_secrets_and_risk_classes(tmp_path):
    model, view = fixture_model_with_results(dt.date(2023, 12, 29))
    rules = leak.forbidden_values(model, view)
    secret = "0123456789abcdef" * 4
    view = dataclasses.replace(view, embargo=dataclasses.replace(
        view.embargo, secrets=frozenset(view.embargo.secrets | {secret})))
    (tmp_path / "ok.html").write_text("<p>正常页面</p>", "utf-8")
    assert leak.scan(tmp_path, model, view) == []
    (tmp_path / "a.html").write_text(f"<p>{secret.upper()}</p>", "utf-8")
    internal = sorted(rules["内部分类（信用风险分类）"])
    found = {x.rule for x in leak.scan(tmp_path, model, view)}
    assert "未揭示的秘密或签值" in found
    if internal:
        (tmp_path / "b.json").write_text(f'{{"r": "{internal[0]}"}}', "utf-8")
        assert "内部分类（信用风险分类）" in {x.rule for x in leak.scan(tmp_path, model, view)}
