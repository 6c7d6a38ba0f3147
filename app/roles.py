"""Who may do what by role: checked in the core, whatever calls it (a page, a command, a test)."""

from __future__ import annotations

from app.domain import ROLES
from app.errors import PermissionDenied


def require_role(user, role: str) -> None:
    """Refuse unless the user has the role (managers may do what inspectors may)."""
    if user is None:
        raise PermissionDenied("此操作需要登录")
    if not user.active:
        raise PermissionDenied(f"账号 {user.username} 已停用")
    if role == "inspector" and user.role in ("inspector", "manager"):
        return
    if user.role != role:
        raise PermissionDenied(f"用户 {user.username} ({ROLES.get(user.role, user.role)}) 无权执行此操作, 需要{ROLES[role]}权限")
