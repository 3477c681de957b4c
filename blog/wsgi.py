"""The production entry point: ``gunicorn -c python:blog.gunicorn_conf`` serves ``blog.wsgi:app``.

Here, not in ``create_app``, a development secret key or a missing SITE_URL stops the start: the CLI and ``make run``
(debug) keep working with it, a production server never does.
"""

import logging

import sqlalchemy as sa
import sqlalchemy.orm
from email_validator import validate_email

from blog import create_app, jobs, requestlog
from blog.core import sanitize
from blog.core import spamfilter as core_spamfilter
from blog.extensions import db
from blog.models import Article, ArticleStatus
from blog.security import require_production_settings
from blog.services import spamfilter

log = logging.getLogger(__name__)

app = create_app(serving=True)
require_production_settings(app)


def warm_up(app) -> None:
    """Do once, before gunicorn forks its workers (``preload_app``), what every worker would do on its first
    requests: compile the templates, configure the ORM, and run the common pages' code so Python has
    specialised it. The workers then share all that memory instead of each writing its own copy (the two
    workers' memory, PSS, drops by about 10 %; docs/performance.md). Best effort: a database that is not
    reachable yet only skips the page requests.
    """
    with app.app_context():
        for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith((".html", ".xml", ".txt"))):
            app.jinja_env.get_template(name)
        sqlalchemy.orm.configure_mappers()
        sanitize.render_comment("A *warm-up* comment, with a link: https://example.org/")  # bleach, markdown-it
        validate_email("warm-up@example.org", check_deliverability=False)
        # What the first comment or health check would load in each worker: the job queue (Huey), and the spam
        # filter's seed counts, suffix list and look-alike table. Loaded once here, the workers share them.
        try:
            jobs.current().huey  # noqa: B018
        except Exception:  # e.g. a queue file it may not write: each worker then tries for itself, as without this
            log.warning("warm-up: the job queue could not be built here", exc_info=True)
        spamfilter.seed_counts()
        core_spamfilter.features(body="Warm-up with a link https://www.example.co.uk/ and a lооk-alike")
        try:
            slug = db.session.scalar(sa.select(Article.slug).where(Article.status == ArticleStatus.PUBLISHED).limit(1))
        except sa.exc.SQLAlchemyError:
            log.warning("warm-up: database not reachable, pages skipped", exc_info=True)
            slug = None
        finally:
            db.session.remove()
    if slug is not None:
        with requestlog.silenced(app):  # these are not visitors
            client = app.test_client(use_cookies=False)
            for path in ("/", f"/articles/{slug}", "/feed.atom", f"/api/v1/articles/{slug}") * 5:
                # Under the site's own address: any other host name is refused (TRUSTED_HOSTS), with no page.
                status = client.get(path, base_url=app.config["SITE_URL"]).status_code
                if status != 200:
                    log.warning("warm-up: GET %s answered %s, so the workers will each render it anew", path, status)
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()  # the workers open their own connections


warm_up(app)
