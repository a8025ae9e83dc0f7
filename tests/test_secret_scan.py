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
