"""The pages a notification mail links to: confirm a subscription, choose how often, unsubscribe.

Each is a signed single-purpose link (``services.notifications``): the signature is the authority, so these
forms carry no CSRF token (the reader has no session) and are ``csrf.exempt``. A GET never changes anything —
mail scanners open links before people do — it shows a button that POSTs. Confirming and choosing are sent from
our own page, so they pass the origin check as well; the one-click unsubscribe does not: RFC 8058 has the mail
client POST it from wherever it runs, with no cookie and any ``Origin`` (or none), and an unsubscribe forged
from another site could only stop mail the link's owner was getting — which is why the link exists.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, request

from blog.extensions import csrf, db
from blog.models import Delivery, MailSubscription
from blog.orm import utcnow
from blog.public.sharing import private
from blog.security import origin_check
from blog.services import notifications
from blog.services.notifications import CONFIRM, MANAGE, UNSUBSCRIBE

bp = Blueprint("subscriptions", __name__, url_prefix="/notifications")


def _subscription(token: str, purpose: str) -> MailSubscription:
    try:
        return notifications.from_token(token, purpose)
    except notifications.BadLink as error:
        abort(400, str(error))


def _delivery() -> Delivery:
    chosen = request.form.get("delivery", Delivery.IMMEDIATE)
    if chosen not in tuple(Delivery):
        abort(400, "Choose “each reply” or “one mail a day”.")
    return Delivery(chosen)


def _page(subscription: MailSubscription, step: str, token: str, status: int = 200):
    stop = notifications.token(subscription, UNSUBSCRIBE)
    html = render_template("subscriptions/page.html", subscription=subscription, step=step, token=token, stop=stop)
    return private(make_response(html, status))  # about one person's subscription: never in a shared cache


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@csrf.exempt  # a signed single-purpose link: the signature protects it (module docstring)
def confirm(token: str):
    subscription = _subscription(token, CONFIRM)
    if subscription.unsubscribed_at is not None:  # an older confirmation link: asking again takes a new one
        return _page(subscription, "manage", notifications.token(subscription, MANAGE))
    if request.method == "GET":
        if notifications.is_active(subscription):
            return _page(subscription, "confirmed", notifications.token(subscription, MANAGE))
        return _page(subscription, "confirm", token)
    origin_check()
    notifications.confirm(subscription, _delivery(), now=utcnow())
    db.session.commit()
    return _page(subscription, "confirmed", notifications.token(subscription, MANAGE))


@bp.route("/manage/<token>", methods=["GET", "POST"])
@csrf.exempt  # a signed single-purpose link: the signature protects it (module docstring)
def manage(token: str):
    subscription = _subscription(token, MANAGE)
    if request.method == "GET" or subscription.unsubscribed_at is not None:
        return _page(subscription, "manage", token)
    origin_check()
    subscription.delivery = _delivery()
    db.session.commit()
    return _page(subscription, "saved", token)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: no cookie, no token, any origin; the signature protects it (module docstring)
def unsubscribe(token: str):
    subscription = _subscription(token, UNSUBSCRIBE)
    if request.method == "GET":
        return _page(subscription, "unsubscribe", token)
    notifications.unsubscribe(subscription, now=utcnow())
    db.session.commit()
    return _page(subscription, "unsubscribed", token)
