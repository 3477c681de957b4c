"""The production entry point: ``gunicorn -c python:blog.gunicorn_conf`` serves ``blog.wsgi:app``.

Here, not in ``create_app``, a development secret key stops the start: the CLI and ``make run``
(debug) keep working with it, a production server never does.
"""

from blog import create_app
from blog.security import require_secret_key

app = create_app()
require_secret_key(app)
