"""Refusals: errors that stop a command, each with the French sentence the user reads and its exit code.

A door (command line, buttons) shows `message` and exits with `exit_code`;
nothing below raises a bare `ValueError` with French text for the user.
"""

from __future__ import annotations


class CitesLabError(Exception):
    """A refusal with a message for the user and the exit code of interfaces.md."""

    exit_code = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnusableWorkbook(CitesLabError):
    """The file is not a workbook the tool can read (exit code 2)."""


class WriteRefused(CitesLabError):
    """The tool will not write this file; nothing was written (exit code 2)."""


class RequestRefused(CitesLabError, ValueError):
    """A request taken as asked would mean something else (exit code 2): a date after today, a period of the
    wrong kind or not yet begun (interfaces.md › Dates and periods), a parameter out of range.

    `field` names what was refused (`as_of`, `period`, `month`, `kind`...), so that a door names its own option.
    It is also a `ValueError` (a refused argument is one), so callers that caught `ValueError` still do.
    """

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


class ForeignSchema(CitesLabError):
    """A long-form file of another schema version than this tool's: it cannot be stacked with the others."""
