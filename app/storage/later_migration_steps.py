"""The steps from schema version 13 on (app.storage.migration_steps holds 2–12), each run in its own
transaction by app.storage.migrations.upgrade. Add a step for each new version here; never edit an old
one. A step creates tables from shapes frozen beside it and reads nothing of today's code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import peewee as pw

from app.storage.models import Centre, Inspection


def _v13_appeals_and_publication(database: pw.Database) -> None:
    """Appeals against deductions, rankings published as final, and changes waiting for a second
    manager. The tables as v13 made them."""

    class AppealV13(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        inspection = pw.ForeignKeyField(Inspection)
        item_codes = pw.CharField()
        reason = pw.TextField()
        photos = pw.TextField(default="")
        recorded_by = pw.CharField()
        recorded_at = pw.DateTimeField()
        state = pw.CharField(default="pending")
        decided_by = pw.CharField(default="")
        decided_at = pw.DateTimeField(null=True)
        decision_reason = pw.TextField(default="")

        class Meta:
            table_name = "appeal"

    class PublicationV13(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        period = pw.CharField()
        published_by = pw.CharField()
        published_at = pw.DateTimeField()
        fingerprint = pw.CharField()
        approved_by = pw.CharField(default="")

        class Meta:
            table_name = "publication"
            indexes = ((("centre", "period"), True),)

    class ApprovalV13(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        kind = pw.CharField()
        target = pw.CharField()
        payload = pw.TextField()
        requested_by = pw.CharField()
        requested_at = pw.DateTimeField()
        reason = pw.TextField()
        state = pw.CharField(default="pending")
        decided_by = pw.CharField(default="")
        decided_at = pw.DateTimeField(null=True)
        decision_reason = pw.TextField(default="")

        class Meta:
            table_name = "approval"

    frozen = [AppealV13, PublicationV13, ApprovalV13]
    with database.bind_ctx(frozen, bind_refs=False, bind_backrefs=False):
        database.create_tables(frozen)


def _v14_centre_walls(database: pw.Database) -> None:
    """Each audit entry names the centre it concerns, and each laptop the centre it was enrolled for,
    so a centre's manager lists their own. Plain SQL: the audit trail's triggers refuse the UPDATE a
    migrator would run to fill a default, and no model of today is needed."""
    # v4 and v5 created these tables from the models of the day, so a database upgraded from before them
    # in one run already has the columns: add each only where it is missing.
    for table, column in (("audit_entry", "centre_code"), ("device", "laptop_centre")):
        if column not in {c.name for c in database.get_columns(table)}:
            database.execute_sql(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(255) NOT NULL DEFAULT ''")
    database.execute_sql("CREATE INDEX IF NOT EXISTS audit_entry_centre_code ON audit_entry (centre_code)")
    # A laptop enrolled before v14 belongs to the centre of the inspectors it carries (in a one-centre
    # database, to that centre).
    centres = database.execute_sql("SELECT id, code FROM centre ORDER BY id").fetchall()
    codes = {cid: code for cid, code in centres}
    q = database.quote[0]
    users = dict(database.execute_sql(f"SELECT username, centre_id FROM {q}user{q}").fetchall())
    for key_id, inspectors in database.execute_sql(
            "SELECT key_id, inspectors FROM device WHERE centre_code = ''").fetchall():
        homes = {users.get(n) for n in inspectors.split(",") if n} - {None}
        code = codes[homes.pop()] if len(homes) == 1 else (centres[0][1] if len(centres) == 1 else "")
        database.execute_sql(f"UPDATE device SET laptop_centre = {database.param} WHERE key_id = {database.param}",
                             (code, key_id))


def _v15_centre_days(database: pw.Database) -> None:
    """A centre's own days off and worked weekend days, above the district's calendar (the table as v15
    made it); withdrawn probation cases read as withdrawn."""

    class CentreDayV15(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        day = pw.DateField()
        kind = pw.CharField()
        name = pw.CharField(default="")

        class Meta:
            table_name = "centre_day"
            indexes = ((("centre", "day"), True),)

    with database.bind_ctx([CentreDayV15], bind_refs=False, bind_backrefs=False):
        database.create_tables([CentreDayV15])
    # A case withdrawn (what opened it was amended to a pass) was stored as cleared, so it read as a passed
    # probation; it is withdrawn, as if never opened.
    database.execute_sql("UPDATE probation_case SET status = 'withdrawn' WHERE status = 'cleared' AND id IN "
                         "(SELECT case_id FROM probation_event WHERE kind = 'withdrawn')")


def _v16_laptop_updates(database: pw.Database) -> None:
    """The office's updates to its laptops: a number per device at the office; on a laptop, the office's
    re-checks due and probation cases, and the updates applied (the tables as v16 made them); each
    enrolment's installation id, and the first installation of each device key the office saw."""

    class RecheckDueV16(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        window_code = pw.CharField()
        employee_no = pw.CharField(default="")
        item_code = pw.CharField()
        day = pw.DateField()
        note = pw.TextField(default="")
        photos = pw.TextField(default="")
        due_on = pw.DateField(null=True)
        repeats = pw.IntegerField(default=0)

        class Meta:
            table_name = "recheck_due"
            indexes = ((("centre", "employee_no"), False), (("centre", "window_code"), False))

    class ProbationDueV16(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        employee_no = pw.CharField()
        case_number = pw.IntegerField()
        opened_on = pw.DateField()
        ends_on = pw.DateField()
        rechecks_required = pw.IntegerField()
        rechecks_passed = pw.IntegerField(default=0)
        rechecks_failed = pw.IntegerField(default=0)
        known = pw.TextField(default="")

        class Meta:
            table_name = "probation_due"

    class AppliedUpdateV16(pw.Model):
        number = pw.IntegerField(unique=True)
        written_at = pw.DateTimeField()
        applied_at = pw.DateTimeField(default=dt.datetime.now)
        digest = pw.CharField()

        class Meta:
            table_name = "applied_update"

    models = [RecheckDueV16, ProbationDueV16, AppliedUpdateV16]
    with database.bind_ctx(models, bind_refs=False, bind_backrefs=False):
        database.create_tables(models)
    columns = {c.name for c in database.get_columns("device")}
    if "updates_written" not in columns:
        database.execute_sql("ALTER TABLE device ADD COLUMN updates_written INTEGER NOT NULL DEFAULT 0")
    if "installation" not in columns:
        database.execute_sql("ALTER TABLE device ADD COLUMN installation VARCHAR(255) NOT NULL DEFAULT ''")
        database.execute_sql("ALTER TABLE device ADD COLUMN installation_seen TIMESTAMP")
    if "installation" not in {c.name for c in database.get_columns("identity")}:
        database.execute_sql("ALTER TABLE identity ADD COLUMN installation VARCHAR(255) NOT NULL DEFAULT ''")


# version reached -> the step that reaches it from version - 1. Add entries; never edit old ones.
STEPS: dict[int, Callable[[pw.Database], None]] = {13: _v13_appeals_and_publication, 14: _v14_centre_walls,
                                                    15: _v15_centre_days, 16: _v16_laptop_updates}
