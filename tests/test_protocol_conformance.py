"""PROTOCOL §12 conformance: RFC 5869 (HKDF), RFC 3797 §6 (key string), draft-thomson-elegy-vrs.

The RFC 5869 values are the published test cases A.1–A.3 (SHA-256). The RFC 3797 §6 MD5
digests and selection are those of the RFC's worked example (as reproduced by
Algorithm::Voting::Sortition's and votelib's test suites). The elegy example is the "Example
Usage" appendix of draft-thomson-elegy-vrs (github.com/martinthomson/vrs), whose select.py uses
the one-time code's raw bytes as salt, as PROTOCOL §1 does.
"""

from __future__ import annotations

import hashlib

import pytest

from generator.protocol.sources import canonical_number, key_string
from generator.protocol.tickets import hash_chain, hkdf_expand, hkdf_extract, prk, ticket

RFC5869 = [
    (  # A.1
        bytes([0x0B] * 22), bytes(range(0x00, 0x0D)), bytes(range(0xF0, 0xFA)), 42,
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    ),
    (  # A.2
        bytes(range(0x00, 0x50)), bytes(range(0x60, 0xB0)), bytes(range(0xB0, 0x100)), 82,
        "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
        "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
        "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
        "cc30c58179ec3e87c14c01d5c1f3434f1d87",
    ),
    (  # A.3: zero-length salt and info
        bytes([0x0B] * 22), b"", b"", 42,
        "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    ),
]


@pytest.mark.parametrize(("ikm", "salt", "info", "length", "prk_hex", "okm_hex"), RFC5869)
def test_rfc5869(ikm, salt, info, length, prk_hex, okm_hex):
    got = hkdf_extract(salt, ikm)
    assert got.hex() == prk_hex
    assert hkdf_expand(got, info, length).hex() == okm_hex


RFC3797_KEY = "9319./2.5.8.10.12./9.18.26.34.41.45./"


def test_rfc3797_key_string():
    sources = [{"ordered": False}] * 3
    numbers = [["9319"], ["2", "5", "12", "8", "10"], ["9", "18", "26", "34", "41", "45"]]
    assert key_string(sources, numbers) == RFC3797_KEY
    # leading zeros dropped as RFC 3797's code does
    typed = [["9319"], ["02", "05", "12", "08", "10"], ["09", "18", "26", "34", "41", "45"]]
    assert key_string(sources, [[canonical_number(x) for x in src] for src in typed]) == RFC3797_KEY
    assert canonical_number("00") == "0"


def _rfc3797_select(key: str, pool: int, count: int) -> list[int]:
    """RFC 3797 §4/§6 reference algorithm: MD5(u16(i) ‖ key ‖ u16(i)) mod remaining."""
    remaining, out = list(range(1, pool + 1)), []
    for i in range(count):
        prefix = i.to_bytes(2, "big")
        digest = hashlib.md5(prefix + key.encode("ascii") + prefix).digest()
        out.append(remaining.pop(int.from_bytes(digest, "big") % len(remaining)))
    return out


def test_rfc3797_section6_example():
    """Our key string feeds RFC 3797's own computation to the RFC's published digests and picks."""
    digests = [
        hashlib.md5(i.to_bytes(2, "big") + RFC3797_KEY.encode() + i.to_bytes(2, "big")).hexdigest().upper()
        for i in range(3)
    ]
    assert digests == [
        "990DD0A5692A029A98B5E01AA28F3459",
        "3691E55CB63FCC37914430B2F70B5EC6",
        "FE814EDF564C190AC1D25753979990FA",
    ]
    assert _rfc3797_select(RFC3797_KEY, 25, 11) == [17, 7, 2, 16, 25, 23, 8, 24, 19, 13, 22]


def test_elegy_worked_example():
    """draft-thomson-elegy-vrs, "Example Usage": 10 iterations of SHA-256 of the secret phrase."""
    commitment, code = hash_chain(b"totally not a bikeshed", 10)
    assert commitment.hex() == "950ea08d8d5fd3ae415b9967aba7a48aba39ca62a4d98f2e7fe25cb1b8f8c488"
    assert code.hex() == "5346f2efb5397a6788fc1f1d9c05c6d3f2abe9b7d16d8592a3695b6dbe9f2456"
    key = "1.2.3.4.5.6./1.2.3.4.5.6./1.2.3.4.5.6./"
    k = prk(code, key)
    first = ["lavenderblush", "blue", "darkgoldenrod", "mediumvioletred", "bisque", "lightpink"]
    shown = ["002ed527ae0a44a86c205d1cdba", "03f710be2b61a6f9c3f89aa5ab5", "08bab81380d7f0769cecf9969a8",
             "0c26494fa81f3aed8a9f66e77b7", "0e1af5d1ccfd44de075cc0bb6d5", "13a07cc9abf3b737e49a62b0634"]
    for label, prefix in zip(first, shown, strict=True):
        assert ticket(k, label).hex().startswith(prefix), label
    # second iteration: the 8th hash iteration as the next one-time code
    _, code8 = hash_chain(b"totally not a bikeshed", 9)
    assert code8.hex() == "2f70f884997ce80771adbefbbbc6c71a1b921da71896c25ca0f64966bfd0c8ce"
    k8 = prk(code8, key)
    for label, prefix in [("aqua", "00d1c59a9f1b581060a9e732e91"), ("darkgray", "02b514b0b1807bfe086db524f40"),
                          ("cornflowerblue", "0337add95eac62a356b020a273a")]:
        assert ticket(k8, label).hex().startswith(prefix), label


def test_chain_n_equals_one_code_is_secret():
    secret = bytes(range(32))
    commitment, code = hash_chain(secret, 1)
    assert code == secret and commitment == hashlib.sha256(secret).digest()
