"""Reading a results package before anything is written: sizes checked before anything is inflated, the
signature checked with the key it names before a byte of the manifest is parsed, then the manifest, the
centre, the checksums and every record's shape. Streamed: nothing but the manifest is held in memory."""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.centres import scope
from app.centres.centre import current_centre
from app.errors import PatrolError, SecondInstallation
from app.exchange import strict_json
from app.exchange.centre_package import parse_roster
from app.exchange.record_checks import HEX64, shape_problems
from app.exchange.results_package import FORMAT, FORMAT_VERSION, sha256_of
from app.keys import identity, signing
from app.keys.identity import Signer
from app.patrolling.evidence import REF as PHOTO_REF
from app.storage.models import Device

MAX_ERRORS = 20
# Everything reading a damaged zip can raise: bad headers, bad deflate data, a flipped compression
# method, truncation. All mean the same to the user: the file is damaged.
DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, zlib.error,
           NotImplementedError, RuntimeError, KeyError, struct.error, UnicodeDecodeError)
# Limits checked against the zip's own directory before a member is read (README: limits).
MAX_SIGNATURE = 1024
MAX_MANIFEST = 8 * 2**20
MAX_PHOTO = 25 * 2**20
MAX_RECORDS = 4 * 2**30
MAX_ROSTER = 32 * 2**20  # a centre's roster: 20,000 rows of a few hundred bytes
MAX_LINE = 2**20  # one record: 1,000 results with notes fit in far less
MAX_LINE_BYTES = 4 * MAX_LINE  # the same line in UTF-8, at most four bytes a character
MAX_BLANK = 10_000  # the app writes none; a few from an editor are harmless
MAX_RATIO = 1000  # inflated / compressed: text compresses ~10x; a bomb ~1000x
LEGACY = "LEGACY"


@dataclass
class Package:
    """An authenticated package. Records are read from the zip when iterated (twice in an import: to
    check, then to write), so memory does not grow with the package."""

    name: str
    sha256: str
    manifest: dict
    path: Path
    count: int
    signer: Signer
    photos: dict[str, str] = field(default_factory=dict)  # photo ref -> zip member
    roster: object = None  # a centre's month for its district: app.exchange.centre_package.Roster

    def records(self) -> Iterator[tuple[int, dict]]:
        """(line number, record) for each record; the package was fully checked when read."""
        with zipfile.ZipFile(self.path) as zf, zf.open("inspections.jsonl") as fh:
            for n, line in enumerate(io.TextIOWrapper(fh, encoding="utf-8"), start=1):
                if line.strip():
                    yield n, strict_json.loads(line)

    def photo_bytes(self, ref: str) -> bytes:
        with zipfile.ZipFile(self.path) as zf:
            return zf.read(self.photos[ref])


def fail(name: str, problems: list[str]) -> None:
    if len(problems) == 1:  # the usual case: one line that names the record and the field
        raise PatrolError(f"{name}: 结果包有误, 未导入任何记录: {problems[0]}")
    shown = problems[:MAX_ERRORS]
    more = f"\n另有 {len(problems) - MAX_ERRORS} 处问题" if len(problems) > MAX_ERRORS else ""
    raise PatrolError(f"{name}: 结果包有误, 未导入任何记录\n" + "\n".join(shown) + more)


def _member_limits(name: str, infos: dict[str, zipfile.ZipInfo]) -> None:
    """Refuse members larger than their limit, or inflating far beyond their compressed size."""
    for member, info in infos.items():
        limit = {"signature": MAX_SIGNATURE, "manifest.json": MAX_MANIFEST, "inspections.jsonl": MAX_RECORDS,
                 "roster.json": MAX_ROSTER}.get(member, MAX_PHOTO)
        if info.file_size > limit:
            raise PatrolError(f"{name}: 成员 {member[:60]} 解压后 {info.file_size} 字节, 超过上限 {limit}, 拒绝读取")
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PatrolError(f"{name}: 成员 {member[:60]} 的压缩比异常 (压缩炸弹?), 拒绝读取")


def _one_installation(name: str, signer, installation) -> None:
    """A laptop's key signs from one installation: the one whose package the office imported first. A
    second (the same set-up file enrolled on another computer) is refused, both named."""
    if not isinstance(installation, str) or not installation:
        return  # a laptop enrolled before installations were named
    device = Device.get_or_none(Device.key_id == signer.key_id)
    if device is None or not device.installation or device.installation == installation[:40]:
        return
    seen = f", {device.installation_seen:%Y-%m-%d} 起" if device.installation_seen else ""
    raise SecondInstallation(
        f"{name}: 设备 {signer.name} ({signer.key_id}) 的密钥被两处安装使用: 已接受安装 {device.installation}{seen}, "
        f"本结果包来自安装 {installation[:40]}。同一设置文件可能登记了两台电脑, 两处都能以该设备签名; "
        f"请核实后注销该设备 (数据交换 → 注销笔记本, 或 main.py devices revoke {signer.key_id} --reason ...), "
        "再为每台笔记本分别登记", signer.key_id, signer.name)


def _authenticate(name: str, manifest_bytes: bytes, signature: str, centre) -> Signer:
    """The signer of the manifest, checked before the manifest is parsed."""
    parts = signature.split()
    if len(parts) == 1 and HEX64.fullmatch(parts[0]):
        if not centre.signing_key:
            raise PatrolError(f"{name}: 旧格式结果包 (共享密钥签名) 已停用; 请让巡查员的笔记本重新登记后再导出")
        expected = hmac.new(centre.signing_key.encode("utf-8"), manifest_bytes, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts[0]):
            raise PatrolError(f"{name}: 签名不符: 结果包被改动过, 或不是本中心的结果包")
        return Signer(LEGACY, "升级前的共享密钥", "", "legacy", None)
    if len(parts) != 3 or parts[0] != "ed25519" or not re.fullmatch(r"[A-Z0-9]{1,20}", parts[1]):
        raise PatrolError(f"{name}: 签名格式无效, 不是有效的结果包")
    _, key_id, sig = parts
    signer = identity.signer(key_id)
    if signer is None:
        raise PatrolError(f"{name}: 签名来自未在本中心登记的设备 {key_id}, 拒绝导入")
    if signer.revoked_at is not None:
        raise PatrolError(f"{name}: 设备 {signer.name} ({key_id}) 已于 {signer.revoked_at:%Y-%m-%d %H:%M} 注销"
                          f" ({signer.revoke_reason}), 其结果包不再接受")
    if not signing.verify(signer.public_key, manifest_bytes, sig):
        raise PatrolError(f"{name}: 签名不符: 结果包被改动过, 或不是设备 {signer.name} ({key_id}) 签名的")
    return signer


def read_package(path: str | Path, centre_id=scope.SOLE) -> Package:
    """Open and authenticate a package: sizes, signature, manifest, centre, checksums, every record's shape.
    Streamed: nothing but the manifest is held in memory. No database writes."""
    path = Path(path)
    name = path.name
    try:
        with open(path, "rb") as fh:
            sha256 = sha256_of(fh)
    except OSError as exc:
        raise PatrolError(f"{name}: 无法读取 ({exc.strerror})") from None
    try:
        zf = zipfile.ZipFile(path)
    except DAMAGED as exc:
        raise PatrolError(f"{name}: 文件已损坏或不完整, 不是有效的结果包 ({exc.__class__.__name__})") from None
    with zf:
        centre = current_centre(centre_id=centre_id)
        if centre is None:
            raise PatrolError("数据库中没有中心, 请先建立中心")
        try:
            infos = {i.filename: i for i in zf.infolist()}
            if "manifest.json" not in infos or "signature" not in infos:
                raise PatrolError(f"{name}: 缺少 manifest.json 或 signature, 不是有效的结果包")
            _member_limits(name, infos)
            signature = zf.read("signature").decode("ascii", "replace").strip()
            manifest_bytes = zf.read("manifest.json")
        except DAMAGED as exc:
            raise PatrolError(f"{name}: 文件已损坏或不完整, 不是有效的结果包 ({exc.__class__.__name__})") from None
        signer = _authenticate(name, manifest_bytes, signature, centre)
        try:
            manifest = strict_json.loads(manifest_bytes.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise PatrolError(f"{name}: manifest.json 无法解析 ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PatrolError(f"{name}: 不是窗口巡查结果包")
        if signer.kind == "centre":
            if manifest.get("centre") != signer.centre_code:
                raise PatrolError(f"{name}: 包中的中心 {str(manifest.get('centre'))[:20]} 与签名的中心管理端 "
                                  f"({signer.centre_code}) 不符")
        elif manifest.get("centre") != centre.code:
            raise PatrolError(f"{name}: 来自其他中心 ({str(manifest.get('centre'))[:20]}), 本库是 {centre.code}")
        elif signer.kind == "device" and signer.centre_code and signer.centre_code != centre.code:
            raise PatrolError(f"{name}: 设备 {signer.key_id} 是中心 {signer.centre_code} 的笔记本, 不能为 {centre.code} 送交记录")
        expected_version = 1 if signer.kind == "legacy" else FORMAT_VERSION
        if manifest.get("format_version") != expected_version:
            raise PatrolError(f"{name}: 不支持的结果包版本 {str(manifest.get('format_version'))[:10]}")
        if signer.kind != "legacy" and manifest.get("device") != signer.key_id:
            raise PatrolError(f"{name}: manifest.json 中的设备 {str(manifest.get('device'))[:20]} 与签名设备 {signer.key_id} 不符")
        if signer.kind == "device":
            _one_installation(name, signer, manifest.get("installation"))
        files = manifest.get("files")
        if (not isinstance(files, dict) or "inspections.jsonl" not in files
                or not all(isinstance(m, str) and isinstance(d, str) for m, d in files.items())):
            raise PatrolError(f"{name}: manifest.json 缺少文件清单")
        for member, digest in files.items():
            roster_ok = member == "roster.json" and signer.kind == "centre"
            if member != "inspections.jsonl" and not roster_ok and not (
                    member.startswith("photos/") and PHOTO_REF.fullmatch(member[7:])):
                raise PatrolError(f"{name}: 文件清单中有不允许的成员 {member[:60]!r}")
            if member.startswith("photos/") and digest != member[7:71]:
                raise PatrolError(f"{name}: 照片 {member[7:23]} 的内容与其名称不符")
        try:
            for member, digest in files.items():
                if member not in infos:
                    raise PatrolError(f"{name}: 缺少文件 {member}")
                with zf.open(member) as fh:
                    actual = sha256_of(fh)
                if actual != digest:
                    raise PatrolError(f"{name}: 文件 {member} 的校验和不符, 内容已损坏")
        except DAMAGED as exc:
            raise PatrolError(f"{name}: 文件已损坏或不完整 ({exc.__class__.__name__})") from None
        roster = None
        if signer.kind == "centre":
            if "roster.json" not in files:
                raise PatrolError(f"{name}: 中心的结果包缺少 roster.json")
            roster = parse_roster(zf.read("roster.json"), name)
        problems, count = _read_shapes(zf)
    counts = manifest.get("counts")
    claimed = counts.get("inspections") if isinstance(counts, dict) else counts  # a list or a number: shown
    if count is not None and (not isinstance(counts, dict) or claimed != count):  # None: not read to the end
        problems.append(f"manifest.json: 记录数 {str(claimed)[:12]} 与实际 {count} 不符")
    if problems:
        fail(name, problems)
    photos = {m.split("/", 1)[1]: m for m in files if m.startswith("photos/")}
    return Package(name, sha256, manifest, path, count, signer, photos, roster)


def _read_shapes(zf: zipfile.ZipFile) -> tuple[list[str], int | None]:
    """Every line read as bytes, bounded, then decoded strictly (a line that is not UTF-8 is named, not
    replaced: the records are read again strictly on import); blank lines count against a bound too.
    The problems, and the number of records (None when reading stopped at a problem before the end)."""
    problems, count, blank = [], 0, 0
    try:
        with zf.open("inspections.jsonl") as raw:
            n = 0
            while data := raw.readline(MAX_LINE_BYTES + 1):
                n += 1
                if len(data) > MAX_LINE_BYTES:
                    problems.append(f"inspections.jsonl 第 {n} 行: 超过 {MAX_LINE} 个字符")
                    break
                if not data.strip():
                    blank += 1
                    if blank > MAX_BLANK:
                        problems.append(f"inspections.jsonl: 空行超过 {MAX_BLANK} 行, 不是窗口巡查导出的文件")
                        break
                    continue
                count += 1
                try:
                    line = data.decode("utf-8")
                except UnicodeDecodeError:
                    problems.append(f"inspections.jsonl 第 {n} 行: 不是 UTF-8 文本")
                    continue
                if len(line) > MAX_LINE:
                    problems.append(f"inspections.jsonl 第 {n} 行: 超过 {MAX_LINE} 个字符")
                    break
                try:
                    record = strict_json.loads(line)
                except ValueError as exc:
                    problems.append(f"inspections.jsonl 第 {n} 行: 不是有效的 JSON ({str(exc)[:60]})")
                    continue
                where = f"inspections.jsonl 第 {n} 行" + (f" (记录 {str(record.get('uuid'))[:8]})" if isinstance(record, dict) else "")
                found = shape_problems(record)
                if found:
                    problems.append(f"{where}: " + "; ".join(found))
                if len(problems) > MAX_ERRORS:
                    break
            else:
                return problems, count
    except DAMAGED as exc:
        raise PatrolError(f"文件已损坏或不完整 ({exc.__class__.__name__})") from None
    return problems, None
