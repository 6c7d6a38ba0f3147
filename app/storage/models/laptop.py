"""What a laptop keeps of the office's state from the office's signed updates (schema v16): the re-checks
due and the open probation cases, by codes (the laptop's own rows for windows and staff are matched by
code), replaced whole by each update. The office's own tables stay the office's; these are the laptop's
copy of what the office knew when it wrote the update."""

from __future__ import annotations

import peewee as pw

from app.storage.models.core import BaseModel, Centre, now


class RecheckDue(BaseModel):
    """A fault the office has open at a window or a person: what failed, when, the note, the photos
    (thumbnails kept on the laptop), the deadline."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    window_code = pw.CharField()
    employee_no = pw.CharField(default="")  # "" for a window without a person
    item_code = pw.CharField()
    day = pw.DateField()
    note = pw.TextField(default="")
    photos = pw.TextField(default="")  # newline-separated names of thumbnails in the laptop's photo store
    due_on = pw.DateField(null=True)
    repeats = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("centre", "employee_no"), False), (("centre", "window_code"), False))


class ProbationDue(BaseModel):
    """A person on probation at the office: the case as the notice and the re-check need it."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    employee_no = pw.CharField()
    case_number = pw.IntegerField()  # the office's case id, as its notices print it
    opened_on = pw.DateField()
    ends_on = pw.DateField()
    rechecks_required = pw.IntegerField()
    rechecks_passed = pw.IntegerField(default=0)
    rechecks_failed = pw.IntegerField(default=0)
    known = pw.TextField(default="")  # uuids of the inspections the office counted (newline-separated)


class AppliedUpdate(BaseModel):
    """Each office update applied on this laptop: its number, when it was written and applied."""

    number = pw.IntegerField(unique=True)
    written_at = pw.DateTimeField()
    applied_at = pw.DateTimeField(default=now)
    digest = pw.CharField()  # SHA-256 of the update's signed content: the same file twice is one update
