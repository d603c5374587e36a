"""Reading input files: only regular files, and never a read that can block.

A named pipe (FIFO) given as a profile would block ``open`` forever; a device could be read
without end. Only regular files are read (symbolic links to them are fine); everything else
is refused with a Russian reason that says what the path is.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path


class UnreadableFileError(OSError):
    """A path that is not a regular file, or could not be read; ``reason`` is in Russian."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "это каталог, а не обычный файл: не читается"
    if stat.S_ISFIFO(mode):
        return "это именованный канал (FIFO), а не обычный файл: не читается"
    if stat.S_ISSOCK(mode):
        return "это сокет, а не обычный файл: не читается"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "это устройство, а не обычный файл: не читается"
    return "это не обычный файл: не читается"


def _reason_of(path: Path, error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "символическая ссылка зациклена"
    if error.errno == errno.ENOENT:
        if path.is_symlink():
            return "символическая ссылка ведёт к несуществующему файлу"
        return "не удалось прочитать файл: нет такого файла"
    if error.errno == errno.EACCES:
        return "не удалось прочитать файл: нет прав на чтение"
    return f"не удалось прочитать файл: {os_reason(error)}"


_OS_REASONS = {
    errno.ENOENT: "нет такого файла или каталога",
    errno.EACCES: "нет прав доступа",
    errno.EPERM: "операция не разрешена",
    errno.EISDIR: "это каталог, а не файл",
    errno.ENOTDIR: "часть пути — файл, а не каталог",
    errno.ENOSPC: "на диске нет места",
    errno.EDQUOT: "превышена дисковая квота",
    errno.EROFS: "файловая система только для чтения",
    errno.EEXIST: "файл с таким именем уже есть",
    errno.ENAMETOOLONG: "слишком длинное имя файла",
    errno.ELOOP: "символическая ссылка зациклена",
    errno.EIO: "ошибка ввода-вывода",
    errno.EMFILE: "открыто слишком много файлов",
    errno.ENFILE: "открыто слишком много файлов",
    errno.EBUSY: "файл занят",
    errno.ETXTBSY: "файл занят",
    errno.EFBIG: "файл слишком большой",
    errno.EINVAL: "недопустимый аргумент",
    errno.EXDEV: "нельзя переместить файл на другой диск",
}


def os_reason(error: OSError) -> str:
    """The reason of an OS error in Russian (the system's own text may be English)."""
    known = _OS_REASONS.get(error.errno or 0)
    if known is not None:
        return known
    return f"системная ошибка {error.errno}" if error.errno else "системная ошибка"


def irregular_reason(path: Path) -> str | None:
    """Why ``path`` is not a readable regular file (None if it is one)."""
    try:
        info = path.stat()
    except OSError as error:
        return _reason_of(path, error)
    return None if stat.S_ISREG(info.st_mode) else _kind_of(info.st_mode)


class FileTooBigError(UnreadableFileError):
    """A regular file over the size limit: refused before it is read."""


def read_regular(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file; ``UnreadableFileError`` for anything else, and
    ``FileTooBigError`` for a file over ``max_bytes`` (nothing of it is read then).

    Opened without blocking and checked on the open descriptor, so a file swapped for a
    pipe after it was listed cannot hang the read either.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise UnreadableFileError(_reason_of(path, error)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFileError(_kind_of(info.st_mode))
        if max_bytes is not None and info.st_size > max_bytes:
            raise FileTooBigError(f"файл больше {max_bytes // 2**20} МБ")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    except UnreadableFileError:
        raise
    except OSError as error:
        raise UnreadableFileError(_reason_of(path, error)) from None
    finally:
        os.close(fd)


def write_new(path: Path, data: bytes, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the whole new one.

    Without ``overwrite`` an existing file is never replaced (``FileExistsError``), even
    one created meanwhile: the new file is linked in under its name, which fails if the
    name is taken.
    """
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            Path(temp).replace(path)
        else:
            os.link(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)
