"""A photo is checked as an image before it is kept: one of four known formats, its dimensions bounded
from the header before a pixel is decoded, decoded once, turned upright and re-encoded as a plain JPEG
(bounded sides and bytes, no metadata). Reports print a bounded thumbnail of the kept image, and a photo
that cannot be read prints as a placeholder instead of failing the report."""

from __future__ import annotations

import io
import warnings

from PIL import Image

from app.errors import PatrolError

FORMATS = ("JPEG", "PNG", "GIF", "BMP")
MAGIC = {b"\x89PNG": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF8": "GIF", b"BM": "BMP"}
MAX_BYTES = 20 * 1024 * 1024  # the file as it arrives
# A JPEG is decoded at a reduced scale (its DCT allows 1/2 to 1/8), so a phone's 40 MP photo costs ~30 MB;
# the other formats decode whole, so their bound is a 4000 x 3000 scan or screenshot (48 MB with alpha).
MAX_PIXELS = {"JPEG": 40_000_000, "PNG": 12_000_000, "GIF": 12_000_000, "BMP": 12_000_000}
MAX_SIDE = 2048  # of the image kept: a fault stays legible on an A4 page and on screen
MAX_STORED = 2 * 1024 * 1024
QUALITIES = (85, 70, 55)
ORIENTATION = 0x0112  # the EXIF tag a phone sets instead of turning the pixels
UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
           5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
           8: Image.Transpose.ROTATE_90}
THUMB_SIDE = 640  # a report's thumbnail: 55 mm wide at ~300 dpi
# What a JPEG of our own making never carries; a photo that does is re-encoded to shed it.
METADATA = ("exif", "icc_profile", "comment", "photoshop", "xmp")
# Pillow raises many kinds on hostile bytes (OSError, SyntaxError, ValueError, struct.error, EOFError,
# IndexError, MemoryError, ...); every one means "not an image we can keep".
DECODE_ERRORS = Exception


def _open(data: bytes) -> Image.Image:
    """The image's header, read and bounded; nothing decoded yet."""
    if len(data) > MAX_BYTES:
        raise PatrolError(f"图片过大 ({len(data) / 2**20:.1f} MB), 上限 {MAX_BYTES // 2**20} MB")
    kind = next((k for magic, k in MAGIC.items() if data.startswith(magic)), None)
    if kind is None:
        raise PatrolError("不是支持的图片格式 (PNG、JPEG、GIF、BMP)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own bound follows
            image = Image.open(io.BytesIO(data), formats=[kind])
    except Image.DecompressionBombError:
        raise PatrolError(f"图片尺寸过大, {kind} 上限 {MAX_PIXELS[kind] // 10_000} 万像素") from None
    except DECODE_ERRORS:
        raise PatrolError(f"图片已损坏或不是真正的 {kind} 文件") from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS[kind]:
        raise PatrolError(f"图片尺寸过大 ({width}×{height}), {kind} 上限 {MAX_PIXELS[kind] // 10_000} 万像素")
    return image


def _decoded(data: bytes, side: int) -> Image.Image:
    """The picture, upright, in RGB, no side over `side`. Each step drops the image before it, so the
    peak is about twice the decoded picture (a 12 MP PNG with alpha: ~100 MB)."""
    image = _open(data)
    try:
        if image.format == "JPEG":
            image.draft("RGB", (side, side))  # decode at the smallest DCT scale still at least `side`
        image.seek(0)  # an animated GIF keeps its first frame
        image.load()
        turn = UPRIGHT.get(image.getexif().get(ORIENTATION))
        # Flattened before shrinking: resampling an image with alpha copies it premultiplied first.
        if image.mode in ("RGBA", "LA", "P", "PA") and image.has_transparency_data:
            image = _on_white(image)
        elif image.mode != "RGB":
            image = image.convert("RGB")
        if max(image.size) > side:
            scale = side / max(image.size)
            image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                                 Image.Resampling.LANCZOS)
        return image.transpose(turn) if turn is not None else image
    except PatrolError:
        raise
    except DECODE_ERRORS:
        raise PatrolError(f"图片已损坏或不是真正的 {image.format} 文件") from None


def _on_white(image: Image.Image) -> Image.Image:
    """A picture with transparency laid on white (a transparent screenshot would read black)."""
    if image.mode != "RGBA":
        image = image.convert("RGBA")
    flat = Image.new("RGB", image.size, "white")
    flat.paste(image, mask=image.getchannel("A"))
    return flat


def _jpeg(image: Image.Image, quality: int) -> bytes:
    image.info.clear()  # Pillow would write the source's comment and profile into the new file
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def normalised(data: bytes) -> bytes:
    """The JPEG kept for photo bytes: checked, decoded once, re-encoded without metadata; raises
    PatrolError saying what is wrong with it."""
    image = _decoded(data, MAX_SIDE)
    for quality in QUALITIES:
        out = _jpeg(image, quality)
        if len(out) <= MAX_STORED:
            return out
    raise PatrolError("图片内容过于复杂, 压缩后仍超过 2 MB")


def is_normalised(data: bytes) -> bool:
    """Whether bytes are already what `normalised` keeps (a JPEG within the bounds, no metadata, decoding
    whole): a photo a laptop of ours took arrives so and is kept byte for byte, its name unchanged."""
    if len(data) > MAX_STORED or not data.startswith(b"\xff\xd8\xff"):
        return False
    try:
        image = _open(data)
        if max(image.size) > MAX_SIDE or image.mode != "RGB" or any(k in image.info for k in METADATA):
            return False
        image.load()
        return True
    except DECODE_ERRORS:  # PatrolError included
        return False


def thumbnail(data: bytes, side: int = THUMB_SIDE) -> bytes | None:
    """A small JPEG to print, or None when the bytes are not a readable image (an old or damaged file)."""
    try:
        return _jpeg(_decoded(data, side), 80)
    except DECODE_ERRORS:  # PatrolError included
        return None
