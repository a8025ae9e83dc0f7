"""The office's Ed25519 log key: generation, key files and checkpoint signing.

Writer module (uses ``cryptography``). The private key file holds Go sumdb/note's signer-key
text ``PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 || 32-byte seed)>`` and LF, mode 0600, so
Go's ``note.NewSigner`` reads it as is; the public half is the verifier key text of
``log/key.pub`` (PROTOCOL §13). The key name is the checkpoint's origin line.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .note import ALG_ED25519, Checkpoint, Note, NoteError, NoteSignature, Verifier, is_valid_name

_PREFIX = "PRIVATE+KEY+"


class KeyFileError(NoteError):
    """A missing or malformed private key file (Chinese message)."""


@dataclass(frozen=True)
class Signer:
    name: str
    seed: bytes  # the 32-byte Ed25519 private key seed (RFC 8032 §5.1.5)

    @property
    def _key(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> Verifier:
        raw = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return Verifier(self.name, raw)

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def key_text(self) -> str:
        """The signer-key text (Go sumdb/note ``PRIVATE+KEY+...``), without LF."""
        key_id = self.verifier.key_id.hex()
        seed = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode("ascii")
        return f"{_PREFIX}{self.name}+{key_id}+{seed}"

    def sign_note(self, text: str) -> bytes:
        """The signed note: ``text``, a blank line, this key's signature line."""
        sig = NoteSignature(self.name, self.verifier.key_id, self.sign(text.encode("utf-8")))
        return Note(text, (sig,)).to_bytes()

    def sign_checkpoint(self, checkpoint: Checkpoint) -> bytes:
        if checkpoint.origin != self.name:
            raise ValueError("checkpoint origin must equal the key name (PROTOCOL §13)")
        return self.sign_note(checkpoint.text())


def parse_signer_key(text: str) -> Signer:
    """Parse ``PRIVATE+KEY+<name>+<hex>+<base64>`` strictly."""
    bad = KeyFileError("签名私钥文件格式应为 PRIVATE+KEY+名称+8位十六进制+base64")
    if not text.startswith(_PREFIX):
        raise bad
    parts = text[len(_PREFIX) :].split("+", 2)
    if len(parts) != 3 or not is_valid_name(parts[0]):
        raise bad
    name, hex_id, b64 = parts
    try:
        raw = base64.b64decode(b64.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise bad from None
    if len(raw) != 33 or raw[0] != ALG_ED25519 or base64.b64encode(raw).decode() != b64:
        raise bad
    signer = Signer(name, raw[1:])
    if signer.verifier.key_id.hex() != hex_id:
        raise KeyFileError(f"签名私钥文件的密钥编号应为 {signer.verifier.key_id.hex()}，实为 {hex_id}")
    return signer


def generate_signer(name: str) -> Signer:
    if not is_valid_name(name):
        raise KeyFileError(f"密钥名称 {name!r} 不合规：不能为空，不能含空白或 +")
    return Signer(name, os.urandom(32))


def write_key_file(path: Path, signer: Signer) -> None:
    """Create the private key file with mode 0600; refuses to overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write((signer.key_text() + "\n").encode("ascii"))
        fh.flush()
        os.fsync(fh.fileno())


def load_signer(path: Path) -> Signer:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"找不到日志签名私钥 {path}（请先运行 gongshi 初始化日志密钥）") from None
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise KeyFileError(f"日志签名私钥 {path} 不是 ASCII 文本") from None
    if not text.endswith("\n") or "\n" in text[:-1]:
        raise KeyFileError(f"日志签名私钥 {path} 应为一行私钥文本加换行")
    return parse_signer_key(text[:-1])


def verifier_key_file(signer: Signer) -> bytes:
    """The bytes of ``log/key.pub``: verifier key text and LF (PROTOCOL §13)."""
    return (signer.verifier.text() + "\n").encode("utf-8")
