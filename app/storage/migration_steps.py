"""The steps between schema versions, each run in its own transaction by app.storage.migrations.upgrade.
Add a step for each new version; never edit an old one. A step creates tables from shapes frozen beside it
and reads nothing of today's code (the v7 trap)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from app.storage.models import (
    AuditEntry,
    Centre,
    ChecklistVersion,
    Device,
    Identity,
    ImportLog,
    InspectionHistory,
    PatrolRound,
    ProbationCase,
    Staff,
    Window,
)

# What a step needs of the code of its day is frozen here, never read from today's code (the v7 trap):
# the centre settings v8 moved to each centre, and the seeds' scheme v10 gave every centre.
V8_CENTRE_SETTINGS = (
    "grades", "fail_grade", "bonus_cap", "cap_total_at_100", "probation_days", "probation_rechecks",
    "smile_star_min_inspections", "smile_star_min_score", "smile_star_max", "red_flag_windows", "pay_per_failure",
    "pay_per_veto", "ranking_min_inspections", "coverage_min_inspections", "veto_ranking", "review_serious",
    "consequence_agency", "consequence_staff", "consequence_other",
)
V10_DEFAULT_SCHEME = Path(__file__).resolve().parent / "frozen" / "v10_default_scheme.toml"


def schema_migrator(database: pw.Database):
    """playhouse's migrator for the database's engine."""
    return SqliteMigrator(database) if isinstance(database, pw.SqliteDatabase) else PostgresqlMigrator(database)


def _v2_patrol_rounds(database: pw.Database) -> None:
    """Patrol rounds, and each inspection's round."""
    database.create_tables([PatrolRound])
    round_field = pw.ForeignKeyField(PatrolRound, null=True, field=PatrolRound.id, on_delete="SET NULL")
    migrate(schema_migrator(database).add_column("inspection", "round_id", round_field))


def _v3_results_packages(database: pw.Database) -> None:
    """Content hashes on inspections, inspection history and the import log, for results packages."""
    database.create_tables([InspectionHistory, ImportLog])
    migrate(schema_migrator(database).add_column("inspection", "content_hash", pw.CharField(default="")))


def _v4_audit_and_lockout(database: pw.Database) -> None:
    """The audit trail (append-only) and account lockout."""
    database.create_tables([AuditEntry])
    protect_audit(database)
    m = schema_migrator(database)
    migrate(m.add_column("user", "failed_logins", pw.IntegerField(default=0)),
            m.add_column("user", "locked_until", pw.DateTimeField(null=True)))


def _v5_device_keys(database: pw.Database) -> None:
    """Per-device signing keys: this database's identity, enrolled devices, each record's source device.
    The office's key is made when the data layer next opens (identity.ensure_office_identity); the old
    shared key stays in centre.signing_key, verifying what was made before, until a manager ends it."""
    database.create_tables([Identity, Device])
    migrate(schema_migrator(database).add_column("inspection", "source_device",
                                           pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])))


def _v6_id_card_keys(database: pw.Database) -> None:
    """Staff matched by ID card when a roster has no employee numbers (a keyed hash, never the number)."""
    migrate(schema_migrator(database).add_column("staff", "id_card_key",
                                           pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])),
            schema_migrator(database).add_index("staff", ("id_card_key",), False))


def _v7_rules_by_date(database: pw.Database) -> None:
    """Grading and probation rules that take effect from a month (no month graded by two rules)."""

    class RuleSetV7(pw.Model):  # the table as v7 made it (v8 gave it a centre): never the current model
        effective_from = pw.DateField(unique=True)
        values = pw.TextField()
        created_at = pw.DateTimeField()
        created_by = pw.CharField(default="")
        reason = pw.TextField(default="")

        class Meta:
            table_name = "rule_set"

    with database.bind_ctx([RuleSetV7]):
        database.create_tables([RuleSetV7])


def _v8_district(database: pw.Database) -> None:
    """A database holds a district of centres: each window, person, setting and rule set belongs to a
    centre; window codes are unique within a centre. An existing database becomes a district of its
    one centre: every row goes to that centre; managers' accounts become the district's (with one
    centre nothing changes), inspectors stay with the centre."""
    m = schema_migrator(database)
    centre_fk = lambda: pw.ForeignKeyField(Centre, null=True, field=Centre.id)  # noqa: E731
    migrate(
        m.add_column("centre", "kind", pw.CharField(default="district", constraints=[pw.SQL("DEFAULT 'district'")])),
        m.add_column("centre", "sort_order", pw.IntegerField(default=0, constraints=[pw.SQL("DEFAULT 0")])),
        m.add_column("window", "centre_id", centre_fk()),
        m.add_column("staff", "centre_id", centre_fk()),
        m.add_column("user", "centre_id", centre_fk()),
        m.add_column("setting", "centre_id", centre_fk()),
        m.add_column("rule_set", "centre_id", centre_fk()),
    )
    # v5 created `device` from the model of the day, so a database upgraded from v4 or earlier in one
    # run already has this column: add it only where it is missing.
    if "centre_code" not in {c.name for c in database.get_columns("device")}:
        migrate(m.add_column("device", "centre_code", pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])))
    first = database.execute_sql("SELECT MIN(id) FROM centre").fetchone()[0]
    q = database.quote[0]
    database.execute_sql(f"UPDATE {q}window{q} SET centre_id = (SELECT a.centre_id FROM area a WHERE a.id = {q}window{q}.area_id)")
    database.execute_sql(f"UPDATE staff SET centre_id = (SELECT w.centre_id FROM {q}window{q} w WHERE w.id = staff.window_id)")
    if first is not None:
        database.execute_sql("UPDATE staff SET centre_id = %s WHERE centre_id IS NULL".replace("%s", database.param), (first,))
        # A centre's settings go to the centre; the database's own values (export watermarks, the
        # ID-card secret) stay the database's (no centre). The names are the settings as v8 had them.
        names = list(V8_CENTRE_SETTINGS)
        marks = ", ".join([database.param] * len(names))
        database.execute_sql(f"UPDATE setting SET centre_id = {database.param} WHERE key IN ({marks})", (first, *names))
        database.execute_sql(f"UPDATE rule_set SET centre_id = {database.param}", (first,))
        database.execute_sql(f"UPDATE {q}user{q} SET centre_id = {database.param} WHERE role = 'inspector'", (first,))
    migrate(
        m.drop_index("window", "window_code"),
        m.add_index("window", ("centre_id", "code"), True),
        m.drop_index("setting", "setting_key"),
        m.add_index("setting", ("centre_id", "key"), True),
    )
    for name in ("rule_set_effective_from", "rulesetv7_effective_from"):  # as v7 named it, before and after
        database.execute_sql(f"DROP INDEX IF EXISTS {name}")
    migrate(m.add_index("rule_set", ("centre_id", "effective_from"), True))


def _v9_centre_checklists(database: pw.Database) -> None:
    """A centre's own checklist extends a district checklist: its owner, its base and the base version."""
    m = schema_migrator(database)
    migrate(
        m.add_column("checklist", "centre_id", pw.ForeignKeyField(Centre, null=True, field=Centre.id, on_delete="CASCADE")),
        m.add_column("checklist", "base", pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])),
        m.add_column("checklist_version", "base_version_id",
                     pw.ForeignKeyField(ChecklistVersion, null=True, field=ChecklistVersion.id, on_delete="SET NULL")),
    )


def _v10_assessment(database: pw.Database) -> None:
    """The conduct and praise registers, hand-entered votes and assessment schemes; every centre gets
    the seeds' scheme from the beginning. The tables as v10 made them, never the current models."""

    class PersonEventV10(pw.Model):
        register = pw.CharField(index=True)
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        staff = pw.ForeignKeyField(Staff)
        window = pw.ForeignKeyField(Window, null=True, on_delete="SET NULL")
        kind = pw.CharField()
        occurred_on = pw.DateField(index=True)
        source = pw.CharField(default="")
        description = pw.TextField()
        photos = pw.TextField(default="")
        document = pw.CharField(default="")
        recorded_by = pw.CharField()
        recorded_at = pw.DateTimeField()
        withdrawn_at = pw.DateTimeField(null=True)
        withdrawn_by = pw.CharField(default="")
        withdraw_reason = pw.TextField(default="")
        probation_case = pw.ForeignKeyField(ProbationCase, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "person_event"

    class VoteV10(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        period = pw.CharField()
        name = pw.CharField()
        subject_key = pw.CharField()
        window = pw.ForeignKeyField(Window, null=True, on_delete="CASCADE")
        staff = pw.ForeignKeyField(Staff, null=True, on_delete="CASCADE")
        score = pw.FloatField()
        entered_by = pw.CharField()
        entered_at = pw.DateTimeField()

        class Meta:
            table_name = "vote"
            indexes = ((("centre", "period", "name", "subject_key"), True),)

    class SchemeVersionV10(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        code = pw.CharField()
        name = pw.CharField()
        version = pw.IntegerField()
        content = pw.TextField()
        content_hash = pw.CharField()
        effective_from = pw.DateField()
        loaded_by = pw.CharField()
        loaded_at = pw.DateTimeField()
        reason = pw.TextField(default="")

        class Meta:
            table_name = "scheme_version"
            indexes = ((("centre", "code", "version"), True),)

    text = V10_DEFAULT_SCHEME.read_text(encoding="utf-8")
    with database.bind_ctx([PersonEventV10, VoteV10, SchemeVersionV10], bind_refs=False, bind_backrefs=False):
        database.create_tables([PersonEventV10, VoteV10, SchemeVersionV10])
        for (centre_id,) in database.execute_sql("SELECT id FROM centre ORDER BY id").fetchall():
            SchemeVersionV10.create(centre=centre_id, code="DEFAULT", name="窗口服务考核 (按标准原文)", version=1,
                                    content=text, content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                    effective_from=dt.date(2000, 1, 1), loaded_by="随程序", loaded_at=dt.datetime.now(),
                                    reason="标准原文的考核规则 (升级时加入)")


def _v11_ratings_and_rectification(database: pw.Database) -> None:
    """好差评 imports, rectification items with deadlines in working days, and the holiday calendar. The
    tables as v11 made them, never the current models."""

    class CalendarDayV11(pw.Model):
        day = pw.DateField(unique=True)
        kind = pw.CharField()
        name = pw.CharField(default="")

        class Meta:
            table_name = "calendar_day"

    class RatingImportV11(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        month = pw.CharField()
        file_name = pw.CharField()
        rows = pw.IntegerField()
        new = pw.IntegerField()
        duplicates = pw.IntegerField()
        unmatched = pw.IntegerField()
        imported_by = pw.CharField()
        imported_at = pw.DateTimeField()

        class Meta:
            table_name = "rating_import"

    class RatingV11(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        month = pw.CharField(index=True)
        batch = pw.ForeignKeyField(RatingImportV11, on_delete="CASCADE")
        row_key = pw.CharField()
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
            table_name = "rating"
            indexes = ((("centre", "row_key"), True),)

    class RectificationV11(pw.Model):
        centre = pw.ForeignKeyField(Centre, on_delete="CASCADE")
        staff = pw.ForeignKeyField(Staff, null=True, on_delete="SET NULL")
        window = pw.ForeignKeyField(Window, null=True, on_delete="SET NULL")
        source = pw.CharField()
        source_ref = pw.CharField()
        what = pw.TextField()
        clause = pw.CharField(default="")
        opened_on = pw.DateField()
        due_on = pw.DateField(index=True)
        state = pw.CharField(default="open")
        closed_on = pw.DateField(null=True)
        closed_by = pw.CharField(default="")
        close_note = pw.TextField(default="")
        close_photo = pw.CharField(default="")

        class Meta:
            table_name = "rectification"
            indexes = ((("centre", "source_ref"), True),)

    frozen = [CalendarDayV11, RatingImportV11, RatingV11, RectificationV11]
    with database.bind_ctx(frozen, bind_refs=False, bind_backrefs=False):
        database.create_tables(frozen)



def _v12_rectification_items(database: pw.Database) -> None:
    """Rectification items for faults found on patrol: the checklist item, and how often it recurred."""
    m = schema_migrator(database)
    migrate(m.add_column("rectification", "item_code", pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])),
            m.add_column("rectification", "repeats", pw.IntegerField(default=0, constraints=[pw.SQL("DEFAULT 0")])),
            m.add_index("rectification", ("item_code",), False))



def protect_audit(database: pw.Database) -> None:
    """Triggers that make the audit trail append-only, whatever writes to the database."""
    if isinstance(database, pw.SqliteDatabase):
        for op in ("UPDATE", "DELETE"):
            database.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS audit_entry_no_{op.lower()} BEFORE {op} ON audit_entry "
                "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END")
    else:
        database.execute_sql(
            "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit trail is append-only'; END; $$ LANGUAGE plpgsql")
        database.execute_sql("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        database.execute_sql("CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
                             "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()")


# version reached -> the step that reaches it from version - 1. Never edit old ones; a new version's step
# goes in app.storage.later_migration_steps (app.storage.migrations joins the two).
STEPS: dict[int, Callable[[pw.Database], None]] = {2: _v2_patrol_rounds, 3: _v3_results_packages,
                                                    4: _v4_audit_and_lockout, 5: _v5_device_keys,
                                                    6: _v6_id_card_keys, 7: _v7_rules_by_date,
                                                    8: _v8_district, 9: _v9_centre_checklists,
                                                    10: _v10_assessment, 11: _v11_ratings_and_rectification,
                                                    12: _v12_rectification_items}
