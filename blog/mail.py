"""Outgoing mail: SMTP when MAIL_SERVER is configured, otherwise a log line.

Called by the job queue only (``services.outbox_mail``): no request waits for an SMTP server."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    sender: str = "blog@localhost"
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT") or 25),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            use_ssl=bool(config.get("MAIL_USE_SSL")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            sender=config.get("MAIL_DEFAULT_SENDER") or "blog@localhost",
        )


def send(
    settings: MailSettings,
    to: Sequence[str],
    subject: str,
    body: str,
    *,
    message_id: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Send one message; raises ``smtplib.SMTPException`` or ``OSError`` when it could not be handed over.
    ``headers``: extra ones, such as RFC 8058's ``List-Unsubscribe`` and ``List-Unsubscribe-Post``."""
    if not to:
        return
    if settings.server is None:
        log.info("mail (no MAIL_SERVER configured) to %d recipient(s): %s", len(to), subject)
        return
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    with smtp_class(settings.server, settings.port, timeout=settings.timeout) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)
    log.info("mail sent to %d recipient(s): %s", len(to), subject)
