"""What every command shares: the --db/--user options, signing in, output formats, periods."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from app import periods
from app.context import Context
from app.errors import PatrolError
from cli import output

EXIT_BAD_INPUT = 2


def db_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a sub-command's own --db default must not hide one given before the sub-command.
    parent.add_argument("--db", metavar="PATH-or-URL", default=argparse.SUPPRESS,
                        help="SQLite 文件路径或 postgresql:// 地址 (默认: 环境变量 WINDOW_PATROL_DB 或用户数据目录)")
    parent.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help="以该用户身份执行写操作; 密码取自环境变量 WINDOW_PATROL_PASSWORD, 否则在终端询问")
    parent.add_argument("--centre", metavar="CODE", default=argparse.SUPPRESS,
                        help="全区数据库中要操作的中心 (中心编码; 只有一个中心时不需要)")
    return parent


PASSWORD_ENV = "WINDOW_PATROL_PASSWORD"


def acting_user(args, role: str):
    """The signed-in user a write command acts as, with the role it needs (enforced in the core too)."""
    import getpass
    import os

    from app.people.accounts import authenticate
    from app.roles import require_role

    cached = getattr(args, "acting", None)
    if cached is not None:
        require_role(cached, role)
        return cached
    if not args.user:
        raise PatrolError(f"此命令会修改数据, 需要 --user 用户名 ({'管理员' if role == 'manager' else '巡查员或管理员'})")
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise PatrolError(f"需要 {args.user} 的密码: 请在终端运行, 或设置环境变量 {PASSWORD_ENV}")
        password = getpass.getpass(f"{args.user} 的密码: ")
    user = authenticate(args.user, password)
    require_role(user, role)
    from app.centres import scope

    scope.first_view(user, getattr(args, "centre", None))  # a centre's account asking for another is refused here
    args.acting = user  # one sign-in per command: the password is asked once
    return user


def centre_of(args) -> int | None:
    """The centre a command acts for: the signed-in account's own; for a district account (or a script
    without --user) the one --centre names, else the whole district (None) — or, in a database of one
    centre, that centre."""
    from app.centres import scope

    return scope.first_view(getattr(args, "acting", None), getattr(args, "centre", None))


def context(args) -> Context:
    """Who acts (the signed-in user, if any), for which centre, today: handed to the core."""
    return Context(getattr(args, "acting", None), centre_of(args), dt.date.today())


def management_view(args) -> None:
    """Rankings, awards, pay lists and probation cases are management's: with --user, a manager only.
    (Without --user a script reads as the database file's owner.)"""
    if args.user:
        acting_user(args, "manager")


def format_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=output.FORMATS, default="table", help="输出格式 (默认 table)")


def period_of(args) -> periods.Period:
    if getattr(args, "quarter", None):
        return periods.quarter(args.quarter)
    if getattr(args, "year", None):
        return periods.year(args.year)
    return periods.month(args.month)


def emit(fmt: str, headers: Sequence[str], rows: list[list], objects: list[dict]) -> None:
    if fmt == "json":
        print(output.json_text(objects))
    elif fmt == "csv":
        print(output.csv_text(headers, rows))
    else:
        print(output.table(headers, rows) if rows else "(无记录)")
