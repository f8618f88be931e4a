"""The deployment files in deploy/: the systemd units pass `systemd-analyze verify`, the nginx site passes
`nginx -t`, and the files agree with the application (upload limit, proxy headers, every documented
variable in the environment example, which the configuration reads without error)."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ["caseapp-web.service", "caseapp-scheduler.service", "caseapp-backup.service", "caseapp-backup.timer"]
ENV_EXAMPLE = DEPLOY / "caseapp.env.example"


def tool(path):
    """A Debian tool the test needs (`make test` installs it when missing); missing under CI is a failure."""
    if os.access(path, os.X_OK):
        return path
    if os.environ.get("CI") == "true":
        pytest.fail(f"{path} is missing (CI=true: a missing tool is a failure)", pytrace=False)
    pytest.skip(f"{path} is not installed (apt-get install {Path(path).name})")


def installed_like_production(text, tmp_path):
    """A deploy file with the production paths pointing at this checkout and temporary folders."""
    (tmp_path / "etc").mkdir(exist_ok=True)
    (tmp_path / "etc" / "env").write_text(ENV_EXAMPLE.read_text())
    (tmp_path / "backups").mkdir(exist_ok=True)
    return (
        text.replace("/srv/caseapp", str(ROOT))
        .replace("/etc/caseapp/env", str(tmp_path / "etc" / "env"))
        .replace("/var/backups/caseapp", str(tmp_path / "backups"))
    )


def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = tool("/usr/bin/systemd-analyze")
    units = tmp_path / "units"
    units.mkdir()
    for name in UNITS:
        (units / name).write_text(installed_like_production((DEPLOY / name).read_text(), tmp_path))
    done = subprocess.run(
        [analyze, "verify", *[str(units / name) for name in UNITS]], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "caseapp" not in done.stderr, done.stderr  # no warning about our units either


def test_units_run_the_commands_the_readme_documents():
    readme = (ROOT / "README.md").read_text()
    web = (DEPLOY / "caseapp-web.service").read_text()
    scheduler = (DEPLOY / "caseapp-scheduler.service").read_text()
    backup = (DEPLOY / "caseapp-backup.service").read_text()
    assert "ExecStart=/srv/caseapp/.venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app" in web
    assert ".venv/bin/gunicorn -c deploy/gunicorn.conf.py wsgi:app" in readme
    assert "ExecStart=/srv/caseapp/.venv/bin/flask scheduler run --wait" in scheduler
    assert "ExecStart=/srv/caseapp/.venv/bin/flask backup /var/backups/caseapp --keep 14" in backup
    for unit in (web, scheduler, backup):
        assert "EnvironmentFile=/etc/caseapp/env" in unit and "User=caseapp" in unit
    assert "OnCalendar=*-*-* 01:30:00 Asia/Ho_Chi_Minh" in (DEPLOY / "caseapp-backup.timer").read_text()


def test_nginx_site_passes_nginx_t(tmp_path):
    nginx = tool("/usr/sbin/nginx")
    openssl = shutil.which("openssl") or pytest.fail("openssl is missing")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=caseapp.test",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (DEPLOY / "nginx-caseapp.conf").read_text()
    site = (
        installed_like_production(site, tmp_path)
        .replace("/etc/letsencrypt/live/caseapp.example.vn/fullchain.pem", str(tmp_path / "cert.pem"))
        .replace("/etc/letsencrypt/live/caseapp.example.vn/privkey.pem", str(tmp_path / "key.pem"))
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    done = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


def nginx_directive(name):
    return re.findall(rf"^\s*{name}\s+([^;]+);", (DEPLOY / "nginx-caseapp.conf").read_text(), re.MULTILINE)


def test_nginx_body_limit_is_the_apps_request_limit():
    from config import Config

    [limit] = nginx_directive("client_max_body_size")
    assert limit.endswith("m")
    assert int(limit[:-1]) * 1024 * 1024 == Config.MAX_CONTENT_LENGTH


def test_nginx_passes_the_proxy_headers_the_app_trusts():
    headers = dict(value.split(None, 1) for value in nginx_directive("proxy_set_header"))
    assert headers["X-Forwarded-For"] == "$proxy_add_x_forwarded_for"
    assert headers["X-Forwarded-Proto"] == "$scheme"
    assert headers["Host"] == "$host"
    assert re.search(r"^TRUSTED_PROXIES=1$", ENV_EXAMPLE.read_text(), re.MULTILINE)
    assert nginx_directive("alias") == ["/srv/caseapp/static/"]


def readme_variables():
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration") : readme.index("## Production")]
    return {
        name
        for row in table.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])
    }


def test_environment_example_has_every_variable_of_the_readme():
    example = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    documented = readme_variables()
    assert len(documented) > 25
    assert documented <= example, sorted(documented - example)


def test_environment_example_is_read_by_the_shell_and_the_configuration():
    python = ROOT / ".venv" / "bin" / "python"
    script = (
        f"set -a; . {ENV_EXAMPLE}; set +a; exec {python} -c "
        "'import config; c = config.config_for_env(); print(c.ENV_NAME, c.REPORT_RECEIVING_BODY, "
        "c.ATTACHMENT_MAX_BYTES, c.TRUSTED_PROXIES)'"
    )
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["production", "Sở", "Y", "tế", "10485760", "1"]
