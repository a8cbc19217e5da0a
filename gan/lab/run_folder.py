"""A run's output folder, safe under failure: checked before any work, locked against a second
run, filled in a staging folder beside it, sealed by a manifest and renamed into place.

    folder = RunFolder(out, overwrite=False)   # OutputFolderError now, before any work
    ... train ...
    write files into folder.staging             # an OSError: folder.failure(error), one line
    folder.commit()                              # or folder.discard() if anything failed

What is checked first: `out` has a name (not '', '.', '..') short enough for a folder, is not a
file, is not inside an earlier run, and its parent is (or can be made) a folder this process
writes in. Then a lock is taken beside `out` (``.gan-<hash>.lock``, held by flock, so a killed
run leaves no lock that counts): a second run into the same `out` is refused at once.

A folder is an earlier run only if its manifest says so: ``manifest.json``, written last, lists
every file of the run with its size in bytes and its SHA-256,

    {"format": "numpy-gan run 1", "files": {"config.json": {"bytes": 412, "sha256": "9f..."}}}

A run is replaced only with overwrite=True, and only if the folder holds exactly the files its
manifest lists, unchanged; then those files are deleted and nothing else. A folder holding
anything else (a user's files, or files merely named like a run's) is refused, never touched.

The staging folder (``.gan-<hash>.new``, a short name whatever the length of `out`'s) is renamed
onto `out` (missing or empty); an earlier run is first renamed aside (``.gan-<hash>.old``) and
its listed files deleted after. A crash at any point leaves `out` absent, the old run or the
new one, never a mix; what a killed run left beside `out` is cleaned up by the next run into it
(under the lock), and told in ``folder.notes``. Before the manifest is written, the entry times of
every .npz archive are set to 1980-01-01 (np.savez stamps the wall clock), so that a run's
bytes depend on its settings alone.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import zipfile
from pathlib import Path

try:
    import fcntl
except ImportError:              # Windows: an O_EXCL lock file instead (see _take_lock)
    fcntl = None

MANIFEST = "manifest.json"
TIMINGS = "timings.json"         # wall-clock seconds: the one result file that differs by run
FORMAT = "numpy-gan run 1"
NAME_MAX = 255                   # bytes in a folder's name, where pathconf cannot tell
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class OutputFolderError(ValueError):
    """--out names a folder a run cannot (or must not) be written to, or writing it failed."""


class RunFolder:
    """See the module notes. `flag` names the option in messages."""

    def __init__(self, out, overwrite=False, flag="--out"):
        self.flag, self.notes = flag, []
        self.created, self.staging, self._lock, self._manifest = [], None, None, None
        try:
            self.out = self._check_place(Path(out))
        except OSError as error:
            raise OutputFolderError(f"{flag} {out}: cannot be used ({_cause(error)})") from None
        try:
            self.created = self._create_parents()
            self._lock = self._take_lock()
            self._recover()
            self.replaces = self._check_contents(overwrite)
            self.staging = self._beside("new")
            os.mkdir(self.staging, 0o700)
        except OutputFolderError as error:
            self.discard()
            if self.notes:                  # what was cleaned up is told even so
                raise OutputFolderError(f"{error} (first {'; '.join(self.notes)})") from None
            raise
        except OSError as error:
            self.discard()
            raise OutputFolderError(f"{flag} {self.out}: cannot write beside it in "
                                    f"{self.out.parent} ({_cause(error)})") from None

    # ---- checks before any work --------------------------------------------------------------
    def _check_place(self, out):
        flag = self.flag
        if out.name in ("", ".", ".."):
            raise OutputFolderError(f"{flag} {out}: give a folder by its name, not {out.name!r}")
        name_bytes = len(os.fsencode(out.name))
        if name_bytes > _name_max(out.parent):
            raise OutputFolderError(f"{flag} {out}: its name is {name_bytes} bytes, more than "
                                    f"the {_name_max(out.parent)} a folder's name may have here")
        if out.is_symlink() and out.is_dir():
            out = out.resolve()            # a link to a folder: write where it points
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise OutputFolderError(f"{flag} {out}: exists and is not a folder")
        for parent in out.absolute().parents:
            if parent.is_dir() and read_manifest(parent) is not None:
                raise OutputFolderError(f"{flag} {out}: is inside the earlier run {parent}; "
                                        f"give a folder outside it")
        return out

    def _create_parents(self):
        """Create the missing parents of `out` (so that it is creatable); return them."""
        missing, parent = [], self.out.parent
        while not parent.exists():
            if parent.is_symlink() or parent == parent.parent:
                break
            missing.append(parent)
            parent = parent.parent
        if parent.exists() and not parent.is_dir():
            raise OutputFolderError(f"{self.flag} {self.out}: cannot be created, {parent} is "
                                    f"not a folder")
        created = []
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except OSError as error:
                self.created = created
                raise OutputFolderError(f"{self.flag} {self.out}: cannot create {folder} "
                                        f"({_cause(error)})") from None
            created.append(folder)
        return created

    def _beside(self, kind):
        """``.gan-<12 hex digits of the name's SHA-256>.<kind>`` beside `out`: short whatever
        the name, and the same for every run into `out`."""
        digest = hashlib.sha256(os.fsencode(self.out.name)).hexdigest()[:12]
        return self.out.parent / f".gan-{digest}.{kind}"

    def _take_lock(self):
        """flock on the lock file beside `out`; refused at once if another run holds it. The
        file is deleted (while locked) when this run ends, so a lock taken on a deleted file
        is tried again."""
        path = self._beside("lock")
        if fcntl is None:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                raise OutputFolderError(f"{self.flag} {self.out}: another run is writing it now "
                                        f"(it holds {path}; if none is, remove that "
                                        f"file)") from None
            self._lock_path = path
            return fd
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise OutputFolderError(f"{self.flag} {self.out}: another run is writing it now "
                                        f"(it holds {path}); wait for it or give another "
                                        f"folder") from None
            try:
                current = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._lock_path = path
                return fd
            os.close(fd)

    def _recover(self):
        """Clean up what a killed run into `out` left beside it (the lock is ours)."""
        old, new = self._beside("old"), self._beside("new")
        if old.exists():
            if not os.path.lexists(self.out):     # killed between its two renames
                os.rename(old, self.out)
                self.notes.append(f"restored the earlier run in {self.out}, which an "
                                  f"interrupted run had moved aside to {old}")
            elif _delete_run(old):
                self.notes.append(f"removed {old}, the rest of a run replaced by an "
                                  f"interrupted run")
            else:
                self.notes.append(f"kept {old}: a run replaced by an interrupted run, holding "
                                  f"files its manifest does not list")
        if os.path.lexists(new):
            shutil.rmtree(new)
            self.notes.append(f"removed {new}, the unfinished output of an interrupted run")

    def _check_contents(self, overwrite):
        """Whether `out` holds an earlier run that commit() replaces; errors for the rest."""
        out, flag = self.out, self.flag
        if not out.exists():
            return False
        try:
            names = sorted(os.listdir(out))
        except OSError as error:
            raise OutputFolderError(f"{flag} {out}: cannot be read ({_cause(error)})") from None
        if not names:
            return False
        manifest = read_manifest(out)
        if manifest is None:
            raise OutputFolderError(f"{flag} {out}: holds files that are not a run's "
                                    f"({_some(names)}; a run lists its files in {MANIFEST}); "
                                    f"give a new or empty folder")
        present = _files_under(out)
        extra = sorted(set(present) - set(manifest) - {MANIFEST})
        if extra:
            raise OutputFolderError(f"{flag} {out}: holds an earlier run and files that are not "
                                    f"its ({_some(extra)}); give a new or empty folder")
        if not overwrite:
            raise OutputFolderError(f"{flag} {out}: holds an earlier run ({_some(names)}); pass "
                                    f"--overwrite to replace it, or give another folder")
        changed = [name for name, entry in manifest.items()
                   if name in present and not _matches(out / name, entry)]
        if changed:
            raise OutputFolderError(f"{flag} {out}: files of its earlier run changed since it "
                                    f"was written ({_some(changed)}); it is not replaced, move "
                                    f"what you want to keep and remove the folder yourself")
        self._manifest = manifest
        return True

    # ---- the end of a run --------------------------------------------------------------------
    def commit(self):
        """Seal the staging folder with its manifest and move it into place (see the module
        notes); returns `out`. Interrupts wait until the renames are done."""
        mask = getattr(signal, "pthread_sigmask", None)      # not on Windows
        held = mask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if mask else None
        try:
            for path in sorted(self.staging.rglob("*.npz")):
                pin_zip_times(path)
            write_manifest(self.staging)
            os.chmod(self.staging, 0o777 & ~_umask())
            if not self.replaces:
                os.rename(self.staging, self.out)     # onto a missing or an empty folder
            else:
                old = self._beside("old")
                os.rename(self.out, old)
                try:
                    os.rename(self.staging, self.out)
                except OSError:
                    os.rename(old, self.out)          # the earlier run back in place
                    raise
                if not _delete_run(old):
                    self.notes.append(f"kept {old}: files appeared in the earlier run while "
                                      f"this one trained")
            self.staging = None
            self.created = []
        except OSError as error:
            failure = self.failure(error)
            self.discard()
            raise failure from None
        finally:
            self._release()
            if mask:
                mask(signal.SIG_SETMASK, held)
        return self.out

    def failure(self, error):
        """The one-line OutputFolderError for an OSError met while writing the run: the path
        (as it would be in `out`) and the cause."""
        where = str(error.filename or self.out)
        if self.staging is not None and where.startswith(str(self.staging)):
            where = str(self.out) + where[len(str(self.staging)):]
        return OutputFolderError(f"{self.flag} {self.out}: could not write {where} "
                                 f"({_cause(error)}); nothing was kept")

    def discard(self):
        """Remove the staging folder, the parents created for it and the lock: nothing of the
        run is kept. Safe to call more than once."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
        self._release()
        for folder in reversed(self.created):
            try:
                folder.rmdir()
            except OSError:
                break
        self.created = []

    def _release(self):
        if self._lock is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._lock_path)           # while still locked: see _take_lock
            os.close(self._lock)
            self._lock = None


# ---- the manifest ----------------------------------------------------------------------------
def write_manifest(folder):
    """Write ``manifest.json`` in `folder`: every file under it (relative POSIX paths) with its
    size and SHA-256. Returns the entries."""
    folder = Path(folder)
    files = {name: {"bytes": (folder / name).stat().st_size, "sha256": _sha256(folder / name)}
             for name in _files_under(folder) if name != MANIFEST}
    text = json.dumps({"format": FORMAT, "files": files}, indent=1, sort_keys=True) + "\n"
    (folder / MANIFEST).write_text(text)
    return files


def read_manifest(folder):
    """{relative path: {"bytes", "sha256"}} of the run in `folder`, or None if `folder` has no
    valid manifest (then it is no run)."""
    path = Path(folder) / MANIFEST
    try:
        data = json.loads(path.read_text()) if path.is_file() else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    for name, entry in files.items():
        parts = name.split("/")
        if (name.startswith("/") or any(part in ("", ".", "..") for part in parts)
                or not isinstance(entry, dict) or not isinstance(entry.get("bytes"), int)
                or not isinstance(entry.get("sha256"), str)):
            return None
    return files


def _files_under(folder):
    """Relative POSIX paths of the files (and of links, not followed) under `folder`."""
    found = []
    for root, dirs, files in os.walk(folder):
        relative = Path(root).relative_to(folder)
        found += [(relative / name).as_posix() for name in files]
        found += [(relative / name).as_posix() + "/" for name in dirs
                  if os.path.islink(os.path.join(root, name))]
    return sorted(found)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _matches(path, entry):
    return (path.is_file() and not path.is_symlink() and path.stat().st_size == entry["bytes"]
            and _sha256(path) == entry["sha256"])


def _delete_run(folder):
    """Delete the files `folder`'s manifest lists (unchanged ones only), then the manifest,
    then the folders left empty. Whether `folder` is gone (nothing else was in it)."""
    folder = Path(folder)
    for name, entry in (read_manifest(folder) or {}).items():
        if _matches(folder / name, entry):
            os.unlink(folder / name)
    with contextlib.suppress(FileNotFoundError):
        if read_manifest(folder) is not None:
            os.unlink(folder / MANIFEST)
    for root, _, _ in sorted(os.walk(folder), key=lambda entry: -len(entry[0])):
        with contextlib.suppress(OSError):
            os.rmdir(root)
    return not folder.exists()


def pin_zip_times(path):
    """Rewrite the zip archive `path` (an .npz) with every entry dated 1980-01-01 00:00, its
    contents, names, order and compression unchanged."""
    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        if all(info.date_time == _ZIP_TIME for info in archive.infolist()):
            return
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    pinned = path.with_name(path.name + ".pinning")
    with zipfile.ZipFile(pinned, "w") as archive:
        for info, data in entries:
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type, fixed.external_attr = info.compress_type, info.external_attr
            archive.writestr(fixed, data)
    os.replace(pinned, path)


# ---- interruptions ---------------------------------------------------------------------------
@contextlib.contextmanager
def interrupts_as_keyboard_interrupt():
    """SIGTERM raises KeyboardInterrupt (as SIGINT does) while the block runs, so that a run
    that is asked to stop removes its staging folder and lock on the way out."""
    def stop(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:                     # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# ---- helpers ---------------------------------------------------------------------------------
def _name_max(folder):
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return NAME_MAX


def _cause(error):
    return error.strerror or errno.errorcode.get(error.errno, "") or str(error)


def _some(names):
    return ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
