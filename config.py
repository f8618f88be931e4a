"""Configuration: everything comes from environment variables.

DATABASE_URL defaults to a SQLite file in instance/ (the embedded default for one centre or a demo);
production sets PostgreSQL, e.g. postgresql+psycopg://user@host/caseapp.
"""

import base64
import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import argon2

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CASEAPP_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _generated_once(instance_dir, name, make, setting):
    """The content of instance/<name>, written by `make()` the first time (mode 0600)."""
    instance_dir = Path(instance_dir)
    instance_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file = instance_dir / name
    if not key_file.exists():
        # Written whole into a private (0600) temporary file, then linked into place, which fails if
        # the name exists: two workers starting together cannot both write a different key, and
        # neither can read the other's key half-written.
        fd, tmp = tempfile.mkstemp(dir=instance_dir, prefix=f".{name}.")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
            try:
                os.link(tmp, key_file)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f"{key_file} is empty: delete it to generate a new key, or set {setting}.")
    return key


def load_or_create_secret_key(instance_dir=INSTANCE_DIR):
    """SECRET_KEY from the environment, or generated once into instance/secret_key (mode 0600)."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    return _generated_once(instance_dir, "secret_key", lambda: secrets.token_hex(32), "SECRET_KEY")


def load_or_create_attachment_keys(instance_dir=INSTANCE_DIR):
    """(ATTACHMENT_KEYS, ATTACHMENT_KEY_ID): the keys that encrypt stored files (core.sealing), from the
    environment, or — like the secret key — one key generated once into instance/attachment_keys (mode
    0600), in the same `id:base64` form, so that it can be moved into the environment as it is. A
    generated key is this machine's alone and is not in the backups: `flask doctor` refuses it in
    production."""
    from_env = os.environ.get("ATTACHMENT_KEYS")
    if from_env:
        return from_env, os.environ.get("ATTACHMENT_KEY_ID") or None
    generated = _generated_once(
        instance_dir,
        "attachment_keys",
        lambda: "local:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "ATTACHMENT_KEYS",
    )
    return generated, None


def default_database_url():
    # The SQLite file holds personal data: its folder is readable by the service account only.
    INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    return f"sqlite:///{INSTANCE_DIR / 'caseapp.db'}"


class Config:
    ENV_NAME = os.environ.get("FLASK_ENV", os.environ.get("CASEAPP_ENV", "development"))
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Display in Vietnam's time zone; everything is stored in UTC.
    DISPLAY_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    # Sessions: idle timeout of 30 minutes and an absolute lifetime of 12 hours whatever the activity
    # (NIST SP 800-63B §7.2, AAL2), both enforced on the server (auth.sessions).
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_ABSOLUTE_HOURS = int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=SESSION_ABSOLUTE_HOURS)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_NAME = "caseapp_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # The Strict-Transport-Security header, when set (production: ProductionConfig).
    STRICT_TRANSPORT_SECURITY: str | None = None

    # CSRF tokens live as long as the session, so a long case note is not lost to an expired token.
    WTF_CSRF_TIME_LIMIT = None

    # Password hashes (auth.services): argon2id with the library's recommended cost (RFC 9106's
    # "low memory" choice: 3 passes over 64 MiB, 4 lanes). A hash keeps the parameters it was made
    # with, so changing these re-hashes each account at its next sign-in.
    PASSWORD_HASH_TIME_COST = int(os.environ.get("PASSWORD_HASH_TIME_COST", argon2.DEFAULT_TIME_COST))
    PASSWORD_HASH_MEMORY_COST = int(os.environ.get("PASSWORD_HASH_MEMORY_COST", argon2.DEFAULT_MEMORY_COST))  # KiB
    PASSWORD_HASH_PARALLELISM = int(os.environ.get("PASSWORD_HASH_PARALLELISM", argon2.DEFAULT_PARALLELISM))

    # Login throttle (per account and per client IP, per minute), stored in the database.
    LOGIN_MAX_PER_ACCOUNT = 5
    LOGIN_MAX_PER_IP = 20
    LOGIN_WINDOW_SECONDS = 60
    # Proxies in front of gunicorn (nginx: 1). Their X-Forwarded-For then gives the client's address to
    # the login throttle and the audit trail; 0 ignores the header, which any client could forge.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Case attachments (cases.attachments): at most ATTACHMENT_MAX_BYTES each (10 MB). A request larger than the
    # file limit plus room for the form's other fields is refused with the 413 page.
    # Where stored files (case documents, report files) live (core.storage): "database" — every web and
    # scheduler machine sees them, the default on PostgreSQL — or "disk" under ATTACHMENT_DIR and
    # EXPORT_DIR, the single-machine SQLite default.
    FILE_STORE = os.environ.get("FILE_STORE") or None
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR") or str(INSTANCE_DIR / "attachments")
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
    MAX_CONTENT_LENGTH = ATTACHMENT_MAX_BYTES + 1024 * 1024
    SCHEDULER_EXPECTED = _env_bool("SCHEDULER_EXPECTED", False)
    # Reminders (caseapp/reminders): offsets from each due time, d/h/m, negative before.
    REMINDER_OFFSETS = os.environ.get("REMINDER_OFFSETS", "-1d,0")
    # The supervisor dashboard's roll-up (main.rollups): how long its numbers are kept before counting again.
    DASHBOARD_ROLLUP_SECONDS = int(os.environ.get("DASHBOARD_ROLLUP_SECONDS", "120"))
    # A province's live statistics (reports.rollups): how long they are kept before counting again.
    STATISTICS_ROLLUP_SECONDS = int(os.environ.get("STATISTICS_ROLLUP_SECONDS", "300"))
    # Retention of a client's record after their cases closed (clients.rights.retention), in years: the
    # default for every kind of case, and per kind ("child_protection=10,center=5"); then the facility's
    # supervisors are asked to anonymise it.
    RETENTION_YEARS_DEFAULT = int(os.environ.get("RETENTION_YEARS_DEFAULT", "5"))
    RETENTION_YEARS_BY_KIND = os.environ.get("RETENTION_YEARS_BY_KIND", "")
    # Break the glass (cases.access): how long an emergency access to a case outside one's scope lasts.
    BREAK_GLASS_HOURS = int(os.environ.get("BREAK_GLASS_HOURS", "8"))
    # Reports: the body the reports go to — since 2025 Sở Y tế (Bộ Y tế took over social protection from
    # Bộ LĐTBXH); a setting, not a constant.
    REPORT_RECEIVING_BODY = os.environ.get("REPORT_RECEIVING_BODY", "Sở Y tế")
    # Reports (reports.tables): a count of people under this number (1–4 with 5) is hidden and shown as
    # "<5" (with this number), where the reader may not see exact figures.
    SMALL_COUNT_THRESHOLD = int(os.environ.get("SMALL_COUNT_THRESHOLD", "5"))
    # Report files made in the background (reports.jobs): where they are kept, and for how long.
    EXPORT_DIR = os.environ.get("EXPORT_DIR") or str(INSTANCE_DIR / "exports")
    EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "7"))
    # E-mail delivery (caseapp/mail): SMTP through the standard library. Without MAIL_SERVER nothing is
    # sent — the outbox keeps the e-mails queued and the admin's mail page says mail is not configured.
    # BASE_URL (e.g. https://caseapp.example.vn) makes the links in e-mails absolute; SERVER_NAME too.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or "caseapp@localhost"
    MAIL_TIMEOUT_SECONDS = int(os.environ.get("MAIL_TIMEOUT_SECONDS", "30"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "12"))
    BASE_URL = os.environ.get("BASE_URL") or None

    def __init__(self):
        self.SECRET_KEY = load_or_create_secret_key()
        # Stored files (case documents, report files) are encrypted with AES-256-GCM (core.sealing):
        # ATTACHMENT_KEYS="id:base64,id:base64" (32 bytes each), ATTACHMENT_KEY_ID the one new files use.
        self.ATTACHMENT_KEYS, self.ATTACHMENT_KEY_ID = load_or_create_attachment_keys()

    @property
    def IS_PRODUCTION(self):
        return self.ENV_NAME == "production"


class DevelopmentConfig(Config):
    # The dev server speaks plain http on 127.0.0.1: a Secure cookie would never come back.
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    MAIL_SERVER = None  # tests start their own SMTP server and say where it is
    # The cheapest argon2id (still argon2id, the same code path): hundreds of sign-ins stay fast.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 8
    PASSWORD_HASH_PARALLELISM = 1


class ProductionConfig(Config):
    ENV_NAME = "production"
    # Served over https only (nginx terminates TLS). HSTS: browsers come back over https only, for a year,
    # to this host and its subdomains (RFC 6797). The app sends it on its own responses; nginx adds it only
    # to the static files it serves itself — one place per response, never twice.
    STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"
    # Cookies named __Host-…: a browser keeps them only when Secure, with Path=/ and no Domain, so no
    # plain-http page and no other subdomain can set or replace them (RFC 6265bis, §4.1.3.2). The CSRF
    # token and the language live in the session cookie; the remember-me cookie is never set, but named
    # the same way should it ever be.
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    REMEMBER_COOKIE_PATH = "/"
    REMEMBER_COOKIE_DOMAIN = None

    @property
    def SESSION_COOKIE_NAME(self):
        # Without Secure (SESSION_COOKIE_SECURE=false, which `flask doctor` refuses) no browser would keep a
        # __Host- cookie and nobody could sign in: the plain name then.
        return "__Host-caseapp_session" if self.SESSION_COOKIE_SECURE else Config.SESSION_COOKIE_NAME


def config_for_env():
    name = os.environ.get("FLASK_ENV", os.environ.get("CASEAPP_ENV", "development"))
    return {"production": ProductionConfig, "testing": TestConfig}.get(name, DevelopmentConfig)()
