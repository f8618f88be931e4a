"""The benchmark's load: one scenario per locust run (BENCH_SCENARIO), 20 users, against 127.0.0.1 only.

Each simulated user signs in once (on_start, not measured) as a real generated account taken from
the plan that bench/run.py wrote (BENCH_PLAN, JSON), then repeats the scenario's one request. Every
measured request is named after the scenario; its time goes to BENCH_OUT (one JSON list) so that
run.py computes exact percentiles. Only requests made once every user has signed in and the warm-up
(BENCH_WARMUP seconds from the start, which run.py adds to the run time) is over are counted: 20
argon2 logins at once take seconds on two cores, and each gunicorn worker's first requests compile
the page's SQL and templates and prepare its statements (psycopg prepares a statement at its fifth
use on a connection) — a server's start, not its steady state."""

import itertools
import json
import os
import random
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pyotp
from locust import between, events
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ["BENCH_PLAN"], encoding="utf-8") as _plan_file:
    PLAN = json.load(_plan_file)
SCENARIO = os.environ["BENCH_SCENARIO"]
PASSWORD = PLAN["password"]
WAIT = [float(x) for x in os.environ.get("BENCH_WAIT", "0.5-1.0").split("-")]
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
EXPECTED_USERS = int(os.environ.get("BENCH_USERS", "20"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "20"))
_STARTED = time.monotonic()
_accounts = {}
_samples = []
_pages = []  # the case PDF: where the first document received was saved
_signed_in = [0]  # users past on_start: measuring starts when all are (argon2 logins are not measured)


@events.init.add_listener
def _only_loopback(environment, **_kwargs):
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"bench: refusing to load {host!r}; only 127.0.0.1")


@events.request.add_listener
def _sample(name, response_time, exception, **_kwargs):
    if name == SCENARIO and _signed_in[0] >= EXPECTED_USERS and time.monotonic() - _STARTED >= WARMUP:
        _samples.append((response_time, str(exception)[:200] if exception is not None else None))


@events.quitting.add_listener
def _write(**_kwargs):
    with open(os.environ["BENCH_OUT"], "w", encoding="utf-8") as out:
        json.dump({"samples": _samples, "pdf": _pages[0] if _pages else None}, out)


def _next_account(kind):
    """Each simulated user signs in as a different account of the plan's list for this kind."""
    if kind not in _accounts:
        _accounts[kind] = itertools.cycle(PLAN["accounts"][kind])
    return next(_accounts[kind])


_addresses = itertools.count(1)


class BenchUser(FastHttpUser):
    wait_time = between(*WAIT)

    def __init__(self, environment):
        # Each simulated user from an address of its own, as people sign in from their own machines: from
        # 127.0.0.1 all of them, the per-address login throttle refused every sign-in past the window's
        # 20 (bench/run.py starts gunicorn trusting one proxy hop, as behind nginx).
        n = next(_addresses)
        self.default_headers = {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}
        super().__init__(environment)

    def on_start(self):
        spec = PLAN["scenarios"][SCENARIO]
        self.account = _next_account(spec["account"]) if spec.get("account") else None
        self.rng = random.Random()
        self.csrf = None
        if self.account:
            page = self.client.get("/login", name="login (not measured)")
            token = _CSRF.search(page.text or "")
            response = self.client.post(
                "/login",
                name="login (not measured)",
                allow_redirects=False,
                data={
                    "username": self.account["username"],
                    "password": PASSWORD,
                    "csrf_token": token.group(1) if token else "",
                },
            )
            if response.status_code == 302 and urlsplit(response.headers.get("Location", "")).path == "/login/code":
                response = self._second_step()
            if response.status_code != 302:
                raise RuntimeError(f"bench: login of {self.account['username']} answered {response.status_code}")
        if spec.get("csrf_from"):
            page = self.client.get(spec["csrf_from"].format(**self._fill()), name="csrf (not measured)")
            token = _CSRF.search(page.text or "")
            self.csrf = token.group(1) if token else ""
        _signed_in[0] += 1

    def _second_step(self):
        """Admins and supervisors: the demo authenticator's code (caseapp.demo.DEMO_TOTP_SECRET). A code
        is accepted once per account, and two simulated users may share one: each code of the window is
        tried in turn."""
        totp = pyotp.TOTP(PLAN["totp_secret"])
        now = int(time.time()) // 30
        for step in (now - 1, now, now + 1):
            page = self.client.get("/login/code", name="login (not measured)")  # its own CSRF token
            token = _CSRF.search(page.text or "")
            response = self.client.post(
                "/login/code",
                name="login (not measured)",
                allow_redirects=False,
                data={"code": totp.generate_otp(step), "csrf_token": token.group(1) if token else ""},
            )
            if response.status_code == 302:
                break
        return response

    def _fill(self):
        """Values for the scenario's URL: one of the account's cases, cursors, names …"""
        account = self.account or {}
        values = {k: v for k, v in account.items() if not isinstance(v, list)}
        for key, choices in account.items():
            if isinstance(choices, list) and choices:
                values[key] = self.rng.choice(choices)
        return values

    def _check(self, response, expected):
        if response.status_code not in expected:
            response.failure(f"HTTP {response.status_code}")
        else:
            response.success()

    @staticmethod
    def _task(user):
        spec = PLAN["scenarios"][SCENARIO]
        url = spec["url"].format(**user._fill())
        expected = tuple(spec.get("expect", (200,)))
        if spec.get("method") == "POST":
            data = user._form(spec["form"])
            with user.client.post(
                url, data=data, name=SCENARIO, allow_redirects=False, catch_response=True
            ) as response:
                user._check(response, expected)
        else:
            with user.client.get(url, name=SCENARIO, catch_response=True) as response:
                user._check(response, expected)
                if SCENARIO == "case_pdf" and not _pages and response.status_code == 200:
                    pdf_path = os.environ["BENCH_OUT"] + ".pdf"  # run.py counts its pages (pdfinfo)
                    with open(pdf_path, "wb") as pdf:
                        pdf.write(response.content or b"")
                    _pages.append(pdf_path)

    def _form(self, kind):
        if kind == "note":
            return {"csrf_token": self.csrf, "text": "Ghi chép đo tải: đã gọi điện, tình hình ổn định."}
        if kind == "admission":
            arrived = datetime.now(timezone.utc) + timedelta(hours=7) - timedelta(minutes=self.rng.randint(5, 120))
            return {
                "csrf_token": self.csrf,
                "alias": f"Chị {self.rng.choice('ABCDEHKLMNT')}.",
                "sex": "female",
                "approximate_age": str(self.rng.randint(18, 50)),
                "arrived_at": arrived.strftime("%Y-%m-%dT%H:%M"),
                "brought_by": "police",
                "immediate_needs": "shelter",
                "immediate_danger": "yes",
                "submission_key": uuid.uuid4().hex,
            }
        raise ValueError(kind)

    tasks = [_task]
