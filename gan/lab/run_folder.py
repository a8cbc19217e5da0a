"""A run's output folder, safe under failure: checked before training, filled in a temporary
folder beside it, renamed into place when complete.

    folder = RunFolder(out, overwrite=False)   # OutputFolderError now, before any work
    ... train ...
    write files into folder.staging
    folder.commit()                              # or folder.discard() if anything failed

`out` must be creatable and writable and not a file. A folder holding an earlier run (any of
RUN_FILES) is refused unless overwrite=True; a non-empty folder holding anything else is refused
always (a run never mixes its files with others). commit() renames the staging folder onto `out`
(onto an empty or missing one directly; an earlier run is first renamed aside and deleted after),
so a crash leaves either the old run or the new one, never half of one or a mix of two.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

RUN_FILES = frozenset({
    "config.json", "metrics.json", "history.npz",                      # python -m gan train
    "losses.png", "figure1.png", "evolution.gif", "evolution.html", "jsd.png", "discriminator.png",
    "sweep.csv", "success.png",                                        # python -m gan sweep
})


class OutputFolderError(ValueError):
    """--out names a folder a run cannot (or must not) be written to."""


class RunFolder:
    """See the module notes. `flag` names the option in messages."""

    def __init__(self, out, overwrite=False, flag="--out"):
        self.out = Path(out)
        if self.out.is_symlink() and self.out.is_dir():
            self.out = self.out.resolve()          # a link to a folder: write where it points
        self.flag = flag
        self.replaces = self._check(overwrite)
        self.created = self._create_parents()
        try:
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.partial-",
                                                 dir=self.out.parent))
        except OSError as error:
            self._remove_created()
            raise OutputFolderError(f"{flag} {self.out}: cannot write beside it in "
                                    f"{self.out.parent} ({error.strerror or error})") from None

    def _check(self, overwrite):
        """Whether `out` holds an earlier run that commit() replaces; errors for the rest."""
        out, flag = self.out, self.flag
        if out.name in ("", ".", ".."):
            raise OutputFolderError(f"{flag} {out}: give a folder by its name, not {out.name!r}")
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise OutputFolderError(f"{flag} {out}: exists and is not a folder")
        if not out.exists():
            return False
        try:
            names = sorted(os.listdir(out))
        except OSError as error:
            raise OutputFolderError(f"{flag} {out}: cannot be read ({error.strerror})") from None
        if not names:
            return False
        others = [name for name in names if name not in RUN_FILES]
        if others:
            raise OutputFolderError(
                f"{flag} {out}: holds files that are not a run's ({', '.join(others[:3])}"
                f"{', ...' if len(others) > 3 else ''}); give a new or empty folder")
        if not overwrite:
            raise OutputFolderError(
                f"{flag} {out}: holds an earlier run ({', '.join(names[:3])}"
                f"{', ...' if len(names) > 3 else ''}); pass --overwrite to replace it, or give "
                f"another folder")
        return True

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
                self._remove_created()
                raise OutputFolderError(f"{self.flag} {self.out}: cannot create {folder} "
                                        f"({error.strerror or error})") from None
            created.append(folder)
        return created

    def commit(self):
        """Move the finished run into place (see the module notes); returns `out`."""
        os.chmod(self.staging, 0o777 & ~_umask())
        if not self.replaces:
            try:
                os.rename(self.staging, self.out)     # onto a missing or an empty folder
            except OSError as error:
                self.discard()
                raise OutputFolderError(f"{self.flag} {self.out}: could not be written "
                                        f"({error.strerror or error}); nothing was kept") from None
            return self.out
        aside = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.old-", dir=self.out.parent))
        os.rename(self.out, aside / self.out.name)
        os.rename(self.staging, self.out)
        shutil.rmtree(aside)
        return self.out

    def discard(self):
        """Remove the staging folder (and parents created for it): nothing of the run is kept."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self._remove_created()

    def _remove_created(self):
        for folder in reversed(getattr(self, "created", [])):
            try:
                folder.rmdir()
            except OSError:
                break


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
