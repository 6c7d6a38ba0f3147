"""A centre's checklist: a district checklist it adopts, or its own extension of one.

The district's checklists (the shipped ones, or what the district's manager loads) hold for every
centre. A centre may adopt any of them for its patrols, or extend one with items of its own (a
street centre's 自助服务区, a branch's 24-hour area): its own checklist is then the district one plus
those items, coded `<district code>.<centre code>`. The district's items cannot be changed or dropped
by a centre; the district's standards are the floor. When the district publishes a new version, each
centre's extension is built again on it in the same transaction, so a centre never patrols on an
outdated district standard.
"""

from __future__ import annotations

from dataclasses import replace

from peewee import JOIN

from app.centres import scope
from app.centres.settings import load_settings, save_settings
from app.centres.settings import require_usable_checklist as require_usable
from app.errors import ChecklistError, PermissionDenied
from app.patrolling.checklists import ChecklistDef, definition_of, latest_version, store
from app.roles import require_role
from app.storage.models import Centre, Checklist, ChecklistVersion
from app.storage.proxy import db


def in_use(centre_id=scope.SOLE) -> str:
    """The code of the checklist a centre patrols with."""
    return load_settings(None, centre_id).checklist


def compose(base: ChecklistDef, extension: ChecklistDef, centre: Centre) -> ChecklistDef:
    """The district checklist with the centre's items added: into the district's categories with the
    same code, or in new categories after them. Raises ChecklistError listing every problem."""
    errors: list[str] = []
    base_items = {i.code: i for i in base.items}
    base_categories = {c.code for c in base.categories}
    weighted = any(c.weight is not None for c in base.categories)
    added: dict[str, list] = {}
    new_categories = []
    for category in extension.categories:
        for item in category.items:
            if item.code not in base_items:
                added.setdefault(category.code, []).append(item)
            elif item != base_items[item.code]:
                errors.append(f"{category.source_file or extension.code}: 检查项 {item.code} 是区级检查项, "
                              "本中心不能修改 (只能增加检查项; 请换一个编号)")
        if category.code not in base_categories and category.code in added:
            if weighted and any(i.kind != "bonus" for i in added[category.code]):
                errors.append(f"{category.source_file or extension.code}: 分类 {category.code}: 区级检查表按分类权重计分, "
                              "本中心只能在已有分类中增加扣分项, 或增加加分分类")
            new_categories.append(category)
    if not added and not errors:
        errors.append(f"扩展 {base.code}: 没有新增检查项 (文件中的检查项都已在区级检查表中)")
    if errors:
        raise ChecklistError("\n".join(errors))
    last = max((c.order for c in base.categories), default=0)
    categories = [replace(c, items=c.items + tuple(added.get(c.code, ()))) for c in base.categories]
    categories += [replace(c, order=last + n, items=tuple(added[c.code])) for n, c in enumerate(new_categories, 1)]
    return ChecklistDef(f"{base.code}.{centre.code}", f"{base.name}（{centre.name}）", categories, base=base.code)


def extension_of(version: ChecklistVersion) -> ChecklistDef:
    """What a centre's version adds to the district version it was built on."""
    base = {i.code for i in definition_of(version.base_version).items}
    own = definition_of(version)
    categories = [replace(c, items=tuple(i for i in c.items if i.code not in base)) for c in own.categories]
    return ChecklistDef(own.base, own.name, [c for c in categories if c.items], base=own.base)


def extend(extension: list[ChecklistDef], user, reason: str = "", source: str = "",
           centre_id=scope.SOLE) -> tuple[ChecklistVersion, bool]:
    """Add the centre's own items to a district checklist; the centre then patrols with the result.
    `extension` is category files (or a workbook) naming the district checklist they extend; items
    the district already has are taken as they are. Loading the same extension again changes nothing."""
    require_role(user, "manager")
    centre = Centre.get_by_id(scope.require_centre(centre_id, "扩展检查表"))
    if user.centre_id is not None and user.centre_id != centre.id:
        raise PermissionDenied(f"该账号不能扩展{centre.name}的检查表")
    if len(extension) != 1:
        raise ChecklistError("一次只能扩展一个区级检查表 (文件中的 checklist 须相同)")
    wanted = extension[0].code
    if "." in wanted and Checklist.get_or_none((Checklist.code == wanted) & (Checklist.centre == centre.id)):
        wanted = Checklist.get(Checklist.code == wanted).base  # a re-import of the centre's own workbook
    base = Checklist.get_or_none((Checklist.code == wanted) & Checklist.centre.is_null())
    if base is None:
        raise ChecklistError(f"{extension[0].code} 不是区级检查表, 不能扩展 (区级: "
                             + "、".join(c for (c,) in Checklist.select(Checklist.code).where(Checklist.centre.is_null())
                                        .order_by(Checklist.code).tuples()) + ")")
    base_version = latest_version(base.code)
    composed = compose(definition_of(base_version), replace(extension[0], code=base.code), centre)
    with db.atomic():
        ((version, created),) = store([composed], source=source, user=user, reason=reason, owner=centre,
                                         base_version=base_version)
        adopt(composed.code, user, reason or "使用本中心扩展的检查表", centre.id)
    return version, created


def adopt(code: str, user, reason: str, centre_id=scope.SOLE) -> bool:
    """A centre patrols with this checklist from now on; False when it already does."""
    centre_id = scope.require_centre(centre_id, "选定检查表")
    require_usable(code, centre_id)
    settings = load_settings(None, centre_id)
    if settings.checklist == code:
        return False
    settings.checklist = code
    save_settings(settings, user, reason, centre_id=centre_id)
    return True


def rebuild_extensions(base_version: ChecklistVersion, user, reason: str) -> list[tuple[ChecklistVersion, bool]]:
    """Every centre's extension of this district checklist, built again on its new version (called in
    the district's load, inside its transaction: a clash refuses the whole load)."""
    out = []
    base = definition_of(base_version)
    owned = Checklist.select(Checklist, Centre).join(Centre).where(Checklist.base == base_version.checklist.code)
    for checklist in owned:
        latest = latest_version(checklist.code)
        if latest is None or latest.base_version_id is None or latest.base_version_id == base_version.id:
            continue  # built elsewhere (a centre's package) on a version this database does not hold
        try:
            composed = compose(base, extension_of(latest), checklist.centre)
        except ChecklistError as exc:
            raise ChecklistError(f"{checklist.centre.name}在 {base.code} 上扩展的检查项与新版本冲突:\n{exc}") from None
        out += store([composed], source=f"随区级 {base.code} 第{base_version.version}版重建", user=user,
                        reason=reason or f"区级 {base.code} 第{base_version.version}版", owner=checklist.centre,
                        base_version=base_version)
    return out


def checklist_rows(centre_id=scope.SOLE) -> list[tuple[str, str, str, int]]:
    """(code, name, whose, newest version) of the checklists a centre may use, the district's first."""
    centre_id = scope.resolve(centre_id)
    rows = []
    query = (Checklist.select(Checklist, Centre).join(Centre, JOIN.LEFT_OUTER).where(scope.checklists(centre_id))
             .order_by(Checklist.centre.is_null(False), Checklist.code))
    for c in query:
        whose = "区级" if c.centre_id is None else ("本中心" if c.centre_id == centre_id else c.centre.name)
        version = latest_version(c.code)
        rows.append((c.code, c.name, whose, version.version if version else 0))
    return rows


def versions(centre_id=scope.SOLE) -> list[ChecklistVersion]:
    """Every version of the checklists a centre may use (the district's and its own), by code."""
    return list(ChecklistVersion.select(ChecklistVersion, Checklist).join(Checklist)
                .where(scope.checklists(centre_id)).order_by(Checklist.code, ChecklistVersion.version))
