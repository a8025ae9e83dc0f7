"""The pre-publication scan that knows the secrets (generator.site.prepublish).

On the replayed demo (tasks drawn and never revealed keep their listings under ``secrets/``): an
unrevealed selected code, written full-width with spaces, and the name of a person of an
unrevealed group are put into a published task's 说明. The build itself cannot know them (with
``--no-secret-scan`` it publishes, opening nothing under ``secrets/``); ``gongshi build`` with
``secrets/`` next to the data refuses, naming each rule, the served site stays byte-identical,
and the scan writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from pathlib import Path

import yaml

from generator.cli import main
from generator.protocol.listing import parse_listing
from generator.site import prepublish

AS_OF = "2023-12-29"
FULLWIDTH = str.maketrans("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                          "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ")


def _hidden(demo) -> tuple[set[str], set[str], set[str]]:
    """Codes and person ids of listings kept only in secrets/, and the ids of public groups."""
    codes, people, public = set(), set(), set()
    for folder in sorted((demo.data / "draws").iterdir()):
        shown = folder / "listing.csv"
        if shown.is_file():
            public.update(i for ln in parse_listing(shown.read_bytes())
                          for i in (*ln.inspectors, *ln.experts))
            continue
        for path in sorted((demo.secrets / folder.name).glob("listing-*.csv")):
            for ln in parse_listing(path.read_bytes()):
                codes.add(ln.code)
                people.update((*ln.inspectors, *ln.experts))
    return codes, people - public, public


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _build(demo, out: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["build", "--data", str(demo.data), "--as-of", AS_OF, "--out", str(out), *extra])
    return code, capsys.readouterr().err


def test_an_unrevealed_code_or_person_anywhere_refuses_publication(demo_copy, tmp_path, capsys):
    """Also: the build opens nothing under secrets/ but the listings, in this step."""
    from generator.load import load_model

    demo = demo_copy
    opened: list[str] = []
    secrets_root = str(demo.secrets.resolve())
    watching = [True]

    def hook(event, args):  # an audit hook cannot be removed: ``watching`` turns it off
        if watching[0] and event == "open" and args and str(args[0]).startswith(secrets_root):
            opened.append(str(args[0]))

    codes, people, _public = _hidden(demo)
    model, _ = load_model(str(demo.data))
    results = {r.code for rs in model.results.values() for r in rs}
    code = sorted(codes - results)[0]
    names = {i.id: i.name for i in model.inspectors} | {x.id: x.name for x in model.experts}
    person = names[sorted(people)[0]]
    task_file = demo.data / "tasks" / "2023-01.yaml"
    task = yaml.safe_load(task_file.read_text("utf-8"))
    spaced = " ".join(code[i:i + 4] for i in range(0, 18, 4)).translate(FULLWIDTH)
    task["说明"] = f"（内部）拟检查对象 {spaced}，由{person}负责。"
    task_file.write_text(yaml.safe_dump(task, allow_unicode=True), "utf-8")

    # the build alone cannot know: without the step the values are published
    sys.addaudithook(hook)
    out = tmp_path / "site"
    code_, err = _build(demo, out, capsys, "--no-secret-scan")
    assert code_ == 0, err
    assert opened == []
    page = (out / "tasks" / "2023-01" / "index.html").read_text("utf-8")
    assert spaced in page and person in page

    served = _tree(out)
    secrets_before = _tree(demo.secrets)
    # (the build's own cache, next to the site, is dropped by any build that does not finish)
    outside_before = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    opened.clear()
    code_, err = _build(demo, out, capsys)
    watching[0] = False
    assert code_ == 1, err
    assert opened and all("/listing-" in p for p in opened)
    assert prepublish.CODES in err and prepublish.PEOPLE in err and "tasks/2023-01/" in err
    assert code not in err and "站点未发布" in err  # the report does not repeat the secret
    assert _tree(out) == served  # nothing swapped in
    assert _tree(demo.secrets) == secrets_before  # it writes nothing ...
    assert sorted(p.name for p in tmp_path.iterdir()
                  if not p.name.startswith(".")) == outside_before  # ... anywhere


def test_missing_secrets_folder_given_explicitly_is_an_error(demo_copy, tmp_path, capsys):
    code, err = _build(demo_copy, tmp_path / "s", capsys, "--secrets", str(tmp_path / "none"))
    assert code == 2 and "--no-secret-scan" in err


def test_names_are_found_however_they_are_written():
    scanner = prepublish.SecretScanner({prepublish.CODES: {"91410381MA00000015"},
                                        prepublish.NAMES: {"示例区华兴商贸有限公司"},
                                        prepublish.PEOPLE: {"王芳"}})
    for text, rule in (("示例区\u200b华兴 商贸·有限公司", prepublish.NAMES),
                       ("９１４１ ０３８１-ＭＡ００ ０００ ０１５", prepublish.CODES),
                       ("<td>王\u200b芳</td>", prepublish.PEOPLE)):
        found = scanner.scan_bytes("tasks/x/index.html", text.encode())
        assert [x.rule for x in found] == [rule], text
        assert "91410381MA00000015" not in found[0].value
    assert scanner.scan_bytes("draws/t/directory.csv", b"91410381MA00000015,x\n") == []
    assert scanner.scan_bytes("a.html", "<td>王芳园餐饮有限公司</td>".encode()) == []


def test_values_public_anyway_are_not_secrets(demo_master):
    """Codes and people of published listings are public; what remains is in secrets/ only."""
    from generator.site.source import load_view

    model, view, _ = load_view(str(demo_master.data), dt.date.fromisoformat(AS_OF))
    values = prepublish.secret_values(demo_master.secrets, model, view)
    codes, people, public = _hidden(demo_master)
    published = {r.code for tv in view.tasks if tv.listing for r in tv.listing}
    assert values[prepublish.CODES] == codes - published - {
        r.code for tv in view.tasks for r in tv.results or ()}
    assert values[prepublish.CODES] and not values[prepublish.CODES] & published
    names = {i.id: i.name for i in model.inspectors} | {x.id: x.name for x in model.experts}
    hidden = values[prepublish.PEOPLE] | values[prepublish.PEOPLE_TOKENS]
    assert hidden and not hidden & {names[i] for i in public}
