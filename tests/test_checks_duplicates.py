import dataclasses

from datamin import context, load_min

from generator.checks import duplicates


def test_no_duplicates(tmp_path):
    model = load_min(tmp_path)
    assert duplicates.check(model, context(model)) == []


def test_inspector_and_expert_ids_ignoring_case(tmp_path):
    model = load_min(tmp_path)
    clash = dataclasses.replace(model.experts[0], id="ys003")
    model = dataclasses.replace(model, experts=(clash, model.experts[1]))
    (f,) = duplicates.check(model, context(model))
    assert f.rule == "duplicates.person" and f.file == "roster/experts.csv" and f.row == 2
    assert f.value == "ys003" and "roster/inspectors.csv 第 4 行" in f.message


def test_task_item_and_result_duplicates(tmp_path):
    model = load_min(tmp_path)
    results = model.results["2023-01"]
    model = dataclasses.replace(
        model,
        tasks=model.tasks + model.tasks,
        items=model.items + (dataclasses.replace(model.items[0], code="a01"),),
        results={"2023-01": results + (results[0],)},
    )
    rules = sorted(f.rule for f in duplicates.check(model, context(model)))
    assert rules == ["duplicates.item", "duplicates.result", "duplicates.task"]
