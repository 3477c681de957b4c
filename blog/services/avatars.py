"""Avatar uploads: sniff the content (never trust the name), re-encode, resize, store, serve."""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

from flask import current_app
from PIL import Image, UnidentifiedImageError

from blog import outbox
from blog.extensions import db
from blog.models import User

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 40_000_000  # refuse decompression bombs before decoding
SIZE = 256
ACCEPTED = {"JPEG", "PNG", "GIF", "WEBP"}


class AvatarError(ValueError):
    """The upload cannot be used; the message is for people."""


def process(data: bytes) -> bytes:
    """The image as a square 256 px WebP, or AvatarError. Whatever the file claimed to be."""
    if len(data) > MAX_BYTES:
        raise AvatarError(f"That image is {len(data) / 1_048_576:.1f} MB; the limit is 2 MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            kind, (width, height) = probe.format, probe.size
            probe.verify()
        if kind not in ACCEPTED:
            raise AvatarError("Please upload a JPEG, PNG, GIF or WebP image.")
        if width * height > MAX_PIXELS:
            raise AvatarError("That image has too many pixels; please upload a smaller one.")
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # first frame of an animation
            square = _square(image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image.convert("RGB"))
            out = io.BytesIO()
            square.save(out, "WEBP", quality=85, method=4)
            return out.getvalue()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise AvatarError("That image has too many pixels; please upload a smaller one.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, AvatarError):
            raise
        raise AvatarError(
            "That file is not an image we can read. Please upload a JPEG, PNG, GIF or WebP image."
        ) from None


def _square(image: Image.Image) -> Image.Image:
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side)).resize((SIZE, SIZE), Image.Resampling.LANCZOS)


def folder() -> Path:
    """Where avatars are kept: ``AVATAR_FOLDER``, by default ``instance/avatars``."""
    return Path(current_app.config["AVATAR_FOLDER"] or Path(current_app.instance_path) / "avatars")


def store(user: User, data: bytes, folder: Path) -> None:
    """Process and save a new avatar for ``user`` (content-addressed name: caches never serve a stale one)."""
    webp = process(data)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{user.id}-{hashlib.sha256(webp).hexdigest()[:16]}.webp"
    (folder / name).write_bytes(webp)
    _replace(user, name, folder)


def remove(user: User, folder: Path) -> None:
    _replace(user, None, folder)


def _replace(user: User, name: str | None, folder: Path) -> None:
    old, user.avatar_path = user.avatar_path, name
    db.session.flush()
    if old and old != name:  # the old file goes only once the new name is committed
        outbox.after_commit(db.session, (folder / old).unlink, missing_ok=True)
