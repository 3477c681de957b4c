"""The media library: uploads, their stored files (in the database, or an S3-compatible store), the variants
the job queue makes, and what a page needs to show a picture.

Every stored file is WebP, named by the SHA-256 of its bytes and served at ``/media/<key>.webp`` with
immutable caching: a changed picture is a new name, so no cache ever serves a stale one. The request stores
the original (decoded within the pixel budget, metadata stripped: ``services.images``) and queues
``make_variants``; until the variants exist, pages use the original.

Storage (``MEDIA_S3_BUCKET``): unset, the bytes are a column of ``media_files`` — every node reaches them
through the database, nothing else to run. Set, they are objects ``media/<key>.webp`` in that bucket
(``MEDIA_S3_ENDPOINT_URL`` for a store other than AWS; credentials from the usual AWS environment) and the
``/media/`` route reads them from there: one origin for pages and pictures, so the CSP stays ``img-src
'self'``. A CDN in front (``MEDIA_ORIGIN``) may cache them for good.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin

import sqlalchemy as sa
from flask import current_app, url_for

from blog import jobs, outbox
from blog.core import sanitize
from blog.extensions import db
from blog.models import Article, Media, MediaFile, MediaKind, Role, User
from blog.services import images
from blog.services.images import PictureError

__all__ = ["Picture", "PictureError", "make_variants", "picture", "read", "upload", "url_for_key"]

MIME = "image/webp"
EXT = "webp"
IMMUTABLE = "public, max-age=31536000, immutable"
AVATAR_SIZE = 256


# --- Storage ---------------------------------------------------------------------------------------


class Store(Protocol):
    def put(self, row: MediaFile, data: bytes) -> None: ...
    def get(self, row: MediaFile) -> bytes | None: ...
    def delete(self, key: str) -> None: ...


class DatabaseStore:
    """The bytes in ``media_files.data``: reachable from every node that reaches the database."""

    def put(self, row: MediaFile, data: bytes) -> None:
        row.data = data

    def get(self, row: MediaFile) -> bytes | None:
        return row.data

    def delete(self, key: str) -> None:
        """Nothing to do: the bytes go with their row."""


class S3Store:
    """The bytes as objects ``media/<key>.webp`` in an S3-compatible bucket."""

    def __init__(self, client: Any, bucket: str) -> None:
        self.client, self.bucket = client, bucket

    @staticmethod
    def object_key(key: str) -> str:
        return f"media/{key}.{EXT}"

    def put(self, row: MediaFile, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self.object_key(row.key), Body=data, ContentType=row.mime, CacheControl=IMMUTABLE
        )
        row.data = None

    def get(self, row: MediaFile) -> bytes | None:
        try:
            found = self.client.get_object(Bucket=self.bucket, Key=self.object_key(row.key))
        except self.client.exceptions.NoSuchKey:
            return None
        body: bytes = found["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.object_key(key))


def store() -> Store:
    config = current_app.config
    if not config.get("MEDIA_S3_BUCKET"):
        return DatabaseStore()
    client = current_app.extensions.get("media_s3")
    if client is None:  # one client per app: boto3 clients are thread-safe, and slow to make
        import boto3

        client = boto3.client(
            "s3", endpoint_url=config.get("MEDIA_S3_ENDPOINT_URL") or None, region_name=config.get("MEDIA_S3_REGION")
        )
        current_app.extensions["media_s3"] = client
    return S3Store(client, config["MEDIA_S3_BUCKET"])


def _add_file(media: Media, decoded: images.Decoded) -> MediaFile:
    row = MediaFile(
        key=hashlib.sha256(decoded.data).hexdigest(),
        mime=decoded.mime,
        width=decoded.width,
        height=decoded.height,
        size_bytes=len(decoded.data),
    )
    store().put(row, decoded.data)
    row.media = media
    db.session.add(row)
    return row


def read(key: str) -> bytes | None:
    """A stored file's bytes by its key, or None."""
    row = db.session.scalars(sa.select(MediaFile).where(MediaFile.key == key).limit(1)).first()
    if row is None:
        return None
    return row.data if row.data is not None else store().get(row)  # in the database, whatever the store now


def render_article(source: str) -> str:
    """An article's (or the privacy page's) Markdown as HTML: images from our media (and ``MEDIA_ORIGIN``) only."""
    return sanitize.render_article(source, current_app.config.get("MEDIA_ORIGIN"))


# --- Uploads and variants --------------------------------------------------------------------------


def check_size(size: int) -> None:
    limit = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]
    if size > limit:
        raise PictureError(
            f"That image is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.0f} MB. "
            "Please upload a smaller file."
        )


def read_upload(upload: Any) -> bytes | None:
    """An uploaded file's bytes (None when no file was chosen), or PictureError when it is over the limit: its
    size is looked up first (Werkzeug keeps a large upload in a temporary file), so it is never read whole."""
    if not upload or not getattr(upload, "filename", ""):
        return None
    stream = upload.stream
    stream.seek(0, 2)
    check_size(stream.tell())
    stream.seek(0)
    data: bytes = stream.read(current_app.config["MEDIA_MAX_UPLOAD_BYTES"] + 1)
    check_size(len(data))
    return data


def _store(
    decoded: images.Decoded, kind: MediaKind, *, by: User, alt_text: str, caption: str = "", credit: str = ""
) -> Media:
    """A library row for a decoded picture, with its original stored (the variants come later, if any)."""
    media = Media(
        kind=kind,
        uploaded_by_id=by.id,
        alt_text=alt_text,
        caption=caption,
        credit=credit,
        width=decoded.width,
        height=decoded.height,
        original_key="",
        variants=[],
    )
    db.session.add(media)
    media.original_key = _add_file(media, decoded).key
    return media


def upload(data: bytes, *, actor: User, alt_text: str, caption: str = "", credit: str = "") -> Media:
    """A new library picture from uploaded bytes (or PictureError); its variants are made after the commit."""
    check_size(len(data))
    decoded = images.decode(data, budget=current_app.config["MEDIA_DECODE_PIXELS"])
    media = _store(decoded, MediaKind.IMAGE, by=actor, alt_text=alt_text, caption=caption, credit=credit)
    db.session.flush()
    jobs.after_commit(make_variants, media.id)
    return media


@jobs.task
def make_variants(media_id: int) -> list[int]:
    """Make the narrower WebP variants (``MEDIA_WIDTHS``) a picture lacks; safe to run any number of times.
    Returns the widths made."""
    media = db.session.get(Media, media_id)
    if media is None or media.kind is not MediaKind.IMAGE:
        return []
    have = {width for width, _ in media.variants}
    wanted = [w for w in current_app.config["MEDIA_WIDTHS"] if w < media.width and w not in have]
    if not wanted:
        return []
    original = read(media.original_key)
    if original is None:
        current_app.logger.warning("media %s: original %s is missing", media_id, media.original_key)
        return []
    made = [[w, _add_file(media, images.resize(original, w)).key] for w in wanted]
    media.variants = sorted([*media.variants, *made])
    db.session.commit()
    return wanted


# --- Showing pictures ------------------------------------------------------------------------------


def url_for_key(key: str) -> str:
    """Where a stored file is served: this site's ``/media/…``, or the same path on ``MEDIA_ORIGIN``."""
    origin = (current_app.config.get("MEDIA_ORIGIN") or "").rstrip("/")
    path = url_for("media.file", key=key)
    return origin + path if origin else path


def url_for_name(name: str) -> str:
    """The address of a stored file named ``<key>.webp`` (as ``users.avatar_path`` holds it)."""
    return url_for_key(name.removesuffix(f".{EXT}"))


@dataclass(frozen=True)
class Picture:
    """What a template needs to show one picture."""

    id: int
    src: str  # the largest file: the original
    srcset: str  # "url 480w, url 960w, …"
    width: int
    height: int
    alt: str
    caption: str
    credit: str

    @property
    def absolute_src(self) -> str:
        """The largest file's full address (og:image, JSON-LD): on ``MEDIA_ORIGIN``, or on ``SITE_URL``."""
        from blog.links import site_url

        return urljoin(site_url().rstrip("/") + "/", self.src)

    @property
    def markdown(self) -> str:
        """The snippet an editor pastes into an article body."""
        alt = self.alt.replace("[", "(").replace("]", ")")
        return f"![{alt}]({self.src})"


def picture(media: Media) -> Picture:
    return picture_from_row(
        media.id,
        media.width,
        media.height,
        media.alt_text,
        media.caption,
        media.credit,
        media.original_key,
        media.variants,
    )


def picture_from_row(
    media_id: int, width: int, height: int, alt: str, caption: str, credit: str, original_key: str, variants: list[Any]
) -> Picture:
    """A picture from its row's columns (the article page reads them joined to the article's)."""
    src = url_for_key(original_key)
    entries = [f"{url_for_key(key)} {w}w" for w, key in variants or []] + [f"{src} {width}w"]
    return Picture(media_id, src, ", ".join(entries), width, height, alt, caption, credit)


# --- The library -------------------------------------------------------------------------------------


def list_library(limit: int = 200) -> list[Media]:
    return list(
        db.session.scalars(
            sa.select(Media)
            .where(Media.kind == MediaKind.IMAGE)
            .order_by(Media.created_at.desc(), Media.id.desc())
            .limit(limit)
        )
    )


def get_media(media_id: int) -> Media | None:
    media = db.session.get(Media, media_id)
    return media if media is not None and media.kind is MediaKind.IMAGE else None


def may_change(actor: User, media: Media) -> bool:
    """Editors and admins may change any picture's words; an author those of the pictures they uploaded."""
    return actor.role in (Role.EDITOR, Role.ADMIN) or media.uploaded_by_id == actor.id


def update_words(media: Media, *, alt_text: str, caption: str, credit: str) -> None:
    media.alt_text, media.caption, media.credit = alt_text, caption, credit
    db.session.flush()


def set_lead(article: Article, media: Media | None) -> None:
    article.lead_media_id = None if media is None else media.id
    db.session.flush()


# --- Author photos -----------------------------------------------------------------------------------


def store_avatar(user: User, data: bytes) -> None:
    """A new photo for ``user``: a 256 px square WebP, stored like every picture (``users.avatar_path`` is its
    file name, ``<key>.webp``)."""
    check_size(len(data))
    decoded = images.decode(data, square=AVATAR_SIZE, budget=current_app.config["MEDIA_DECODE_PIXELS"])
    media = _store(decoded, MediaKind.AVATAR, by=user, alt_text=user.display_name)
    _replace_avatar(user, f"{media.original_key}.{EXT}")


def remove_avatar(user: User) -> None:
    _replace_avatar(user, None)


def _replace_avatar(user: User, name: str | None) -> None:
    old, user.avatar_path = user.avatar_path, name
    db.session.flush()
    if old and old != name:
        delete_media_by_key(old.removesuffix(f".{EXT}"), kind=MediaKind.AVATAR)


def delete_media_by_key(key: str, *, kind: MediaKind) -> None:
    """Delete the pictures of this kind whose original is ``key``."""
    _delete(list(db.session.scalars(sa.select(Media).where(Media.original_key == key, Media.kind == kind))))


def used_by(media: Media) -> list[str]:
    """The titles of the articles that show this picture: as their lead image, or in their text (any of its
    files' addresses)."""
    paths = [f"/media/{key}.{EXT}" for key in [media.original_key, *(key for _, key in media.variants or [])]]
    shown = sa.or_(Article.lead_media_id == media.id, *(Article.body_markdown.contains(p) for p in paths))
    return list(db.session.scalars(sa.select(Article.title).where(shown).order_by(Article.title)))


def delete(media: Media) -> None:
    """Delete a library picture (the caller has checked ``used_by``)."""
    _delete([media])


def _delete(found: list[Media]) -> None:
    """Delete these pictures, and their files no other picture uses (from the S3 store once the deletion is
    committed: a rolled-back deletion keeps its files)."""
    if not found:
        return
    keys = set(db.session.scalars(sa.select(MediaFile.key).where(MediaFile.media_id.in_([m.id for m in found]))))
    for media in found:
        db.session.delete(media)
    db.session.flush()
    still_used = set(db.session.scalars(sa.select(MediaFile.key).where(MediaFile.key.in_(keys))))
    target = store()
    for gone in sorted(keys - still_used):
        outbox.after_commit(db.session, target.delete, gone)
