"""Decoding uploaded pictures safely: within a pixel budget, by their bytes, without their metadata.

Memory is what an image costs once decoded (width x height x 4 bytes), not its file size: a 100 KB PNG can be
20,000 px square. So the header is read first (``Image.open`` is lazy) and an image whose decoded size would
pass the budget is refused before a single pixel is decoded. A JPEG is decoded at a reduced scale
(``draft``: libjpeg scales by 1/2, 1/4 or 1/8 while decoding), so a large photo fits; other formats decode
whole, so their own limit is the budget itself. The result is re-encoded as WebP, which drops EXIF (GPS
position, camera serial) and every other piece of metadata: only pixels are copied.

Pillow's names stay in this module: the rest of the site deals in ``Decoded`` and ``PictureError``.
"""

from __future__ import annotations

import functools
import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

    from PIL import Image

ACCEPTED = {"JPEG": "JPEG", "PNG": "PNG", "GIF": "GIF", "WEBP": "WebP"}
ACCEPTED_TEXT = "JPEG, PNG, GIF or WebP"
# Never decode more than this many pixels at once (4 bytes each: 6 MP is 24 MB; resizing takes about twice that
# again). A JPEG's header may name up to JPEG_SCALE_LIMIT times more, since libjpeg decodes it at 1/2 or 1/4 of
# its width and height (a quarter or a sixteenth of its pixels).
DECODE_PIXELS = 6_000_000
JPEG_SCALE_LIMIT = 16  # 96 MP, decoded at a quarter of its width
MAX_SIDE = 2048  # the stored original is at most this wide or high
VARIANT_QUALITY = 80
ORIGINAL_QUALITY = 88


@functools.cache
def _pillow() -> tuple[ModuleType, ModuleType]:
    """Pillow's ``Image`` and ``ImageOps``, imported by the first picture a process handles: a web worker that
    only serves pages never needs its 2 MiB."""
    from PIL import Image, ImageOps

    # Pillow's own guard, as a second line: it raises for twice this many pixels even if a caller forgot ``probe``.
    Image.MAX_IMAGE_PIXELS = DECODE_PIXELS * JPEG_SCALE_LIMIT
    return Image, ImageOps


class PictureError(ValueError):
    """The upload cannot be used; the message is for people."""


@dataclass(frozen=True)
class Decoded:
    data: bytes  # WebP, no metadata
    width: int
    height: int
    mime: str = "image/webp"


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head


def _open(data: bytes, budget: int) -> Image.Image:
    """The image, header read and checked, not yet decoded."""
    if _looks_like_svg(data):
        raise PictureError(
            f"SVG drawings are not accepted (they can carry scripts). Please upload a {ACCEPTED_TEXT} image."
        )
    pil, _ = _pillow()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pil.DecompressionBombWarning)
            image: Image.Image = pil.open(io.BytesIO(data), formats=list(ACCEPTED))
    except (pil.DecompressionBombWarning, pil.DecompressionBombError):
        raise PictureError(_too_many_pixels(None, budget)) from None
    except (pil.UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PictureError(f"That file is not an image we can read. Please upload a {ACCEPTED_TEXT} image.") from None
    width, height = image.size
    limit = budget * JPEG_SCALE_LIMIT if image.format == "JPEG" else budget
    if width <= 0 or height <= 0 or width * height > limit:
        image.close()
        raise PictureError(_too_many_pixels((width, height), limit))
    return image


def _too_many_pixels(size: tuple[int, int] | None, limit: int) -> str:
    found = f" ({size[0]:,} × {size[1]:,} px)" if size else ""
    return (
        f"That image has too many pixels{found}; the limit is {limit / 1_000_000:.0f} megapixels "
        "(a JPEG may have four times more than a PNG). Please upload a smaller one."
    )


def probe(data: bytes, *, budget: int = DECODE_PIXELS) -> tuple[str, int, int]:
    """The format and size named by the header, or PictureError; decodes nothing."""
    with _open(data, budget) as image:
        return str(image.format), image.width, image.height


def decode(data: bytes, *, max_side: int = MAX_SIDE, budget: int = DECODE_PIXELS, square: int | None = None) -> Decoded:
    """The picture as WebP at most ``max_side`` px (or a ``square`` of that many px), upright, without metadata.

    Whatever the file's name or Content-Type claimed: only its bytes count."""
    pil, ops = _pillow()
    image = _open(data, budget)
    try:
        with image:
            if image.format == "JPEG":
                # libjpeg scales while decoding: ask for the first scale (1/1, 1/2, 1/4, 1/8) that fits the budget.
                width, height = image.size
                scale = next((s for s in (1, 2, 4, 8) if (width // s) * (height // s) <= budget), 8)
                image.draft("RGB", (max(1, width // scale), max(1, height // scale)))
            if image.width * image.height > budget:  # never, after _open; a second line of defence
                raise PictureError(_too_many_pixels(image.size, budget))
            image.seek(0)  # an animation's first frame
            image.load()
            ops.exif_transpose(image, in_place=True)  # turn as the camera meant; the EXIF is not copied
            mode = "RGBA" if _has_alpha(image) else "RGB"
            picture = image if image.mode == mode else image.convert(mode)
            if square:
                picture = ops.fit(picture, (square, square), pil.Resampling.LANCZOS)
            else:
                picture.thumbnail((max_side, max_side), pil.Resampling.LANCZOS, reducing_gap=2.0)
            return Decoded(_webp(picture, ORIGINAL_QUALITY), picture.width, picture.height)
    except PictureError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, pil.DecompressionBombError):
        raise PictureError(f"That file is damaged or not a {ACCEPTED_TEXT} image we can read.") from None


def resize(data: bytes, width: int) -> Decoded:
    """A narrower WebP of a stored original (our own file, already within the budget)."""
    pil, _ = _pillow()
    with pil.open(io.BytesIO(data), formats=["WEBP"]) as image:
        image.load()
        height = max(1, round(image.height * width / image.width))
        picture = image.resize((width, height), pil.Resampling.LANCZOS, reducing_gap=2.0)
        return Decoded(_webp(picture, VARIANT_QUALITY), picture.width, picture.height)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _webp(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "WEBP", quality=quality, method=4)  # no exif=, icc_profile=, xmp=: nothing but pixels
    return out.getvalue()
