"""Shared fixtures: one rule book and one checker per test session (compiling is costly)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from checker.core.check import Checker
from checker.io.packs import RuleBook, load_rulebook

# CI runs the property tests derandomised (the same examples every run, no example
# database), so a red build is reproducible and never a lucky draw; locally they explore.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
FIXTURES = ROOT / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "system_tools: needs Chromium, LibreOffice or poppler (./dev test installs them; "
        "./dev test-rules leaves these tests out)",
    )
    config.addinivalue_line(
        "markers",
        "slow: starts real processes (a dask scheduler and worker); run in CI too, bounded "
        "by timeouts",
    )


@pytest.fixture(scope="session")
def rulebook() -> RuleBook:
    return load_rulebook(RULES)


@pytest.fixture(scope="session")
def checker(rulebook: RuleBook) -> Checker:
    return Checker(rulebook)


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A batch's cache in the test's own folder, never the user's ~/.cache."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("OBJCHECK_CACHE_DIR", str(cache))
    return cache
