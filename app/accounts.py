"""User accounts: scrypt password hashes and role checks enforced in the core."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from app.domain import ROLES
from app.errors import PatrolError, PermissionDenied
from app.models import User

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


def create_user(username: str, display_name: str, role: str, password: str) -> User:
    if role not in ROLES:
        raise PatrolError(f"未知角色 {role!r} (可选: {', '.join(ROLES)})")
    if len(password) < 6:
        raise PatrolError("密码至少 6 位")
    if User.get_or_none(User.username == username):
        raise PatrolError(f"用户名 {username} 已存在")
    return User.create(
        username=username, display_name=display_name, role=role, password_hash=hash_password(password)
    )


def authenticate(username: str, password: str) -> User:
    """The active user with this name and password, or PermissionDenied."""
    user = User.get_or_none((User.username == username) & (User.active == True))  # noqa: E712
    if user is None or not verify_password(password, user.password_hash):
        raise PermissionDenied("用户名或密码错误")
    return user


def require_role(user: User | None, role: str) -> None:
    """Refuse unless the user has the role (managers may do what inspectors may)."""
    if user is None:
        raise PermissionDenied("此操作需要登录")
    if not user.active:
        raise PermissionDenied(f"账号 {user.username} 已停用")
    if role == "inspector" and user.role in ("inspector", "manager"):
        return
    if user.role != role:
        raise PermissionDenied(f"用户 {user.username} ({ROLES.get(user.role, user.role)}) 无权执行此操作, 需要{ROLES[role]}权限")


def manage_account(acting: User, target: User, *, active: bool | None = None, role: str | None = None,
                   password: str | None = None) -> User:
    """A manager deactivates, re-roles or resets the password of an account (not their own role)."""
    require_role(acting, "manager")
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
    return target


def add_account(acting: User, username: str, display_name: str, role: str, password: str) -> User:
    require_role(acting, "manager")
    if not username.strip():
        raise PatrolError("用户名不能为空")
    return create_user(username.strip(), display_name.strip() or username.strip(), role, password)
