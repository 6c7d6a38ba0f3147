"""peewee models of the whole domain, bound to the one proxy in app.storage.db."""

from __future__ import annotations

import datetime as dt
import uuid

import peewee as pw

from app.storage.db import db


def now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def change_time() -> dt.datetime:
    """When a record changed, to the microsecond: "changed since the last export" must not miss an
    edit made in the same second as the export."""
    return dt.datetime.now()


class BaseModel(pw.Model):
    class Meta:
        database = db
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = pw.IntegerField()
    applied_at = pw.DateTimeField(default=now)


class Centre(BaseModel):
    """A service centre: a unit of a district (schema v8: a database holds a district of centres)."""

    code = pw.CharField(unique=True)
    name = pw.CharField()
    # The HMAC key laptops shared before schema v5 (per-device keys). Kept only to verify packages and
    # paper made before the upgrade, until a manager ends it (then ""); new centres have none.
    signing_key = pw.CharField(default="")
    created_at = pw.DateTimeField(default=now)
    kind = pw.CharField(default="district", constraints=[pw.SQL("DEFAULT 'district'")])  # app.centres.district.KINDS
    sort_order = pw.IntegerField(default=0, constraints=[pw.SQL("DEFAULT 0")])


class Setting(BaseModel):
    """A centre's settings (schema v8: each centre of a district has its own)."""

    centre = pw.ForeignKeyField(Centre, null=True, on_delete="CASCADE")
    key = pw.CharField()
    value = pw.TextField()  # JSON

    class Meta:
        indexes = ((("centre", "key"), True),)


class Area(BaseModel):
    centre = pw.ForeignKeyField(Centre, backref="areas", on_delete="CASCADE")
    code = pw.CharField()
    name = pw.CharField()

    class Meta:
        indexes = ((("centre", "code"), True),)


class Window(BaseModel):
    area = pw.ForeignKeyField(Area, backref="windows")
    # The area's centre, kept on the window (schema v8): codes are unique within a centre, and every
    # centre-scoped query filters on it without joining the area.
    centre = pw.ForeignKeyField(Centre, null=True, backref="windows", index=True)
    code = pw.CharField()
    name = pw.CharField()
    window_type = pw.CharField()
    department = pw.CharField(default="")
    active = pw.BooleanField(default=True)

    class Meta:
        indexes = ((("centre", "code"), True),)

    def save(self, *args, **kwargs):
        if self.centre_id is None and self.area_id is not None:
            self.centre_id = Area.get_by_id(self.area_id).centre_id
        return super().save(*args, **kwargs)


class Staff(BaseModel):
    employee_no = pw.CharField(unique=True)
    name = pw.CharField()
    gender = pw.CharField(max_length=1)  # M / F
    party_member = pw.BooleanField(default=False)
    employer = pw.CharField(default="")  # labour agency or the department itself
    window = pw.ForeignKeyField(Window, backref="staff", null=True, on_delete="SET NULL")
    post = pw.CharField(max_length=1, default="A")  # A / B
    status = pw.CharField(default="active")
    # Keyed hash of the ID-card number (schema v6), to match a roster without employee numbers; the
    # number itself is never stored (app.people.roster_matching).
    id_card_key = pw.CharField(default="", index=True, constraints=[pw.SQL("DEFAULT ''")])
    # The centre the person works at now (schema v8). One record per person in a district: a move to
    # another centre changes this, and their history stays with them.
    centre = pw.ForeignKeyField(Centre, null=True, backref="staff", index=True)

    def save(self, *args, **kwargs):
        if self.centre_id is None:
            if self.window_id is not None:
                self.centre_id = Window.get_by_id(self.window_id).centre_id
            else:
                from app.centres import scope

                self.centre_id = scope.centre_id()
        return super().save(*args, **kwargs)


class User(BaseModel):
    username = pw.CharField(unique=True)
    display_name = pw.CharField()
    role = pw.CharField()  # inspector / manager
    password_hash = pw.CharField()
    active = pw.BooleanField(default=True)
    created_at = pw.DateTimeField(default=now)
    failed_logins = pw.IntegerField(default=0)  # schema v4: repeated wrong passwords lock the account
    locked_until = pw.DateTimeField(null=True)
    # The centre the account belongs to (schema v8); None: the district's (a district manager sees every
    # centre; a district inspector, the 明查暗访 team, inspects any centre).
    centre = pw.ForeignKeyField(Centre, null=True, backref="users")


class Checklist(BaseModel):
    code = pw.CharField(unique=True)
    name = pw.CharField()
    # Schema v9. None: the district's (every centre may adopt it); a centre: that centre's own, which
    # extends the district checklist named in `base` (its code is `<base>.<centre code>`).
    centre = pw.ForeignKeyField(Centre, null=True, backref="checklists", on_delete="CASCADE")
    base = pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])


class ChecklistVersion(BaseModel):
    checklist = pw.ForeignKeyField(Checklist, backref="versions", on_delete="CASCADE")
    version = pw.IntegerField()
    content_hash = pw.CharField()
    source = pw.CharField(default="")  # where it was loaded from
    loaded_at = pw.DateTimeField(default=now)
    # Schema v9: for a centre's own checklist, the district version it was built on.
    base_version = pw.ForeignKeyField("self", null=True, backref="extensions", on_delete="SET NULL")

    class Meta:
        indexes = ((("checklist", "version"), True), (("checklist", "content_hash"), True))


class Category(BaseModel):
    version = pw.ForeignKeyField(ChecklistVersion, backref="categories", on_delete="CASCADE")
    code = pw.CharField()
    name = pw.CharField()
    weight = pw.FloatField(null=True)  # points of 100 when the scheme is weighted
    sort_order = pw.IntegerField(default=0)
    source_file = pw.CharField(default="")

    class Meta:
        indexes = ((("version", "code"), True),)


class Item(BaseModel):
    version = pw.ForeignKeyField(ChecklistVersion, backref="items", on_delete="CASCADE")
    category = pw.ForeignKeyField(Category, backref="items", on_delete="CASCADE")
    code = pw.CharField()
    text = pw.TextField()
    source = pw.CharField()  # id of a source document (checklists/sources.toml)
    clause = pw.CharField()
    deduction = pw.FloatField(default=0)
    severity = pw.CharField(default="normal")
    kind = pw.CharField(default="check")  # check / bonus
    gender = pw.CharField(default="any")  # any / M / F
    party_only = pw.BooleanField(default=False)
    window_types = pw.CharField(default="")  # comma-separated; empty means every type
    disqualifies_award = pw.BooleanField(default=False)  # seed 004 五: removes from awards
    sort_order = pw.IntegerField(default=0)

    class Meta:
        indexes = ((("version", "code"), True),)


class PatrolRound(BaseModel):
    """One walk of the hall by an inspector over an area's windows (schema v2)."""

    inspector = pw.ForeignKeyField(User, backref="rounds")
    area = pw.ForeignKeyField(Area, null=True, backref="rounds")
    checklist_code = pw.CharField(default="WINDOW")
    started_at = pw.DateTimeField(default=now)
    finished_at = pw.DateTimeField(null=True)


class Inspection(BaseModel):
    uuid = pw.CharField(unique=True, default=lambda: str(uuid.uuid4()))
    revision = pw.IntegerField(default=1)
    window = pw.ForeignKeyField(Window, backref="inspections")
    staff = pw.ForeignKeyField(Staff, backref="inspections", null=True)
    inspector = pw.ForeignKeyField(User, backref="inspections")
    method = pw.CharField(default="onsite")
    observed_at = pw.DateTimeField()  # when the conduct happened (video time for 视频抽查)
    started_at = pw.DateTimeField(default=now)
    finished_at = pw.DateTimeField(null=True)
    checklist_version = pw.ForeignKeyField(ChecklistVersion, backref="inspections")
    round = pw.ForeignKeyField(PatrolRound, null=True, backref="inspections", on_delete="SET NULL")
    status = pw.CharField(default="draft")
    note = pw.TextField(default="")
    # Stored when finalised (recomputable from the item results) so rankings never scan items.
    score = pw.FloatField(null=True)
    bonus = pw.FloatField(default=0)
    deductions = pw.FloatField(default=0)
    vetoed = pw.BooleanField(default=False)
    passed = pw.BooleanField(null=True)
    grade = pw.CharField(default="")
    updated_at = pw.DateTimeField(default=change_time)
    # SHA-256 of the finalised record as it travels in results packages (schema v3): equal hashes
    # mean the same content, so re-importing a package is a lookup, not a comparison.
    content_hash = pw.CharField(default="")
    # Key id of the enrolled device whose signed package brought this record here (schema v5); "" when
    # it was made in this database. A revoked device's records stay, marked by it.
    source_device = pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])  # raw bulk inserts omit it

    class Meta:
        indexes = (
            (("status", "observed_at"), False),
            (("staff", "observed_at"), False),
            (("window", "observed_at"), False),
        )


class ItemResult(BaseModel):
    inspection = pw.ForeignKeyField(Inspection, backref="results", on_delete="CASCADE")
    item = pw.ForeignKeyField(Item, backref="results")
    result = pw.CharField()  # pass / fail / na
    note = pw.TextField(default="")
    photos = pw.TextField(default="")  # newline-separated content hashes

    class Meta:
        indexes = ((("inspection", "item"), True),)


class ProbationCase(BaseModel):
    staff = pw.ForeignKeyField(Staff, backref="probation_cases")
    opening_inspection = pw.ForeignKeyField(Inspection, backref="opened_cases", null=True)
    opened_on = pw.DateField()
    ends_on = pw.DateField()
    required_rechecks = pw.IntegerField()
    status = pw.CharField(default="open")
    closed_at = pw.DateTimeField(null=True)
    decided_by = pw.ForeignKeyField(User, null=True, backref="probation_decisions")
    decision_reason = pw.TextField(default="")

    class Meta:
        indexes = ((("status", "ends_on"), False), (("staff", "status"), False))


class ProbationEvent(BaseModel):
    case = pw.ForeignKeyField(ProbationCase, backref="events", on_delete="CASCADE")
    at = pw.DateTimeField(default=now)
    kind = pw.CharField()
    inspection = pw.ForeignKeyField(Inspection, null=True, backref="probation_events")
    user = pw.ForeignKeyField(User, null=True, backref="probation_events")
    cause = pw.TextField(default="")


class InspectionHistory(BaseModel):
    """Versions of an inspection that are not the current one: replaced by a newer revision, or an
    import that conflicted with it (schema v3). Nothing an inspector finalised is ever lost."""

    uuid = pw.CharField(index=True)
    revision = pw.IntegerField()
    kind = pw.CharField()  # replaced / conflict
    content = pw.TextField()  # the record as JSON, as in a results package
    content_hash = pw.CharField()
    source = pw.CharField(default="")  # package file or "app"
    recorded_at = pw.DateTimeField(default=now)


class ImportLog(BaseModel):
    """Each results package imported: what it was and what it changed (schema v3)."""

    package_sha256 = pw.CharField(index=True)
    file_name = pw.CharField()
    device_id = pw.CharField()
    centre_code = pw.CharField()
    imported_at = pw.DateTimeField(default=now)
    new = pw.IntegerField(default=0)
    updated = pw.IntegerField(default=0)
    unchanged = pw.IntegerField(default=0)
    conflicts = pw.IntegerField(default=0)


class AuditEntry(BaseModel):
    """Who changed what, when and why (schema v4). Append-only: database triggers refuse UPDATE and
    DELETE, and the app has no way to edit it. Names, not foreign keys, so entries outlive rows."""

    at = pw.DateTimeField(default=change_time, index=True)
    username = pw.CharField(index=True)
    action = pw.CharField(index=True)
    target = pw.CharField(default="")  # e.g. inspection:<uuid>, case:12, settings
    window_code = pw.CharField(default="", index=True)
    employee_no = pw.CharField(default="", index=True)
    old = pw.TextField(default="")  # JSON
    new = pw.TextField(default="")  # JSON
    reason = pw.TextField(default="")


class Identity(BaseModel):
    """This database's own Ed25519 key (schema v5): an office's, or an enrolled device's (a laptop).
    A device also keeps the office's public key, to check what the office signs."""

    role = pw.CharField()  # office / device
    key_id = pw.CharField(unique=True)
    private_key = pw.CharField()  # raw 32 bytes, hex
    public_key = pw.CharField()
    office_key_id = pw.CharField()
    office_public_key = pw.CharField()
    centre_code = pw.CharField()
    created_at = pw.DateTimeField(default=now)


class Device(BaseModel):
    """A laptop the office enrolled (schema v5): its public key and the inspectors it may carry.
    Revoked, never deleted: what it sent before stays, marked by its key id."""

    key_id = pw.CharField(unique=True)
    name = pw.CharField()
    public_key = pw.CharField()
    inspectors = pw.TextField()  # comma-separated usernames
    enrolled_at = pw.DateTimeField(default=now)
    enrolled_by = pw.CharField()
    revoked_at = pw.DateTimeField(null=True)
    revoked_by = pw.CharField(default="")
    revoke_reason = pw.TextField(default="")
    # A centre office's key, registered by the district (schema v8): its month packages are that centre's.
    centre_code = pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])

    @property
    def inspector_names(self) -> tuple[str, ...]:
        return tuple(n for n in self.inspectors.split(",") if n)


class RuleSet(BaseModel):
    """Grading and probation rules in force from a day (schema v7): always the first of a month, so
    one month is never graded by two rules. The latest set not after a day is the one in force on
    it; before the first set, the values in `setting` are."""

    centre = pw.ForeignKeyField(Centre, null=True, on_delete="CASCADE")  # schema v8
    effective_from = pw.DateField()
    values = pw.TextField()  # JSON of the rule settings (app.centres.settings.RULE_FIELDS)
    created_at = pw.DateTimeField(default=now)
    created_by = pw.CharField(default="")
    reason = pw.TextField(default="")

    class Meta:
        indexes = ((("centre", "effective_from"), True),)



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
    fingerprint = pw.CharField()  # of the window ranking as published (app.exchange.verify)
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

ALL_MODELS = [
    SchemaVersion,
    Centre,
    Setting,
    Area,
    Window,
    Staff,
    User,
    Checklist,
    ChecklistVersion,
    Category,
    Item,
    PatrolRound,
    Inspection,
    ItemResult,
    ProbationCase,
    ProbationEvent,
    InspectionHistory,
    ImportLog,
    AuditEntry,
    Identity,
    Device,
    RuleSet,
    PersonEvent,
    Vote,
    SchemeVersion,
    CalendarDay,
    RatingImport,
    Rating,
    Rectification,
    Appeal,
    Publication,
    Approval,
]
