"""Signed notes, checkpoints, verifier keys, and the pure-Python Ed25519 verifier."""

from __future__ import annotations

import random

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from generator.tlog import ed25519
from generator.tlog.note import (
    Checkpoint,
    NoteError,
    open_checkpoint,
    open_note,
    parse_checkpoint,
    parse_key_file,
    parse_note,
    parse_verifier_key,
)
from generator.tlog.signer import (
    KeyFileError,
    Signer,
    load_signer,
    parse_signer_key,
    write_key_file,
)

# Go's golang.org/x/mod/sumdb/note tests (note_test.go): keys and the exact signed bytes.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_ENOCH = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = ("If you think cryptography is the answer to your problem,\n"
           "then you don't know what your problem is.\n")
GO_PETER_SIG = ("— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNX"
                "gKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
GO_ENOCH_SIG = ("— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01"
                "oOTGwnWLox33WWd1RvMc+QQ=\n")

# Our checkpoint golden: a fixed test seed (Ed25519 signing is deterministic).
SEED = bytes(range(32))
NAME = "gongshi.example.gov.cn/draws"
KEY_PUB = "gongshi.example.gov.cn/draws+1300d056+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4\n"
CHECKPOINT = (
    "gongshi.example.gov.cn/draws\n"
    "11\n"
    "Krjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kM=\n"
    "\n"
    "— gongshi.example.gov.cn/draws EwDQVq5dMriUYeCPLA2VSf+PNt5Zn1Wa32eNUE3yk50oZh2+Q4HTE1GqxSmf"
    "XBTO38yAMnCbZcAlbkCx/bWDm9wGoAI=\n"
)


def test_go_signer_key_signs_the_same_bytes_as_go():
    signer = parse_signer_key(GO_SKEY)
    assert signer.key_text() == GO_SKEY
    assert signer.verifier.text() == GO_VKEY
    assert signer.sign_note(GO_TEXT).decode() == GO_TEXT + "\n" + GO_PETER_SIG


def test_go_notes_open():
    peter, enoch = parse_verifier_key(GO_VKEY), parse_verifier_key(GO_ENOCH)
    msg = (GO_TEXT + "\n" + GO_PETER_SIG + GO_ENOCH_SIG).encode()
    assert open_note(msg, peter).text == GO_TEXT
    assert open_note(msg, enoch).text == GO_TEXT
    bad = GO_PETER_SIG[:60] + "ABCD" + GO_PETER_SIG[60:]
    with pytest.raises(NoteError, match="PeterNeumann\\+c74f20a3 的签名无效"):
        open_note((GO_TEXT + "\n" + bad).encode(), peter)
    with pytest.raises(NoteError, match="没有密钥"):
        open_note((GO_TEXT + "\n" + GO_ENOCH_SIG).encode(), peter)


@pytest.mark.parametrize(
    "msg",
    [
        GO_TEXT,
        GO_TEXT + "\n",
        GO_TEXT + "\n" + GO_PETER_SIG[:-1],
        "\x01" + GO_TEXT + "\n" + GO_PETER_SIG,
        GO_TEXT + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKv"
        "qfqdngotpRZb6KE6RyyBwJnAM=\n",
        GO_TEXT + "\n" + GO_PETER_SIG + "Unexpected line.\n",
    ],
)
def test_malformed_notes_refused(msg):
    with pytest.raises(NoteError):
        parse_note(msg.encode())
    with pytest.raises(NoteError):
        parse_note(b"\xff" + GO_TEXT.encode() + b"\n" + GO_PETER_SIG.encode())


def test_verifier_key_manglings_refused():
    # As Go's TestNewVerifier: every proper substring and every one-byte change is refused.
    assert parse_verifier_key(GO_VKEY).text() == GO_VKEY
    for i in range(len(GO_VKEY) + 1):
        for j in range(i + 1, len(GO_VKEY) + 1):
            if (i, j) != (0, len(GO_VKEY)):
                with pytest.raises(NoteError):
                    parse_verifier_key(GO_VKEY[i:j])
    for i in range(len(GO_VKEY)):
        mangled = GO_VKEY[:i] + chr(ord(GO_VKEY[i]) + 1) + GO_VKEY[i + 1 :]
        with pytest.raises(NoteError):
            parse_verifier_key(mangled)


def test_checkpoint_golden():
    signer = Signer(NAME, SEED)
    assert signer.verifier.text() + "\n" == KEY_PUB
    from pathlib import Path

    from generator.tlog.merkle import HashTree
    from generator.tlog.verify_log import stored_records

    log = (Path(__file__).parent / "vectors" / "tlog" / "draws.jsonl").read_bytes()
    tree = HashTree.from_records(stored_records(log))
    note = signer.sign_checkpoint(Checkpoint(NAME, tree.size, tree.root()))
    assert note.decode() == CHECKPOINT
    cp = open_checkpoint(CHECKPOINT.encode(), parse_key_file(KEY_PUB.encode()))
    assert (cp.origin, cp.size, cp.root) == (NAME, 11, tree.root())


@pytest.mark.parametrize(
    "text",
    [
        "o\n011\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kM=\n",
        "o\n+11\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kM=\n",
        "o\n11\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kM\n",
        "o\n11\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kN=\n",
        "o\n11\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6k=\n",
        "o\n11\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kM=\nextension\n",
        "o\n11\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kM=",
        "o o\n11\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kM=\n",
        "\n11\nKrjabi7wJaumneFJA1W8MPa4CTbjWRTRXJ0I53Bl6kM=\n",
    ],
)
def test_non_canonical_checkpoints_refused(text):
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_checkpoint_origin_must_equal_key_name():
    other = Signer("other.example/log", SEED)
    note = other.sign_note("gongshi.example.gov.cn/draws\n0\n" + "A" * 43 + "=\n")
    with pytest.raises(NoteError, match="来源行应为密钥名称"):
        open_checkpoint(note, other.verifier)


def test_key_file_round_trip_and_mode(tmp_path):
    path = tmp_path / "secrets" / "log.key"
    signer = Signer(NAME, SEED)
    write_key_file(path, signer)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_signer(path) == signer
    with pytest.raises(FileExistsError):
        write_key_file(path, signer)
    path.write_text("PRIVATE+KEY+x+00000000+AAAA\n")
    with pytest.raises(KeyFileError):
        load_signer(path)
    with pytest.raises(KeyFileError, match="找不到"):
        load_signer(tmp_path / "missing.key")


def test_key_pub_needs_exactly_one_lf():
    with pytest.raises(NoteError):
        parse_key_file(KEY_PUB.encode() + b"\n")
    with pytest.raises(NoteError):
        parse_key_file(KEY_PUB[:-1].encode())


# --- Ed25519 -----------------------------------------------------------------------------------


def test_rfc8032_test_vectors():
    # RFC 8032 §7.1 TEST 2 and TEST 3.
    pub = bytes.fromhex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
    sig = bytes.fromhex(
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
    assert ed25519.verify(pub, bytes([0x72]), sig)
    pub = bytes.fromhex("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025")
    sig = bytes.fromhex(
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")
    assert ed25519.verify(pub, bytes.fromhex("af82"), sig)


def test_pure_python_verify_agrees_with_cryptography():
    rng = random.Random(25519)
    for _ in range(60):
        key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        msg = rng.randbytes(rng.randrange(0, 200))
        sig = key.sign(msg)
        assert ed25519.verify(pub, msg, sig)
        # Tampered signature, message or key: both implementations refuse.
        i = rng.randrange(64)
        bad_sig = sig[:i] + bytes([sig[i] ^ (1 << rng.randrange(8))]) + sig[i + 1 :]
        assert not ed25519.verify(pub, msg, bad_sig)
        bad_msg = msg + b"x"
        assert not ed25519.verify(pub, bad_msg, sig)
        j = rng.randrange(32)
        bad_pub = pub[:j] + bytes([pub[j] ^ 1]) + pub[j + 1 :]
        assert not ed25519.verify(bad_pub, msg, sig)
    # S >= L (a malleated signature) is refused, as by OpenSSL.
    L = 2**252 + 27742317777372353535851937790883648493
    s = int.from_bytes(sig[32:], "little") + L
    assert not ed25519.verify(pub, msg, sig[:32] + s.to_bytes(32, "little"))
    assert not ed25519.verify(pub, msg, sig[:63])
