"""The verifier: every check of PROTOCOL §10 over published material only.

Standard library only: this package is bundled, with ``generator/protocol`` and the stdlib half
of ``generator/tlog``, into the standalone ``verify.py`` (see ``bundle.py``).
"""
