"""The case page and the tasks page timed in process (Flask test client, one request at a time: no
gunicorn, no locust, no login throttle in the way) on a bench database `make bench` made, with the
accounts of its plan. Run it from the tree to measure, so that two versions can be compared on the
same data, one after the other:

    BENCH_SIZE=100000 ROUNDS=200 .venv/bin/python bench/page_timing.py

Prints p50 / p95 (ms) of GET /status (the floor), GET /cases/<id> (a social worker's own cases, the
page as it opens) and GET /cases/tasks (the worker with most cases), and p95 ÷ the floor's p95."""

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

SIZE = int(os.environ.get("BENCH_SIZE", "100000"))
PG = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{PG}/caseapp_bench_{SIZE}"
# the instance folder the data was generated with (bench/run.py): its SECRET_KEY decrypts the second factors
os.environ.setdefault("CASEAPP_INSTANCE_DIR", str(Path(__file__).resolve().parent / ".instance"))
sys.path.insert(0, os.getcwd())

import pyotp  # noqa: E402 — after DATABASE_URL: the app reads it when created

from caseapp import create_app  # noqa: E402

PLAN_FILE = Path(os.environ.get("BENCH_PLAN", Path(__file__).parent / ".instance" / f"plan-{SIZE}.json"))
plan = json.loads(PLAN_FILE.read_text())
app = create_app()
app.config["WTF_CSRF_ENABLED"] = False
totp = pyotp.TOTP(plan["totp_secret"])


_ip = [int(time.time()) % 200]


def client_for(username):
    c = app.test_client()
    _ip[0] += 1
    c.environ_base["REMOTE_ADDR"] = f"10.77.{_ip[0] % 250}.{os.getpid() % 250}"
    r = c.post("/login", data={"username": username, "password": plan["password"]})
    if r.status_code == 302 and "/login/code" in r.headers.get("Location", ""):
        now = int(time.time()) // 30
        for step in (now, now + 1, now - 1, now + 2):
            c.get("/login/code")
            r = c.post("/login/code", data={"code": totp.generate_otp(step)})
            if r.status_code == 302:
                break
    if r.status_code != 302:
        print(
            username,
            r.status_code,
            re.findall(r'class="(?:flash[^"]*|error)"[^>]*>([^<]+)', r.get_data(as_text=True))[:3],
        )
        return None
    return c


def timed(c, urls, rounds):
    out = []
    for i in range(rounds):
        url = urls[i % len(urls)]
        t = time.perf_counter()
        r = c.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


ROUNDS = int(os.environ.get("ROUNDS", "120"))
results = {}
wk = plan["accounts"]["worker"]
sup = wk[1]  # the case page as a social worker: their own cases (supervisors need a second step)
c_sup = client_for(sup["username"])
results["floor"] = timed(c_sup, ["/status"], ROUNDS)
timed(c_sup, [f"/cases/{i}" for i in sup["case_id"][:5]], 10)  # warm
results["case_page"] = timed(c_sup, [f"/cases/{i}" for i in sup["case_id"]], ROUNDS)
c_wk = client_for(wk[0]["username"])
timed(c_wk, ["/cases/tasks"], 5)
results["tasks"] = timed(c_wk, ["/cases/tasks"], ROUNDS)
page = c_wk.get("/cases/tasks").get_data(as_text=True)
items = page.count('<li class="due-item')
floor95 = pct(results["floor"], 95)
for name, xs in results.items():
    print(f"| {name} | {len(xs)} | {statistics.median(xs):.0f} | {pct(xs, 95):.0f} | {pct(xs, 95) / floor95:.1f} |")
print(f"tasks page items rendered for {wk[0]['username']}: {items}")
