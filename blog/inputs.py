"""What a request may carry: the one place where numbers, cursors and text from a client are checked.

- **Numbers** (ids in paths, ``?page=``, ``?replytocom=``, ids in forms): ASCII digits only, from 1 to
  ``MAX_ID`` (PostgreSQL's INTEGER, what every id column is). ``str.isdigit()`` is no test: it is true for "²", which ``int()``
  refuses, and ``int()`` takes "٣" and "1_000". Path ids use the ``int`` converter registered here; query
  strings and forms use ``int_arg``.
- **NUL characters** are refused in the path, the query string, form fields and JSON bodies (400): no page
  needs one, and PostgreSQL cannot store or compare text that holds one.
- **JSON bodies** (Flask-WTF reads a JSON object as form data) must be an object of text fields.
- **Web addresses** (a commenter's website, profile links, Keep Reading links): http(s), a plain host name or
  IP address, no white space; ``web_address`` is the one form validator.

The parsing functions at the top are pure; the rest ties them to Flask.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, overload
from urllib.parse import urlsplit

from flask import Flask, abort, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from wtforms import IntegerField
from wtforms.validators import ValidationError

MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER (our id columns); a larger id is no row on either database
_MAX_DIGITS = len(str(MAX_ID))

NUL_MESSAGE = (
    "Your request contained a NUL character (an invisible control character), which no address or form "
    "field here accepts. Please remove it and try again."
)
JSON_MESSAGE = (
    "We could not read that request: send the form's fields, or a JSON object whose values are text, "
    'such as {"name": "Pat", "body": "Thanks!"}.'
)


def parse_id(raw: object) -> int | None:
    """A whole number from 1 to ``MAX_ID`` written in ASCII digits, or None for anything else."""
    if not isinstance(raw, str) or not 0 < len(raw) <= _MAX_DIGITS or not raw.isascii() or not raw.isdigit():
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_ID else None


def format_cursor(created_at: datetime, ident: int) -> str:
    """The list position ``parse_cursor`` reads back: after the row with this created_at and id."""
    return f"{created_at.isoformat()}~{ident}"


def parse_cursor(token: object) -> tuple[datetime, int] | None:
    """A list position "<ISO time with offset>~<id>" (a row's created_at and id), or None for anything else."""
    if not isinstance(token, str):
        return None
    stamp, sep, ident = token.rpartition("~")
    number = parse_id(ident)
    if not sep or number is None:
        return None
    try:
        when = datetime.fromisoformat(stamp)
        when.astimezone(UTC)  # year 1 or 9999 with an offset overflows here (and would in the database)
    except (ValueError, OverflowError):
        return None
    return (when, number) if when.tzinfo is not None else None


_HOST = re.compile(r"[\w.:-]+")  # a name (IDN allowed) or an IP address; nothing that could close an attribute


def is_web_address(text: str) -> bool:
    """An http or https address with a plain host, and no white space anywhere."""
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (a port that isn't a number raises here)
    except ValueError:  # e.g. "http://[::1": a bracketed host left open
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(_HOST.fullmatch(host)) and not re.search(r"\s", text)


def has_nul(*texts: str) -> bool:
    return any("\x00" in text for text in texts)


def json_fields_problem(body: object) -> str | None:
    """Why a JSON body can't be read as form fields (an object of text, or lists of text), or None."""
    if not isinstance(body, dict):
        return JSON_MESSAGE
    for value in body.values():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            return JSON_MESSAGE
        if has_nul(*values):
            return NUL_MESSAGE
    return NUL_MESSAGE if has_nul(*body) else None


# --- Flask -----------------------------------------------------------------------------------------


class IdConverter(IntegerConverter):
    """``<int:…>``: ASCII digits, 1 to ``MAX_ID``; anything else matches no route (404)."""

    regex = rf"[0-9]{{1,{_MAX_DIGITS}}}"

    def __init__(
        self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID, signed: bool = False
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=False)


def web_address(form, field) -> None:
    """WTForms validator: empty, or ``is_web_address``."""
    if field.data and not is_web_address(field.data):
        raise ValidationError("Please enter a web address starting with http:// or https://, or leave it empty.")


class WholeNumberField(IntegerField):
    """WTForms' ``IntegerField`` reads any Unicode digit ("٣" as 3): this one only 0–9, so what is stored is
    what the person can see they typed."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and valuelist[0].strip() and not re.fullmatch(r"[0-9]{1,9}", valuelist[0].strip()):
            self.data = None
            raise ValueError("Enter a whole number using the digits 0 to 9.")
        super().process_formdata(valuelist)


@overload
def int_arg(name: str, default: int, *, source: MultiDict | None = None, message: str | None = None) -> int: ...
@overload
def int_arg(
    name: str, default: None = None, *, source: MultiDict | None = None, message: str | None = None
) -> int | None: ...
def int_arg(
    name: str, default: int | None = None, *, source: MultiDict | None = None, message: str | None = None
) -> int | None:
    """The number in the query string (or ``source``, e.g. ``request.form``) under ``name``: ``default``
    when absent or empty; a 400 that says why (or ``message``) when it is anything but a whole number
    from 1 up."""
    raw = (request.args if source is None else source).get(name, "")
    if raw == "":
        return default
    number = parse_id(raw)
    if number is None:
        where = "in the address" if source is None else "in the form"
        abort(400, message or f"“{name}” {where} must be a whole number from 1 up (like 1, 2 or 3), not “{raw[:40]}”.")
    return number


def choice_arg(name: str, choices: tuple[str, ...]) -> str:
    """The word in the query string under ``name``: the first of ``choices`` when absent or empty; a 400 that
    names the choices when it is anything else."""
    raw = request.args.get(name, "")
    if raw == "":
        return choices[0]
    if raw not in choices:
        allowed = " or ".join(f"“{choice}”" for choice in choices)
        abort(400, f"“{name}” in the address must be {allowed}, not “{raw[:40]}”.")
    return raw


def _json_has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(v) for v in value)
    return False


def refuse_unreadable_input() -> None:
    """Before every view: a NUL anywhere a view reads text, or a JSON body that isn't text fields, is a 400."""
    if has_nul(request.path) or any(has_nul(k, v) for k, v in request.args.items(multi=True)):
        abort(400, NUL_MESSAGE)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.is_json and request.path.startswith("/api/"):  # the API's schemas say what its bodies hold
        try:
            nul = _json_has_nul(request.get_json(silent=True))
        except RecursionError:  # nested deeper than the parser (or this walk) goes
            abort(400, JSON_MESSAGE)
        if nul:
            abort(400, NUL_MESSAGE)
    elif request.is_json:
        try:
            body: Any = request.get_json(silent=True)  # None for invalid JSON or UTF-8, and for an empty body
        except RecursionError:  # nested deeper than the parser goes
            body = None
        if problem := json_fields_problem(body):
            abort(400, problem)
    elif any(has_nul(k, v) for k, v in request.form.items(multi=True)):
        abort(400, NUL_MESSAGE)


def init_app(app: Flask) -> None:
    """Before the blueprints (their routes use the converter) and before other hooks (which may query)."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_unreadable_input)
