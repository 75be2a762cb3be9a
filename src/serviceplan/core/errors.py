"""Errors that reach a user as one clear line instead of a traceback.

Every message is redacted where it is made: a :class:`ServiceplanError`'s text and every field of a
:class:`Violation` pass through :func:`redact` when the object is built, so a personal identity code found in an
input (a cell, a header, a key, a code, a file name) never travels further, whoever prints, logs or stores the
message. The command line (:mod:`serviceplan.cli`) redacts everything it prints once more, and the batch redacts
the notebook logs it publishes.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, fields

from serviceplan.core.identity_codes import redact_identity_codes


def redact(text: str) -> str:
    """``text`` with everything identity-code-like hidden (see
    :func:`serviceplan.core.identity_codes.redact_identity_codes`)."""
    return redact_identity_codes(text)


class ServiceplanError(Exception):
    """Base of every error the command line reports as a message (exit code 1 or 2), never as a traceback."""

    exit_code = 1

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(a) if isinstance(a, str) else a for a in args))


class UsageError(ServiceplanError):
    """The command was called wrongly (bad period, unknown option value)."""

    exit_code = 2


class ParameterError(ServiceplanError):
    """A parameter file has a wrong key, type or value."""


class RunError(ServiceplanError):
    """A monthly run failed: a notebook raised, timed out, or publishing was refused."""


@dataclass(frozen=True)
class Violation:
    """One broken rule in one input file.

    ``row`` is the line number in the file as a spreadsheet or text editor shows it (the header is a row too), or
    ``None`` for a rule about the whole file. ``value`` is ``None`` when the value must not be echoed (for
    example something that looks like a personal identity code). Text fields are redacted when the violation is
    made.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __post_init__(self) -> None:
        for field in fields(self):
            text = getattr(self, field.name)
            if isinstance(text, str):
                object.__setattr__(self, field.name, redact(text))

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {shown(self.column)}"
        value = "" if self.value is None else f": got {shown(self.value)}"
        return f"{where}{value}; expected {self.expected}"


# Characters a reader cannot see in a message, named instead of printed (a doubled byte-order mark in a header,
# a no-break space in a number).
_INVISIBLE = {
    "\ufeff": "<BOM>",
    "\u00a0": "<no-break space>",
    "\u202f": "<narrow no-break space>",
    "\u2009": "<thin space>",
    "\u200b": "<zero-width space>",
    "\u00ad": "<soft hyphen>",
    "\t": "<tab>",
}


def shown(text: str) -> str:
    """``text`` quoted for a message, with invisible characters named (``'<BOM>Kuukausi'``)."""
    if not any(ch in _INVISIBLE or (not ch.isprintable() and ch != " ") for ch in text):
        return repr(text)
    visible = "".join(_INVISIBLE.get(ch, ch if ch.isprintable() else f"<U+{ord(ch):04X}>") for ch in text)
    return f"'{visible}'"


class DataError(ServiceplanError):
    """Input data broke its contract. Carries every violation found, not only the first."""

    def __init__(self, violations: list[Violation]):
        self.violations = list(violations)
        self.stopped = 0  # notebooks of the month that had started when the violations were found, and were stopped
        first = str(self.violations[0]) if self.violations else "invalid data"
        more = len(self.violations) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))

    def outcome(self) -> str:
        """What became of the month, for the line after the violations of a run."""
        if not self.stopped:
            return "nothing was executed or published"
        return f"the {self.stopped} notebook(s) that had started were stopped; nothing was published"

    def report(self, limit: int = 50) -> str:
        """All violations, one a line (at most ``limit``), for the command line."""
        lines = [str(v) for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"... and {len(self.violations) - limit} more violations")
        return "\n".join(lines)


_OS_PROBLEMS = {
    errno.EACCES: "permission denied: give the account that runs serviceplan access to it",
    errno.EPERM: "permission denied: give the account that runs serviceplan access to it",
    errno.ENOENT: "no such file (moved or deleted meanwhile, or a link that points nowhere)",
    errno.ELOOP: "a symbolic link that loops back on itself (symlink loop): point it at the real file",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENOSPC: "disk full: free space and run again",
    errno.EDQUOT: "disk quota exceeded: free space and run again",
    errno.EROFS: "the file system is read-only",
    errno.EIO: "input/output error (a failing disk or network share?)",
    errno.ENAMETOOLONG: "the path is too long",
}


def os_problem(exc: OSError) -> str:
    """What an operating-system error means for the user, in words (without the path, which the caller names)."""
    known = _OS_PROBLEMS.get(exc.errno) if exc.errno is not None else None
    if known:
        return known
    return redact(exc.strerror or type(exc).__name__)
