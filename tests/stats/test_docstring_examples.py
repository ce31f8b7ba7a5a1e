"""The examples in the docstrings of peacewatch.stats are run, so that they stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["rates", "negbin", "its", "changepoints", "trend"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_give_the_results_they_show(name):
    module = importlib.import_module(f"peacewatch.stats.{name}")
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0, f"peacewatch.stats.{name} has no docstring example"
    assert failures == 0
