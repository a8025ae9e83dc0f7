"""Hash chain, HKDF and tickets (PROTOCOL §1, §5.2, §6.2; RFC 5869; draft-thomson-elegy-vrs).

``C = H^n(secret)``, ``code = H^(n-1)(secret)`` (the secret itself when n = 1);
``PRK = HKDF-Extract(salt = code, IKM = key string)``;
``ticket(label) = HKDF-Expand(PRK, info = label, L = 32)``.
"""

from __future__ import annotations

import hashlib
import hmac

from .errors import ProtocolError

HASH_LEN = 32  # SHA-256 output length in bytes


def hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    """RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM) (empty salt = HashLen zero bytes)."""
    return hmac.new(salt or bytes(HASH_LEN), ikm, hashlib.sha256).digest()


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i); OKM = first L octets of T."""
    if not 0 < length <= 255 * HASH_LEN:
        raise ValueError("HKDF length out of range")
    okm, block = b"", b""
    for i in range(1, -(-length // HASH_LEN) + 1):
        block = hmac.new(prk, block + info + bytes([i]), hashlib.sha256).digest()
        okm += block
    return okm[:length]


def hash_chain(secret: bytes, n: int) -> tuple[bytes, bytes]:
    """``(commitment, code)`` = ``(H^n(secret), H^(n-1)(secret))`` (§5.2)."""
    if n < 1:
        raise ProtocolError("params", f"哈希链长度 n 须不小于 1，实际为 {n}")
    code = secret
    for _ in range(n - 1):
        code = hashlib.sha256(code).digest()
    return hashlib.sha256(code).digest(), code


def commitment_of(code: bytes) -> bytes:
    """What a verifier checks: H(code) = C (§10)."""
    return hashlib.sha256(code).digest()


def parse_code(text: str) -> bytes:
    """The code as revealed: 64 lowercase hex characters (``code.txt`` adds an LF)."""
    if not isinstance(text, str) or len(text) != 64 or text != text.lower():
        raise ProtocolError("canonical", f"一次性码须为 64 位小写十六进制，实际为 {text!r}", file="code.txt")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ProtocolError("canonical", f"一次性码须为 64 位小写十六进制，实际为 {text!r}", file="code.txt") from None


def prk(code: bytes, key: str) -> bytes:
    """§6.2: PRK = HKDF-Extract(salt = code's 32 raw bytes, IKM = key string in ASCII)."""
    if len(code) != HASH_LEN:
        raise ProtocolError("params", f"一次性码须为 32 字节，实际 {len(code)} 字节")
    return hkdf_extract(code, key.encode("ascii"))


def ticket(prk_: bytes, label: str) -> bytes:
    """§6.2: ticket(label) = HKDF-Expand(PRK, info = label in UTF-8, L = 32)."""
    return hkdf_expand(prk_, label.encode("utf-8"), HASH_LEN)


class TicketLabels:
    """The labels of §6: enterprises by code, inspectors by ``code/id``, experts by
    ``code/expert/id``; a subclass supplies ``label`` (the ticket of one label)."""

    def label(self, label: str) -> bytes:
        raise NotImplementedError

    def enterprise(self, code: str) -> bytes:
        return self.label(code)

    def inspector(self, code: str, inspector_id: str) -> bytes:
        return self.label(code + "/" + inspector_id)  # §6.6.1

    def expert(self, code: str, expert_id: str) -> bytes:
        return self.label(code + "/expert/" + expert_id)  # §6.7


class Tickets(TicketLabels):
    """Tickets under one PRK: enterprises by code, inspectors by ``code/id``, experts by ``code/expert/id``."""

    def __init__(self, code: bytes, key: str) -> None:
        self.prk = prk(code, key)
        # Speed only (millions of tickets per draw): with L = 32 = HashLen, HKDF-Expand is the
        # single block T(1) = HMAC(PRK, info ‖ 0x01); the keyed HMAC state is built once and
        # copied per ticket. Equal to ticket(self.prk, label) (tests/test_protocol_conformance).
        self._mac = hmac.new(self.prk, digestmod=hashlib.sha256)

    def label(self, label: str) -> bytes:
        """``ticket(PRK, label)`` of §6.2."""
        mac = self._mac.copy()
        mac.update(label.encode("utf-8") + b"\x01")
        return mac.digest()

