"""The published log verifies with independent tlog-tiles tooling, not only ours.

``tlog-scales`` (PyPI, Apache-2.0, by Florian Larysch; extracted from sigmon and
cross-examination) reads a C2SP tlog-tiles log from a folder: it fetches ``checkpoint`` and
``tile/...``, verifies the Ed25519 note signature with a Go-format verifier key, computes the
root and proofs from the tiles, and checks proofs with RFC 9162's algorithms. We point it at
our ``log/`` folder and compare in both directions: its proofs pass our checks and ours pass
its checks. Pinned as tlog-scales==0.0.3 (a test-only dependency).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

tlog_scales = pytest.importorskip("tlog_scales")
from tlog_scales.backend import LocalBackend  # noqa: E402
from tlog_scales.reader import TilesReader  # noqa: E402
from tlog_scales.signing import Vkey  # noqa: E402
from tlog_scales.tiles import leaf_hash  # noqa: E402
from tlog_scales.tlog import (  # noqa: E402
    Checkpoint,
    ConsistencyProof,
    ConsistencyProofInvalid,
    InclusionProof,
    InclusionProofInvalid,
)

from generator.tlog.entries import ZERO_HASH, format_time, make_entry, stored_line  # noqa: E402
from generator.tlog.merkle import HashTree, check_record, check_tree, prove_record, prove_tree  # noqa: E402
from generator.tlog.note import parse_checkpoint  # noqa: E402
from generator.tlog.signer import Signer, write_key_file  # noqa: E402
from generator.tlog.store import LogStore  # noqa: E402
from generator.tlog.verify_log import stored_records  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIELDS = [v["fields"] for v in json.loads((ROOT / "tests/vectors/tlog/entries.json").read_text())]


@pytest.fixture(scope="module")
def log_dir(tmp_path_factory) -> Path:
    """300 entries (full and partial level-0 tiles, a partial level-1 tile), with checkpoints
    published at several sizes. The lines are made directly and published size by size with
    repair_derived(), which is what append() does after each commit, only faster."""
    base = tmp_path_factory.mktemp("crosscheck")
    write_key_file(base / "log.key", Signer("gongshi.example.gov.cn/draws", bytes(range(32))))
    store = LogStore(base / "log", base / "log.key")
    now, prev, lines = datetime(2024, 3, 1, tzinfo=UTC), ZERO_HASH, []
    for i in range(300):
        entry = make_entry(dict(FIELDS[0], task=f"T{i}"), i,
                           format_time(now + timedelta(minutes=i)), prev)
        prev = entry["hash"]
        lines.append(stored_line(entry) + b"\n")
    store.dir.mkdir(parents=True)
    for size in (1, 2, 5, 100, 255, 256, 257, 300):
        store.log_path.write_bytes(b"".join(lines[:size]))
        store.repair_derived()
    return store.dir


def test_checkpoint_signature_verifies_with_tlog_scales(log_dir):
    reader = TilesReader(LocalBackend(log_dir))
    checkpoint = reader.get_checkpoint()
    vkey = Vkey.from_string((log_dir / "key.pub").read_text().strip())
    checkpoint.verify(vkey)  # raises unless the signature verifies
    assert checkpoint.size == 300
    # A checkpoint whose body was altered no longer verifies.
    forged = Checkpoint(checkpoint.origin, 299, checkpoint.root_hash, checkpoint.signatures)
    with pytest.raises(Exception):  # noqa: B017 (cryptography's InvalidSignature)
        forged.verify(vkey)


def test_root_entries_and_inclusion_proofs_agree(log_dir):
    reader = TilesReader(LocalBackend(log_dir))
    checkpoint = reader.get_checkpoint()
    assert reader.calculate_root_hash() == checkpoint.root_hash
    records = stored_records((log_dir / "draws.jsonl").read_bytes())
    tree = HashTree.from_records(records)
    assert tree.root() == checkpoint.root_hash
    n = checkpoint.size
    for i in range(0, n, 7):
        assert reader.get_entry(i) == records[i]  # entry bundles decode to the stored lines
        leaf = leaf_hash(records[i])
        theirs = reader.get_inclusion_proof(i, n)
        theirs.check(leaf, checkpoint.root_hash)
        assert check_record(theirs.node_hashes, n, tree.root(), i, leaf)
        ours = prove_record(tree, n, i)
        assert ours == theirs.node_hashes
        InclusionProof(i, n, ours).check(leaf, checkpoint.root_hash)
        with pytest.raises(InclusionProofInvalid):
            InclusionProof(i, n, ours).check(leaf_hash(b"not in the log"), checkpoint.root_hash)


def test_consistency_with_every_kept_checkpoint(log_dir):
    reader = TilesReader(LocalBackend(log_dir))
    current = reader.get_checkpoint()
    vkey = Vkey.from_string((log_dir / "key.pub").read_text().strip())
    tree = HashTree.from_records(stored_records((log_dir / "draws.jsonl").read_bytes()))
    for path in sorted((log_dir / "checkpoints").iterdir(), key=lambda p: int(p.name)):
        old = Checkpoint.from_text(path.read_text())
        old.verify(vkey)
        assert parse_checkpoint(path.read_text().split("\n\n")[0] + "\n").size == old.size
        if old.size in (current.size,):
            continue
        theirs = reader.get_consistency_proof(old.size, current.size)
        theirs.check(old.root_hash, current.root_hash)
        assert check_tree(theirs.node_hashes, old.size, old.root_hash, current.size, current.root_hash)
        ours = prove_tree(tree, old.size, current.size)
        ConsistencyProof(old.size, current.size, ours).check(old.root_hash, current.root_hash)
        if old.size % 37 == 1:
            with pytest.raises(ConsistencyProofInvalid):
                ConsistencyProof(old.size, current.size, ours).check(bytes(32), current.root_hash)
