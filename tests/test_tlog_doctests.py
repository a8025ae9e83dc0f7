"""The worked examples in the tlog modules' docstrings run as tests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["_jcs", "entries", "merkle", "tiles", "note", "ed25519", "der"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    module = importlib.import_module(f"generator.tlog.{name}")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


STDLIB_ONLY = ["_jcs", "checks", "entries", "merkle", "tiles", "note", "ed25519", "anchors",
               "verify_log", "der", "rfc3161", "cosign"]


@pytest.mark.parametrize("name", STDLIB_ONLY)
def test_verifier_modules_import_only_stdlib_and_siblings(name):
    """These modules are bundled into the standalone verify.py: stdlib and relative imports."""
    import ast
    import sys
    from pathlib import Path

    import generator.tlog as package

    source = (Path(package.__file__).parent / f"{name}.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 2:  # ..protocol: the stdlib-only protocol package, bundled whole
                assert (node.module or "").split(".")[0] == "protocol", node.module
                continue
            if node.level:  # relative: must be a sibling verifier module
                names = [node.module] if node.module else [a.name for a in node.names]
                assert all(n.split(".")[0] in STDLIB_ONLY for n in names), names
                continue
            roots = [(node.module or "").split(".")[0]]
        else:
            continue
        for root in roots:
            assert root == "__future__" or root in sys.stdlib_module_names, (name, root)
    assert "__file__" not in source
