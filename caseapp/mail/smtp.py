"""Sending through SMTP with the standard library (smtplib, email.message), from the MAIL_* settings."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid


def is_configured(config):
    """Mail goes out only when MAIL_SERVER is set; otherwise the outbox keeps everything queued."""
    return bool(config.get("MAIL_SERVER"))


def build_message(row, sender):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox.{row.id}", domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to a notification
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


class Connection:
    """One SMTP connection for a round of sending, opened on first use."""

    def __init__(self, config):
        self.config = config
        self.smtp = None

    def _open(self):
        config = self.config
        timeout = config.get("MAIL_TIMEOUT_SECONDS", 30)
        # TLS with the system's certificate authorities and host name checks (smtplib's own default
        # context checks neither).
        if config.get("MAIL_USE_SSL"):
            smtp = smtplib.SMTP_SSL(
                config["MAIL_SERVER"],
                config.get("MAIL_PORT") or 465,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT") or 25, timeout=timeout)
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return smtp

    def check(self):
        """Open a connection (TLS and login as configured), say NOOP and close: is the server usable?"""
        self.smtp = self._open()
        try:
            self.smtp.noop()
        finally:
            self.close()

    def send(self, message):
        if self.smtp is None:
            self.smtp = self._open()
        self.smtp.send_message(message)

    def drop(self):
        """Forget a connection that failed (the next send opens a new one)."""
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            finally:
                self.smtp = None


def is_connection_error(error):
    """The server is unreachable or hung up (as opposed to refusing one message)."""
    return isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError)) and not isinstance(
        error, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)
    )
