"""RFC 6962 Merkle tree hashes, inclusion proofs and consistency proofs.

Standard library only (bundled into the standalone ``verify.py``); no I/O.

Proofs are produced as RFC 6962 §2.1.1 (PATH) and §2.1.2 (PROOF/SUBPROOF) define them and
checked with RFC 9162 §2.1.3.2 and §2.1.4.2's algorithms, paired like Go's sumdb/tlog:
``prove_record``/``check_record`` and ``prove_tree``/``check_tree``.

>>> tree = HashTree(record_hash(bytes([i])) for i in range(5))
>>> root = tree.root()
>>> check_record(prove_record(tree, 5, 3), 5, root, 3, record_hash(bytes([3])))
True
>>> check_tree(prove_tree(tree, 2, 5), 2, tree.root(2), 5, root)
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 6962 §2.1: MTH({}) = SHA-256()


def record_hash(data: bytes) -> bytes:
    """Leaf hash: MTH({d(0)}) = SHA-256(0x00 || d(0)) (RFC 6962 §2.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Interior node: SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])) (RFC 6962 §2.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1) (RFC 6962 §2.1)."""
    return 1 << ((n - 1).bit_length() - 1)


class HashTree:
    """The stored hashes of every complete, aligned subtree, as tlog's "stored hashes".

    ``level(l)[i]`` = MTH(D[i·2^l : (i+1)·2^l]). Appending a leaf adds its hash and the hashes
    of the subtrees it completes, so any MTH(D[lo:hi]) costs O(log n) node hashes.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append(h)

    @classmethod
    def from_records(cls, records: Iterable[bytes]) -> HashTree:
        return cls(record_hash(r) for r in records)

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def append(self, leaf_hash: bytes) -> None:
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError("leaf hash must be 32 bytes")
        self._levels[0].append(leaf_hash)
        index, level = len(self._levels[0]) - 1, 0
        while index % 2 == 1:
            parent = node_hash(self._levels[level][index - 1], self._levels[level][index])
            level += 1
            if len(self._levels) == level:
                self._levels.append([])
            self._levels[level].append(parent)
            index //= 2

    def level(self, level: int) -> Sequence[bytes]:
        """Hashes of the complete subtrees of 2^level leaves, left to right."""
        return self._levels[level] if level < len(self._levels) else ()

    def subtree_hash(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for 0 <= lo <= hi <= size (RFC 6962 §2.1)."""
        if not 0 <= lo <= hi <= self.size:
            raise ValueError(f"range [{lo}, {hi}) outside a tree of size {self.size}")
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and lo % n == 0:
            return self._levels[n.bit_length() - 1][lo // n]
        k = _split(n)
        return node_hash(self.subtree_hash(lo, lo + k), self.subtree_hash(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        """The tree head MTH(D[0:size]) (the whole tree by default)."""
        return self.subtree_hash(0, self.size if size is None else size)


def tree_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes."""
    return HashTree(leaf_hashes).root()


# --- inclusion ---------------------------------------------------------------------------------


def prove_record(tree: HashTree, size: int, index: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves: PATH(m, D[n])."""
    if not 0 <= index < size <= tree.size:
        raise ValueError(f"no leaf {index} in a tree of size {size}")

    def path(m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []  # RFC 6962 §2.1.1: PATH(0, {d(0)}) = {}
        k = _split(n)
        if m < k:  # PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k
            return path(m, lo, lo + k) + [tree.subtree_hash(lo + k, hi)]
        # PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k
        return path(m - k, lo + k, hi) + [tree.subtree_hash(lo, lo + k)]

    return path(index, 0, size)


def check_record(
    proof: Sequence[bytes], size: int, root: bytes, index: int, leaf_hash: bytes
) -> bool:
    """Whether ``proof`` shows leaf ``index`` with ``leaf_hash`` in the tree (size, root).

    RFC 9162 §2.1.3.2, step by step.
    """
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1  # step 2
    r = leaf_hash  # step 3
    for p in proof:  # step 4
        if len(p) != HASH_SIZE or sn == 0:  # 4a
            return False
        if fn & 1 or fn == sn:  # 4b
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:  # 4c
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1  # 4d
    return sn == 0 and r == root  # step 5


# --- consistency -------------------------------------------------------------------------------


def prove_tree(tree: HashTree, old_size: int, size: int) -> list[bytes]:
    """The consistency proof from the tree of ``old_size`` to that of ``size``: PROOF(m, D[n]).

    Empty when old_size is 0 or equals size (nothing to prove).
    """
    if not 0 <= old_size <= size <= tree.size:
        raise ValueError(f"no consistency proof from size {old_size} to {size}")
    if old_size in (0, size):
        return []

    def subproof(m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:  # RFC 6962 §2.1.2: SUBPROOF(m, D[m], true) = {}, (.., false) = {MTH(D[m])}
            return [] if complete else [tree.subtree_hash(lo, hi)]
        k = _split(n)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            return subproof(m, lo, lo + k, complete) + [tree.subtree_hash(lo + k, hi)]
        # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
        return subproof(m - k, lo + k, hi, False) + [tree.subtree_hash(lo, lo + k)]

    return subproof(old_size, 0, size, True)


def check_tree(
    proof: Sequence[bytes], old_size: int, old_root: bytes, size: int, root: bytes
) -> bool:
    """Whether ``proof`` shows the tree (old_size, old_root) is a prefix of (size, root).

    RFC 9162 §2.1.4.2, step by step; the trivial cases (old_size 0 or equal sizes) take an
    empty proof.
    """
    if not 0 <= old_size <= size:
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if old_size == size:
        return not proof and old_root == root
    if not proof or any(len(p) != HASH_SIZE for p in proof):  # step 1
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # step 2: first is an exact power of 2
        path.insert(0, old_root)
    fn, sn = old_size - 1, size - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:  # 6a
            return False
        if fn & 1 or fn == sn:  # 6b
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:  # 6c
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1  # 6d
    return fr == old_root and sr == root and sn == 0  # step 7
