"""The tables of the patrol, the roster, probation, the audit trail and the keys (schema v1–v9)."""

from __future__ import annotations

import datetime as dt
import uuid

import peewee as pw

from app.storage.proxy import db


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
        # A person without a centre named works at their window's centre; one with neither is the
        # caller's to place (storage knows no centre in view).
        if self.centre_id is None and self.window_id is not None:
            self.centre_id = Window.get_by_id(self.window_id).centre_id
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
    """Versions of an inspection that are not the current one: replaced by a newer revision, or
    brought by an import that conflicted with it (schema v3). Nothing an inspector finalised is ever lost."""

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
    # Schema v14: the centre the entry concerns ("" for the district's own acts), so a centre's manager
    # reads their centre's trail only.
    centre_code = pw.CharField(default="", index=True, constraints=[pw.SQL("DEFAULT ''")])


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
    # Schema v16: this enrolment's own random id, carried in the laptop's packages. A set-up file enrolled
    # twice gives two installations of one key; the office tells them apart by it.
    installation = pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])


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
    # Schema v14: the centre a laptop was enrolled for; its packages and paper speak for that centre only.
    laptop_centre = pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])
    # Schema v16: the number of the last update the office wrote for this laptop (0: none yet).
    updates_written = pw.IntegerField(default=0, constraints=[pw.SQL("DEFAULT 0")])
    # Schema v16: the installation of this key whose package the office imported first, and when.
    installation = pw.CharField(default="", constraints=[pw.SQL("DEFAULT ''")])
    installation_seen = pw.DateTimeField(null=True)

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
