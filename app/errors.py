"""Errors the core raises for bad input; the command line turns them into one line and exit 2."""


class PatrolError(Exception):
    """A problem the user can fix: the message says what is wrong and where."""


class DatabaseOpenError(PatrolError):
    """The database could not be opened, read or upgraded."""


class ChecklistError(PatrolError):
    """A checklist file is invalid; the message names the file, the item and the problem."""


class PermissionDenied(PatrolError):
    """The acting user's role does not allow this operation."""
