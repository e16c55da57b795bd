"""Writing outputs so that a failure or an interruption never leaves a damaged or mixed set.

* `check_output_file` / `check_output_dir`: is an output path writable? Asked before any work starts;
  `OutputError` (one line) if not.
* `atomic_output`: one file, written beside its target and moved into place when complete.
* `replace_directory`: a whole directory (a build's outputs, a model) written as a new sibling and
  swapped in, so the target holds either the previous set or the new one, never a mix. SIGINT and
  SIGTERM are held back while the swap runs and delivered right after it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from kg.errors import OutputError

HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _existing_ancestor(path: Path) -> Path:
    for candidate in path.parents:
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return Path(path.anchor or ".")


def _probe(folder: Path, target: Path) -> None:
    """Create and remove a scratch directory in `folder`: the truthful answer to "can I write here?"
    (`os.access` says yes to root on /proc or /sys)."""
    if not folder.is_dir():
        raise OutputError(f"{target}: cannot write there ({folder} is not a directory)")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".kg-probe-", dir=folder))
    except OSError as exc:
        raise OutputError(f"{target}: cannot write there ({folder}: {_reason(exc)})") from None


def _checked(check: Callable[..., Path]) -> Callable[..., Path]:
    """An OSError while looking at the path (no permission to look, a symbolic link loop) is an OutputError."""

    def run(path: Path | str, *args, **kwargs) -> Path:
        try:
            return check(path, *args, **kwargs)
        except (OSError, RuntimeError) as exc:  # RuntimeError: Path.resolve on a loop (Python < 3.13)
            reason = _reason(exc) if isinstance(exc, OSError) else str(exc)
            raise OutputError(f"{path}: cannot write there ({reason})") from None

    run.__doc__, run.__name__ = check.__doc__, check.__name__
    return run


@_checked
def check_output_file(path: Path | str) -> Path:
    """Raise OutputError unless `path` can be written as a file (its missing parents created later)."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name")
    parent = path.parent if path.parent.is_dir() else _existing_ancestor(path)
    _probe(parent, path)
    return path


@_checked
def check_output_dir(path: Path | str, marker: str | None = None) -> Path:
    """Raise OutputError unless `path` can be replaced by a new directory of outputs: it is missing, or
    a directory of files only (a previous build; other files in it are carried over), or with `marker`
    an empty directory or one holding that file (a previous model: its folders are its own); and its
    parent is writable. Returns the resolved path (a symbolic link is followed, not replaced)."""
    given = Path(path).expanduser()
    path = given.resolve()
    if path.exists() and not path.is_dir():
        raise OutputError(f"{given}: exists and is not a directory")
    if path.is_dir():
        if path.parent == path:
            raise OutputError(f"{given}: is a file system root; give an output directory")
        try:
            folders = [entry.name for entry in os.scandir(path) if entry.is_dir(follow_symlinks=False)]
        except OSError as exc:
            raise OutputError(f"{given}: cannot be read ({_reason(exc)})") from None
        if marker is not None:
            if any(path.iterdir()) and not (path / marker).is_file():
                raise OutputError(f"{given}: not empty and no {marker} in it; give a new or empty directory "
                                  "or a previous one")
        elif folders:
            raise OutputError(f"{given}: holds folders ({', '.join(sorted(folders)[:3])}); give a new directory "
                              "or a previous build's")
    _probe(path.parent if path.parent.is_dir() else _existing_ancestor(path), given)
    return path


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path` and move it into place only when writing succeeded.
    OutputError (one line) if it cannot be written, a full disk included; nothing is left behind."""
    path = Path(path)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; outputs get ordinary permissions
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        error = OutputError(f"{path}: cannot be written ({_reason(exc)}); the previous file, if any, is unchanged")
        error.reason = _reason(exc)
        raise error from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str | None) -> None:
    if tmp is not None:
        with held_signals():
            Path(tmp).unlink(missing_ok=True)


@contextlib.contextmanager
def held_signals() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while the block runs, then deliver them (main thread only;
    elsewhere the block just runs)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    try:
        for number in HELD_SIGNALS:
            previous[number] = signal.signal(number, lambda signum, _: received.append(signum))
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(received):
            signal.raise_signal(number)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where not supported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _carry_over(old: Path, fresh: Path) -> None:
    """Files in `old` that the new set does not write (notes, a page written beside the graph) move on."""
    for entry in os.scandir(old):
        destination = fresh / entry.name
        if destination.exists() or entry.name.startswith(".kg-probe-"):
            continue
        try:
            os.link(entry.path, destination, follow_symlinks=False)
        except OSError:
            shutil.copy2(entry.path, destination, follow_symlinks=False)


def replace_directory(target: Path, write: Callable[[Path], None], carry_over: bool = False) -> None:
    """Write a new directory next to `target` with `write(new_dir)`, then swap it in; the old one is
    removed only after. Any failure or interruption (SIGINT, SIGTERM) leaves `target` as it was and
    removes the new directory. With `carry_over`, files of the old directory the new one lacks are
    kept. OutputError (one line) when it cannot be written."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"{target}: cannot be written ({_reason(exc)})") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(fresh, target.stat().st_mode & 0o7777 if target.is_dir() else 0o777 & ~umask)
        write(fresh)
        with held_signals():
            if target.is_dir():
                if carry_over:
                    _carry_over(target, fresh)
                if _exchange(fresh, target):
                    shutil.rmtree(fresh, ignore_errors=True)  # now the old set
                else:
                    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
                    os.rmdir(old)
                    target.rename(old)
                    fresh.rename(target)
                    shutil.rmtree(old, ignore_errors=True)
            else:
                fresh.rename(target)
    except OutputError as exc:
        _remove(fresh)
        if not hasattr(exc, "reason"):
            raise
        raise OutputError(f"{target}: cannot be written ({exc.reason}); left as it was") from None
    except OSError as exc:
        _remove(fresh)
        raise OutputError(f"{target}: cannot be written ({_reason(exc)}); left as it was") from None
    except BaseException:
        _remove(fresh)
        raise


def _remove(folder: Path) -> None:
    with held_signals():
        shutil.rmtree(folder, ignore_errors=True)
