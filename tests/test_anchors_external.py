"""External anchors are checked offline: RFC 3161 tokens, witness cosignatures, notices.

The demo's RFC 3161 tokens (its own time-stamping authority, generator/demo/tsa.py) verify
with ``openssl ts -verify``, an independent implementation; a token that OpenSSL itself makes
as a TSA verifies with our standard-library verifier. Each way a token, a cosignature or a
notice can be wrong is caught and named.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from generator.cli import main
from generator.demo import tsa
from generator.draws.record import read_record
from generator.tlog import cosign, rfc3161
from generator.tlog.anchors import anchor_checks, anchor_status, format_anchor
from generator.tlog.note import parse_note

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
OPENSSL = shutil.which("openssl")
UTC = dt.UTC


def _need_openssl() -> None:
    if OPENSSL is None:
        if os.environ.get("CI") == "true":  # .ci/run installs it: a skip would hide the test
            pytest.fail("openssl is required under CI=true")
        pytest.skip("openssl not installed")


def _demo_files() -> tuple[dict[str, bytes], list[dict]]:
    record = read_record(DATA)
    return dict(record.log_files), [e for e in record.entries if e["type"] == "announce"]


def _status(files, announce):
    return anchor_status(files, announce)


def _with_anchor(files, seq, kind, ref, time="2023-01-01T00:00:00Z"):
    out = dict(files)
    out[f"log/anchors/{seq}.json"] = format_anchor(seq, kind, ref, time)
    return out


def _rsa_tsa_cert(tmp_path: Path, name: str = "另一家时间戳机构", usage=True):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(key.public_key()).serial_number(7)
               .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=UTC))
               .not_valid_after(dt.datetime(2040, 1, 1, tzinfo=UTC))
               .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                            False), critical=True))
    if usage:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    cert = builder.sign(key, hashes.SHA256())
    (tmp_path / "tsa.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "tsa.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return tmp_path / "tsa.key", tmp_path / "tsa.pem"


# --- the demo's tokens ------------------------------------------------------------------------

def test_demo_announcements_are_proven_by_rfc3161_tokens():
    files, announces = _demo_files()
    assert announces and "log/tsa/demo-tsa.pem" in files
    for announce in announces:
        status = _status(files, announce)
        assert status.kind == "rfc3161" and status.proven, status
        assert status.time < status.earliest
        assert anchor_checks(status, require=True)[0].ok


def test_demo_tokens_verify_with_openssl(tmp_path):
    _need_openssl()
    files, announces = _demo_files()
    ca = tmp_path / "tsa.pem"
    ca.write_bytes(files["log/tsa/demo-tsa.pem"])
    for announce in announces:
        seq = announce["seq"]
        token = base64.b64decode(_ref(files, seq))
        (tmp_path / "token.der").write_bytes(token)
        (tmp_path / "checkpoint").write_bytes(files[f"log/checkpoints/{seq + 1}"])
        proc = subprocess.run([OPENSSL, "ts", "-verify", "-in", str(tmp_path / "token.der"),
                               "-token_in", "-data", str(tmp_path / "checkpoint"),
                               "-CAfile", str(ca)], capture_output=True, text=True)
        assert "Verification: OK" in proc.stdout, proc.stdout + proc.stderr
        # and OpenSSL refuses the token for any other data
        (tmp_path / "checkpoint").write_bytes(files[f"log/checkpoints/{seq + 1}"] + b" ")
        proc = subprocess.run([OPENSSL, "ts", "-verify", "-in", str(tmp_path / "token.der"),
                               "-token_in", "-data", str(tmp_path / "checkpoint"),
                               "-CAfile", str(ca)], capture_output=True, text=True)
        assert "Verification: OK" not in proc.stdout


def test_demo_tokens_are_deterministic():
    files, announces = _demo_files()
    seq = announces[0]["seq"]
    checkpoint = files[f"log/checkpoints/{seq + 1}"]
    when = dt.datetime.fromisoformat(announces[0]["time"].replace("Z", "+00:00"))
    assert tsa.token(checkpoint, when) == base64.b64decode(_ref(files, seq))


def _ref(files, seq):
    import json

    return json.loads(files[f"log/anchors/{seq}.json"])["ref"]


def test_a_token_made_by_openssl_verifies_offline(tmp_path):
    """OpenSSL acting as the TSA: its token is checked by our standard-library code."""
    _need_openssl()
    key, cert = _rsa_tsa_cert(tmp_path)
    files, announces = _demo_files()
    seq = announces[0]["seq"]
    data = tmp_path / "checkpoint"
    data.write_bytes(files[f"log/checkpoints/{seq + 1}"])
    config = tmp_path / "ts.cnf"
    config.write_text(
        "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\n"
        f"serial = {tmp_path / 'serial'}\nsigner_digest = sha256\n"
        "default_policy = 1.2.3.4.1\ndigests = sha256\ness_cert_id_alg = sha256\n"
        "accuracy = secs:1\nordering = no\ntsa_name = no\ness_cert_id_chain = no\n")
    (tmp_path / "serial").write_text("01\n")
    run = lambda *a: subprocess.run([OPENSSL, "ts", *map(str, a)], capture_output=True, check=True)  # noqa: E731
    run("-query", "-data", data, "-sha256", "-cert", "-no_nonce", "-out", tmp_path / "q.tsq")
    run("-reply", "-config", config, "-queryfile", tmp_path / "q.tsq", "-signer", cert,
        "-inkey", key, "-out", tmp_path / "r.tsr")
    token = rfc3161.token_from_response((tmp_path / "r.tsr").read_bytes())
    certs = rfc3161.parse_pem_certificates(cert.read_bytes())
    stamp = rfc3161.verify_token(token, certs, data.read_bytes())
    assert abs(stamp.gen_time - dt.datetime.now(UTC)) < dt.timedelta(minutes=5)
    assert stamp.hashed == hashlib.sha256(data.read_bytes()).digest()
    # published next to the demo's, it anchors the announcement -- but made now, after the draw
    published = dict(files, **{"log/tsa/other.pem": cert.read_bytes()})
    status = _status(_with_anchor(published, seq, "rfc3161",
                                  base64.b64encode(token).decode()), announces[0])
    assert not status.proven and "倒签" in status.problem


def _token_cases(files, seq, tmp_path):
    good = base64.b64decode(_ref(files, seq))
    flipped = bytearray(good)
    flipped[-10] ^= 1  # inside the RSA signature
    tst = good.index(b"\x18\x0f")  # genTime: GeneralizedTime of 15 characters
    later = bytearray(good)
    later[tst + 2 : tst + 6] = b"2022"  # the signed content changed
    other_cert = _rsa_tsa_cert(tmp_path)[1].read_bytes()
    no_usage = _rsa_tsa_cert(tmp_path / "nousage", usage=False)[1].read_bytes() \
        if (tmp_path / "nousage").mkdir() is None else b""
    return {
        "signature": (files, bytes(flipped), "签名无效"),
        "content": (files, bytes(later), "messageDigest"),
        "imprint": (files, tsa.token(b"another checkpoint", dt.datetime(2023, 3, 1, tzinfo=UTC)),
                    "消息摘要不是任何包含"),
        "no certificate": ({k: v for k, v in files.items() if not k.startswith("log/tsa/")},
                           good, "没有公布时间戳机构证书"),
        "other certificate": ({**{k: v for k, v in files.items() if not k.startswith("log/tsa/")},
                               "log/tsa/x.pem": other_cert}, good, "不在网站公布"),
        "not a TSA": ({**files, "log/tsa/y.pem": no_usage}, good, None),
        "garbage": (files, b"\x30\x03\x02\x01\x01", "不是 CMS SignedData"),
        "truncated": (files, base64.b64decode(_ref(files, seq))[:-7], "结构不合规"),
    }


def test_each_broken_token_is_named(tmp_path):
    files, announces = _demo_files()
    announce = announces[0]
    for name, (where, token, words) in _token_cases(files, announce["seq"], tmp_path).items():
        status = _status(_with_anchor(where, announce["seq"], "rfc3161",
                                      base64.b64encode(token).decode()), announce)
        if words is None:  # an extra, unused certificate changes nothing
            assert status.proven, name
            continue
        assert not status.proven and status.problem and words in status.problem, (name, status)
        check = anchor_checks(status)[0]
        assert not check.ok and check.severity == "error", name


def test_a_certificate_without_timestamping_usage_is_refused(tmp_path):
    files, announces = _demo_files()
    key, cert = _rsa_tsa_cert(tmp_path, usage=False)
    parsed = rfc3161.parse_certificate(x509.load_pem_x509_certificate(cert.read_bytes())
                                       .public_bytes(serialization.Encoding.DER))
    demo = rfc3161.parse_certificate(tsa.certificate_der())
    assert rfc3161.TIME_STAMPING not in parsed.usages and rfc3161.TIME_STAMPING in demo.usages
    token = base64.b64decode(_ref(files, announces[0]["seq"]))
    stripped = rfc3161.Certificate(**{**demo.__dict__, "usages": ()})
    with pytest.raises(rfc3161.TokenError, match="timeStamping"):
        rfc3161.verify_token(token, [stripped], files[f"log/checkpoints/{announces[0]['seq'] + 1}"])


# --- witness cosignatures ---------------------------------------------------------------------

def _witness(seed: bytes = b"w" * 32, name: str = "witness.example.org/w1"):
    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, cosign.Witness(name, public)


def _cosigned(checkpoint: bytes, key, witness, when: dt.datetime) -> bytes:
    body = parse_note(checkpoint).text
    ts = int(when.timestamp())
    sig = key.sign(cosign.signed_message(body, ts))
    line = f"\u2014 {witness.name} {base64.b64encode(witness.key_id + ts.to_bytes(8, 'big') + sig).decode()}\n"
    return checkpoint + line.encode()


def test_cosignature_by_a_published_witness_proves_the_time():
    files, announces = _demo_files()
    announce = announces[1]
    seq = announce["seq"]
    key, witness = _witness()
    published = {k: v for k, v in files.items() if not k.startswith("log/anchors/")}
    published[cosign.WITNESSES] = (witness.text() + "\n").encode()
    before = dt.datetime.fromisoformat(announce["time"].replace("Z", "+00:00"))
    note = _cosigned(files[f"log/checkpoints/{seq + 1}"], key, witness, before)
    ref = base64.b64encode(note).decode()
    status = _status(_with_anchor(published, seq, "cosignature", ref), announce)
    assert status.proven and witness.name in status.detail, status

    after = dt.datetime(2024, 6, 1, tzinfo=UTC)
    late = base64.b64encode(_cosigned(files[f"log/checkpoints/{seq + 1}"], key, witness, after)).decode()
    status = _status(_with_anchor(published, seq, "cosignature", late), announce)
    assert not status.proven and "倒签" in status.problem

    tampered = bytearray(note)
    tampered[-5] = ord("A") if tampered[-5] != ord("A") else ord("B")
    status = _status(_with_anchor(published, seq, "cosignature", base64.b64encode(bytes(tampered)).decode()), announce)
    assert status.problem and "副署签名无效" in status.problem

    other_key, other = _witness(b"o" * 32, "stranger.example/w")
    stranger = base64.b64encode(_cosigned(files[f"log/checkpoints/{seq + 1}"], other_key, other, before)).decode()
    status = _status(_with_anchor(published, seq, "cosignature", stranger), announce)
    assert status.problem and "没有" in status.problem and cosign.WITNESSES in status.problem

    unpublished = {k: v for k, v in published.items() if k != cosign.WITNESSES}
    status = _status(_with_anchor(unpublished, seq, "cosignature", ref), announce)
    assert status.problem and "没有公布见证人公钥" in status.problem

    earlier = base64.b64encode(_cosigned(files[f"log/checkpoints/{seq}"], key, witness, before)).decode()
    status = _status(_with_anchor(published, seq, "cosignature", earlier), announce)
    assert status.problem and "不是任何包含" in status.problem  # a tree without the entry


# --- notices ----------------------------------------------------------------------------------

def test_notice_on_the_portals_own_host_is_a_warning_that_says_why():
    files, announces = _demo_files()
    announce = announces[0]
    own = _with_anchor(files, announce["seq"], "notice", "https://gongshi.example/tasks/x/")
    status = _status(own, announce)
    assert status.own_host and not status.proven and not status.problem
    check = anchor_checks(status)[0]
    assert check.severity == "warning" and "自己的主机 gongshi.example" in check.detail
    assert "机关自己的说法" in check.detail
    assert anchor_checks(status, require=True)[0].severity == "error"
    outside = _with_anchor(files, announce["seq"], "notice", "https://www.gsxt.gov.cn/notice/1")
    status = _status(outside, announce)
    assert not status.own_host and not status.proven and "人工核对" in status.warning


# --- gongshi anchor ---------------------------------------------------------------------------

def test_anchor_command_checks_the_token_before_recording(demo_copy, tmp_path, capsys):
    data = demo_copy.data
    files, announces = _demo_files()
    seq = announces[0]["seq"]
    anchor = data / "log" / "anchors" / f"{seq}.json"
    anchor.unlink()
    token = tmp_path / "token.der"
    token.write_bytes(tsa.token(b"not our checkpoint", dt.datetime(2023, 3, 1, tzinfo=UTC)))
    where = ["--data", str(data), "--secrets", str(demo_copy.secrets)]
    assert main(["anchor", str(seq), "--kind", "rfc3161", "--file", str(token), *where]) == 1
    assert "拒绝记录" in capsys.readouterr().err and not anchor.exists()
    checkpoint = (data / "log" / "checkpoints" / str(seq + 1)).read_bytes()
    token.write_bytes(tsa.token(checkpoint, dt.datetime(2023, 3, 20, 2, tzinfo=UTC)))
    shutil.rmtree(data / "log" / "tsa")
    cert = tmp_path / "tsa.pem"
    cert.write_bytes(tsa.certificate_pem())
    assert main(["anchor", str(seq), "--kind", "rfc3161", "--file", str(token),
                 "--tsa-cert", str(cert), *where]) == 0
    out = capsys.readouterr().out
    assert "已发布时间戳机构证书" in out and "已记录" in out
    record = read_record(data)
    status = anchor_status(record.log_files, record.entries[seq])
    assert status.proven, status


def test_anchor_command_records_a_witness_cosignature(demo_copy, tmp_path, capsys):
    data = demo_copy.data
    record = read_record(data)
    announce = [e for e in record.entries if e["type"] == "announce"][1]
    seq = announce["seq"]
    (data / "log" / "anchors" / f"{seq}.json").unlink()
    key, witness = _witness()
    when = dt.datetime.fromisoformat(announce["time"].replace("Z", "+00:00"))
    note = tmp_path / "cosigned"
    note.write_bytes(_cosigned((data / "log" / "checkpoints" / str(seq + 1)).read_bytes(),
                               key, witness, when))
    where = ["--data", str(data), "--secrets", str(demo_copy.secrets)]
    argv = ["anchor", str(seq), "--kind", "cosignature", "--file", str(note), *where]
    assert main(argv) == 1  # the witness key is not published yet
    assert "没有公布见证人公钥" in capsys.readouterr().err
    (data / "log" / "witnesses.pub").write_text(witness.text() + "\n")
    assert main(argv) == 0, capsys.readouterr().err
    record = read_record(data)
    assert anchor_status(record.log_files, record.entries[seq]).proven
