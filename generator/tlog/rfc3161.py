"""RFC 3161 time-stamp tokens, checked fully offline against a published TSA certificate.

Standard library only (bundled into the standalone ``verify.py``); no I/O. A token is a CMS
``SignedData`` (RFC 5652) whose content is a ``TSTInfo`` (RFC 3161 §2.4.2). ``verify_token``
checks, in this order: the structure; that the signer is one of the published certificates
(by issuer and serial number, or subject key identifier); that the certificate's validity
covers ``genTime`` and its extended key usage includes id-kp-timeStamping; the ESS
signing-certificate attribute (v1 or v2) names that certificate; the ``messageDigest`` signed
attribute equals the digest of the ``TSTInfo``; the signature over the signed attributes
(RSA PKCS #1 v1.5 with SHA-256/384/512, or Ed25519); and that the message imprint is the digest
(SHA-256/384/512) of the given data. It does not build a chain above the TSA certificate: the
verifier compares the published certificate (its SHA-256 fingerprint is reported) with the one
the TSA publishes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime

from . import der, ed25519

SIGNED_DATA = "1.2.840.113549.1.7.2"
TST_INFO = "1.2.840.113549.1.9.16.1.4"
CONTENT_TYPE_ATTR = "1.2.840.113549.1.9.3"
MESSAGE_DIGEST_ATTR = "1.2.840.113549.1.9.4"
SIGNING_CERT_V1 = "1.2.840.113549.1.9.16.2.12"
SIGNING_CERT_V2 = "1.2.840.113549.1.9.16.2.47"
TIME_STAMPING = "1.3.6.1.5.5.7.3.8"
EXT_KEY_USAGE = "2.5.29.37"
SUBJECT_KEY_ID = "2.5.29.14"
COMMON_NAME = "2.5.4.3"
RSA = "1.2.840.113549.1.1.1"
ED25519 = "1.3.101.112"
DIGESTS = {  # OID -> hashlib name
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}
SHA1 = "1.3.14.3.2.26"
RSA_WITH = {  # sha*WithRSAEncryption OID -> hashlib name
    "1.2.840.113549.1.1.11": "sha256",
    "1.2.840.113549.1.1.12": "sha384",
    "1.2.840.113549.1.1.13": "sha512",
}
_NAME_OF = {v: k for k, v in DIGESTS.items()}


class TokenError(ValueError):
    """A token or certificate that does not verify (message in Chinese)."""


@dataclass(frozen=True)
class Certificate:
    raw: bytes
    serial: int
    issuer: bytes  # the issuer Name, DER
    subject_cn: str
    not_before: datetime
    not_after: datetime
    key_alg: str
    public_key: bytes | tuple[int, int]  # Ed25519 key, or RSA (n, e)
    key_id: bytes | None  # subjectKeyIdentifier
    usages: tuple[str, ...]  # extended key usages

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass(frozen=True)
class Timestamp:
    """What a verified token proves: ``hashed`` (under ``hash_name``) existed at ``gen_time``."""

    gen_time: datetime
    hash_name: str
    hashed: bytes
    serial: int
    policy: str
    tsa: Certificate


def _alg(tlv: der.Tlv) -> str:
    parts = tlv.expect(der.SEQUENCE, "算法标识").children()
    if not parts or len(parts) > 2:
        raise der.DerError("算法标识应为 OID 加可选参数")
    return der.oid(parts[0])


def _cn(name: der.Tlv) -> str:
    for rdn in name.expect(der.SEQUENCE, "名称").children():
        for atv in rdn.children():
            kind, value = atv.children()
            if der.oid(kind) == COMMON_NAME:
                return value.content.decode("utf-8", "replace")
    return ""


def parse_certificate(data: bytes) -> Certificate:
    """An X.509 certificate (DER) with an RSA or Ed25519 key."""
    try:
        tbs = der.parse(data).expect(der.SEQUENCE, "证书").children()[0]
        fields = tbs.expect(der.SEQUENCE, "证书主体").children()
        if fields and fields[0].tag == 0xA0:
            fields = fields[1:]
        serial, _sig, issuer, validity, subject, spki = fields[:6]
        not_before, not_after = (der.time(t) for t in validity.children())
        key_alg_tlv, key_bits = spki.children()
        key_alg = _alg(key_alg_tlv)
        raw_key = der.bit_string(key_bits)
        if key_alg == RSA:
            n, e = (t.integer() for t in der.parse(raw_key).children())
            public_key: bytes | tuple[int, int] = (n, e)
        elif key_alg == ED25519 and len(raw_key) == 32:
            public_key = raw_key
        else:
            raise TokenError(f"不支持的证书公钥算法 {key_alg}（支持 RSA 和 Ed25519）")
        key_id, usages = None, ()
        for extra in fields[6:]:
            if extra.tag != 0xA3:
                continue
            for ext in der.explicit(extra, 3).children():
                parts = ext.children()
                ext_oid, value = der.oid(parts[0]), parts[-1].expect(der.OCTET_STRING, "扩展值")
                if ext_oid == SUBJECT_KEY_ID:
                    key_id = der.parse(value.content).expect(der.OCTET_STRING, "密钥标识").content
                elif ext_oid == EXT_KEY_USAGE:
                    usages = tuple(der.oid(u) for u in der.parse(value.content).children())
        return Certificate(data, serial.integer(), issuer.raw, _cn(subject), not_before,
                           not_after, key_alg, public_key, key_id, usages)
    except (der.DerError, ValueError, IndexError) as exc:
        if isinstance(exc, TokenError):
            raise
        raise TokenError(f"证书无法解析：{exc}") from None


def parse_pem_certificates(data: bytes) -> list[Certificate]:
    """Every ``-----BEGIN CERTIFICATE-----`` block of a PEM file."""
    text = data.decode("ascii", "replace")
    out = []
    for block in text.split("-----BEGIN CERTIFICATE-----")[1:]:
        body = block.split("-----END CERTIFICATE-----")[0]
        try:
            raw = base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            raise TokenError("PEM 证书的 base64 不合规") from None
        out.append(parse_certificate(raw))
    if not out:
        raise TokenError("文件中没有 PEM 证书")
    return out


def _rsa_verify(key: tuple[int, int], hash_name: str, message: bytes, signature: bytes) -> bool:
    """RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2): EM = 0x00 01 FF… 00 ‖ DigestInfo."""
    n, e = key
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    digest = hashlib.new(hash_name, message).digest()
    alg_oid = bytes.fromhex({"sha256": "608648016503040201", "sha384": "608648016503040202",
                             "sha512": "608648016503040203"}[hash_name])
    for params in (b"\x05\x00", b""):  # NULL parameters, or (RFC 8017 note) absent
        alg = b"\x06" + bytes([len(alg_oid)]) + alg_oid + params
        alg = b"\x30" + bytes([len(alg)]) + alg
        octets = b"\x04" + bytes([len(digest)]) + digest
        info = b"\x30" + bytes([len(alg) + len(octets)]) + alg + octets
        if len(info) + 11 > k:
            return False
        if em == b"\x00\x01" + b"\xff" * (k - len(info) - 3) + b"\x00" + info:
            return True
    return False


def _signer_matches(sid: der.Tlv, cert: Certificate) -> bool:
    if sid.tag == der.SEQUENCE:
        issuer, serial = sid.children()
        return issuer.raw == cert.issuer and serial.integer() == cert.serial
    if sid.tag == 0x80:
        return cert.key_id is not None and sid.content == cert.key_id
    raise der.DerError("签名者标识不合规")


def _first_cert_id(values: der.Tlv) -> list[der.Tlv]:
    """The fields of the first ESSCertID(v2) of a SigningCertificate(V2) attribute value."""
    signing_certificate = values.children()[0]
    certs = signing_certificate.expect(der.SEQUENCE, "ESS 签名证书属性").children()[0]
    return certs.expect(der.SEQUENCE, "ESS 证书列表").children()[0].children()


def _ess_hash(attrs: dict[str, der.Tlv], cert: Certificate) -> None:
    if SIGNING_CERT_V2 in attrs:
        first = _first_cert_id(attrs[SIGNING_CERT_V2])
        name = "sha256"
        if first[0].tag == der.SEQUENCE:
            alg = _alg(first[0])
            if alg not in DIGESTS:
                raise TokenError(f"ESS 签名证书属性的哈希算法 {alg} 不受支持")
            name, first = DIGESTS[alg], first[1:]
        want = first[0].expect(der.OCTET_STRING, "证书哈希").content
    elif SIGNING_CERT_V1 in attrs:
        first = _first_cert_id(attrs[SIGNING_CERT_V1])
        name, want = "sha1", first[0].expect(der.OCTET_STRING, "证书哈希").content
    else:
        raise TokenError("时间戳缺少 ESS 签名证书属性（RFC 3161 §2.4.1 要求）")
    if hashlib.new(name, cert.raw).digest() != want:
        raise TokenError("ESS 签名证书属性与公布的时间戳机构证书不符")


def parse_token(token: bytes) -> tuple[der.Tlv, bytes, list[der.Tlv]]:
    """(SignedData, TSTInfo DER, signer infos) of a token (a CMS ContentInfo)."""
    info = der.parse(token).expect(der.SEQUENCE, "时间戳凭证").children()
    if len(info) != 2 or der.oid(info[0]) != SIGNED_DATA:
        raise TokenError("时间戳凭证不是 CMS SignedData")
    signed = der.explicit(info[1], 0).expect(der.SEQUENCE, "SignedData")
    parts = signed.children()
    encap = parts[2].expect(der.SEQUENCE, "封装内容").children()
    if der.oid(encap[0]) != TST_INFO or len(encap) != 2:
        raise TokenError("时间戳凭证的内容类型不是 TSTInfo")
    tst = der.explicit(encap[1], 0).expect(der.OCTET_STRING, "TSTInfo").content
    signers = parts[-1].expect(der.SET, "签名者信息").children()
    if len(signers) != 1:
        raise TokenError(f"时间戳凭证应恰有一个签名者，实有 {len(signers)} 个")
    return signed, tst, signers


def token_from_response(data: bytes) -> bytes:
    """The token inside a TimeStampResp (a ``.tsr`` file); a bare token is returned as is."""
    top = der.parse(data).expect(der.SEQUENCE, "时间戳应答").children()
    if top and top[0].tag == der.OID:
        return data  # already a ContentInfo
    status = top[0].children()[0].integer()
    if status not in (0, 1) or len(top) < 2:
        raise TokenError(f"时间戳机构拒绝了请求（PKIStatus {status}）")
    return top[1].raw


def verify_token(token: bytes, certs: list[Certificate], data: bytes) -> Timestamp:
    """Verify ``token`` as a timestamp over ``data`` signed by one of ``certs``."""
    try:
        return _verify(token, certs, data)
    except (der.DerError, IndexError, KeyError, ValueError) as exc:
        if isinstance(exc, TokenError):
            raise
        raise TokenError(f"时间戳凭证结构不合规：{exc}") from None


def _verify(token: bytes, certs: list[Certificate], data: bytes) -> Timestamp:
    _signed, tst_der, signers = parse_token(token)
    tst = der.parse(tst_der).expect(der.SEQUENCE, "TSTInfo").children()
    if tst[0].integer() != 1:
        raise TokenError("TSTInfo 版本应为 1")
    policy = der.oid(tst[1])
    imprint_alg, imprint = tst[2].children()
    hash_oid = _alg(imprint_alg)
    if hash_oid not in DIGESTS:
        raise TokenError(f"消息摘要算法 {hash_oid} 不受支持（应为 SHA-256/384/512）")
    hash_name = DIGESTS[hash_oid]
    hashed = imprint.expect(der.OCTET_STRING, "消息摘要").content
    serial = tst[3].integer()
    gen_time = der.time(tst[4].expect(der.GENERALIZED_TIME, "genTime"))

    signer = signers[0].expect(der.SEQUENCE, "签名者信息").children()
    sid, digest_alg = signer[1], _alg(signer[2])
    if signer[3].tag != 0xA0:
        raise TokenError("时间戳签名者信息缺少签名属性")
    attrs_tlv, sig_alg, signature = signer[3], _alg(signer[4]), signer[5]
    cert = next((c for c in certs if _signer_matches(sid, c)), None)
    if cert is None:
        raise TokenError("签发该时间戳的证书不在网站公布的时间戳机构证书（log/tsa/）之中")
    if not cert.not_before <= gen_time <= cert.not_after:
        raise TokenError(f"时间戳时间 {gen_time:%Y-%m-%dT%H:%M:%SZ} 不在证书有效期内")
    if TIME_STAMPING not in cert.usages:
        raise TokenError("时间戳机构证书的扩展密钥用途不含 timeStamping")

    attrs: dict[str, der.Tlv] = {}
    for attr in der.parse_all(attrs_tlv.content):
        kind, values = attr.children()
        values.expect(der.SET, "属性值")
        attrs[der.oid(kind)] = values
    if CONTENT_TYPE_ATTR not in attrs or der.oid(attrs[CONTENT_TYPE_ATTR].children()[0]) != TST_INFO:
        raise TokenError("签名属性 contentType 不是 TSTInfo")
    _ess_hash(attrs, cert)
    if MESSAGE_DIGEST_ATTR not in attrs:
        raise TokenError("签名属性缺少 messageDigest")
    if digest_alg not in DIGESTS and not (sig_alg == ED25519 and digest_alg == _NAME_OF["sha512"]):
        raise TokenError(f"签名摘要算法 {digest_alg} 不受支持")
    content_digest = hashlib.new(DIGESTS[digest_alg], tst_der).digest()
    if attrs[MESSAGE_DIGEST_ATTR].children()[0].content != content_digest:
        raise TokenError("签名属性 messageDigest 与 TSTInfo 不符（凭证内容被改动）")
    signed_attrs = b"\x31" + attrs_tlv.raw[1:]  # RFC 5652 §5.4: signed as an explicit SET OF
    sig = signature.expect(der.OCTET_STRING, "签名值").content
    if sig_alg == ED25519 and cert.key_alg == ED25519:
        ok = ed25519.verify(cert.public_key, signed_attrs, sig)  # type: ignore[arg-type]
    elif cert.key_alg == RSA and (sig_alg == RSA or sig_alg in RSA_WITH):
        name = RSA_WITH.get(sig_alg, DIGESTS[digest_alg])
        ok = _rsa_verify(cert.public_key, name, signed_attrs, sig)  # type: ignore[arg-type]
    else:
        raise TokenError(f"签名算法 {sig_alg} 不受支持（支持 RSA PKCS#1 v1.5 和 Ed25519）")
    if not ok:
        raise TokenError("时间戳签名无效（凭证被改动，或不是该证书所签）")
    if hashlib.new(hash_name, data).digest() != hashed:
        raise TokenError("时间戳的消息摘要与被锚定的检查点不符")
    return Timestamp(gen_time, hash_name, hashed, serial, policy, cert)


def imprint_of(token: bytes) -> tuple[str, bytes]:
    """(hash name, hashed message) of a token, unverified: to find the checkpoint it covers."""
    try:
        _signed, tst_der, _ = parse_token(token)
        imprint_alg, imprint = der.parse(tst_der).children()[2].children()
        return DIGESTS.get(_alg(imprint_alg), ""), imprint.content
    except (der.DerError, IndexError, ValueError) as exc:
        if isinstance(exc, TokenError):
            raise
        raise TokenError(f"时间戳凭证结构不合规：{exc}") from None
