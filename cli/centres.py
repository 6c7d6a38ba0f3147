"""Commands for a district of centres: list and add centres (ranking them is `rankings --by centre`)."""

from __future__ import annotations

from app.errors import PatrolError
from app.results import centre_ranking
from app.rounding import fixed, percent
from cli import output
from cli.common import acting_user, centre_of, emit


def cmd_centres(args) -> int:
    from app.centres import district
    from app.setup.centres import add_centre
    from app.storage.db import open_database

    open_database(args.db, create=False)
    if args.action == "add":
        user = acting_user(args, "manager")
        centre = add_centre(user, args.code, args.name, args.kind, args.reason)
        print(f"已增加{district.KINDS[centre.kind]} {centre.code} {centre.name}")
        return 0
    if args.action == "office-key":
        from app.centres.centre import current_centre
        from app.keys import identity, signing

        me = identity.local()
        if me is None or me.role != "office":
            raise PatrolError("本数据库不是管理端 (笔记本不向全区报送)")
        print(f"中心: {current_centre(centre_id=centre_of(args)).code} {current_centre(centre_id=centre_of(args)).name}")
        print(f"密钥编号: {me.key_id}")
        print(f"公钥: {me.public_key}")
        print(f"指纹: {signing.fingerprint(me.public_key)} (区级登记时请核对)")
        return 0
    if args.action == "trust":
        from app.exchange.centre_package import trust_office
        from app.keys import signing

        device = trust_office(acting_user(args, "manager"), args.code, args.key_id, args.public_key, args.reason)
        print(f"已登记 {device.name} ({device.key_id}), 指纹 {signing.fingerprint(device.public_key)}")
        return 0
    import peewee as pw

    from app.storage.models import Staff, Window

    windows = dict(Window.select(Window.centre, pw.fn.COUNT(Window.id)).where(Window.active == True)  # noqa: E712
                   .group_by(Window.centre).tuples())
    staff = dict(Staff.select(Staff.centre, pw.fn.COUNT(Staff.id)).where(Staff.status == "active")
                 .group_by(Staff.centre).tuples())
    rows = [[c.code, c.name, district.KINDS.get(c.kind, c.kind), windows.get(c.id, 0), staff.get(c.id, 0)]
            for c in district.centres()]
    print(output.table(["编码", "名称", "类型", "窗口", "在岗人员"], rows))
    return 0


CENTRE_HEADERS = ["名次", "编码", "中心", "类型", "平均分", "巡查次数", "覆盖率", "合格率", "新开考察", "解除考察", "考察期人员占比"]


def rank_centres(args, period) -> int:
    """`rankings --by centre`: the district's centres ranked as units, with the method under the table."""
    from app.centres import district

    if args.user:
        district.require_district_manager(acting_user(args, "manager"))
    rows = centre_ranking.rank_centres(period)
    table = [[r.rank or "—", r.code, r.name, r.kind, "" if r.average_score is None else fixed(r.average_score),
              r.inspections, percent(r.coverage), percent(r.pass_rate), r.cases_opened, r.cases_closed,
              percent(r.probation_share)] for r in rows]
    if args.format == "table":
        print(f"{period.label} 各中心排名")
    emit(args.format, CENTRE_HEADERS if args.format == "table" else list(rows[0].as_dict()) if rows else [],
         table if args.format == "table" else [list(r.as_dict().values()) for r in rows], [r.as_dict() for r in rows])
    if args.format == "table":
        print(f"排名方法: {centre_ranking.METHOD}。")
    return 0
