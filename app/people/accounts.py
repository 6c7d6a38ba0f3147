"""User accounts: scrypt password hashes and role checks enforced in the core."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import hmac
import os

from app import audit
from app.centres import scope
from app.centres.settings import binds_alone, load_settings
from app.domain import ROLES
from app.errors import NeedsApproval, PatrolError, PermissionDenied
from app.roles import require_role
from app.storage.models import User
from app.storage.proxy import db

# scrypt cost: about 50 ms per check here, so sign-in stays instant and guessing stays slow.
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt${}${}${}${}${}".format(
        _N, _R, _P, base64.b64encode(salt).decode(), base64.b64encode(key).decode()
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(key)
    actual = hashlib.scrypt(
        password.encode("utf-8"), salt=base64.b64decode(salt),
        n=int(n), r=int(r), p=int(p), dklen=len(expected),
    )
    return hmac.compare_digest(actual, expected)


def create_user(username: str, display_name: str, role: str, password: str, centre=None,
                password_hash: str = "") -> User:
    """An account of a centre, or (no centre) of the district: in a one-centre database the same.
    `password_hash`: a hash made before (an account approved by a second manager), instead of a password."""
    if role not in ROLES:
        raise PatrolError(f"未知角色 {role!r} (可选: {', '.join(ROLES)})")
    if not password_hash and len(password) < 6:
        raise PatrolError("密码至少 6 位")
    if User.get_or_none(User.username == username):
        raise PatrolError(f"用户名 {username} 已存在")
    return User.create(username=username, display_name=display_name, role=role,
                       password_hash=password_hash or hash_password(password), centre=centre)


def _second_manager_needed(acting: User, centre_id: int | None, approved_by: str) -> None:
    """A new manager, or one re-activated, can approve what the second approval holds: with the second
    approval on, adding one needs another manager too (or the district's manager)."""
    if approved_by or binds_alone(acting):
        return
    if load_settings(None, centre_id).second_approval:
        raise NeedsApproval("本中心实行双人审批: 新增、启用或授予管理员账号须另一名管理员批准")


MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15


def refusal() -> str:
    """The one answer to every failed sign-in (unknown name, inactive account, wrong password, locked
    account): which of them it was would tell a guesser something."""
    return f"用户名或密码错误 (密码连续错误 {MAX_FAILED_LOGINS} 次, 账号锁定 {LOCK_MINUTES} 分钟)"


@functools.cache
def _decoy_hash() -> str:
    """A hash of no one's password, made once: an unknown or inactive name costs a scrypt too."""
    return hash_password(base64.b64encode(os.urandom(18)).decode())


def authenticate(username: str, password: str) -> User:
    """The active user with this name and password, or PermissionDenied with `refusal()`. Five wrong
    passwords lock the account for 15 minutes (scrypt makes each guess slow; the lock makes many useless).
    The lock is decided before the password counts, so while locked the right password is refused in the
    same words as a wrong one, and every attempt (a name that does not exist included) costs one scrypt,
    so neither the answer nor its time tells a name, a lock or a password. Each failure is counted in the
    database in one statement, so guesses made in parallel are each counted."""
    user = User.get_or_none(User.username == username)
    usable = user is not None and bool(user.active)
    locked = usable and _locked(user)
    right = verify_password(password, user.password_hash if usable else _decoy_hash())
    if not usable or locked:
        raise PermissionDenied(refusal())
    if not right:
        with db.atomic():
            User.update(failed_logins=User.failed_logins + 1).where(User.id == user.id).execute()
            failed = User.select(User.failed_logins).where(User.id == user.id).scalar()
            if failed >= MAX_FAILED_LOGINS:
                until = dt.datetime.now() + dt.timedelta(minutes=LOCK_MINUTES)
                User.update(failed_logins=0, locked_until=until).where(User.id == user.id).execute()
        raise PermissionDenied(refusal())
    # A lock set by a parallel guess while this password was being checked still holds, in the same words.
    fresh = User.get_by_id(user.id)
    if _locked(fresh):
        raise PermissionDenied(refusal())
    if fresh.failed_logins or fresh.locked_until:
        User.update(failed_logins=0, locked_until=None).where(User.id == user.id).execute()
    return fresh


def _locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > dt.datetime.now())


def manage_account(acting: User, target: User, *, active: bool | None = None, role: str | None = None,
                   password: str | None = None, approved_by: str = "") -> User:
    """A manager deactivates, re-roles or resets the password of an account (not their own role). A
    centre's manager manages their centre's accounts only, never the district's. Making an account a
    working manager (the role, or re-activating one) needs a second manager where the second approval
    is on (NeedsApproval)."""
    require_role(acting, "manager")
    if acting.centre_id is not None and target.centre_id != acting.centre_id:
        raise PermissionDenied(f"账号 {target.username} 不属于本中心, 只有区级管理员可以修改")
    becomes_manager = ((role == "manager" and target.role != "manager" and (target.active if active is None else active))
                       or (active and not target.active and (role or target.role) == "manager"))
    if becomes_manager:
        _second_manager_needed(acting, target.centre_id, approved_by)
    if role is not None:
        if role not in ROLES:
            raise PatrolError(f"未知角色 {role!r}")
        if target.id == acting.id and role != "manager":
            raise PatrolError("不能取消自己的管理员权限")
        target.role = role
    if active is not None:
        if target.id == acting.id and not active:
            raise PatrolError("不能停用自己的账号")
        target.active = active
    if password is not None:
        if len(password) < 6:
            raise PatrolError("密码至少 6 位")
        target.password_hash = hash_password(password)
    target.save()

    audit.record(acting, "account.change", f"user:{target.username}",
                 new={"role": target.role, "active": target.active, "password_changed": password is not None},
                 reason=f"经{approved_by}批准" if approved_by else "")
    return target


def add_account(acting: User, username: str, display_name: str, role: str, password: str,
                centre_id=scope.SOLE, approved_by: str = "", password_hash: str = "") -> User:
    """A manager adds an account of their centre (a district manager: of the centre they act for). A new
    manager needs a second manager where the second approval is on (NeedsApproval)."""
    require_role(acting, "manager")
    if not username.strip():
        raise PatrolError("用户名不能为空")
    # A centre's manager adds accounts of their centre; the district's, of the centre it acts for (a
    # manager added in a one-centre database stays the district's, as the first one is).
    if acting.centre_id is not None:
        centre = acting.centre_id
    elif role == "manager" and not scope.is_district():
        centre = None
    else:
        centre = scope.resolve(centre_id)
    if role == "manager":
        _second_manager_needed(acting, centre, approved_by)
    user = create_user(username.strip(), display_name.strip() or username.strip(), role, password, centre=centre,
                       password_hash=password_hash)
    audit.record(acting, "account.change", f"user:{user.username}", new={"role": role, "created": True},
                 reason=f"经{approved_by}批准" if approved_by else "")
    return user
