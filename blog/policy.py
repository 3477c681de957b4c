"""Who may do what: every route's rule in one table, enforced before any view runs.

Roles are ordered: author < editor < admin (docs/architecture.md, "Who may do what"). A route's rule is the least a
visitor must be. A route with no rule is refused for everyone (and the roles-matrix test fails),
so a new view cannot be reachable by accident.
"""

from __future__ import annotations

import enum

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from blog.models import Role


class Need(enum.IntEnum):
    ANYONE = 0
    SIGNED_IN = 1  # any active user: author, editor or admin
    EDITOR = 2
    ADMIN = 3


RANK = {Role.AUTHOR: Need.SIGNED_IN, Role.EDITOR: Need.EDITOR, Role.ADMIN: Need.ADMIN}

# endpoint -> rule; "blueprint.*" covers a blueprint's endpoints without a rule of their own.
RULES: dict[str, Need] = {
    "static": Need.ANYONE,
    "public.*": Need.ANYONE,
    "subscriptions.*": Need.ANYONE,  # signed single-purpose links (blog/public/subscriptions.py)
    "feeds.*": Need.ANYONE,
    "search.*": Need.ANYONE,
    "media.*": Need.ANYONE,  # stored pictures (/media/<key>.webp)
    # The JSON API never reads the session: public reads and comments are anyone's, the staff routes check a
    # bearer token's user and scopes themselves (blog/api/tokens.py).
    "api.*": Need.ANYONE,
    "accounts.login": Need.ANYONE,
    "accounts.forgot_password": Need.ANYONE,
    "accounts.reset_password": Need.ANYONE,  # the signed link is the authority
    "accounts.*": Need.SIGNED_IN,  # logout, own profile
    "two_factor.sign_in": Need.ANYONE,  # the second step of signing in: nobody is signed in yet
    "two_factor.*": Need.SIGNED_IN,  # one's own two-factor sign-in
    "moderation.*": Need.EDITOR,
    "moderation.log": Need.ADMIN,  # the site-wide moderation log
    "moderation.log_csv": Need.ADMIN,
    "editorial.*": Need.EDITOR,  # Keep Reading links, sending an article back, corrections (add_correction)
    # Authors write: their own articles only (services.editorial.article_for checks ownership: 403 otherwise).
    "editorial.articles": Need.SIGNED_IN,
    "editorial.new_article": Need.SIGNED_IN,
    "editorial.article": Need.SIGNED_IN,
    "editorial.preview": Need.SIGNED_IN,
    "editorial.article_comments": Need.SIGNED_IN,
    "editorial.revisions": Need.SIGNED_IN,
    "editorial.revision_diff": Need.SIGNED_IN,
    "editorial.restore_revision": Need.SIGNED_IN,
    "editorial.media_library": Need.SIGNED_IN,  # authors too, for their drafts' pictures
    "editorial.media_item": Need.SIGNED_IN,  # its words: editors any picture's, authors their own (in the view)
    "editorial.delete_media": Need.SIGNED_IN,  # editors any picture, authors their own (in the view)
    "editorial.users": Need.ADMIN,
    "editorial.new_user": Need.ADMIN,
    "editorial.user": Need.ADMIN,
    "editorial.user_profile": Need.ADMIN,
    "editorial.settings": Need.ADMIN,
    "editorial.revoke_ban": Need.ADMIN,  # bans are listed and lifted in the settings
    "editorial.data": Need.ADMIN,  # the WordPress import, the exports
    "editorial.start_import": Need.ADMIN,
    "editorial.export_file": Need.ADMIN,
    "editorial.send_reset_link": Need.ADMIN,
    "editorial.deactivate_user": Need.ADMIN,
    "editorial.reactivate_user": Need.ADMIN,
    "editorial.security_log": Need.ADMIN,
    "editorial.personal_data": Need.ADMIN,
    "editorial.personal_data_export": Need.ADMIN,
    "editorial.personal_data_erase": Need.ADMIN,
}


def rule_for(endpoint: str | None) -> Need | None:
    if endpoint is None:
        return None
    if endpoint in RULES:
        return RULES[endpoint]
    blueprint = endpoint.rpartition(".")[0]
    return RULES.get(f"{blueprint}.*") if blueprint else None


def level_of(user) -> Need:
    if not user.is_authenticated:
        return Need.ANYONE
    return RANK[user.role]


def may(user, need: Need) -> bool:
    return level_of(user) >= need


def may_moderate(user) -> bool:
    return may(user, Need.EDITOR)


def _enforce() -> None:
    if request.endpoint is None:  # 404 / 405: let routing answer
        return
    need = rule_for(request.endpoint)
    if need is None:
        abort(403, "This page has no access rule, so nobody may open it.")
    if need is Need.ANYONE or may(current_user, need):
        return
    if not current_user.is_authenticated:
        from blog.extensions import login_manager

        return login_manager.unauthorized()
    abort(403, "Your account does not have permission to do that.")


# --- Two-factor sign-in required for admins (site setting) -----------------------------------------------------
# An admin without it may only set it up, or sign out, until it is on.
TWO_FACTOR_SETUP = frozenset(
    {"two_factor.manage", "two_factor.enrol", "two_factor.confirm", "accounts.logout", "static"}
)


def _require_two_factor():
    if request.endpoint is None or request.endpoint in TWO_FACTOR_SETUP or request.blueprint == "api":
        return None
    from blog.public.sharing import is_anonymous

    if is_anonymous():  # none of our cookies: nobody is signed in (and no account is loaded to find out)
        return None
    if not current_user.is_authenticated or current_user.role is not Role.ADMIN:
        return None
    from blog.services import site, two_factor

    required = bool(site.get_settings().require_two_factor_admins)
    if two_factor.required_for(current_user._get_current_object(), require_for_admins=required):
        return redirect(url_for("two_factor.manage"), code=303)
    return None


def init_app(app: Flask) -> None:
    app.before_request(_enforce)
    app.before_request(_require_two_factor)
    app.jinja_env.globals.update(may_moderate=may_moderate, is_admin=lambda u: may(u, Need.ADMIN))
