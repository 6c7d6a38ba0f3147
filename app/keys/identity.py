"""Who signs here, and whose signatures this database accepts.

An office database has its own Ed25519 key, made once (at set-up, or the first time it signs after
the upgrade to schema v5). A laptop gets its key from the office's set-up file (app.exchange.enrolment) and
keeps the office's public key beside it. The office keeps every enrolled device's public key
(app.storage.models.Device). No database ever holds another's private key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.errors import PatrolError
from app.keys import signing
from app.storage.models import Centre, Device, Identity
from app.storage.proxy import db


@dataclass(frozen=True)
class Signer:
    """A key whose signatures this database can check."""

    key_id: str
    name: str
    public_key: str
    kind: str  # office / device / centre (a centre's office sending its month to the district)
    inspectors: tuple[str, ...] | None  # a device's enrolled inspectors; None: the office (anyone)
    revoked_at: dt.datetime | None = None
    revoke_reason: str = ""
    # The centre the key speaks for: a centre office's (in the district's database), or the centre a
    # laptop was enrolled for (schema v14; "" for a laptop enrolled before, in a one-centre database).
    centre_code: str = ""
    enrolled_at: dt.datetime | None = None  # a laptop's: it recorded nothing before it was enrolled

    @property
    def label(self) -> str:
        return f"{self.name} ({self.key_id})" if self.kind == "office" else f"设备 {self.name} ({self.key_id})"


def local() -> Identity | None:
    """This database's identity; an office database without one (set up before v5) gets one now."""
    identity = Identity.select().order_by(Identity.id).first()
    if identity is None:
        identity = ensure_office_identity()
    return identity


def ensure_office_identity() -> Identity | None:
    """Make the office's key pair if this database has a centre and no identity yet."""
    centre = Centre.select().order_by(Centre.id).first()
    if centre is None:
        return None
    with db.atomic():
        existing = Identity.select().order_by(Identity.id).first()
        if existing is not None:
            return existing
        pair = signing.new_key_pair()
        key_id = signing.new_key_id("O")
        return Identity.create(role="office", key_id=key_id, private_key=pair.private_hex, public_key=pair.public_hex,
                               office_key_id=key_id, office_public_key=pair.public_hex, centre_code=centre.code)


def is_device() -> bool:
    """True on an enrolled laptop."""
    identity = Identity.select().order_by(Identity.id).first()
    return identity is not None and identity.role == "device"


def sign(message: bytes) -> tuple[str, str]:
    """(key id, signature) of a message with this database's key."""
    identity = local()
    if identity is None:
        raise PatrolError("数据库中没有中心, 无法签名")
    return identity.key_id, signing.sign(identity.private_key, message)


def signer(key_id: str) -> Signer | None:
    """The key with this id that this database knows: its own, its office's, or an enrolled device."""
    identity = local()
    if identity is not None:
        if key_id == identity.key_id:
            kind = identity.role
            return Signer(key_id, "本机" if kind == "device" else "本中心管理端", identity.public_key, kind,
                          None if kind == "office" else ())
        if key_id == identity.office_key_id:
            return Signer(key_id, "本中心管理端", identity.office_public_key, "office", None)
    device = Device.get_or_none(Device.key_id == key_id)
    if device is None:
        return None
    if device.centre_code:  # a centre office, registered by the district
        return Signer(device.key_id, device.name, device.public_key, "centre", None, device.revoked_at,
                      device.revoke_reason, device.centre_code)
    return Signer(device.key_id, device.name, device.public_key, "device", device.inspector_names,
                  device.revoked_at, device.revoke_reason, device.laptop_centre, device.enrolled_at)
