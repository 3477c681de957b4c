"""Importing a WordPress export (WXR 1.0–1.2): authors, posts, tags, comments and old permalinks.

``import_wxr(path, on_batch=db.session.commit)`` first reads the whole file once (``core.wxr.check``): a file
that is not well-formed, declares entities or is not WXR is refused with the line and column before anything
is written. It then streams it (constant memory, whatever its size) and writes in batches, calling
``on_batch`` after each (the CLI and the job commit there, so the live site keeps taking comments and an
interrupted import keeps what it wrote). Matching is by what WordPress gave us, kept on the rows: an article
by its GUID (``articles.wp_guid``), a comment by its id within its article (``comments.wp_id``), an author by
email address — so a second run continues where the first stopped and adds nothing already there.

Comments go in with Core ``insert()`` executemany, ``batch_size`` rows at a time; replies find their parents
after each batch by one UPDATE joining on the stored WordPress ids (a parent that comes later in the file is
found at the end of its article), not through a map in memory. Each imported comment gets an "imported"
moderation event (set-based, one INSERT … SELECT per batch), so the desk's history says where it came from.
At the end the search index and Keep Reading are rebuilt once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import unquote

import sqlalchemy as sa
from flask import current_app

from blog import jobs
from blog.core import privacy, sanitize, wxr
from blog.core.text import slugify, word_count
from blog.extensions import db
from blog.models import (
    Article,
    ArticleStatus,
    Comment,
    ImportRun,
    ImportState,
    ModerationEvent,
    Tag,
    User,
    article_tags,
)
from blog.models.transfer import ACTIVE_STATES
from blog.orm import utcnow
from blog.services import authoring, comments, media, redirects, related, search, site, users

log = logging.getLogger(__name__)
BATCH_SIZE = 2000
ATTACHMENTS_LISTED = 50  # the summary names this many attachment URLs, and counts the rest
IMPORTED = "imported"  # the moderation event's action, and the comments' moderation reason


@dataclass
class Summary:
    """What an import did, for the summary table (CLI) and the admin page (``as_dict``)."""

    authors_created: int = 0
    authors_existing: int = 0
    articles: dict[str, int] = field(default_factory=dict)  # by our status (scheduled separately)
    articles_existing: int = 0
    tags_created: int = 0
    comments: dict[str, int] = field(default_factory=dict)  # by status
    comments_existing: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason → count
    attachments: list[str] = field(default_factory=list)
    attachment_count: int = 0
    redirects: int = 0
    notes: list[str] = field(default_factory=list)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def rows(self) -> list[tuple[str, str]]:
        rows = [
            ("authors", f"{self.authors_created} created, {self.authors_existing} already here"),
            ("articles", _by(self.articles) + f"; {self.articles_existing} already imported"),
            ("tags", f"{self.tags_created} created"),
            ("comments", _by(self.comments) + f"; {self.comments_existing} already imported"),
            ("old links", f"{self.redirects} redirect(s)"),
            ("attachments", f"{self.attachment_count} referenced, not downloaded"),
        ]
        rows += [(f"skipped: {reason}", str(n)) for reason, n in self.skipped.items()]
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows(),
            "attachments": self.attachments,
            "notes": self.notes,
            "comments": sum(self.comments.values()),
        }


def _by(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    return f"{total} created" + (" (" + ", ".join(f"{n} {k}" for k, n in counts.items()) + ")" if counts else "")


@dataclass
class _Current:
    """The item whose comments are being read."""

    article_id: int | None = None  # None: its comments are skipped (a page, an attachment, …)
    skip_reason: str = ""
    known: set[int] = field(default_factory=set)  # its comments' WordPress ids already stored (a second run)
    unresolved: bool = False  # a reply whose parent was not found yet


class _Importer:
    def __init__(self, *, batch_size: int, actor_id: int | None, on_batch: Callable[[], None]) -> None:
        self.summary = Summary()
        self.batch_size = batch_size
        self.actor_id = actor_id
        self.on_batch = on_batch
        self.hash_key = current_app.config["HASH_KEY"]
        self.now = utcnow()
        self.authors: dict[str, int] = {}  # WordPress login → user id
        self.tags: dict[str, int] = {}  # our slug → tag id
        self.current = _Current()
        self.rows: list[dict[str, Any]] = []
        self.touched: set[int] = set()  # articles with comments in the batch
        self.insert = sa.insert(cast(sa.Table, Comment.__table__))  # Core: no ORM objects

    # --- records ------------------------------------------------------------------------------------------

    def site(self, record: wxr.Site) -> None:
        settings = site.ensure_settings()
        if not settings.site_title and record.title:
            settings.site_title = record.title[:120]
            settings.site_tagline = record.description[:200]

    def author(self, record: wxr.Author) -> int:
        login = record.login or slugify(record.display_name) or "author"
        email = privacy.normalise_email(record.email) or f"{slugify(login) or 'author'}@imported.invalid"
        found = db.session.scalar(sa.select(User.id).where(User.email == email))
        if found is None:
            user = users.create_user(
                email=email,
                name=(record.display_name or login)[:80],
                role="author",
                password=None,  # they choose one through "Forgot your password?"
                bio=record.description,
            )
            found = user.id
            self.summary.authors_created += 1
            if not record.email:
                self.summary.notes.append(f"Author {login!r} had no email address: given {email}.")
        else:
            self.summary.authors_existing += 1
        self.authors[record.login] = found
        return found

    def post(self, record: wxr.Post) -> None:
        self._end_article()
        self.current = _Current()
        if record.post_type == "attachment":
            self.summary.attachment_count += 1
            if len(self.summary.attachments) < ATTACHMENTS_LISTED:
                self.summary.attachments.append(record.attachment_url or record.guid)
            self.current.skip_reason = "comments on attachments"
            return
        if record.post_type != "post":
            reason = "pages (we have no pages)" if record.post_type == "page" else f"{record.post_type} items"
            self.summary.skip(reason)
            self.current.skip_reason = f"comments on {reason.split(' ')[0]}"
            return
        status = wxr.post_status(record.status)
        if status is None:
            self.summary.skip(f"posts with WordPress status {record.status!r}")
            self.current.skip_reason = "comments on skipped posts"
            return
        guid = (record.guid or f"wp-post:{record.wp_id}")[:500]
        existing = db.session.scalar(sa.select(Article.id).where(Article.wp_guid == guid))
        if existing is not None:
            self.summary.articles_existing += 1
            self.current.article_id = existing
            self.current.known = set(
                db.session.scalars(
                    sa.select(Comment.wp_id).where(Comment.article_id == existing, Comment.wp_id.is_not(None))
                )
            )
            # A run that stopped after storing a reply and before its parent (later in the file) arrived left it
            # unthreaded: look again at the end of the article, whether or not a new reply needs it.
            orphans = sa.select(Comment.id).where(
                Comment.article_id == existing, Comment.wp_parent_id.is_not(None), Comment.parent_id.is_(None)
            )
            self.current.unresolved = db.session.scalar(orphans.limit(1)) is not None
            return
        self.current.article_id = self._create_article(record, status, guid)

    def _create_article(self, record: wxr.Post, status: str, guid: str) -> int:
        author_id = self.authors.get(record.creator)
        if author_id is None:
            author_id = self.author(
                wxr.Author(
                    wp_id=None, login=record.creator or "imported", email="", display_name=record.creator or "Imported"
                )
            )
        tags, section = self._tags(record)
        when = wxr.utc(record.date_gmt, record.date_local)
        if record.date_gmt is None and record.date_local is not None and status in ("published", "scheduled"):
            self.summary.notes.append(f"{record.title[:60]!r}: no GMT date, its local time was taken as UTC.")
        published_at = (when or self.now) if status in ("published", "scheduled") else None
        body = record.content.strip()
        slug = users.unique_slug(
            Article, slugify(record.slug, max_length=200) or slugify(record.title, max_length=200), fallback="article"
        )
        if section is None and tags:  # what authoring does: the alphabetically first tag labels the article
            section = min(tags, key=lambda t: (t.name, t.slug))
        # Core, like the comments: authoring.create_article's ORM flush cost more than the rest of an article.
        # It writes what create_article(index=False) writes; search and Keep Reading are rebuilt at the end.
        article_id = db.session.execute(
            sa.insert(cast(sa.Table, Article.__table__))
            .values(
                slug=slug,
                title=(record.title or "(untitled)")[:200].strip(),
                summary=wxr.strip_tags(record.excerpt)[:500],
                body_markdown=body,
                body_html=media.render_article(body),
                word_count=word_count(body),
                status=(
                    ArticleStatus.REVIEW
                    if status == "review"
                    else ArticleStatus.PUBLISHED
                    if published_at
                    else ArticleStatus.DRAFT
                ).value,
                published_at=published_at,
                created_at=min(when, self.now) if when else self.now,
                updated_at=self.now,
                author_id=author_id,
                comments_open=record.comment_status == "open",
                comment_count=0,
                section_tag_id=section.id if section else None,
                wp_guid=guid,
                wp_post_id=record.wp_id or None,
            )
            .returning(cast(sa.Table, Article.__table__).c.id)
        ).scalar_one()
        if tags:
            db.session.execute(sa.insert(article_tags), [{"article_id": article_id, "tag_id": tag.id} for tag in tags])
        label = "draft (private in WordPress)" if record.status == "private" else status
        if published_at is not None and published_at > self.now:
            label = "scheduled"
            jobs.after_commit_at(published_at, authoring.went_live, article_id)  # as create_article schedules it
        self.summary.articles[label] = self.summary.articles.get(label, 0) + 1
        self.summary.redirects += redirects.remember_old_paths(article_id, slug, wxr.permalink_paths(record))
        return int(article_id)

    def _tags(self, record: wxr.Post) -> tuple[list[Tag], Tag | None]:
        found: list[Tag] = []
        section: Tag | None = None
        for kind, pairs in (("category", record.categories), ("tag", record.tags)):
            for nicename, name in pairs:
                if kind == "category" and nicename == "uncategorized":
                    continue  # WordPress's default category: not a section of ours
                tag = self._tag(nicename, name)
                if tag not in found:
                    found.append(tag)
                if kind == "category" and section is None:
                    section = tag  # the first category is the section label
        return found, section

    def _tag(self, nicename: str, name: str) -> Tag:
        name = (name or unquote(nicename)).strip()[:80] or "untitled"
        slug = slugify(unquote(nicename)) or slugify(name) or "tag-" + hashlib.sha256(name.encode()).hexdigest()[:10]
        tag_id = self.tags.get(slug)
        if tag_id is not None:
            tag = db.session.get(Tag, tag_id)
            assert tag is not None  # noqa: S101  (rows are not deleted during an import)
            return tag
        tag = db.session.scalar(sa.select(Tag).where(sa.or_(Tag.slug == slug, Tag.name == name)).limit(1))
        if tag is None:
            tag = Tag(slug=slug, name=name)
            db.session.add(tag)
            db.session.flush()
            self.summary.tags_created += 1
        self.tags[slug] = tag.id
        return tag

    def comment(self, record: wxr.Comment) -> None:
        current = self.current
        if current.article_id is None:
            self.summary.skip(current.skip_reason or "comments outside a post")
            return
        kind = record.comment_type.lower()
        if kind in wxr.SKIPPED_COMMENT_TYPES:
            self.summary.skip(f"{kind}s")
            return
        if kind not in ("", "comment"):
            self.summary.skip(f"comments of type {kind!r}")
            return
        if record.wp_id in current.known:
            self.summary.comments_existing += 1
            return
        current.known.add(record.wp_id)
        status = wxr.comment_status(record.approved)
        body = wxr.html_to_text(record.content)
        email = privacy.normalise_email(record.email)[:254]
        created = wxr.utc(record.date_gmt, record.date_local) or self.now
        self.rows.append(
            {
                "article_id": current.article_id,
                "wp_id": record.wp_id,
                "wp_parent_id": record.parent or None,
                "parent_id": None,
                "depth": 0,
                "status": status,
                "author_name": (record.author or "Anonymous")[:80],
                "author_email": email,
                "author_website": record.url[:200] if sanitize.url_scheme_allowed(record.url) else "",
                "avatar_colour": privacy.avatar_colour(self.hash_key, email),
                "body_text": body,
                "body_html": sanitize.render_comment(body),
                "created_at": created,
                "status_changed_at": None,
                "edited_at": None,
                "ip_hash": privacy.ip_hash(self.hash_key, record.ip) if record.ip else "",  # never the raw IP
                "user_agent": "",
                "user_id": None,
                "moderation_reasons": [IMPORTED],
            }
        )
        if record.parent and record.parent not in current.known:
            current.unresolved = True  # its parent comes later in the file: found at the end of the article
        self.summary.comments[status] = self.summary.comments.get(status, 0) + 1
        self.touched.add(current.article_id)
        if len(self.rows) >= self.batch_size:
            self.flush()

    # --- batches ------------------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the batch's comments, find their parents, record their events, recount; then ``on_batch``."""
        if self.rows:
            before = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Comment.id), 0)))
            db.session.execute(self.insert, self.rows)
            new = sa.and_(Comment.id > before, Comment.wp_id.is_not(None))
            if any(row["wp_parent_id"] for row in self.rows):
                _resolve_parents(new)
            db.session.execute(
                sa.insert(ModerationEvent).from_select(
                    ["comment_id", "actor_id", "action", "to_status", "created_at"],
                    sa.select(
                        Comment.id,
                        sa.literal(self.actor_id, sa.Integer),
                        sa.literal(IMPORTED),
                        Comment.status,
                        sa.literal(self.now, ModerationEvent.created_at.type),
                    ).where(new),
                )
            )
            for article_id in sorted(self.touched):
                comments.refresh_comment_count(article_id)
            self.rows, self.touched = [], set()
        self.on_batch()

    def _end_article(self) -> None:
        """The item's comments are all read: a reply whose parent came later in the file finds it now."""
        if self.current.article_id is not None and self.current.unresolved:
            if self.rows:
                self.flush()
            _resolve_parents(Comment.article_id == self.current.article_id)

    def finish(self) -> None:
        self._end_article()
        self.flush()


def rebuild_indexes() -> None:
    """Search and Keep Reading, from scratch, once after an import (flushes; the caller commits)."""
    search.rebuild()
    related.rebuild_index()
    related.refresh_all_picks()


def _resolve_parents(scope: sa.ColumnElement[bool]) -> None:
    """Set ``parent_id`` from ``wp_parent_id`` (the parent in the same article with that WordPress id), then
    ``depth`` from the parent's, for the comments in ``scope``: set-based, a few statements per batch."""
    parent = sa.orm.aliased(Comment)
    found = (
        sa.select(parent.id)
        .where(parent.article_id == Comment.article_id, parent.wp_id == Comment.wp_parent_id, parent.wp_id.is_not(None))
        .scalar_subquery()
    )
    db.session.execute(
        sa.update(Comment)
        .where(scope, Comment.wp_parent_id.is_not(None), Comment.parent_id.is_(None))
        .values(parent_id=found)
        .execution_options(synchronize_session=False)
    )
    parent_depth = sa.select(parent.depth + 1).where(parent.id == Comment.parent_id).scalar_subquery()
    for _ in range(1000):  # each round settles one more level of a thread (deeper than any real one)
        changed = db.session.execute(
            sa.update(Comment)
            .where(scope, Comment.parent_id.is_not(None), Comment.depth != parent_depth)
            .values(depth=parent_depth)
            .execution_options(synchronize_session=False)
        )
        if not cast("sa.CursorResult[Any]", changed).rowcount:  # an UPDATE's result is a CursorResult
            break


def import_wxr(
    path: str,
    *,
    on_batch: Callable[[], None] = lambda: None,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
    actor_id: int | None = None,
    rebuild: bool = True,
) -> Summary:
    """Import the WXR file at ``path`` (see the module's docstring). Raises ``core.wxr.WxrError`` before writing
    anything when the file is refused. ``on_progress(bytes_read, bytes_total)`` is called as it reads.
    ``rebuild=False`` leaves the search and Keep Reading rebuild (``rebuild_indexes``) to the caller."""
    wxr.check(path)
    total = os.path.getsize(path)
    importer = _Importer(batch_size=batch_size, actor_id=actor_id, on_batch=on_batch)
    with open(path, "rb") as handle:
        for n, record in enumerate(wxr.read(handle)):
            if isinstance(record, wxr.Comment):
                importer.comment(record)
                if on_progress is not None and n % 500 == 0:
                    on_progress(handle.tell(), total)
                continue
            if isinstance(record, wxr.Post):
                importer.post(record)
            elif isinstance(record, wxr.Author):
                importer.author(record)
            else:
                importer.site(record)
            if on_progress is not None:
                on_progress(handle.tell(), total)
        importer.finish()
        if rebuild:
            rebuild_indexes()
            on_batch()
        if on_progress is not None:
            on_progress(total, total)
    drafts = importer.summary.articles.get("draft (private in WordPress)")
    if drafts:
        importer.summary.notes.append(f"{drafts} private post(s) became drafts: we have no private articles.")
    return importer.summary


# --- from the admin page: one import at a time, as a job ------------------------------------------------------
# A run's heartbeat (``updated_at``) moves when it is created, when it starts, with every progress update and when
# it ends. One queued or running whose heartbeat is older than IMPORT_STALE_MINUTES has lost its process (killed,
# restarted): it no longer blocks the next import, which marks it failed. The partial unique index
# ``ix_import_runs_one_active`` keeps two uploads started at once from both running: the second INSERT fails.

CONTINUE = "What was imported is kept; importing the same file again continues where it stopped."


class ImportBusy(RuntimeError):
    """Another import is queued or running."""


class _Stopped(RuntimeError):
    """The run is no longer ours to carry on: a new import found it stale and marked it failed."""


def active_run() -> ImportRun | None:
    """The queued or running import, live or stopped (the index allows one)."""
    return db.session.scalar(sa.select(ImportRun).where(ImportRun.state.in_(ACTIVE_STATES)).limit(1))


def recent_runs(limit: int = 10) -> list[ImportRun]:
    return list(db.session.scalars(sa.select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))


def stale_before(now: datetime) -> datetime:
    """A queued or running import with no heartbeat since this time counts as stopped."""
    return now - timedelta(minutes=current_app.config["IMPORT_STALE_MINUTES"])


def is_stopped(run: ImportRun, now: datetime) -> bool:
    """Queued or running on the row, but no sign of life for IMPORT_STALE_MINUTES: its process has gone."""
    return run.state in ACTIVE_STATES and run.updated_at < stale_before(now)


def _busy(run: ImportRun | None) -> ImportBusy:
    if run is None:  # the other one's transaction ended in between
        return ImportBusy("Another import has just started: wait until it has finished, then start the next.")
    return ImportBusy(
        f"An import is already {run.state.value} ({run.filename}, started {run.created_at:%Y-%m-%d %H:%M} UTC, "
        f"last progress {run.updated_at:%H:%M} UTC): wait until it has finished, then start the next."
    )


def _mark_stopped(run: ImportRun, now: datetime) -> bool:
    """Fail a stopped run, unless it has shown a sign of life since it was read, or another start marked it."""
    minutes = int((now - run.updated_at).total_seconds() // 60)
    error = (
        f"stopped: not started for {minutes} minutes (is the job worker running?)"
        if run.state is ImportState.QUEUED
        else f"stopped: no progress for {minutes} minutes (the process was probably restarted)"
    )
    marked = db.session.execute(
        sa.update(ImportRun)
        .where(ImportRun.id == run.id, ImportRun.state.in_(ACTIVE_STATES), ImportRun.updated_at < stale_before(now))
        .values(state=ImportState.FAILED, error=f"{error}. {CONTINUE}", finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(cast("sa.CursorResult[Any]", marked).rowcount)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        log.warning("could not delete the uploaded import file %s", path)


def start_run(save: Callable[[str], None], filename: str, *, folder: str, actor_id: int | None) -> ImportRun:
    """Keep the uploaded file (``save(path)`` writes it) and queue its import once the caller commits. Refused
    (``ImportBusy``) while another import is queued or running: two at once would race for the same rows. One
    that has stopped (``is_stopped``) is marked failed instead, and its leftover upload deleted.

    The file is saved before anything is written: on SQLite a write holds the database's one write lock, which
    copying a large upload must not. A start that lost a race against another (both found none active) fails
    on the unique index, deletes its file and is refused like any other."""
    now = utcnow()
    found = active_run()
    if found is not None and not is_stopped(found, now):
        raise _busy(found)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{secrets.token_hex(16)}.xml")
    save(path)
    run = ImportRun(
        filename=(os.path.basename(filename or "export.xml") or "export.xml")[:255],
        path=path,
        bytes_total=os.path.getsize(path),
        actor_id=actor_id,
        summary={},
        created_at=now,
        updated_at=now,
    )
    try:
        _open(run, found, now)
    except Exception:
        _remove(path)
        raise
    jobs.after_commit(run_import, run.id)
    return run


def _open(run: ImportRun, found: ImportRun | None, now: datetime) -> None:
    """Add ``run`` as the one import under way, after ``found`` (the active run read before, if any) was judged
    stopped: that one is marked failed and its leftover upload deleted. A start that lost a race (both found none
    active) fails on the unique index and is refused like any other (``ImportBusy``)."""
    stopped = found.path if found is not None and _mark_stopped(found, now) else None
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except sa.exc.IntegrityError as error:
        if "ix_import_runs_one_active" not in str(error.orig):
            raise
        raise _busy(active_run()) from None
    if stopped and os.path.exists(stopped):
        _remove(stopped)  # the stopped run's upload: nothing will read it again


@jobs.task
def run_import(run_id: int) -> None:
    """The job: import a queued run's file, recording progress (bytes read) and the summary; nothing for a run
    that is not queued (safe to run twice). The uploaded file is deleted at the end, whatever happened. A run
    found stopped meanwhile (a new import marked it failed) ends at its next progress update, writing nothing."""
    started = db.session.execute(
        sa.update(ImportRun)
        .where(ImportRun.id == run_id, ImportRun.state == ImportState.QUEUED)
        .values(state=ImportState.RUNNING, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not cast("sa.CursorResult[Any]", started).rowcount:
        db.session.rollback()
        return
    path, actor_id = db.session.execute(
        sa.select(ImportRun.path, ImportRun.actor_id).where(ImportRun.id == run_id)
    ).one()
    db.session.commit()
    if _carry_out(run_id, path, actor_id=actor_id):
        _remove(path)
    # else the newer import that found this one stopped deleted the file


def import_here(
    path: str, *, on_progress: Callable[[int, int], None] | None = None, batch_size: int = BATCH_SIZE
) -> ImportRun:
    """The command line's import of the operator's own file (never deleted): a run like an upload's, so that the
    admins' page shows it with its progress and neither can start while the other goes on (``ImportBusy``). The
    run is returned finished (done or failed, with its error); Ctrl-C marks it failed before it stops."""
    now = utcnow()
    found = active_run()
    if found is not None and not is_stopped(found, now):
        raise _busy(found)
    run = ImportRun(
        filename=f"{os.path.basename(path)[:230]} (command line)",
        path="",  # no upload of ours to delete
        state=ImportState.RUNNING,
        bytes_total=os.path.getsize(path),
        summary={},
        created_at=now,
        updated_at=now,
    )
    _open(run, found, now)
    db.session.commit()
    try:
        _carry_out(run.id, path, actor_id=None, on_progress=on_progress, batch_size=batch_size)
    except KeyboardInterrupt:
        _finish(run.id, ImportState.FAILED, f"Interrupted from the command line. {CONTINUE}")
        raise
    db.session.expire(run)
    return db.session.get_one(ImportRun, run.id)


def _carry_out(
    run_id: int,
    path: str,
    *,
    actor_id: int | None,
    on_progress: Callable[[int, int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> bool:
    """Import a running run's file, with a heartbeat at each progress update, and record how it ended. False when
    the run was found stopped (marked failed by a newer import) and ended here writing nothing more."""
    ours = sa.and_(ImportRun.id == run_id, ImportRun.state == ImportState.RUNNING)

    def progress(done: int, total: int) -> None:
        beat = db.session.execute(
            sa.update(ImportRun)
            .where(ours)
            .values(bytes_done=done, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not cast("sa.CursorResult[Any]", beat).rowcount:
            raise _Stopped
        if on_progress is not None:
            on_progress(done, total)

    state, error, summary = ImportState.FAILED, None, {}
    try:
        result = import_wxr(
            path, on_batch=db.session.commit, on_progress=progress, actor_id=actor_id, batch_size=batch_size
        )
        state, summary = ImportState.DONE, result.as_dict()
    except _Stopped:
        log.warning("import run %s was found stopped and marked failed by a newer import: it ends here", run_id)
        db.session.rollback()
        return False
    except wxr.WxrError as refused:
        error = str(refused)
    except Exception:  # the run must not stay "running": record the failure, the log has the details
        log.exception("import run %s failed", run_id)
        error = f"The import stopped on an unexpected error (the server's log has the details). {CONTINUE}"
    _finish(run_id, state, error, summary)
    return True


def _finish(run_id: int, state: ImportState, error: str | None, summary: dict[str, Any] | None = None) -> None:
    db.session.rollback()  # a failure's unfinished batch; after a success, only the last progress update
    now = utcnow()
    read = {"bytes_done": ImportRun.bytes_total} if state is ImportState.DONE else {}
    db.session.execute(
        sa.update(ImportRun)
        .where(ImportRun.id == run_id, ImportRun.state == ImportState.RUNNING)
        .values(state=state, error=error, summary=summary or {}, finished_at=now, updated_at=now, **read)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
