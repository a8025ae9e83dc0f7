import dataclasses

from datamin import context, load_min

from generator.checks import RULES, run_checks, schema


def test_clean_model_passes(tmp_path):
    model = load_min(tmp_path)
    assert schema.check(model, context(model)) == []
    assert run_checks(model, context(model)) == []


def test_codes_outside_vocabularies(tmp_path):
    model = load_min(tmp_path)
    r = dataclasses.replace(model.results["2023-01"][0], results=("1", "X9"), followups=("77",))
    t = dataclasses.replace(model.tasks[0], group_size=1, methods=("phone",))
    model = dataclasses.replace(model, results={"2023-01": (r,)}, tasks=(t,))
    got = {(f.rule, f.column, f.value) for f in schema.check(model, context(model))}
    assert got == {
        ("schema.vocab", "检查结果", "X9"),
        ("schema.vocab", "后续处置", "77"),
        ("schema.vocab", "检查方式", "phone"),
        ("groups.size", "每组人数", "1"),
    }


def test_registry_lists_every_rule_module():
    import pkgutil

    import generator.checks as pkg

    modules = {m.name for m in pkgutil.iter_modules(pkg.__path__)} - {"context", "cache"}
    assert {name for name, _ in RULES} == modules
