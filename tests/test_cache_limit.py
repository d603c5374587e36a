"""The batch cache's size limit (issue 15): least recently used entries go first, a hit
counts as a use, parallel eviction tolerates vanished entries, 0 turns the cache off."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.batch.run import BatchOptions, run_batch
from checker.io import cache as cache_module
from checker.io.cache import (
    Cache,
    CacheLimitError,
    cache_info,
    cache_limit_bytes,
    evict,
)
from checker.testing.synthetic import write_profiles
from tests.conftest import FIXTURES

PAYLOAD = b"x" * 1000
KEYS = [f"{n:02d}" + "a" * 62 for n in range(6)]


def _entry(cache: Cache, key: str) -> Path:
    assert cache.root is not None
    return cache.root / "profile" / key[:2] / f"{key}.entry"


def _age(cache: Cache, key: str, seconds_ago: int) -> None:
    stamp = dt.datetime.now().timestamp() - seconds_ago
    os.utime(_entry(cache, key), (stamp, stamp))


def test_oldest_entries_are_evicted_and_a_hit_survives(tmp_path: Path) -> None:
    # room for three entries (1 155 bytes each with the header), not four
    cache = Cache(tmp_path, max_bytes=4500)
    for age, key in zip((500, 400, 300), KEYS, strict=False):
        cache.put("profile", key, PAYLOAD)
        _age(cache, key, age)
    assert cache.get("profile", KEYS[0]) == PAYLOAD  # the oldest, but used just now
    cache.put("profile", KEYS[3], PAYLOAD)  # over the limit: evict down to nine tenths
    present = [key for key in KEYS[:4] if _entry(cache, key).is_file()]
    assert present == [KEYS[0], KEYS[2], KEYS[3]]  # the least recently used one went
    entries, size = cache_info(tmp_path)
    assert size <= 4500 * 0.9 and entries == 3


def test_under_the_limit_nothing_is_evicted(tmp_path: Path) -> None:
    cache = Cache(tmp_path, max_bytes=1_000_000)
    for key in KEYS:
        cache.put("profile", key, PAYLOAD)
    assert cache.enforce_limit() == 0
    assert cache_info(tmp_path)[0] == len(KEYS)


def test_eviction_skips_entries_another_process_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path, max_bytes=10_000_000)
    for key in KEYS:
        cache.put("profile", key, PAYLOAD)
    listed = cache_module._entries(tmp_path / f"v{cache_module.CACHE_FORMAT}")
    # another worker deletes two entries between this one's listing and its deleting
    monkeypatch.setattr(cache_module, "_entries", lambda _root: listed)
    _entry(cache, KEYS[0]).unlink()
    _entry(cache, KEYS[1]).unlink()
    assert evict(tmp_path, 2000) >= 1  # no error; what is still there goes down to the limit
    assert cache_info(tmp_path)[1] <= 2000


def test_writes_past_a_slice_of_the_limit_evict_without_being_asked(tmp_path: Path) -> None:
    cache = Cache(tmp_path, max_bytes=3000)
    for key in KEYS:
        cache.put("profile", key, PAYLOAD)
    assert cache_info(tmp_path)[1] <= 3000


def test_zero_limit_turns_the_cache_off(tmp_path: Path) -> None:
    cache = Cache(tmp_path, max_bytes=0)
    cache.put("profile", KEYS[0], PAYLOAD)
    assert not cache.enabled
    assert cache.get("profile", KEYS[0]) is None
    assert not any(tmp_path.iterdir())


def test_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OBJCHECK_CACHE_MAX_MB", raising=False)
    assert cache_limit_bytes() == 1024 * 1_048_576
    monkeypatch.setenv("OBJCHECK_CACHE_MAX_MB", "5")
    assert cache_limit_bytes() == 5 * 1_048_576
    monkeypatch.setenv("OBJCHECK_CACHE_MAX_MB", "0")
    assert cache_limit_bytes() == 0
    monkeypatch.setenv("OBJCHECK_CACHE_MAX_MB", "много")
    with pytest.raises(CacheLimitError, match="OBJCHECK_CACHE_MAX_MB"):
        cache_limit_bytes()


def test_a_batch_keeps_the_cache_within_its_limit(tmp_path: Path) -> None:
    schools = tmp_path / "schools"
    write_profiles(schools, 8, seed=3)
    cache = tmp_path / "cache"
    options = BatchOptions(as_of=dt.date(2024, 5, 1), cache_dir=cache)
    run_batch([str(schools)], options, workers=2)
    _entries, full = cache_info(cache)
    limit = full // 2
    small = BatchOptions(as_of=dt.date(2024, 5, 1), cache_dir=cache, cache_max_bytes=limit)
    result = run_batch([str(schools)], small, workers=2)
    assert len(result.schools) == 8
    assert 0 < cache_info(cache)[1] <= limit


def _objcheck(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True,
                          text=True, check=False, env={"PATH": "/usr/bin:/bin", **env})


def test_cache_info_shows_the_limit_and_refuses_a_bad_one(tmp_path: Path) -> None:
    env = {"OBJCHECK_CACHE_DIR": str(tmp_path / "cache"), "OBJCHECK_CACHE_MAX_MB": "300"}
    info = _objcheck(env, "cache", "info")
    assert info.returncode == 0
    assert "Предел: 300,0 МБ" in info.stdout
    off = _objcheck({**env, "OBJCHECK_CACHE_MAX_MB": "0"}, "cache", "info")
    assert "кэш выключен" in off.stdout
    for command in (("cache", "info"), ("batch", str(FIXTURES / "kamenskaya-2022.yaml"))):
        bad = _objcheck({**env, "OBJCHECK_CACHE_MAX_MB": "1G"}, *command)
        assert bad.returncode == 2, bad.stderr
        assert "OBJCHECK_CACHE_MAX_MB" in bad.stderr and "Traceback" not in bad.stderr
