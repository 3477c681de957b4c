"""Plain helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import re

from lxml import html as lxml_html

EMBEDDING_TAGS = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "meta",
    "base",
    "link",
    "frame",
    "frameset",
    "applet",
    "template",
}
SAFE_SCHEMES = {"http", "https", "mailto"}


def set_settings(app, **values) -> None:
    """Change the site's settings row (created with its defaults when missing)."""
    from blog.extensions import db
    from blog.services.site import ensure_settings

    with app.app_context():
        settings = ensure_settings()
        for key, value in values.items():
            setattr(settings, key, value)
        db.session.commit()


def parse(response):
    return lxml_html.fromstring(response.get_data(as_text=True))


def page_text(response) -> str:
    """What a person reads on the page (entities decoded, whitespace folded), plus form values."""
    doc = parse(response)
    values = " ".join(doc.xpath("//input/@value") + doc.xpath("//textarea/text()"))
    return " ".join(doc.text_content().split()) + " " + values


def form_fields(html: str, form_selector: str = "//form[contains(@class, 'comment-form')]") -> dict[str, str]:
    """The hidden inputs (CSRF token, form timestamp, parent) of the page's comment form."""
    (form,) = lxml_html.fromstring(html).xpath(form_selector)
    return {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@type='hidden']")}


def comment_from(client, ip: str, *, slug: str, email: str, body: str = "Nice piece.", name: str = "Pat Reader") -> int:
    """The comment form of ``slug`` sent from client address ``ip``, as a browser would; the stored comment's id."""
    page = client.get(f"/articles/{slug}", environ_base={"REMOTE_ADDR": ip})
    data = {**form_fields(page.get_data(as_text=True)), "name": name, "email": email, "body": body}
    response = client.post(f"/articles/{slug}/comments", data=data, environ_base={"REMOTE_ADDR": ip})
    assert response.status_code == 303, page_text(response)[:300]
    return int(response.headers["Location"].rsplit("comment-", 1)[1])


def dangerous_markup(root) -> list[str]:
    """Everything executable or embedding below ``root`` (an lxml element)."""
    problems = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in EMBEDDING_TAGS:
            problems.append(el.tag)
        for name, value in el.attrib.items():
            if name.startswith("on") or name in {"style", "formaction", "srcdoc"}:
                problems.append(f"{el.tag}[{name}]")
            if name in {"href", "src", "action", "xlink:href"}:
                squashed = re.sub(r"[\x00-\x20]", "", value).lower()  # browsers ignore these in a scheme
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", squashed)
                if scheme and scheme.group(1) not in SAFE_SCHEMES:
                    problems.append(f"{el.tag}[{name}={value}]")
    return problems


def fragment(html: str):
    return lxml_html.fragment_fromstring(html or "<p></p>", create_parent="div")


def query_plan(engine, sql: str, params) -> str:
    """The database's plan for ``sql``, as one string. PostgreSQL would scan a test's tiny table whatever
    its indexes, so there sequential scans are switched off: the plan says whether an index *can* serve."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            explain = "EXPLAIN QUERY PLAN "
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")
            explain = "EXPLAIN "
        return " ".join(str(row) for row in conn.exec_driver_sql(explain + sql, params))


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPInbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1:``port``, keeping what it is sent as (recipients, message).
    ``start()``/``stop()`` may be called more than once: a test can take the mail server down and up again."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.messages: list = []
        self.refuse: dict[str, str] = {}  # recipient -> the reply refusing it, e.g. "550 5.1.1 User unknown"
        self._controller = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default)))
        return "250 Message accepted for delivery"

    def start(self) -> SMTPInbox:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
