"""The demo's own RFC 3161 time-stamping authority (demo only; a real office uses a real TSA).

A fixed RSA-2048 key derived from a published seed (so it is NOT secret), a self-signed TSA
certificate (extended key usage id-kp-timeStamping, critical) and deterministic tokens: the
same checkpoint and time always give the same token bytes (RSA PKCS #1 v1.5 signatures are
deterministic, the serial number is derived from the imprint), so ``make demo-data`` stays
byte-reproducible. The tokens are the standard ones: ``openssl ts -verify`` accepts them
(tests/test_anchors_rfc3161.py). The DER is written by the small encoder below; the key and
certificate use ``cryptography``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..tlog import rfc3161

SEED = b"gongshi demo time-stamping authority"
POLICY = "2.25.183245219735634128412380437651009254853"  # a UUID OID: the demo TSA's policy
NAME = "示例时间戳机构（演示用，非真实机构）"
CERT_NOT_BEFORE = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
CERT_NOT_AFTER = dt.datetime(2042, 1, 1, tzinfo=dt.UTC)


# --- a minimal DER encoder ------------------------------------------------------------------

def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def seq(*parts: bytes) -> bytes:
    return tlv(0x30, b"".join(parts))


def set_of(*parts: bytes) -> bytes:
    return tlv(0x31, b"".join(sorted(parts)))  # DER: SET OF sorted by encoding


def integer(value: int) -> bytes:
    return tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, bytes(body))


def octets(data: bytes) -> bytes:
    return tlv(0x04, data)


def explicit(number: int, inner: bytes) -> bytes:
    return tlv(0xA0 | number, inner)


def gentime(moment: dt.datetime) -> bytes:
    return tlv(0x18, moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%SZ").encode("ascii"))


SHA256 = seq(oid("2.16.840.1.101.3.4.2.1"), tlv(0x05, b""))


# --- the fixed key and certificate -----------------------------------------------------------

def _prime(rng: random.Random, bits: int) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (3 << (bits - 2)) | 1
        if candidate % 65537 != 1 and _probably_prime(candidate, rng):
            return candidate


_SMALL = [p for p in range(3, 4000, 2) if all(p % q for q in range(3, int(p**0.5) + 1, 2))]
_SMALL_PRODUCT = 1
for _p in _SMALL:
    _SMALL_PRODUCT *= _p


def _probably_prime(n: int, rng: random.Random) -> bool:
    if math.gcd(n, _SMALL_PRODUCT) != 1:
        return False
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(24):  # Miller-Rabin: error below 4^-24 per prime
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


@cache
def private_key() -> rsa.RSAPrivateKey:
    rng = random.Random(hashlib.sha512(SEED).digest())
    e = 65537
    p, q = _prime(rng, 1024), _prime(rng, 1024)
    p, q = max(p, q), min(p, q)
    n, phi = p * q, (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    numbers = rsa.RSAPrivateNumbers(p, q, d, d % (p - 1), d % (q - 1), pow(q, -1, p),
                                    rsa.RSAPublicNumbers(e, n))
    return numbers.private_key()


@cache
def certificate_der() -> bytes:
    key = private_key()
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "公示台演示"),
                      x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(hashlib.sha256(SEED + b"cert").digest()[:8], "big"))
        .not_valid_before(CERT_NOT_BEFORE).not_valid_after(CERT_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


def certificate_pem() -> bytes:
    return x509.load_der_x509_certificate(certificate_der()).public_bytes(
        serialization.Encoding.PEM)


# --- tokens -----------------------------------------------------------------------------------

def token(data: bytes, moment: dt.datetime) -> bytes:
    """A time-stamp token (CMS ContentInfo, DER) saying SHA-256(``data``) existed at ``moment``."""
    cert = rfc3161.parse_certificate(certificate_der())
    digest = hashlib.sha256(data).digest()
    serial = int.from_bytes(hashlib.sha256(b"serial" + digest + gentime(moment)).digest()[:8], "big")
    tst = seq(integer(1), oid(POLICY), seq(SHA256, octets(digest)), integer(serial),
              gentime(moment))
    attrs = [
        seq(oid(rfc3161.CONTENT_TYPE_ATTR), set_of(oid(rfc3161.TST_INFO))),
        seq(oid(rfc3161.MESSAGE_DIGEST_ATTR), set_of(octets(hashlib.sha256(tst).digest()))),
        seq(oid(rfc3161.SIGNING_CERT_V2),
            set_of(seq(seq(seq(octets(hashlib.sha256(cert.raw).digest())))))),
    ]
    signed_attrs = set_of(*attrs)
    signature = private_key().sign(signed_attrs, padding.PKCS1v15(), hashes.SHA256())
    signer = seq(
        integer(1), seq(cert.issuer, integer(cert.serial)), SHA256,
        tlv(0xA0, signed_attrs[2 if signed_attrs[1] < 0x80 else 2 + (signed_attrs[1] & 0x7F):]),
        seq(oid("1.2.840.113549.1.1.11"), tlv(0x05, b"")), octets(signature),
    )
    signed_data = seq(
        integer(3), set_of(SHA256),
        seq(oid(rfc3161.TST_INFO), explicit(0, octets(tst))),
        tlv(0xA0, cert.raw),  # certificates [0] IMPLICIT SET OF Certificate
        set_of(signer),
    )
    return seq(oid(rfc3161.SIGNED_DATA), explicit(0, signed_data))
