"""The leak scanner recognises the office's secrets without reading secrets/."""

from __future__ import annotations

import hashlib

from generator.site.secret_scan import SecretFinder

SECRET = bytes(range(32))


def chain(value: bytes, n: int) -> bytes:
    for _ in range(n):
        value = hashlib.sha256(value).digest()
    return value


def test_secret_and_code_of_an_unrevealed_task_are_found():
    n = 3
    commitment = chain(SECRET, n).hex()
    finder = SecretFinder({commitment: n})
    code = chain(SECRET, n - 1)
    for leaked in (SECRET.hex(), code.hex(), SECRET.hex().upper()):
        text = f"<p>说明：{leaked}</p>".encode()
        assert [rule for rule, _ in finder.find(text)] == ["未揭示任务的一次性秘密或代码"]


def test_published_hashes_are_not_mistaken_for_secrets():
    n = 1
    commitment = chain(SECRET, n).hex()
    finder = SecretFinder({commitment: n})
    public = f"{commitment} {hashlib.sha256(b'listing').hexdigest()} {'a' * 64}".encode()
    assert finder.find(public) == []
    assert finder.find(("x" + SECRET.hex() + "0").encode()) == []  # part of a longer hex run


def test_signing_key_text_is_found_even_without_commitments():
    key = b"PRIVATE+KEY+gongshi.example/log+2c89da49+AaBbCcDdEeFfGgHhIiJjKkLlMmNnOoPpQqRrSsTtUuVvWwXx="
    found = SecretFinder({}).find(b"<td>" + key + b"</td>")
    assert found and found[0][0] == "日志签名私钥"
    assert b"AaBb" not in found[0][1].encode()  # the report does not republish the key


def test_a_build_refuses_a_page_carrying_an_unrevealed_secret(tmp_path):
    """End to end: the office pastes task 2023-05's one-time code (2023-05 is drawn, not
    revealed as of 2023-12-29) into another task's description: the build is refused."""
    import datetime as dt
    import shutil
    from pathlib import Path

    import pytest

    from generator.demo.replay import demo_secret
    from generator.protocol.tickets import hash_chain
    from generator.site.build import LeakError, build_site

    root = Path(__file__).resolve().parent.parent
    data = tmp_path / "data"
    shutil.copytree(root / "data", data)
    _c, code = hash_chain(demo_secret("2023-05"), 1)
    task = data / "tasks" / "2023-02.yaml"
    text = task.read_text(encoding="utf-8")
    task.write_text(text.replace("说明: ", f"说明: 代码{code.hex()}。", 1), encoding="utf-8")
    with pytest.raises(LeakError) as refused:
        build_site(str(data), dt.date(2023, 12, 29), tmp_path / "site")
    assert [(x.file, x.rule) for x in refused.value.leaks] == [
        ("tasks/2023-02/index.html", "未揭示任务的一次性秘密或代码")]
    assert not (tmp_path / "site").exists()
