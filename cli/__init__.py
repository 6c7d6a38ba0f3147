"""Command line of Window Patrol: scripted work for managers and for tests.

An entry like main.py, not core: it may import forms/ and exports/. Every sub-command takes --db
PATH-or-URL (or WINDOW_PATROL_DB). Who may run what is one table (cli.policy), enforced here before a
command runs. Bad input prints one line on stderr and exits with 2, having written nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.errors import PatrolError
from cli import assessment, centres, data, devices, loop, records, reports
from cli.common import EXIT_BAD_INPUT, acting_user
from cli.parser import build_parser
from cli.policy import rule_for


def cmd_selftest(args) -> int:
    from forms.selftest import run

    return run(args.keep)


COMMANDS = {
    "demo": data.cmd_demo, "checklists": data.cmd_checklists, "settings": data.cmd_settings,
    "import": data.cmd_import, "roster": data.cmd_roster, "enrol": devices.cmd_enrol, "devices": devices.cmd_devices,
    "rankings": reports.cmd_rankings, "awards": reports.cmd_awards, "probation": reports.cmd_probation,
    "pay": reports.cmd_pay, "inspections": reports.cmd_inspections, "export": reports.cmd_export,
    "verify": reports.cmd_verify, "amend": records.cmd_amend, "decide": records.cmd_decide,
    "backup": records.cmd_backup, "restore": records.cmd_restore, "audit": records.cmd_audit,
    "conflicts": records.cmd_conflicts, "selftest": cmd_selftest, "centres": centres.cmd_centres,
    "conduct": assessment.cmd_register, "praise": assessment.cmd_register, "votes": assessment.cmd_votes,
    "schemes": assessment.cmd_schemes, "assess": assessment.cmd_assess,
    "rectifications": loop.cmd_rectifications, "rectify": loop.cmd_rectify, "calendar": loop.cmd_calendar,
    "appeal": loop.cmd_appeal, "publish": loop.cmd_publish, "approvals": loop.cmd_approvals,
}


def _sign_in_first(args) -> None:
    """Commands that write (or read what only a manager may) sign in before anything else happens."""
    rule = rule_for(args)
    if rule.level not in ("inspector", "manager"):
        return
    if not args.user:
        who = "管理员" if rule.level == "manager" else "巡查员或管理员"
        raise PatrolError(f"此命令需要 --user 用户名 ({who}): {rule.why}")
    from app.storage.db import open_database

    open_database(args.db, create=False)
    acting_user(args, rule.level)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.user = getattr(args, "user", None)
    args.acting = None
    if args.command is None:
        from forms import system_check  # plain Python: before Qt tries to open a screen

        missing = system_check.missing_libraries() if system_check.uses_xcb() else []
        if missing:
            print(system_check.message(missing), file=sys.stderr)
            return 2
        from forms.app import run  # Qt only for the desktop app, so scripts start fast

        return run(args.db)
    from app.storage.faults import quiet_unraisable
    from app.storage.locations import default_data_dir

    quiet_unraisable(default_data_dir())
    try:
        _sign_in_first(args)
        return COMMANDS[args.command](args)
    except PatrolError as exc:
        lines = str(exc).splitlines() or ["未知错误"]
        print(f"错误: {lines[0]}" + (f" (另有 {len(lines) - 1} 处问题)" if len(lines) > 1 else ""), file=sys.stderr)
        for line in lines[1:]:
            print(f"  {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 — a locked, full or damaged database: one line, never a traceback
        from app.storage.faults import classify, log
        from app.storage.locations import default_data_dir

        fault = classify(exc)
        logged = log(exc, default_data_dir()) if fault.kind == "internal" else None
        print(f"错误: {fault.message}" + (f" (详情已记入 {logged})" if logged else ""), file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        from app.storage.db import close_database

        close_database()
