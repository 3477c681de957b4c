"""Extension singletons, bound to an app in ``create_app``."""

from typing import TYPE_CHECKING

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from blog.core import privacy
from blog.orm import Base

db = SQLAlchemy(model_class=Base)
# The models' base class. Flask-SQLAlchemy builds db.Model at run time (a subclass of Base), which a type checker
# cannot take as a base class, so there it is Base itself.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
csrf = CSRFProtect()


def client_key() -> str:
    """Rate limits count per client under a keyed hash of its IP: the limiter's storage (Redis, shared by every
    node) never holds an address."""
    return privacy.ip_hash(current_app.config["HASH_KEY"], get_remote_address())


def address_key(scope: str) -> str:
    """The key of a per-address limit on the posted form's ``email`` (sign-in, data requests …): a keyed hash of
    the address, never the address itself."""
    email = privacy.normalise_email(request.form.get("email") or "")
    return f"{scope}:{privacy.person_key(current_app.config['HASH_KEY'], email)}"


limiter = Limiter(key_func=client_key)


@limiter.request_filter
def _reads_are_not_limited() -> bool:
    """Every limit is on a POST (comments, sign-in): reads skip the limiter's per-request work."""
    return request.method in ("GET", "HEAD", "OPTIONS")


login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please sign in to open that page."
login_manager.login_message_category = "info"
# No "fresh login" checks are used, and "basic" protection would write to every reader's session
# (a Set-Cookie on public, cacheable responses such as feeds).
login_manager.session_protection = None
