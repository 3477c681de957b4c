"""Command-line tools: ``flask --app blog blog …`` and ``flask --app blog users …``."""

from __future__ import annotations

from typing import Any, TextIO

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from blog.extensions import db

NOT_MIGRATED = (
    "The database has no tables for this yet: run `flask --app blog db upgrade` first (after every upgrade of the "
    "site, too), then this command again."
)


def _table_missing(error: sa.exc.DBAPIError) -> bool:
    """SQLite's "no such table", PostgreSQL's undefined_table."""
    return "no such table" in str(error.orig) or getattr(error.orig, "sqlstate", None) == "42P01"


class Commands(AppGroup):
    """Our command groups: on a database that was never migrated a command says what to run, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sa.exc.DBAPIError as error:
            if not _table_missing(error):
                raise
            raise click.ClickException(NOT_MIGRATED) from None


blog_cli = Commands("blog", help="Site maintenance commands.")
users_cli = Commands("users", help="Manage the people who sign in (authors, editors, admins).")
comments_cli = Commands("comments", help="Moderate comments from the command line.")
mail_cli = AppGroup(
    "mail", help="The mail outbox: mail is written with the change that causes it, then sent by the worker."
)
blog_cli.add_command(mail_cli)
personal_data_cli = AppGroup(
    "personal-data",
    help="A person's data, by email address: their comments, mails to them, a staff account with that address.",
)
blog_cli.add_command(personal_data_cli)
retention_cli = AppGroup(
    "retention", help="Retention: how long comments' IP hashes, spam, trash and sent mail are kept (settings)."
)
blog_cli.add_command(retention_cli)
spam_cli = AppGroup(
    "spam",
    help="The learning spam filter: it learns from the editors' approve, spam and not-spam decisions as they are "
    "made, on top of the corpus shipped with the site.",
)
blog_cli.add_command(spam_cli)


def command_line() -> str:
    """How the logs name an action taken here rather than by a signed-in account: with the operating-system user
    who ran it, since the server has no account for them."""
    import getpass

    from blog.core.audit import command_line_actor

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        who = ""
    return command_line_actor(who)[:80]


@blog_cli.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1), help="Threads running tasks.")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Also run the scheduled tasks (mail retries, every minute; the retention purge, daily). Several workers may share a Redis queue; "
    "each may run them (every task is safe to run twice), or give all but one --no-periodic.",
)
def worker(workers: int, periodic: bool) -> None:
    """Run the job queue's consumer (Huey) until stopped: mail delivery, its retries, and what else is queued.

    One per machine for a SQLite site (the queue is a file beside the database), or any number sharing
    REDIS_URL. SIGINT stops it gracefully (tasks under way finish), SIGTERM at once."""
    import logging

    from flask import current_app

    from blog import jobs

    queue = jobs.current()
    if queue.backend == "immediate":
        raise click.ClickException("JOBS_BACKEND is immediate: tasks run when they are queued, there is no queue.")
    huey_log = logging.getLogger("huey")
    if not huey_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        for name in ("huey", "blog"):
            logging.getLogger(name).addHandler(handler)
            logging.getLogger(name).setLevel(logging.INFO)
    current_app.logger.info("job queue: %s, %d worker thread(s)", queue.backend, workers)
    queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic).run()


@mail_cli.command("send")
def mail_send() -> None:
    """Try every mail that is due once, print what happened, and exit (the worker does this every minute)."""
    from blog.services import outbox_mail

    outcomes = outbox_mail.deliver_due()
    counts = outbox_mail.counts()
    Outcome = outbox_mail.Outcome
    sent, failed, given_up = (outcomes[o] for o in (Outcome.SENT, Outcome.FAILED, Outcome.UNDELIVERABLE))
    click.echo(
        f"Mail: {sent} sent, {failed} failed (will be retried), {given_up} undeliverable; "
        f"{counts.due} due, {counts.undeliverable} undeliverable in all."
    )


@mail_cli.command("digest")
def mail_digest() -> None:
    """Write the daily digests now and exit (the worker does this every day at 06:00 UTC): one mail per subscriber
    with notices waiting. They go through the outbox: the worker sends them, or run "mail send"."""
    from blog.services import notifications

    click.echo(f"Digests: {notifications.send_digests()} written.")


@retention_cli.command("run")
def retention_run() -> None:
    """Apply the retention rules once, now, and print what each did (the worker does this every day).

    Drops the IP hash and user agent of comments older than the settings' days, deletes spam and trash kept
    longer than theirs (their audit events stay), and deletes mail sent or given up on long enough ago. Works in
    batches, each committed; running it again at once changes nothing."""
    from blog.orm import utcnow
    from blog.services import retention

    now = utcnow()
    with click.progressbar(length=sum(retention.due_counts(now).values()), label="Applying retention rules") as bar:

        def committed(rows: int) -> None:
            db.session.commit()
            bar.update(rows)

        done = retention.purge(now, on_batch=committed)
    db.session.commit()
    for name, count in done.items():
        click.echo(f"{name}: {count}")


@spam_cli.command("retrain")
@click.option(
    "--reset",
    is_flag=True,
    help="Forget every learned count first and learn again from the comments still stored (what deleted comments "
    "taught is lost): after an upgrade that changed the filter's features.",
)
def spam_retrain(reset: bool) -> None:
    """Teach the filter every stored comment it has not learned from: approved ones as good, spam as spam.

    Decisions on the desk teach it at once; this catches up with comments decided before the filter existed, or
    from the command line. Running it again at once teaches nothing more."""
    from blog.services import spamfilter

    done = spamfilter.retrain(reset=reset)
    db.session.commit()
    click.echo(f"Learned from {done.ham} good comment(s) and {done.spam} spam comment(s).")


@spam_cli.command("evaluate")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--threshold",
    type=click.IntRange(1, 99),
    default=None,
    help="Spam threshold in percent (default: the site's setting).",
)
def spam_evaluate(file: TextIO, threshold: int | None) -> None:
    """Score a labelled file with the filter as it stands and print precision, recall and the confusion matrix.

    FILE has one JSON object a line: "body", "name", "website", "label" ("spam" or "ham"). It is only read:
    nothing is learned from it."""
    from blog.services import spamfilter
    from blog.services.site import get_settings

    percent = threshold if threshold is not None else get_settings().spam_threshold
    try:
        result = spamfilter.evaluate(list(spamfilter.read_examples(file)), threshold=percent / 100)
    except spamfilter.BadExample as error:
        raise click.ClickException(f"{file.name}: {error}") from None
    spam, ham = result.true_spam + result.missed_spam, result.false_spam + result.true_ham
    click.echo(f"{spam + ham} comments ({spam} spam, {ham} ham), spam threshold {percent}%")
    click.echo(
        f"precision {result.precision:.1%}  recall {result.recall:.1%}  ham sent to Spam {result.false_positive_rate:.1%}"
    )
    click.echo("                 to Spam   not to Spam")
    click.echo(f"labelled spam   {result.true_spam:>7}   {result.missed_spam:>11}")
    click.echo(f"labelled ham    {result.false_spam:>7}   {result.true_ham:>11}")


@blog_cli.command("seed-demo")
@click.option(
    "--password", default=None, help="Give the demo users this password (default: none; they cannot sign in)."
)
def seed_demo(password: str | None) -> None:
    """Load the demo site: authors, articles, tags, Keep Reading links, comments. Safe to run again."""
    from blog.services.demo import load_demo

    report = load_demo(password=password)
    db.session.commit()
    click.echo(f"Demo content loaded: created {report}.")


@blog_cli.command("reindex-related")
def reindex_related() -> None:
    """Rebuild the Keep Reading index and recompute every article's automatic picks."""
    from blog.services import related

    total = related.published_count()
    with click.progressbar(length=total, label="Indexing articles") as bar:
        related.rebuild_index(progress=bar.update)
    with click.progressbar(length=total, label="Choosing Keep Reading") as bar:
        related.refresh_all_picks(progress=bar.update)
    db.session.commit()
    click.echo(f"Keep Reading recomputed for {total} published article(s).")


@blog_cli.command("reindex-search")
def reindex_search() -> None:
    """Rebuild the full-text search index from the published articles."""
    from blog.services import related, search

    search.rebuild()
    db.session.commit()
    click.echo(f"Search index rebuilt: {related.published_count()} published article(s).")


@blog_cli.command("rerender")
def rerender() -> None:
    """Render every article body, author bio and comment again from its source with the current sanitiser.

    Run it after an upgrade whose notes say the sanitiser changed; only rows whose HTML changes are written."""
    from blog.services import rendering

    changed = rendering.rerender_all(on_batch=db.session.commit)
    db.session.commit()
    click.echo("Re-rendered: " + ", ".join(f"{count} {table}" for table, count in changed.items()) + " changed.")


@blog_cli.command("load-fixture")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--preview-comments", default=100, show_default=True, help="Comments on the main post.")
@click.option("--no-full-thread", is_flag=True, help="Skip the copy of the post that carries every comment.")
def load_fixture(path: str, preview_comments: int, no_full_thread: bool) -> None:
    """Import a JSON export (site, author, articles, comments), e.g. the benchmark fixture. Safe to run again."""
    import json

    from blog.services.importer import ExportFormatError, import_export

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        report = import_export(data, full_thread_copy=not no_full_thread, preview_comments=preview_comments)
    except (ExportFormatError, ValueError, KeyError) as error:
        db.session.rollback()
        raise click.ClickException(f"Cannot import {path}: {error}") from None
    db.session.commit()
    click.echo(f"Imported {path}: created {report}.")


@blog_cli.command("import-wxr")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", default=2000, show_default=True, type=click.IntRange(1), help="Comments per commit.")
def import_wxr(path: str, batch_size: int) -> None:
    """Import a WordPress export (WXR 1.0-1.2, Tools > Export): authors, posts, tags, comments, old links.

    The file is read once first: one that is not well-formed (line and column given), declares entities or
    is not WXR is refused before anything is written. Then it is imported in committed batches, so the site
    keeps working meanwhile; run it again after an interruption and it continues where it stopped (articles
    are matched by WordPress GUID, comments by WordPress id: nothing is added twice). Authors become authors
    without a password (they choose one through "Forgot your password?"); publish -> published, future ->
    scheduled, pending -> ready for review, draft and private -> draft; pages, pingbacks and trackbacks are
    counted and skipped, attachments listed but not downloaded. Each post's old addresses (/YYYY/MM/slug/,
    /?p=ID, /slug/, its <link>) redirect to the new article. Search and Keep Reading are rebuilt at the end.
    One import at a time: this one is listed on the admins' Data page with its progress, and refused while
    another (started there or here) is under way."""
    from blog.services import wxr_import

    with click.progressbar(length=100, label="Importing", show_percent=True) as bar:
        done = [0]

        def progress(read: int, total: int) -> None:
            percent = read * 100 // max(total, 1)
            bar.update(percent - done[0])
            done[0] = percent

        try:
            run = wxr_import.import_here(path, on_progress=progress, batch_size=batch_size)
        except wxr_import.ImportBusy as busy:
            raise click.ClickException(str(busy)) from None
    if run.error:
        raise click.ClickException(f"Cannot import {path}: {run.error}")
    summary = run.summary
    width = max(len(label) for label, _ in summary["rows"])
    click.echo(f"\nImported {path}:")
    for label, value in summary["rows"]:
        click.echo(f"  {label.ljust(width)}  {value}")
    for url in summary["attachments"]:
        click.echo(f"  attachment (not downloaded): {url}")
    for note in summary["notes"]:
        click.echo(f"  note: {note}")


@blog_cli.command("export-wxr")
@click.option(
    "--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout)."
)
def export_wxr(output) -> None:
    """Write the whole site as WordPress eXtended RSS 1.2, as WordPress 6's Tools > Export writes it.

    Authors, sections (as categories) and tags, every article with its comments (every status, spam too;
    IP addresses empty: only their keyed hashes were kept). WordPress's importer and ours (import-wxr) read it."""
    from blog.services import wxr_export

    wxr_export.write(output)


@blog_cli.command("export-json")
@click.option(
    "--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File to write (default: stdout)."
)
def export_json(output) -> None:
    """Write everything as JSON Lines (docs/data.md): settings, authors, tags, articles, comments, moderation log.

    One JSON object per line, each with a "type". For the site's owners: it holds commenters' addresses (never
    password hashes or other secrets). Keep it as private as the database."""
    from blog.services import transfer

    output.writelines(transfer.json_lines())


@blog_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path: str) -> None:
    """Make a consistent copy of the database at PATH while the site runs.

    SQLite: its online backup API (a database file). PostgreSQL: pg_dump --format=custom, when pg_dump is
    installed (otherwise it says so and exits 1). Put it back with `restore`."""
    from blog.services import transfer

    try:
        how = transfer.backup(path)
    except transfer.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {path} ({how}).")


@blog_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore(path: str) -> None:
    """Put a backup made by `backup` into this site's database, which must be empty.

    SQLite: a database without content (a new file, migrated or not). PostgreSQL: a database without tables
    (createdb a new one), restored with pg_restore. Prints every table's row count afterwards."""
    from blog.services import transfer

    try:
        how = transfer.restore(path)
    except transfer.BackupError as error:
        raise click.ClickException(str(error)) from None
    counts = transfer.table_counts()
    click.echo(f"Restored {path} ({how}): " + ", ".join(f"{n} {t}" for t, n in counts.items() if n) + ".")


@users_cli.command("create")
@click.option("--email", required=True, help="Sign-in address (never shown publicly).")
@click.option("--name", required=True, help="Display name, shown in bylines.")
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "author"]), help="What the user may do.")
@click.option("--password", default=None, help="Prompted for (hidden, twice) when omitted.")
def create_user(email: str, name: str, role: str, password: str | None) -> None:
    """Create a user who can sign in."""
    from blog.services.users import UserError
    from blog.services.users import create_user as create

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.BadParameter("use at least 8 characters", param_hint="--password")
    try:
        user = create(email=email, name=name, role=role, password=password)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.display_name} (/authors/{user.slug}).")


@users_cli.command("set-password")
@click.argument("email")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the new password from the first line of standard input (for scripts) instead of prompting.",
)
def set_password(email: str, password_stdin: bool) -> None:
    """Set a new password for the account with address EMAIL, and sign it out everywhere.

    Prompts for the password twice, hidden, unless --password-stdin is given. It must be strong enough
    (zxcvbn score 3 or more, the person's name and address counting against it); the person is mailed about
    the change. Exits 1, changing nothing, for an unknown address or a weak password. For an admin locked out
    of a server with no one else to send a reset link."""
    import sys

    from blog.models import SecurityEvent
    from blog.services import security_log, users

    user = users.find_by_email(email)
    if user is None:
        raise click.ClickException(f"There is no account with the address {email.strip().lower()!r}.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        users.set_password(user, password)
    except users.UserError as error:
        raise click.ClickException(f"Password not changed: {error}") from None
    security_log.record(
        SecurityEvent.PASSWORD_CHANGED,
        user=user,
        detail="It was set on the server, from the command line.",
        via=command_line(),
    )
    db.session.commit()
    click.echo(f"New password set for {user.display_name}; their other sessions have ended.")


@comments_cli.command("moderate")
@click.argument("comment_id", type=int)
@click.argument("action", type=click.Choice(["approve", "unapprove", "spam", "trash", "restore", "delete"]))
def moderate_comment(comment_id: int, action: str) -> None:
    """Apply ACTION to comment COMMENT_ID (recorded in its moderation history and the moderation log as done
    by "command line (<your user name on this server>)")."""
    from blog.models import Comment
    from blog.orm import utcnow
    from blog.services.moderation import ModerationError, moderate

    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise click.ClickException(f"There is no comment {comment_id}.")
    before = comment.status
    try:
        changed = moderate(comment, action, actor=None, now=utcnow(), actor_label=command_line())
    except ModerationError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    after = "deleted" if action == "delete" else comment.status
    click.echo(
        f"Comment {comment_id}: {before} -> {after}." if changed else f"Comment {comment_id} is {before} already."
    )


@personal_data_cli.command("export")
@click.argument("email")
@click.option(
    "--output", type=click.Path(dir_okay=False), help="Write the ZIP a person downloads (your-data.json and a README)."
)
def personal_data_export(email: str, output: str | None) -> None:
    """Print everything held under EMAIL as JSON (or write it as a ZIP with --output); the export is recorded."""
    import json

    from blog.orm import utcnow
    from blog.services import personal_data

    data = personal_data.export(email, via="cli", now=utcnow(), staff=True)
    db.session.commit()
    if output is None:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    with open(output, "wb") as file:
        file.write(personal_data.export_zip(data))
    click.echo(f"{len(data['comments'])} comment(s) written to {output}.", err=True)


@personal_data_cli.command("erase")
@click.argument("email")
@click.option("--delete-text", is_flag=True, help="Delete the comments, text and all (their replies stay).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def personal_data_erase(email: str, delete_text: bool, yes: bool) -> None:
    """Erase what is held under EMAIL: comments are anonymised (text and thread kept, signed "Anonymous"; with
    --delete-text deleted), mails to or about the address deleted, a staff account deactivated and stripped (its
    articles stay, bylined "Former contributor"). Recorded, with the address as a keyed hash only."""
    from blog.orm import utcnow
    from blog.services import personal_data

    mode = personal_data.Mode.DELETE if delete_text else personal_data.Mode.ANONYMISE
    if not yes:
        click.confirm(
            f"{mode.value.capitalize()} everything held under this address? This cannot be undone", abort=True
        )
    try:
        counts = personal_data.erase(email, mode, via="cli", now=utcnow(), staff=True)
    except personal_data.ErasureRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(
        f"Erased ({mode.value}): {counts['comments']} comment(s), {counts['account']} staff account(s), "
        f"{counts['outbox_mails']} mail(s)."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(blog_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(comments_cli)
