"""RFC 6962 Merkle tree: golden roots, proofs, tamper tests, and real CT proofs."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from generator.tlog.merkle import (
    EMPTY_ROOT,
    HashTree,
    check_record,
    check_tree,
    prove_record,
    prove_tree,
    record_hash,
)

VECTORS = Path(__file__).parent / "vectors" / "tlog"

# The RFC 6962 reference leaves used by Certificate Transparency implementations' tests
# (certificate-transparency-go merkle tests) and their tree heads.
CT_LEAVES = [
    b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70)),
]
CT_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

# Our own frozen roots over the records b"leaf 0", b"leaf 1", ...
ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "1bb97dcc21635d47e2663efdfd0a174686d98dd701352dd2cd06e8b43fd3d305",
    2: "fc5f6b88ff8554f75bb2f9e6f39c31b1936d44b69276edf7b1205a955b9761e3",
    3: "d4f92c8fbb89720eb3b55677c7d7efaddfeb10d11a1a84a0ba8f1a23337faa95",
    4: "4f631084a157c54f54fcfb23ff5eb8650c4ba160c295bb13a9832b109d52677e",
    5: "341515982d650e23520dbd54d7fcf0afa1b70cc3a16a411d464dc9c1ac96c301",
    6: "8363c3821ce41ebb46222116a42cc83dba753984b23cfca26aaad0a6867336ea",
    7: "5a61fc2b54f9cfa71774f2432143dd40c6cb2b11947faf65a7d3da5cb65199c8",
    8: "c5c2c820ed342fdda8ce896b6b9cf5b8c00a21cc4b20714cc6e5d3c05c35240b",
    13: "cf9b4c2a44a7caa722d5d548ee64ff90a119b0c31acac3444dc583000a39d3ca",
    100: "13f88915c560dc911a1da0fb209d84a20971051f294ebeb428fb3fc293af2743",
    1000: "2ff33fb9d8f14f89ca306289633336a168ff3f4532e8f741a0019dcb4c1d60a1",
}


def naive_root(records: list[bytes]) -> bytes:
    """RFC 6962 §2.1 MTH, written straight from the definition (recursive, no caching)."""
    if not records:
        return hashlib.sha256(b"").digest()
    if len(records) == 1:
        return hashlib.sha256(b"\x00" + records[0]).digest()
    k = 1
    while k * 2 < len(records):
        k *= 2
    return hashlib.sha256(b"\x01" + naive_root(records[:k]) + naive_root(records[k:])).digest()


def test_empty_root_is_sha256_of_nothing():
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert HashTree().root() == EMPTY_ROOT


def test_ct_reference_roots():
    tree = HashTree.from_records(CT_LEAVES)
    assert {n: tree.root(n).hex() for n in CT_ROOTS} == CT_ROOTS


@pytest.mark.parametrize("size", sorted(ROOTS))
def test_golden_roots(size):
    records = [b"leaf %d" % i for i in range(size)]
    assert HashTree.from_records(records).root().hex() == ROOTS[size]
    assert naive_root(records).hex() == ROOTS[size]


def test_prefix_roots_match_naive_definition():
    records = [b"r%d" % i for i in range(70)]
    tree = HashTree.from_records(records)
    assert [tree.root(n) for n in range(71)] == [naive_root(records[:n]) for n in range(71)]


def _flip_each_bit(proof, check):
    """Flip every bit of every proof hash in turn: the check must fail each time (tlog style)."""
    for i in range(len(proof)):
        for bit in range(8 * 32):
            bad = bytearray(proof[i])
            bad[bit // 8] ^= 1 << (bit % 8)
            assert not check(proof[:i] + [bytes(bad)] + proof[i + 1 :]), (i, bit)


def test_inclusion_proofs_and_tampering():
    records = [b"entry %d" % i for i in range(41)]
    tree = HashTree.from_records(records)
    for n in range(1, 41):
        root = tree.root(n)
        for i in range(n):
            leaf = record_hash(records[i])
            proof = prove_record(tree, n, i)
            assert check_record(proof, n, root, i, leaf)
            assert not check_record(proof, n, root, i, record_hash(b"other"))
            assert not check_record(proof + [bytes(32)], n, root, i, leaf)
            if proof:
                assert not check_record(proof[:-1], n, root, i, leaf)
            if n <= 12:  # every bit of every hash; larger sizes flip one bit per hash
                _flip_each_bit(proof, lambda p: check_record(p, n, root, i, leaf))  # noqa: B023
            else:
                for j in range(len(proof)):
                    bad = proof[:j] + [bytes([proof[j][0] ^ 1]) + proof[j][1:]] + proof[j + 1 :]
                    assert not check_record(bad, n, root, i, leaf)


def test_consistency_proofs_and_tampering():
    records = [b"entry %d" % i for i in range(41)]
    tree = HashTree.from_records(records)
    for n in range(1, 41):
        root = tree.root(n)
        for m in range(0, n + 1):
            old = tree.root(m)
            proof = prove_tree(tree, m, n)
            assert check_tree(proof, m, old, n, root), (m, n)
            if 0 < m < n:
                assert not check_tree(proof, m, record_hash(b"x"), n, root)
                assert not check_tree(proof, m, old, n, record_hash(b"x"))
                assert not check_tree(proof + [bytes(32)], m, old, n, root)
                assert not check_tree(proof[:-1], m, old, n, root)
                if n <= 12:
                    _flip_each_bit(proof, lambda p: check_tree(p, m, old, n, root))  # noqa: B023
                else:
                    for j in range(len(proof)):
                        bad = proof[:j] + [bytes([proof[j][0] ^ 1]) + proof[j][1:]] + proof[j + 1 :]
                        assert not check_tree(bad, m, old, n, root)


def _b64(s: str) -> bytes:
    return base64.b64decode(s)


def test_real_certificate_transparency_proofs():
    """Proofs served by Google's Argon 2020 CT log (frozen, from golang.org/x/mod's testdata):
    our RFC 9162 checks accept proofs produced by an independent implementation (Trillian)."""
    d = VECTORS / "argon2020"
    sth = json.loads((d / "sth.json").read_text())
    size, root = sth["tree_size"], _b64(sth["sha256_root_hash"])
    leaf = _b64(json.loads((d / "entries.json").read_text())["entries"][0]["leaf_input"])
    path = [_b64(h) for h in json.loads((d / "proof.json").read_text())["audit_path"]]
    assert check_record(path, size, root, 10000, record_hash(leaf))
    assert not check_record(path, size, root, 10001, record_hash(leaf))
    consistency = [_b64(h) for h in json.loads((d / "consistency.json").read_text())["consistency"]]
    old_root = _b64("AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=")
    assert check_tree(consistency, 3654490, old_root, size, root)
    assert not check_tree(consistency, 3654491, old_root, size, root)
