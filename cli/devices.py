"""Enrolling laptops: the office's device register, and a laptop's set-up from its file."""

from __future__ import annotations

import datetime as dt

from app.errors import PatrolError
from cli.common import centre_of, emit


def cmd_enrol(args) -> int:
    from app.exchange.enrolment import delete_reminder, enrol
    from app.storage.db import open_database

    open_database(args.db)
    done = enrol(args.file)
    print(f"本机已登记为 {done.centre} 的设备 {done.device} ({done.key_id}): {done.windows} 个窗口, {done.staff} 名工作人员")
    print(f"可登录的巡查员: {', '.join(done.inspectors)}")
    print(f"管理端密钥指纹: {done.office_fingerprint} (请与管理员核对); 本机安装编号 {done.installation}")
    print(delete_reminder(args.file, done))
    return 0


def cmd_devices(args) -> int:
    from app.exchange import devices
    from app.storage.db import open_database

    open_database(args.db, create=False)
    from cli.common import acting_user

    user = acting_user(args, "manager")  # again after the reopen: the centre in view is the user's
    if args.action == "enrol":
        done = devices.enrol_device(user, args.name, args.inspectors.split(","), args.out, args.reason,
                                    centre_id=centre_of(args))
        print(f"已登记设备 {done.name} ({done.key_id}), 巡查员 {', '.join(done.inspectors)} → {done.path}")
        print(f"在该笔记本上运行: main.py enrol {done.path.name}; 管理端密钥指纹 {done.fingerprint}")
        print("设置文件含该设备的私钥, 请像密码一样保管, 登记后删除")
        return 0
    if args.action == "revoke":
        device = devices.revoke_device(user, args.device, args.reason, centre_id=centre_of(args))
        print(f"已注销设备 {device.name} ({device.key_id}); 此后它的结果包和打印件不再被接受, 之前导入的记录保留并标注")
        return 0
    if args.action == "inspectors":
        device = devices.set_device_inspectors(user, args.device, args.set.split(","), args.reason, centre_id=centre_of(args))
        print(f"设备 {device.name} ({device.key_id}) 的巡查员: {', '.join(device.inspector_names)}; "
              f"写更新文件 (devices update {device.key_id} --out ...) 带到笔记本上后生效")
        return 0
    if args.action == "update":
        from app.exchange import update_file

        today = dt.date.today()
        if args.all == bool(args.device):
            raise PatrolError("请指定一台设备的密钥编号, 或用 --all 为每台笔记本各写一个")
        written = (update_file.write_updates(user, args.out, today, centre_id=centre_of(args)) if args.all
                   else [update_file.write_update(user, args.device, args.out, today, centre_id=centre_of(args))])
        for w in written:
            print(f"已写出 {w.device} ({w.key_id}) 的第 {w.number} 号更新: 待复查 {w.rechecks} 项、考察期 {w.probation} 人 → {w.path}")
        print("在笔记本上运行: main.py import update 文件.wpu (或在 数据交换 页导入)")
        return 0
    if args.action == "end-legacy":
        devices.end_legacy_key(user, args.reason, centre_id=centre_of(args))
        print("已停用升级前的共享密钥: 旧格式结果包和旧核验码不再被接受")
        return 0
    rows = devices.device_rows(user, centre_id=centre_of(args))
    objects = [{"key_id": r.key_id, "name": r.name, "inspectors": list(r.inspectors), "status": r.status,
                "enrolled_at": r.enrolled_at.isoformat(sep=" "), "enrolled_by": r.enrolled_by,
                "revoked_at": r.revoked_at.isoformat(sep=" ") if r.revoked_at else None, "revoke_reason": r.revoke_reason,
                "inspections": r.inspections, "packages": r.packages} for r in rows]
    table = [[r.key_id, r.name, ", ".join(r.inspectors), r.status, f"{r.enrolled_at:%Y-%m-%d}", r.inspections, r.packages,
              r.revoke_reason] for r in rows]
    emit(args.format, ["密钥", "名称", "巡查员", "状态", "登记日期", "记录数", "结果包", "注销理由"], table, objects)
    if args.format == "table" and devices.legacy_key_active(centre_id=centre_of(args)):
        print("注意: 升级前的共享密钥仍在使用 (旧结果包和旧核验码仍被接受); 笔记本都重新登记后请运行 devices end-legacy")
    return 0
