"""Ed25519 signature verification in pure Python (RFC 8032 §5.1.7).

Standard library only, so the standalone ``verify.py`` can check the checkpoint signature
without third-party packages. Adapted from the reference code of RFC 8032 §6; verification
only (signing is done by ``signer.py`` with the ``cryptography`` package). Not constant-time:
it handles public data only.

RFC 8032 §7.1 TEST 1:

>>> pub = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
>>> sig = bytes.fromhex(
...     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
...     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
>>> verify(pub, b"", sig), verify(pub, b"x", sig)
(True, False)
"""

from __future__ import annotations

import hashlib

_p = 2**255 - 19  # RFC 8032 §5.1: the field prime
_q = 2**252 + 27742317777372353535851937790883648493  # the group order L
_d = -121665 * pow(121666, _p - 2, _p) % _p  # the curve constant d
_SQRT_M1 = pow(2, (_p - 1) // 4, _p)

Point = tuple[int, int, int, int]  # extended homogeneous coordinates (X, Y, Z, T)


def _add(P: Point, Q: Point) -> Point:
    # RFC 8032 §5.1.4: point addition in extended coordinates.
    A = (P[1] - P[0]) * (Q[1] - Q[0]) % _p
    B = (P[1] + P[0]) * (Q[1] + Q[0]) % _p
    C = 2 * P[3] * Q[3] * _d % _p
    D = 2 * P[2] * Q[2] % _p
    E, F, G, H = B - A, D - C, D + C, B + A
    return (E * F % _p, G * H % _p, F * G % _p, E * H % _p)


def _mul(s: int, P: Point) -> Point:
    Q: Point = (0, 1, 1, 0)  # the neutral element
    while s > 0:
        if s & 1:
            Q = _add(Q, P)
        P = _add(P, P)
        s >>= 1
    return Q


def _equal(P: Point, Q: Point) -> bool:
    # x1/z1 == x2/z2 and y1/z1 == y2/z2
    return (P[0] * Q[2] - Q[0] * P[2]) % _p == 0 and (P[1] * Q[2] - Q[1] * P[2]) % _p == 0


def _recover_x(y: int, sign: int) -> int | None:
    # RFC 8032 §5.1.3 steps 1-4.
    if y >= _p:
        return None
    x2 = (y * y - 1) * pow(_d * y * y + 1, _p - 2, _p) % _p
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_p + 3) // 8, _p)
    if (x * x - x2) % _p != 0:
        x = x * _SQRT_M1 % _p
    if (x * x - x2) % _p != 0:
        return None
    if (x & 1) != sign:
        x = _p - x
    return x


def _decompress(s: bytes) -> Point | None:
    # RFC 8032 §5.1.3: decoding a point.
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    return None if x is None else (x, y, 1, x * y % _p)


_G_Y = 4 * pow(5, _p - 2, _p) % _p
_G_X = _recover_x(_G_Y, 0)
assert _G_X is not None
_B: Point = (_G_X, _G_Y, 1, _G_X * _G_Y % _p)  # the base point


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is a valid Ed25519 signature of ``message`` (RFC 8032 §5.1.7)."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    A = _decompress(public_key)  # step 1: decode A; fail if invalid
    if A is None:
        return False
    R_bytes = signature[:32]
    R = _decompress(R_bytes)  # step 1: decode R
    if R is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= _q:  # step 1: S must be in [0, L)
        return False
    # step 2: k = SHA-512(dom2(F, C) || R || A || PH(M)), dom2 empty for Ed25519
    k = int.from_bytes(hashlib.sha512(R_bytes + public_key + message).digest(), "little") % _q
    # step 3: [S]B = R + [k]A (the cofactorless check RFC 8032 allows, as OpenSSL and Go do)
    return _equal(_mul(s, _B), _add(R, _mul(k, A)))
