"""Fixtures of the e-mail tests: a local SMTP server (aiosmtpd) started by the test, which can refuse
the next messages with 451, and the app configured to send through it."""

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from .. import factories
from ..security.conftest import session, sign_in  # noqa: F401  (re-exported fixtures)

BASE_URL = "https://caseapp.example.vn"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RefusingHandler:
    """Accepts messages, except that the next `refuse` ones get '451 try again later'."""

    def __init__(self):
        self.refuse = 0
        self.refused = 0
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        with self._lock:
            if self.refuse > 0:
                self.refuse -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@dataclass
class SmtpServer:
    handler: RefusingHandler
    port: int
    controller: object = field(repr=False, default=None)

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture()
def smtp_server():
    handler = RefusingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(handler=handler, port=port, controller=controller)
    finally:
        controller.stop()


@pytest.fixture()
def mail_on(app, smtp_server, monkeypatch):
    """The app sends through the test's SMTP server, with absolute links on BASE_URL."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "caseapp@example.vn")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT_SECONDS", 10)
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    return smtp_server


@pytest.fixture()
def links(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", BASE_URL)
    return BASE_URL


@pytest.fixture()
def worker(session, facility):
    return factories.make_user(
        role="social_worker", facility=facility, full_name="Lê Văn Nhân Viên", email="nhanvien@example.vn"
    )


@pytest.fixture()
def supervisor(session, facility):
    return factories.make_user(
        role="supervisor", facility=facility, full_name="Trần Thị Giám Sát", email="giamsat@example.vn"
    )


@pytest.fixture()
def signed_in(app):
    def make(user):
        client = app.test_client()
        sign_in(client, user)
        return client

    return make
