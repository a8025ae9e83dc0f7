"""Private recusals of protocol 2 (protocol page §12): committed whole, revealed per selected enterprise.

In protocol 2 the published ``roster.csv`` and ``experts.csv`` carry an empty ``recusals``
column. The office's recusal pairs (person id, enterprise code) are committed at announcement
as an RFC 6962 Merkle tree with **one leaf per row of** ``directory.csv``, in its order: leaf i
is the line ``code,salt,ids`` of the secret canonical file ``recusals.csv`` (the enterprise's
code, a 32-byte salt, the ids of every inspector and expert recused from it, possibly none).
The announce entry carries the root (``recusals_root``). At reveal only the rows of the
selected enterprises are published, with their inclusion proofs (``recusals-selected.csv``).

Every enterprise has a leaf, so the tree's size tells nothing; the salts are derived from the
task's secret, which is never revealed (protocol 2 has n ≥ 2), so a leaf or a proof's hashes
cannot be matched against guessed recusal sets. An enterprise's leaf index is its row in
``directory.csv``, so a verifier knows whose leaf a proof opens and that it holds the
enterprise's *whole* recusal set: the office cannot leave a pair out after the randomness.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence

from ..tlog.merkle import HashTree, check_record, prove_record, record_hash
from .canonical import parse_csv, write_csv
from .errors import ProtocolError

SALT_LABEL = b"gongshi-draw/2 recusal salt/"


def salt(secret: bytes, code: str) -> bytes:
    """``HMAC-SHA256(secret, "gongshi-draw/2 recusal salt/" ‖ code)``: the leaf's salt."""
    return hmac.new(secret, SALT_LABEL + code.encode("ascii"), hashlib.sha256).digest()


def directory_codes(directory: bytes) -> list[str]:
    """The codes of ``directory.csv`` in row order (the file is checked canonical elsewhere)."""
    lines = directory.split(b"\n")[1:-1]
    return [line.split(b",", 1)[0].decode("ascii", "replace") for line in lines]


def pairs_of(files: Mapping[str, bytes]) -> dict[str, set[str]]:
    """``{code: ids}`` from the ``recusals`` columns of ``roster.csv`` and ``experts.csv``."""
    out: dict[str, set[str]] = {}
    for name, col in (("roster.csv", 5), ("experts.csv", 2)):
        for row in parse_csv(name, files[name]):
            for code in row[col]:
                out.setdefault(code, set()).add(row[0])
    return out


def commitment_file(codes: Sequence[str], pairs: Mapping[str, Iterable[str]], secret: bytes) -> bytes:
    """The secret ``recusals.csv``: one row per directory code (pairs of other codes dropped:
    an enterprise not in the directory is never selected)."""
    return write_csv("recusals.csv", ((c, salt(secret, c).hex(), sorted(pairs.get(c, ()))) for c in codes))


def _leaves(recusals: bytes) -> list[bytes]:
    return recusals.split(b"\n")[1:-1]


def root(recusals: bytes) -> str:
    """The Merkle root (hex) over the rows of ``recusals.csv`` (header excluded)."""
    return HashTree.from_records(_leaves(recusals)).root().hex()


def selected_file(recusals: bytes, codes: Iterable[str]) -> bytes:
    """``recusals-selected.csv``: the rows of ``codes`` with leaf index and inclusion proof."""
    leaves = _leaves(recusals)
    tree = HashTree.from_records(leaves)
    wanted = set(codes)
    rows = []
    for index, row in enumerate(parse_csv("recusals.csv", recusals)):
        if row[0] in wanted:
            proof = [h.hex() for h in prove_record(tree, tree.size, index)]
            rows.append((row[0], row[1], row[2], index, proof))
    return write_csv("recusals-selected.csv", rows)


def open_selected(
    data: bytes, root_hex: str, codes: Sequence[str], selected: Iterable[str],
) -> tuple[dict[str, set[str]], list[str]]:
    """Check ``recusals-selected.csv`` against the announced root: exactly the ``selected``
    codes, each at its ``directory.csv`` row (``codes`` in order), each proof valid.
    Returns ``({code: ids}, problems)``."""
    problems: list[str] = []
    try:
        rows = parse_csv("recusals-selected.csv", data)
    except ProtocolError as exc:
        return {}, [str(exc)]
    position = {c: i for i, c in enumerate(codes)}
    want = set(selected)
    got = {row[0] for row in rows}
    if got != want:
        missing, extra = sorted(want - got), sorted(got - want)
        problems.append("recusals-selected.csv 应恰好列出入选企业："
                        + (f"缺少 {'、'.join(missing[:5])}" if missing else "")
                        + (f"多出 {'、'.join(extra[:5])}（不得公开未入选企业的回避）" if extra else ""))
    try:
        root_bytes = bytes.fromhex(root_hex)
    except (TypeError, ValueError):
        return {}, problems + [f"公告条目的 recusals_root 无效：{root_hex!r}"]
    out: dict[str, set[str]] = {}
    for code, salt_hex, ids, index, proof in rows:
        if position.get(code) != index:
            problems.append(f"企业 {code} 的叶子序号应为其在 directory.csv 中的行序 {position.get(code)}，实际为 {index}")
            continue
        line = f"{code},{salt_hex},{';'.join(ids)}".encode()
        ok = check_record([bytes.fromhex(h) for h in proof], len(codes), root_bytes, index, record_hash(line))
        if not ok:
            problems.append(f"企业 {code} 的回避行（{';'.join(ids) or '无'}）与公告时承诺的 recusals_root 不符")
            continue
        out[code] = set(ids)
    return out, problems


def merged(files: Mapping[str, bytes], pairs: Mapping[str, Iterable[str]]) -> dict[str, bytes]:
    """``files`` with the ``recusals`` columns of ``roster.csv``/``experts.csv`` set from
    ``pairs`` (``{code: ids}``): the inputs the group rules of §10–§11 read."""
    by_person: dict[str, list[str]] = {}
    for code, ids in pairs.items():
        for i in ids:
            by_person.setdefault(i, []).append(code)
    out = dict(files)
    roster = parse_csv("roster.csv", files["roster.csv"])
    out["roster.csv"] = write_csv("roster.csv", (r[:5] + (by_person.get(r[0], ()),) for r in roster))
    experts = parse_csv("experts.csv", files["experts.csv"])
    out["experts.csv"] = write_csv("experts.csv", (r[:2] + (by_person.get(r[0], ()),) for r in experts))
    return out


def stripped(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """``files`` with empty ``recusals`` columns: protocol 2's published roster and experts."""
    return merged(files, {})


def declared(files: Mapping[str, bytes]) -> list[str]:
    """Protocol 2 refusal: the ids whose published ``recusals`` column is not empty."""
    out = []
    for name, col in (("roster.csv", 5), ("experts.csv", 2)):
        out += [f"{name} 的 {row[0]}" for row in parse_csv(name, files[name]) if row[col]]
    return out
