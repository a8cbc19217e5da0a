"""The course's two editions: the full edition (this tree, which runs) and the student edition.

In the textbook code, each part a student writes is enclosed by three whole-line comments at the
indentation of the statements they enclose, the hint first:

    def next(self):
        # HINT: x_{i+1} = (a x_i + c) mod m, in exact integers: the new state, returned
        # BEGIN SOLUTION
        self._state = (self.a * self._state + self.c) % self.m
        return self._state
        # END SOLUTION

The markers are comments, so the full edition runs the enclosed code unchanged. The student
edition replaces the hint, the markers and everything between them by one statement at the same
indentation, ``raise NotImplementedError("<the hint>")``, so the function still compiles and a
call to it names what is missing. A block holds whole statements (never part of an expression),
and blocks do not nest.

The student edition also leaves out the instructor's files: anything under a folder named
``solutions`` (``lessons/solutions/``) and any file whose name before its first dot ends in
``_solutions`` (``lessons/06_algorithm1_solutions.py``).

    python -m gan course student OUT        (gan.cli.course)
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import tokenize
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

HINT = "# HINT:"
BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"

# Left out of the copy when the source is not a git work tree: what .gitignore ignores.
IGNORED_DIRECTORIES = {".git", "__pycache__", ".pytest_cache", ".hypothesis", ".venv", "build",
                       "runs", "cache"}
IGNORED_PATHS = {PurePosixPath("lessons/out"), PurePosixPath("lessons/notebooks")}
IGNORED_SUFFIXES = (".pyc", ".egg-info")
INSTRUCTOR_DIRECTORY = "solutions"
INSTRUCTOR_SUFFIX = "_solutions"


class MarkerError(ValueError):
    """Solution markers that do not form HINT, BEGIN, code, END blocks."""


@dataclass(frozen=True)
class Block:
    """One marked part: its hint, indentation and line numbers (1-based) in its file."""

    hint: str
    indent: str
    hint_line: int
    begin_line: int
    end_line: int
    solution: tuple[str, ...]          # the lines between BEGIN and END, as written

    def student_line(self):
        """``raise NotImplementedError("<hint>")`` at the block's indentation."""
        quoted = f'"{self.hint}"' if '"' not in self.hint and "\\" not in self.hint \
            else repr(self.hint)
        return f"{self.indent}raise NotImplementedError({quoted})\n"


def _whole_line_comments(source, path):
    """{line number: (indentation, comment text)} of the comments alone on their lines, found by
    the tokenizer: a marker inside a string is text, not a marker."""
    comments = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and token.line.strip() == token.string.strip():
                row, column = token.start
                comments[row] = (token.line[:column], token.string.rstrip())
    except (tokenize.TokenError, SyntaxError) as error:
        raise MarkerError(f"{path}: cannot be tokenized: {error}") from error
    return comments


def find_blocks(source, path="<source>"):
    """The marked blocks of a Python source, in order; MarkerError, naming the file and line,
    unless every block is a HINT line, then BEGIN on the next line, then at least one line of
    code, then END, all three markers at one indentation, the code at least that indented and
    its first line at exactly that indentation, with no block inside another."""
    lines = source.splitlines(keepends=True)
    comments = _whole_line_comments(source, path)
    blocks, open_block = [], None
    for row in sorted(comments):
        indent, text = comments[row]
        where = f"{path}:{row}"
        if text == BEGIN:
            if open_block is not None:
                raise MarkerError(f"{where}: BEGIN SOLUTION inside the block opened at line "
                                  f"{open_block[0]}; blocks do not nest")
            hint = comments.get(row - 1)
            if hint is None or not hint[1].startswith(HINT):
                raise MarkerError(f"{where}: BEGIN SOLUTION must follow a '{HINT} ...' line")
            if hint[0] != indent:
                raise MarkerError(f"{where}: the HINT line above BEGIN SOLUTION is indented "
                                  f"{len(hint[0])} columns, BEGIN {len(indent)}")
            hint_text = hint[1][len(HINT):].strip()
            if not hint_text:
                raise MarkerError(f"{path}:{row - 1}: the HINT line is empty")
            open_block = (row, indent, hint_text)
        elif text == END:
            if open_block is None:
                raise MarkerError(f"{where}: END SOLUTION without a BEGIN SOLUTION before it")
            begin, begin_indent, hint_text = open_block
            if indent != begin_indent:
                raise MarkerError(f"{where}: END SOLUTION is indented {len(indent)} columns, "
                                  f"its BEGIN (line {begin}) {len(begin_indent)}")
            solution = tuple(lines[begin:row - 1])
            _check_solution(solution, begin_indent, where, begin)
            blocks.append(Block(hint_text, begin_indent, begin - 1, begin, row, solution))
            open_block = None
        elif text.startswith(HINT) and comments.get(row + 1, (None, None))[1] != BEGIN:
            raise MarkerError(f"{where}: a HINT line must be followed by BEGIN SOLUTION")
    if open_block is not None:
        raise MarkerError(f"{path}:{open_block[0]}: BEGIN SOLUTION is never closed by "
                          f"END SOLUTION")
    return blocks


def _check_solution(solution, indent, where, begin):
    code = [line for line in solution if line.strip() and not line.strip().startswith("#")]
    if not code:
        raise MarkerError(f"{where}: the block opened at line {begin} holds no code")
    for line in solution:
        if line.strip() and not line.startswith(indent):
            raise MarkerError(f"{where}: the block opened at line {begin} has a line indented "
                              f"less than its markers: {line.strip()!r}")
    if code[0][len(indent):][:1].isspace():
        raise MarkerError(f"{where}: the block opened at line {begin} must start with a "
                          f"statement at its markers' indentation")


def student_source(source, path="<source>"):
    """The source with each marked block (hint, markers and code) replaced by
    ``raise NotImplementedError("<hint>")`` at its indentation. MarkerError if the markers are
    malformed, or if the result does not compile (a block that was not whole statements)."""
    blocks = find_blocks(source, path)
    if not blocks:
        return source
    lines = source.splitlines(keepends=True)
    for block in reversed(blocks):
        lines[block.hint_line - 1:block.end_line] = [block.student_line()]
    student = "".join(lines)
    try:
        compile(student, str(path), "exec")
    except SyntaxError as error:
        raise MarkerError(f"{path}: the student edition does not compile at line {error.lineno}"
                          f" ({error.msg}): mark whole statements") from error
    return student


def is_instructor_file(relative_path):
    """Whether a file is the instructor's alone (left out of the student edition): under a
    folder named ``solutions``, or named ``<stem>_solutions.<ext>``."""
    path = PurePosixPath(relative_path)
    return (INSTRUCTOR_DIRECTORY in path.parts[:-1]
            or path.name.split(".")[0].endswith(INSTRUCTOR_SUFFIX))


def project_files(root):
    """The project's files under `root`, as sorted relative POSIX paths: git's (tracked, and
    untracked but not ignored) in a git work tree; otherwise every file but caches, outputs
    and .git (the folders .gitignore names)."""
    root = Path(root)
    listed = _git_files(root)
    if listed is not None:
        return sorted(path for path in listed if (root / path).is_file())
    files = []
    for folder, directories, names in os.walk(root):
        relative = PurePosixPath(Path(folder).relative_to(root).as_posix())
        directories[:] = sorted(
            name for name in directories
            if name not in IGNORED_DIRECTORIES and not name.endswith(IGNORED_SUFFIXES)
            and relative / name not in IGNORED_PATHS)
        files.extend(relative / name for name in names if not name.endswith(IGNORED_SUFFIXES))
    return sorted(files)


def _git_files(root):
    if not (root / ".git").exists():
        return None
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return {PurePosixPath(name) for name in listed.decode().split("\0") if name}


@dataclass(frozen=True)
class Edition:
    """What `write_student_edition` wrote."""

    out: Path
    files: int                 # files copied
    blanked: dict              # relative path -> number of blocks replaced
    left_out: tuple            # the instructor's files, not copied


def check_out(out, root):
    """ValueError unless `out` can receive an edition: a path that does not exist, or an empty
    folder, outside the source tree `root`."""
    out, root = Path(out).resolve(), Path(root).resolve()
    if out == root or root in out.parents:
        raise ValueError(f"out must be outside the source tree {root}, got {out}")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"out must be a new or empty folder, got {out}, which "
                         f"{'is not empty' if out.is_dir() else 'is a file'}")
    return out


def write_student_edition(root, out):
    """Write the student edition of the project at `root` to the folder `out`: every project
    file (`project_files`) but the instructor's, with the marked blocks of each Python file
    replaced by their hints (`student_source`). Atomic: written to a staging folder beside
    `out` and renamed into place, so `out` is either absent (or empty) or complete."""
    root = Path(root).resolve()
    out = check_out(out, root)
    files = project_files(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    blanked, left_out, copied = {}, [], 0
    try:
        for relative in files:
            if is_instructor_file(relative):
                left_out.append(relative)
                continue
            source, target = root / relative, staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if relative.suffix == ".py":
                text = source.read_text(encoding="utf-8")
                count = len(find_blocks(text, relative))
                if count:
                    text = student_source(text, relative)
                    blanked[relative] = count
                target.write_text(text, encoding="utf-8")
                shutil.copymode(source, target)
            else:
                shutil.copy2(source, target)
            copied += 1
        os.chmod(staging, 0o755)                     # mkdtemp made it private
        if out.exists():
            out.rmdir()                              # empty (checked): the rename replaces it
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Edition(out, copied, blanked, tuple(left_out))
