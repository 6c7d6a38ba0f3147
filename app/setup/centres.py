"""A new centre: the centre row, its settings, the shipped checklists, the seeds' scheme and (for an
office) its own signing key, in one transaction; or, in a district, a centre the district manager adds,
starting on the district centre's settings and schedule of rules."""

from __future__ import annotations

from app import audit
from app.assessment.schemes import ensure_default
from app.centres.district import KINDS, centres, require_district_manager
from app.centres.settings import CentreSettings, load_settings, save_settings
from app.errors import PatrolError
from app.keys.identity import ensure_office_identity
from app.patrolling.checklist_versions import ensure_shipped
from app.storage.models import Centre, RuleSet, Setting, User
from app.storage.proxy import db


def create_centre(code: str, name: str, settings: CentreSettings | None = None) -> Centre:
    """Create the centre (an office: with its own signing key) with its settings and the shipped
    checklists, in one transaction."""
    with db.atomic():
        centre = Centre.create(code=code, name=name)
        save_settings(settings or load_settings(None, centre.id), centre_id=centre.id)
        ensure_shipped()
        ensure_office_identity()
        ensure_default(centre.id)
    return centre


def add_centre(user: User, code: str, name: str, kind: str, reason: str) -> Centre:
    """A district manager adds a centre; it starts with the district centre's settings."""
    require_district_manager(user)
    reason = audit.require_reason(reason)
    code, name = code.strip().upper(), name.strip()
    if kind not in KINDS:
        raise PatrolError(f"中心类型须为: {'、'.join(f'{k} ({v})' for k, v in KINDS.items())}")
    if not code or not name or len(code) > 20 or len(name) > 60:
        raise PatrolError("中心编码 (至多 20 个字符) 和名称 (至多 60 个字符) 不能为空")
    if Centre.get_or_none(Centre.code == code) is not None:
        raise PatrolError(f"中心编码 {code} 已存在")
    first = centres()[0] if centres() else None
    with db.atomic():
        centre = Centre.create(code=code, name=name, kind=kind, sort_order=Centre.select().count())
        if first is not None:  # the settings and the whole schedule of rules, past and to come
            for row in Setting.select().where(Setting.centre == first.id):
                Setting.create(centre=centre, key=row.key, value=row.value)
            for rules in RuleSet.select().where(RuleSet.centre == first.id):
                RuleSet.create(centre=centre, effective_from=rules.effective_from, values=rules.values,
                               created_by=rules.created_by, reason=rules.reason)
        ensure_default(centre.id)
        audit.record(user, "centre.add", f"centre:{code}", new={"code": code, "name": name, "kind": KINDS[kind]},
                     reason=reason)
    return centre
