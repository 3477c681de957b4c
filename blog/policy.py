"""Who may do what: every route's rule in one table, enforced before any view runs.

Roles are ordered: author < editor < admin (docs/architecture.md, "Who may do what"). A route's rule is the least a
visitor must be. A route with no rule is refused for everyone (and the roles-matrix test fails),
so a new view cannot be reachable by accident.
"""

from __future__ import annotations

import enum

from flask import Flask, abort, request
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
    "accounts.login": Need.ANYONE,
    "accounts.*": Need.SIGNED_IN,  # logout, own profile
    "moderation.*": Need.EDITOR,
    "editorial.*": Need.EDITOR,  # articles, Keep Reading links
    "editorial.media_library": Need.SIGNED_IN,  # authors too, for their drafts' pictures
    "editorial.media_item": Need.SIGNED_IN,  # its words: editors any picture's, authors their own (in the view)
    "editorial.users": Need.ADMIN,
    "editorial.new_user": Need.ADMIN,
    "editorial.user": Need.ADMIN,
    "editorial.user_profile": Need.ADMIN,
    "editorial.settings": Need.ADMIN,
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


def init_app(app: Flask) -> None:
    app.before_request(_enforce)
    app.jinja_env.globals.update(may_moderate=may_moderate, is_admin=lambda u: may(u, Need.ADMIN))
