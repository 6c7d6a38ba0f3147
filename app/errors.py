"""Errors the core raises for bad input; the command line turns them into one line and exit 2."""


class PatrolError(Exception):
    """A problem the user can fix: the message says what is wrong and where."""


class DatabaseOpenError(PatrolError):
    """The database could not be opened, read or upgraded."""


class ChecklistError(PatrolError):
    """A checklist file is invalid; the message names the file, the item and the problem."""


class PermissionDenied(PatrolError):
    """The acting user's role does not allow this operation."""


class SecondInstallation(PatrolError):
    """A package signed by a laptop's key from another installation than the one the office accepted
    (one set-up file enrolled on two computers): the device should be revoked."""

    def __init__(self, message: str, key_id: str, device: str):
        super().__init__(message)
        self.key_id, self.device = key_id, device


MAX_ID = 2**63 - 1  # the largest id SQLite and PostgreSQL store


def record_id(text: object, what: str = "编号") -> int:
    """A record id typed by a person: ASCII digits within the database's range, or PatrolError
    (str.isdigit() accepts '²', and int() makes 10**20, which no database stores)."""
    value = str(text).strip()
    if not value.isascii() or not value.isdigit() or len(value) > 19 or not 0 < int(value) <= MAX_ID:
        raise PatrolError(f"{what}应为正整数, 不是 {value[:24]!r}")
    return int(value)


def is_record_id(text: object) -> bool:
    try:
        record_id(text)
        return True
    except PatrolError:
        return False


class NeedsApproval(PatrolError):
    """The change binds or unbinds the second approval itself (turning it off, a new or re-activated
    manager): it takes effect only when another manager approves it (app.loop.approvals)."""
