"""Errors that reach a user as one clear line instead of a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceplanError(Exception):
    """Base of every error the command line reports as a message (exit code 1 or 2), never as a traceback."""

    exit_code = 1


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
    example something that looks like a personal identity code).
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        shown = "" if self.value is None else f": got {self.value!r}"
        return f"{where}{shown}; expected {self.expected}"


class DataError(ServiceplanError):
    """Input data broke its contract. Carries every violation found, not only the first."""

    def __init__(self, violations: list[Violation]):
        self.violations = list(violations)
        first = str(self.violations[0]) if self.violations else "invalid data"
        more = len(self.violations) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))

    def report(self, limit: int = 50) -> str:
        """All violations, one a line (at most ``limit``), for the command line."""
        lines = [str(v) for v in self.violations[:limit]]
        if len(self.violations) > limit:
            lines.append(f"... and {len(self.violations) - limit} more violations")
        return "\n".join(lines)
