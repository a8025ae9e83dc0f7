"""The draw log (PROTOCOL §8, §13): entries and their hash chain, an RFC 6962 Merkle tree,
C2SP tlog-tiles, and a C2SP signed-note checkpoint under the office's Ed25519 key.

Standard-library-only modules (bundled into the standalone ``verify.py``): ``_jcs``,
``checks``, ``entries``, ``merkle``, ``tiles``, ``ed25519``, ``note``, ``verify_log``.
Writer modules (use ``cryptography``, ``rfc8785``, the file system): ``signer``, ``store``.
"""
