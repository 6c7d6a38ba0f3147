"""The tables of the assessment and of closing the loop (schema v10–v13): conduct and praise, votes,
schemes, the holiday calendar, 好差评 ratings, rectification items, appeals, publications, approvals."""

from __future__ import annotations

import peewee as pw

from app.storage.models.core import BaseModel, Centre, Inspection, ProbationCase, Staff, Window, now


class PersonEvent(BaseModel):
    """The conduct (违规记录) and praise (表扬记录) registers (schema v10): never deleted, withdrawn with a
    reason."""

    register = pw.CharField(index=True)  # conduct / praise
    centre = pw.ForeignKeyField(Centre, backref="person_events", on_delete="CASCADE")
    staff = pw.ForeignKeyField(Staff, backref="person_events")
    window = pw.ForeignKeyField(Window, null=True, backref="person_events", on_delete="SET NULL")
    kind = pw.CharField()
    occurred_on = pw.DateField(index=True)
    source = pw.CharField(default="")  # conduct: app.assessment.events.SOURCES
    description = pw.TextField()
    photos = pw.TextField(default="")  # newline-separated photo references
    document = pw.CharField(default="")  # "<sha256>.<ext> <file name>" of a stored document
    recorded_by = pw.CharField()
    recorded_at = pw.DateTimeField(default=now)
    withdrawn_at = pw.DateTimeField(null=True)
    withdrawn_by = pw.CharField(default="")
    withdraw_reason = pw.TextField(default="")
    probation_case = pw.ForeignKeyField(ProbationCase, null=True, backref="person_events", on_delete="SET NULL")


class Vote(BaseModel):
    """A score entered by hand for a period (a scheme's `vote` component), for a window or a person."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    period = pw.CharField()  # 2026-10 / 2026-Q4 / 2026
    name = pw.CharField()  # 值班领导评分, 群众评议, 年终测评
    subject_key = pw.CharField()  # window:<id> / staff:<id> (NULLs never clash in a unique index)
    window = pw.ForeignKeyField(Window, null=True, on_delete="CASCADE")
    staff = pw.ForeignKeyField(Staff, null=True, on_delete="CASCADE")
    score = pw.FloatField()
    entered_by = pw.CharField()
    entered_at = pw.DateTimeField(default=now)

    class Meta:
        indexes = ((("centre", "period", "name", "subject_key"), True),)


class SchemeVersion(BaseModel):
    """An assessment scheme's text, as loaded, in force from a month (schema v10)."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    code = pw.CharField()
    name = pw.CharField()
    version = pw.IntegerField()
    content = pw.TextField()  # the TOML, as the manager wrote it
    content_hash = pw.CharField()
    effective_from = pw.DateField()
    loaded_by = pw.CharField()
    loaded_at = pw.DateTimeField(default=now)
    reason = pw.TextField(default="")

    class Meta:
        indexes = ((("centre", "code", "version"), True),)


class CalendarDay(BaseModel):
    """A day off on a weekday (holiday) or a weekend day worked (workday, 调休), for working-day deadlines
    (schema v11). The calendar is the database's: a district's centres keep the same holidays."""

    day = pw.DateField(unique=True)
    kind = pw.CharField()  # holiday / workday
    name = pw.CharField(default="")


class CentreDay(BaseModel):
    """A centre's own change to the district's calendar (schema v15): a day off or a weekend day worked
    that only this centre has (its own 调休). It stands above the district's entry for the same day."""

    centre = pw.ForeignKeyField(Centre, backref="own_days", on_delete="CASCADE")
    day = pw.DateField()
    kind = pw.CharField()  # holiday / workday
    name = pw.CharField(default="")

    class Meta:
        indexes = ((("centre", "day"), True),)


class RatingImport(BaseModel):
    """One 好差评 workbook imported (schema v11)."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    month = pw.CharField()  # 2026-10
    file_name = pw.CharField()
    rows = pw.IntegerField()
    new = pw.IntegerField()
    duplicates = pw.IntegerField()
    unmatched = pw.IntegerField()
    imported_by = pw.CharField()
    imported_at = pw.DateTimeField(default=now)


class Rating(BaseModel):
    """A 好差评 rating, or a window's or person's counts for a month, as imported; unmatched rows are kept
    (no window and no person) so nothing the file said is lost (schema v11)."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    month = pw.CharField(index=True)
    batch = pw.ForeignKeyField(RatingImport, backref="ratings", on_delete="CASCADE")
    row_key = pw.CharField()  # what makes a row a duplicate: its rating number, or its content
    window = pw.ForeignKeyField(Window, null=True, on_delete="SET NULL")
    staff = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    window_text = pw.CharField(default="")
    staff_text = pw.CharField(default="")
    rated_on = pw.DateField(null=True)
    number = pw.CharField(default="")
    comment = pw.TextField(default="")
    very_satisfied = pw.IntegerField(default=0)
    satisfied = pw.IntegerField(default=0)
    basic = pw.IntegerField(default=0)
    dissatisfied = pw.IntegerField(default=0)
    very_dissatisfied = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("centre", "row_key"), True),)


class Rectification(BaseModel):
    """A fault to put right by a deadline (整改), opened once per source (schema v11)."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    staff = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    window = pw.ForeignKeyField(Window, null=True, on_delete="SET NULL")
    source = pw.CharField()  # rating / inspection / conduct
    source_ref = pw.CharField()  # rating:<id>, inspection:<uuid>:<item code>, event:<id>
    what = pw.TextField()
    clause = pw.CharField(default="")
    opened_on = pw.DateField()
    due_on = pw.DateField(index=True)
    state = pw.CharField(default="open")  # open / rectified (overdue: open after due_on)
    closed_on = pw.DateField(null=True)
    closed_by = pw.CharField(default="")
    close_note = pw.TextField(default="")
    close_photo = pw.CharField(default="")
    # Schema v12: a checklist item's code (faults found on patrol), and its earlier faults by the person.
    item_code = pw.CharField(default="", index=True, constraints=[pw.SQL("DEFAULT ''")])
    repeats = pw.IntegerField(default=0, constraints=[pw.SQL("DEFAULT 0")])

    class Meta:
        indexes = ((("centre", "source_ref"), True),)


class Appeal(BaseModel):
    """A person's appeal against deductions of an inspection (申诉复核), recorded and decided by managers
    (schema v13)."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    inspection = pw.ForeignKeyField(Inspection, backref="appeals")
    item_codes = pw.CharField()  # comma-separated codes of the contested items
    reason = pw.TextField()
    photos = pw.TextField(default="")
    recorded_by = pw.CharField()
    recorded_at = pw.DateTimeField(default=now)
    state = pw.CharField(default="pending")  # pending / upheld / rejected
    decided_by = pw.CharField(default="")
    decided_at = pw.DateTimeField(null=True)
    decision_reason = pw.TextField(default="")


class Publication(BaseModel):
    """A period's ranking published as final by a manager (schema v13)."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    period = pw.CharField()  # 2026-10 / 2026-Q4 / 2026
    published_by = pw.CharField()
    published_at = pw.DateTimeField(default=now)
    fingerprint = pw.CharField()  # of the window ranking as published (app.loop.verify)
    approved_by = pw.CharField(default="")  # the second manager, where the centre requires one

    class Meta:
        indexes = ((("centre", "period"), True),)


class Approval(BaseModel):
    """A change waiting for a second manager (schema v13): an amendment that changes a verdict, or the
    publication of a ranking."""

    centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
    kind = pw.CharField()  # amend / publish
    target = pw.CharField()  # the inspection's UUID, or the period (2026-10)
    payload = pw.TextField()  # JSON: the item results asked for (and the appeal), or the day asked
    requested_by = pw.CharField()
    requested_at = pw.DateTimeField(default=now)
    reason = pw.TextField()
    state = pw.CharField(default="pending")  # pending / approved / rejected
    decided_by = pw.CharField(default="")
    decided_at = pw.DateTimeField(null=True)
    decision_reason = pw.TextField(default="")
