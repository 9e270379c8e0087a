"""Sending one e-mail over SMTP with the standard library: a plain-text part for every client
and an HTML part for those that show it (multipart/alternative).

Host, port, sender, TLS mode and credentials come from Settings (`CLAIM_INTAKE_SMTP_*`); the
caller decides what to do when sending fails (notify.notices records it and retries)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from domain.config import Settings
from domain.errors import ServiceError


class MailError(ServiceError):
    """The message could not be handed to the SMTP server; the text says why."""


def build_message(sender: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] or "localhost")
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


def send_email(settings: Settings, to: str, subject: str, text: str, html: str) -> str:
    """Send and return the Message-ID. Raises MailError (never a bare socket error)."""
    mail = settings.mail
    if not mail.host:
        raise MailError("no SMTP host configured (CLAIM_INTAKE_SMTP_HOST)")
    msg = build_message(mail.sender, to, subject, text, html)
    host, port, timeout = mail.host, mail.port, mail.timeout_s
    client: smtplib.SMTP
    try:
        if mail.tls == "ssl":
            client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=timeout)
        with client:
            if mail.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if mail.user:
                client.login(mail.user, mail.password or "")
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"SMTP {host}:{port}: {type(exc).__name__}: {exc}") from None
    return str(msg["Message-ID"])
