"""A file the office signs for a laptop (the set-up file, an update): a zip of one JSON member and
`signature` (`ed25519 <office key id> <office public key> <signature of the member>`), checked before
the member is parsed. Written readable by its owner only: a set-up file holds a private key."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

from app.errors import PatrolError
from app.exchange import strict_json
from app.keys import signing

MAX_SIGNATURE = 512


def write(out: Path, member: str, body: dict, office_key_id: str, office_public_key: str, office_private_key: str) -> bytes:
    """Sign `body` as `member` and write the file atomically; the signed bytes."""
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    signature = f"ed25519 {office_key_id} {office_public_key} {signing.sign(office_private_key, data)}"
    tmp = out.with_name(f".{out.name}.part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(member, data)
            zf.writestr("signature", signature)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return data


def read(path: str | Path, member: str, kind: str, max_file: int) -> tuple[dict, bytes, str, str]:
    """Open a signed file and check its signature before parsing: (content, signed bytes, office key id,
    office public key). `kind` names the file in messages (设置文件, 更新文件)."""
    path = Path(path)
    name = path.name
    try:
        if path.stat().st_size > max_file:
            raise PatrolError(f"{name}: 文件过大, 不是本系统的{kind}")
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist()}
            if set(infos) != {member, "signature"}:
                raise PatrolError(f"{name}: 不是窗口巡查{kind} (应只含 {member} 和 signature)")
            if infos["signature"].file_size > MAX_SIGNATURE or infos[member].file_size > 4 * max_file:
                raise PatrolError(f"{name}: {kind}的成员大小异常, 拒绝读取")
            data = zf.read(member)
            signature = zf.read("signature").decode("ascii", "replace").split()
    except PatrolError:
        raise
    except FileNotFoundError:
        raise PatrolError(f"找不到{kind}: {path}") from None
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError) as exc:
        raise PatrolError(f"{name}: 文件已损坏或不是{kind} ({exc.__class__.__name__})") from None
    if len(signature) != 4 or signature[0] != "ed25519":
        raise PatrolError(f"{name}: 缺少管理端签名")
    _, key_id, public_key, sig = signature
    if not signing.verify(public_key, data, sig):
        raise PatrolError(f"{name}: 签名不符: {kind}被改动过, 不能使用")
    try:
        body = strict_json.loads(data.decode("utf-8"))
        if not isinstance(body, dict):
            raise ValueError("not an object")
    except (ValueError, TypeError):
        raise PatrolError(f"{name}: {kind}内容无法解析") from None
    return body, data, key_id, public_key
