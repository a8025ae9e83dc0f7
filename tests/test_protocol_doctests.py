"""Run the worked examples in the protocol modules' docstrings (the docs are the spec)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["encoding", "jcs", "sources"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"generator.protocol.{name}")
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0
