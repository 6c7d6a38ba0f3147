"""The office's update for a laptop of a 300-window centre (issue 26): written at the office and applied on
an enrolled laptop, each timed (target: under 5 s) with its peak traced memory, against a raw baseline in
the same run (the same JSON serialised and zipped, or unzipped and parsed, without the database work).

The centre: 300 windows, 600 staff, a month of generated patrols, an open rectification item for every
failed item of its last two weeks (each fifth with a photo of its own, up to 150), and 30 people on probation."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import shutil
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from PIL import Image

from app.centres import scope
from app.exchange import update_file
from app.exchange.devices import enrol_device
from app.exchange.enrolment import enrol
from app.exchange.laptop_update import apply_update
from app.keys import identity
from app.patrolling.evidence import store_photo
from app.people.accounts import create_user
from app.storage.db import bulk_insert, close_database, open_database
from app.storage.models import Centre, Inspection, Item, ItemResult, ProbationCase, Rectification, User
from app.storage.proxy import db
from benchmarks.generate import add_inspections, build_centre, working_days

TARGET_SECONDS = 5
MAX_PHOTOS = 150  # distinct photos among the open faults (each fifth, up to this)


def _photo(n: int) -> bytes:
    """A photo different for each n, noisy enough that its thumbnail is as large as a real one's."""
    noise = Image.effect_noise((1600, 1200), 40 + n % 20).convert("RGB")
    tint = Image.new("RGB", noise.size, ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
    out = io.BytesIO()
    Image.blend(noise, tint, 0.5).save(out, "JPEG", quality=85)
    return out.getvalue()


def _open_state(days: list[dt.date], max_photos: int) -> dict:
    """Rectification items for the failures of the last two weeks (a photo on every fifth), and
    probation cases for 30 people with a failure."""
    rng = random.Random(5)
    centre = Centre.get()
    since = dt.datetime.combine(days[-min(10, len(days))], dt.time())
    failed = list(ItemResult.select(ItemResult, Inspection, Item.code).join(Item).switch(ItemResult).join(Inspection)
                  .where((ItemResult.result == "fail") & (Inspection.observed_at >= since)))
    photos = {}
    rows = []
    with db.atomic():
        for n, r in enumerate(failed):
            if n % 5 == 0 and len(photos) < max_photos:
                ref = photos.setdefault(n, store_photo(_photo(n)))
                ItemResult.update(photos=ref, note="现场发现").where(ItemResult.id == r.id).execute()
            day = r.inspection.observed_at.date()
            rows.append((centre.id, r.inspection.staff_id, r.inspection.window_id, "inspection",
                         f"inspection:{r.inspection.uuid}:{r.item.code}", r.item.code, day, day + dt.timedelta(days=5),
                         "open", r.item.code, "", "", "", "", 0))
        bulk_insert(Rectification, ["centre", "staff", "window", "source", "source_ref", "what", "opened_on", "due_on",
                                    "state", "item_code", "clause", "closed_by", "close_note", "close_photo", "repeats"], rows)
        people = sorted({r.inspection.staff_id for r in failed})
        for staff_id in rng.sample(people, min(30, len(people))):
            ProbationCase.create(staff=staff_id, opened_on=days[-1], ends_on=days[-1] + dt.timedelta(days=30),
                                 required_rechecks=2)
    return {"open_items": len(rows), "photos": len(photos), "cases": min(30, len(people))}


def _baseline_write(body: dict, out: Path) -> float:
    start = time.perf_counter()
    data = json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("update.json", data)
    return time.perf_counter() - start


def _baseline_read(path: Path) -> float:
    start = time.perf_counter()
    with zipfile.ZipFile(path) as zf:
        json.loads(zf.read("update.json").decode("utf-8"))
    return time.perf_counter() - start


def run(windows: int = 300, days: int = 22, max_photos: int = MAX_PHOTOS) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="wp-bench-update-"))
    office, laptop = folder / "office.db", folder / "laptop.db"
    open_database(str(office))
    build_centre(windows, 2, seed=3)
    create_user("bench-manager", "基准管理员", "manager", "bench123")
    manager = User.get(User.username == "bench-manager")
    inspectors = [u.username for u in User.select().where(User.role == "inspector")]
    key = enrol_device(manager, "基准笔记本", inspectors, folder / "laptop.wpe", centre_id=scope.SOLE).key_id
    patrol_days = working_days(dt.date(2026, 10, 1), days)
    add_inspections(patrol_days, 200, seed=3)
    state = _open_state(patrol_days, max_photos)
    today = patrol_days[-1]
    start = time.perf_counter()
    written = update_file.write_update(manager, key, folder / "u1.wpu", today, centre_id=scope.SOLE)
    write_s = time.perf_counter() - start
    body, _ = update_file.read(written.path)
    write_base = _baseline_write(body, folder / "raw.zip")
    tracemalloc.start()
    update_file.write_update(manager, key, folder / "u2.wpu", today, centre_id=scope.SOLE)
    write_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    close_database()
    open_database(str(laptop))
    enrol(folder / "laptop.wpe")
    close_database()
    shutil.copy(laptop, folder / "laptop-memory.db")
    open_database(str(laptop))
    start = time.perf_counter()
    applied = apply_update(written.path)
    apply_s = time.perf_counter() - start
    again_start = time.perf_counter()
    apply_update(written.path)
    again_s = time.perf_counter() - again_start
    read_base = _baseline_read(written.path)
    close_database()
    open_database(str(folder / "laptop-memory.db"))
    identity.local()
    tracemalloc.start()
    apply_update(written.path)
    apply_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    close_database()
    size = written.path.stat().st_size / 2**20
    detail = (f"{windows} windows, {len(body['staff'])} staff, {len(body['checklists'])} checklist versions, "
              f"{len(body['state']['rechecks'])} re-checks ({state['open_items']} open items), "
              f"{len(body['state']['photos'])} thumbnails, {state['cases']} on probation, {size:.1f} MB")
    shutil.rmtree(folder, ignore_errors=True)
    return [
        {"step": "write update (office)", "detail": detail, "seconds": round(write_s, 2),
         "baseline": "json.dumps + zip of the same content", "baseline_seconds": round(write_base, 2),
         "ratio": round(write_s / write_base, 1), "target_seconds": TARGET_SECONDS, "peak_mb": round(write_peak, 1)},
        {"step": "apply update (laptop)", "detail": applied.summary()[:60], "seconds": round(apply_s, 2),
         "baseline": "unzip + json.loads", "baseline_seconds": round(read_base, 2),
         "ratio": round(apply_s / read_base, 1), "target_seconds": TARGET_SECONDS, "peak_mb": round(apply_peak, 1)},
        {"step": "apply the same again", "detail": "no change", "seconds": round(again_s, 2)},
    ]
