"""Draw protocol v1 (PROTOCOL.md): standard library only, no I/O, no clock.

Every module here imports only the standard library and its siblings (relative imports), so
that the standalone ``verify.py`` can be built from the very same code. The facade the rest of
the generator calls is :mod:`.engine`.
"""
