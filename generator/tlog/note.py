"""C2SP signed notes, tlog checkpoints and note verifier keys (Go's ``sumdb/note`` format).

Standard library only (bundled into the standalone ``verify.py``); no I/O.

A signed note (c2sp.org/signed-note) is a text ending in LF, a blank line, then signature
lines ``— <key name> <base64(key ID || signature)>`` (em dash U+2014). A checkpoint
(c2sp.org/tlog-checkpoint) is a note whose text is the origin, the tree size in decimal and the
base64 root hash, each followed by LF. The Ed25519 key ID is the first 4 bytes of
SHA-256(name || 0x0A || 0x01 || public key); the verifier key text (PROTOCOL §13, the text of
``log/key.pub`` without its LF) is ``<name>+<key ID as 8 hex>+<base64(0x01 || public key)>``.
Parsing refuses anything that re-formatting would not give back byte for byte.

>>> cp = Checkpoint("example.gov.cn/draws", 3, bytes(32))
>>> print(cp.text(), end="")
example.gov.cn/draws
3
AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
>>> parse_checkpoint(cp.text()) == cp
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from . import ed25519

ALG_ED25519 = 0x01  # c2sp.org/signed-note "Signature types": 0x01 — Ed25519
EM_DASH = "\u2014"
MAX_SIGNATURES = 16  # c2sp.org/signed-note: verifiers must accept at least 16
_SIZE = re.compile(r"0|[1-9][0-9]*")
_HEX8 = re.compile(r"[0-9a-f]{8}")


class NoteError(ValueError):
    """A note, checkpoint or key that is malformed, non-canonical or badly signed (Chinese)."""


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64 (RFC 4648 §4) that must re-encode to the same text."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise NoteError(f"{what} 不是标准 base64：{text!r}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} 的 base64 不是规范形式：{text!r}")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def is_valid_name(name: str) -> bool:
    """Key names are non-empty, without Unicode spaces, '+' or control characters."""
    return bool(name) and not any(ch.isspace() or ch == "+" or ord(ch) < 0x20 for ch in name)


def key_id(name: str, public_key: bytes) -> bytes:
    """key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4] (c2sp.org/signed-note)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 note verifier key: the key name and the 32-byte public key."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def text(self) -> str:
        """``<name>+<hex key ID>+<base64(0x01 || public key)>`` (Go sumdb/note verifier key)."""
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([ALG_ED25519]) + self.public_key)}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        return ed25519.verify(self.public_key, message, signature)


def parse_verifier_key(text: str) -> Verifier:
    """Parse a verifier key text (without LF), refusing any non-canonical form."""
    parts = text.split("+", 2)  # the base64 key may itself contain "+"
    if len(parts) != 3 or not is_valid_name(parts[0]) or not _HEX8.fullmatch(parts[1]):
        raise NoteError(f"验证公钥格式应为 名称+8位十六进制+base64，实为 {text!r}")
    name, hex_id, b64_key = parts
    raw = _b64decode(b64_key, "验证公钥")
    if len(raw) != 33 or raw[0] != ALG_ED25519:
        raise NoteError("验证公钥应为算法字节 0x01（Ed25519）加 32 字节公钥")
    verifier = Verifier(name, raw[1:])
    if verifier.key_id.hex() != hex_id:
        raise NoteError(f"验证公钥的密钥编号应为 {verifier.key_id.hex()}，实为 {hex_id}")
    return verifier


def parse_key_file(data: bytes) -> Verifier:
    """``log/key.pub``: the verifier key text followed by exactly one LF (PROTOCOL §13)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError("log/key.pub 不是 UTF-8 文本") from None
    if not text.endswith("\n") or "\n" in text[:-1]:
        raise NoteError("log/key.pub 应为一行验证公钥加换行")
    return parse_verifier_key(text[:-1])


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes  # 4 bytes, big-endian uint32 on the wire
    signature: bytes

    def line(self) -> str:
        return f"{EM_DASH} {self.name} {_b64(self.key_id + self.signature)}\n"


@dataclass(frozen=True)
class Note:
    text: str  # ends with LF
    signatures: tuple[NoteSignature, ...]

    def to_bytes(self) -> bytes:
        return (self.text + "\n" + "".join(s.line() for s in self.signatures)).encode("utf-8")


def parse_note(data: bytes) -> Note:
    """Split a signed note into its text and signature lines (c2sp.org/signed-note)."""
    try:
        message = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError("签名文本不是 UTF-8") from None
    if any(ord(ch) < 0x20 and ch != "\n" for ch in message):
        raise NoteError("签名文本含有换行以外的控制字符")
    # The text is separated from the signatures by the last empty line.
    split = message.rfind("\n\n")
    if split < 0 or not message.endswith("\n"):
        raise NoteError("签名文本缺少正文与签名之间的空行，或不以换行结尾")
    text, block = message[: split + 1], message[split + 2 :]
    signatures = []
    for line in block[:-1].split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != EM_DASH or not is_valid_name(parts[1]):
            raise NoteError(f"签名行格式应为 “— 名称 base64”，实为 {line!r}")
        raw = _b64decode(parts[2], "签名")
        if len(raw) < 5:
            raise NoteError(f"签名过短：{line!r}")
        signatures.append(NoteSignature(parts[1], raw[:4], raw[4:]))
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError(f"签名行超过 {MAX_SIGNATURES} 个")
    return Note(text, tuple(signatures))


def open_note(data: bytes, verifier: Verifier) -> Note:
    """Parse a note and verify the signature of ``verifier``; other keys' lines are ignored."""
    note = parse_note(data)
    label = f"{verifier.name}+{verifier.key_id.hex()}"
    mine = [s for s in note.signatures if s.name == verifier.name and s.key_id == verifier.key_id]
    if not mine:
        raise NoteError(f"没有密钥 {label} 的签名")
    for sig in mine:
        if not verifier.verify(note.text.encode("utf-8"), sig.signature):
            raise NoteError(f"密钥 {label} 的签名无效（正文或签名被改动）")
    return note


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin, size and RFC 6962 root hash (c2sp.org/tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{_b64(self.root)}\n"


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint text: exactly three lines, canonical size and root, no extensions."""
    lines = text.split("\n")
    if len(lines) != 4 or lines[3] != "":
        raise NoteError("检查点正文应恰为三行（来源、树大小、根哈希），各以换行结尾，不带扩展行")
    origin, size, root = lines[:3]
    if not is_valid_name(origin):
        raise NoteError(f"检查点来源行不合规：{origin!r}")
    if not _SIZE.fullmatch(size):
        raise NoteError(f"检查点树大小应为不带前导零的十进制整数，实为 {size!r}")
    raw = _b64decode(root, "检查点根哈希")
    if len(raw) != 32:
        raise NoteError(f"检查点根哈希应为 32 字节，实为 {len(raw)} 字节")
    return Checkpoint(origin, int(size), raw)


def open_checkpoint(data: bytes, verifier: Verifier) -> Checkpoint:
    """Verify a signed checkpoint with ``verifier``; its origin must equal the key name."""
    checkpoint = parse_checkpoint(open_note(data, verifier).text)
    if checkpoint.origin != verifier.name:  # PROTOCOL §13: the origin line equals the key name
        raise NoteError(f"检查点来源行应为密钥名称 {verifier.name!r}，实为 {checkpoint.origin!r}")
    return checkpoint
