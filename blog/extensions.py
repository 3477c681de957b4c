"""Extension singletons, bound to an app in ``create_app``."""

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from blog.orm import Base

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Please sign in to open that page."
login_manager.login_message_category = "info"
# No "fresh login" checks are used, and "basic" protection would write to every reader's session
# (a Set-Cookie on public, cacheable responses such as feeds).
login_manager.session_protection = None
