"""Extension singletons, bound to an app in ``create_app``."""

from typing import TYPE_CHECKING

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from blog.orm import Base

db = SQLAlchemy(model_class=Base)
# The models' base class. Flask-SQLAlchemy builds db.Model at run time (a subclass of Base), which a type checker
# cannot take as a base class, so there it is Base itself.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


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
