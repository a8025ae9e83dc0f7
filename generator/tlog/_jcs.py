"""RFC 8785 (JCS) for the log: the protocol's one standard-library serializer.

The draw log and the protocol share one implementation (``generator/protocol/jcs.py``), so the
standalone ``verify.py`` cannot carry two that disagree. The writer (``store.py``) also checks
every new line against the ``rfc8785`` package.

>>> dumps({"b": [1, "é\\n"], "a": True})
b'{"a":true,"b":[1,"\\xc3\\xa9\\\\n"]}'
"""

from __future__ import annotations

from ..protocol.jcs import canonicalize as dumps

__all__ = ["dumps"]
