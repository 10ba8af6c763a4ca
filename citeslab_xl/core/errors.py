"""Errors that stop a command: each carries the French sentence the user reads."""

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
