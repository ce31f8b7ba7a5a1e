"""Stores for the watch tests: each test gets its own copy, since a watch writes STORE/watch/."""

from __future__ import annotations

import shutil

import pytest

from peacewatch.store import Store


@pytest.fixture
def watched_afghan_store(afghan_store, tmp_path):
    """A private copy of the shared Afghanistan store (the reduced ACLED export, 2017-2026)."""
    path = tmp_path / "afghanistan"
    shutil.copytree(afghan_store.path, path, ignore=shutil.ignore_patterns("watch"))
    return Store(path)
