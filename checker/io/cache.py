"""On-disk cache for ``objcheck batch``: validated profiles and evaluated results.

Two kinds of entries, both named by a SHA-256 key:

* ``profile`` — the validated ``Profile`` of a file, keyed by the file's bytes, the profile
  schema version and the fingerprint of the code. A re-run over an unchanged file skips
  YAML parsing and validation.
* ``result`` — the summary of one school's evaluation, keyed by the profile key, the
  fingerprint of the rule packs and the as-of date. A change to a rule pack misses here
  but still hits the profile entry, so the school is re-evaluated without re-parsing.

Entries are data, never code: the caller hands over bytes (JSON) and decodes them itself
with a strict schema. Each file starts with a header line naming its format, kind, key and
the SHA-256 of the payload; an entry is used only when all of them are the ones asked for,
so an entry copied, moved or shuffled to another name, cut short or edited is a miss, never
another school's row. The code fingerprint hashes the package's own files, so changed code
never reads entries written by other code, whatever its version string says.

The cache lives in ``$OBJCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/objcheck``, else
``~/.cache/objcheck``; its directories are 0700 and its files 0600. A cache folder owned by
someone else or writable by others disables the cache: its entries could have been written
by anybody. Entries are written atomically (temporary file + rename), so
parallel workers never see half a file; a damaged entry is a miss.

Size: at most ``$OBJCHECK_CACHE_MAX_MB`` megabytes (default 1024; 0 turns the cache off).
When a process has written a slice of that since it last looked, it sums the entries and
deletes the least recently used ones (by mtime: a hit touches its entry) down to nine
tenths of the limit, so the next writes do not evict again at once. Workers do this in
parallel without locks: an entry deleted or replaced by another process meanwhile is
skipped, never an error.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import stat
from importlib import metadata
from pathlib import Path

from checker.io.packs import default_rules_dir, discover_packs
from checker.model.profile import SCHEMA_VERSION
from checker.model.report import REPORT_VERSION

CACHE_FORMAT = "3"  # 3: data-only entries with their key and content hash (2 was pickle)
_MAGIC = b"objcheck-cache"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the ``checker`` package
# Files of the package that decide what a profile or a result is: code and templates.
_CODE_SUFFIXES = frozenset({".py", ".j2", ".json", ".yaml", ".yml", ".css", ".md"})

CACHE_LIMIT_ENV = "OBJCHECK_CACHE_MAX_MB"
DEFAULT_CACHE_LIMIT_MB = 1024
_MB = 1_048_576
# A process looks at the cache's size after writing this share of the limit: with N
# workers the cache exceeds its limit by at most N slices between two looks.
_CHECK_SLICES = 16
_LOW_WATER = 0.9  # eviction goes down to this share of the limit


class CacheLimitError(ValueError):
    """``$OBJCHECK_CACHE_MAX_MB`` is not a whole number of megabytes (message in Russian)."""


def cache_limit_bytes() -> int:
    """The size limit from ``$OBJCHECK_CACHE_MAX_MB`` (default 1 GiB); 0: no cache."""
    text = os.environ.get(CACHE_LIMIT_ENV, "").strip()
    if not text:
        return DEFAULT_CACHE_LIMIT_MB * _MB
    if not text.isdigit():
        raise CacheLimitError(
            f"{CACHE_LIMIT_ENV} — размер кэша в мегабайтах, целое число ≥ 0 "
            f"(0 — без кэша), а не «{text[:40]}»"
        )
    return int(text) * _MB


def package_version() -> str:
    try:
        return metadata.version("objcheck")
    except metadata.PackageNotFoundError:  # pragma: no cover - source checkout without install
        return "0+unknown"


def default_cache_dir() -> Path:
    override = os.environ.get("OBJCHECK_CACHE_DIR")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "objcheck"


@functools.cache
def code_fingerprint() -> str:
    """Hash of this package's source files (computed once per process)."""
    return sources_fingerprint(_PACKAGE_DIR)


def sources_fingerprint(package_dir: Path) -> str:
    """Hash of every source file of a package (path and bytes), and the version.

    A development checkout changes code without changing the version string; a cache keyed
    by the version alone would then serve rows that the new code would not produce.
    """
    # the production calendar is data of the holidays package: a new release can move a
    # deadline counted in working days
    digest = hashlib.sha256(
        f"code|{CACHE_FORMAT}|{package_version()}|{metadata.version('holidays')}|".encode()
    )
    files = sorted(
        path for path in package_dir.rglob("*")
        if path.suffix in _CODE_SUFFIXES and "__pycache__" not in path.parts and path.is_file()
    )
    for path in files:
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def profile_key(content: bytes) -> str:
    """Key of a profile file: its bytes, the schema version and the code."""
    digest = hashlib.sha256()
    digest.update(f"profile|{CACHE_FORMAT}|{SCHEMA_VERSION}|{code_fingerprint()}|".encode())
    digest.update(content)
    return digest.hexdigest()


def rules_fingerprint(rules_dir: Path | None) -> str:
    """Hash of every pack file (path and bytes) the rule book is loaded from."""
    base = rules_dir or default_rules_dir()
    digest = hashlib.sha256(f"rules|{REPORT_VERSION}|{code_fingerprint()}|".encode())
    for path in discover_packs(base):
        digest.update(str(path.relative_to(base)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def result_key(profile: str, rules: str, as_of: str) -> str:
    return hashlib.sha256(f"result|{profile}|{rules}|{as_of}".encode()).hexdigest()


def _header(kind: str, key: str, payload: bytes) -> bytes:
    digest = hashlib.sha256(payload).hexdigest()
    return b" ".join((_MAGIC, CACHE_FORMAT.encode(), kind.encode(), key.encode(),
                      digest.encode())) + b"\n"


def _owned_dir(path: Path, private: bool) -> bool:
    """Whether ``path`` is a directory of this user that nobody else can change.

    Created 0700 when missing. The cache's own folder (``private``) is made 0700 if it is
    not; the folder around it (``$OBJCHECK_CACHE_DIR`` may name any folder, a home
    directory even) is never changed, only refused when others could write into it.
    False means someone else could plant or change entries: the cache is not used.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            return False
        mode = stat.S_IMODE(info.st_mode)
        if private and mode != 0o700:
            path.chmod(0o700)
        elif not private and mode & 0o022:
            return False
    except OSError:
        return False
    return True


class Cache:
    """A private directory of data-only entries; ``None`` root or a 0 limit disables it."""

    def __init__(self, root: Path | None, max_bytes: int = DEFAULT_CACHE_LIMIT_MB * _MB) -> None:
        if max_bytes <= 0:
            root = None
        self.root = root / f"v{CACHE_FORMAT}" if root is not None else None
        self._base = root
        self._usable: bool | None = None  # checked on first use
        self.max_bytes = max_bytes
        self._written = 0  # bytes written since this process last looked at the size

    @property
    def enabled(self) -> bool:
        return self.root is not None and self._ready()

    def _ready(self) -> bool:
        if self._usable is None:
            self._usable = (
                self._base is not None and self.root is not None
                and _owned_dir(self._base, private=False) and _owned_dir(self.root, private=True)
            )
        return self._usable

    def _path(self, kind: str, key: str) -> Path:
        assert self.root is not None
        return self.root / kind / key[:2] / f"{key}.entry"

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload stored under (kind, key), or None if absent or not exactly that."""
        if not self.enabled:
            return None
        try:
            # O_NOFOLLOW: an entry is a file the cache wrote, never a link to somewhere else
            fd = os.open(self._path(kind, key), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
                return None
            with os.fdopen(fd, "rb", closefd=False) as handle:
                data = handle.read()
            header, newline, payload = data.partition(b"\n")
            if not newline or header + newline != _header(kind, key, payload):
                return None  # another entry's key, another format, or changed bytes: a miss
            # a hit is recently used: eviction goes by mtime (one syscall on the open file)
            with contextlib.suppress(OSError):
                os.utime(fd)
        except OSError:
            return None
        finally:
            os.close(fd)
        return payload

    def put(self, kind: str, key: str, payload: bytes) -> None:
        if not self.enabled:
            return
        path = self._path(kind, key)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            if not path.parent.is_dir():
                for folder in (path.parent.parent, path.parent):
                    folder.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(_header(kind, key, payload))
                handle.write(payload)
            tmp.replace(path)
        except OSError:  # a read-only or full cache directory only costs speed
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            return
        self._written += len(payload)
        if self._written * _CHECK_SLICES >= self.max_bytes:
            self.enforce_limit()

    def enforce_limit(self) -> int:
        """Delete the least recently used entries while the cache is over its limit (down
        to nine tenths of it); returns how many were deleted."""
        self._written = 0
        if not self.enabled or self._base is None:
            return 0
        return evict(self._base, self.max_bytes)


def _stamped(entries: list[Path]) -> list[tuple[float, int, Path]]:
    """(mtime, size, path) of each entry still there (another process may delete some)."""
    stamped = []
    for path in entries:
        try:
            info = path.stat(follow_symlinks=False)
        except OSError:
            continue
        stamped.append((info.st_mtime, info.st_size, path))
    return stamped


def evict(base: Path, max_bytes: int) -> int:
    """If the entries in ``base`` take more than ``max_bytes``, delete the least recently
    used down to nine tenths of it; returns how many were deleted. Safe beside other
    processes doing the same: a vanished entry is skipped."""
    stamped = _stamped(_entries(base / f"v{CACHE_FORMAT}"))
    total = sum(size for _mtime, size, _path in stamped)
    if total <= max_bytes:
        return 0
    target = int(max_bytes * _LOW_WATER)
    deleted = 0
    for _mtime, size, path in sorted(stamped, key=lambda s: (s[0], s[2])):
        if total <= target:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            deleted += 1
        total -= size  # gone either way: deleted here or by another process
    return deleted


def _entries(root: Path) -> list[Path]:
    """The cache's own entry files under ``root`` (links are not followed)."""
    if not root.is_dir() or root.is_symlink():
        return []
    found = []
    for folder, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            path = Path(folder) / name
            if name.endswith(".entry") and path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def cache_info(base: Path) -> tuple[int, int]:
    """(entries, bytes) of the cache in ``base``."""
    stamped = _stamped(_entries(base / f"v{CACHE_FORMAT}"))
    return len(stamped), sum(size for _mtime, size, _path in stamped)


def cache_clear(base: Path) -> int:
    """Delete the cache's entries (only its own files); returns how many were deleted."""
    entries = _entries(base / f"v{CACHE_FORMAT}")
    for path in entries:
        with contextlib.suppress(OSError):
            path.unlink()
    return len(entries)
