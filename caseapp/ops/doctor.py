"""`flask doctor`: is this installation ready to serve? Each check says, in Vietnamese, what it found
and what to do; any failure makes the command exit non-zero (for scripts and monitoring)."""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from ..cases.attachments.models import Attachment
from ..core.sealing import KeyringError, SealedStore, UnreadableFile, keyring, seal, unseal
from ..core.storage import BUCKETS, files, store_kind
from ..core.timeutil import VN_TZ, format_datetime, utcnow
from ..extensions import db
from ..i18n import catalogue_state, missing_translations
from ..mail.smtp import Connection, is_configured
from ..reminders.queries import latest_sweep_at, scheduler_state

MIN_SECRET_KEY_LENGTH = 32
CLOCK_TOLERANCE = timedelta(seconds=60)
# The fonts templates/pdf/_layout.html declares (@font-face): official documents must not depend on
# the fonts installed on the server.
PDF_FONTS = (
    "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic.ttf",
    "LiberationSerif-BoldItalic.ttf",
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
)


@dataclass
class Finding:
    name: str
    ok: bool
    detail: str


class Problem(Exception):
    """A check failed; the message says what to do."""


def _database(app: Flask) -> str:
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except sa.exc.SQLAlchemyError as error:
        raise Problem(
            f"không kết nối được ({type(error).__name__}: {str(error).splitlines()[0][:160]}). "
            "Kiểm tra DATABASE_URL và máy chủ cơ sở dữ liệu."
        ) from error
    heads = set(ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_heads())
    if current != heads:
        have = ", ".join(sorted(current)) or "chưa có bảng nào"
        raise Problem(f"chưa ở phiên bản mới nhất ({have}; cần {', '.join(sorted(heads))}). Chạy `flask db upgrade`.")
    return f"kết nối được, phiên bản {', '.join(sorted(heads))}"


def _catalogue(_app: Flask) -> str:
    state = catalogue_state()
    if state != "ok":
        what = "chưa được biên dịch" if state == "missing" else "cũ hơn bản nguồn"
        raise Problem(
            f"bản dịch tiếng Việt {what}. Chạy `make install` hoặc `.venv/bin/python -m caseapp.i18n`, "
            "rồi khởi động lại ứng dụng."
        )
    missing = missing_translations()
    if missing:
        sample = "; ".join(f"{msgid[:40]!r} ({where})" for msgid, where in list(missing.items())[:3])
        raise Problem(f"thiếu {len(missing)} câu chưa dịch: {sample}")
    return "đã biên dịch, đủ mọi câu"


def _secret_key(app: Flask) -> str:
    key = os.environ.get("SECRET_KEY") or ""
    if not app.config["IS_PRODUCTION"]:
        return "môi trường thử (không kiểm tra)" if not key else "đã đặt"
    if not key:
        raise Problem(
            "SECRET_KEY chưa được đặt trong môi trường: mỗi máy sẽ tự sinh một khóa khác nhau và "
            "phiên đăng nhập không dùng được giữa các máy. Đặt SECRET_KEY "
            "(ví dụ `python3 -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    if "change-me" in key:
        raise Problem("SECRET_KEY vẫn là giá trị mẫu của deploy/caseapp.env.example: đặt một khóa ngẫu nhiên.")
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise Problem(f"SECRET_KEY quá ngắn ({len(key)} ký tự, cần ít nhất {MIN_SECRET_KEY_LENGTH}).")
    return f"đã đặt ({len(key)} ký tự)"


def _attachment_keys(app: Flask) -> str:
    """The keys of the stored files (core.sealing): from the environment in production, each 32 bytes,
    the current one among them, a round trip through AES-GCM, and the newest sealed document opens."""
    if app.config["IS_PRODUCTION"] and not os.environ.get("ATTACHMENT_KEYS"):
        raise Problem(
            "ATTACHMENT_KEYS chưa được đặt trong môi trường: khóa tự sinh trong instance/ chỉ máy này có và "
            "không nằm trong bản sao lưu — mất máy là mất mọi giấy tờ, máy khác không mở được. Đặt "
            "ATTACHMENT_KEYS=<mã>:<khóa> và ATTACHMENT_KEY_ID=<mã> (khóa: "
            '`python3 -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"`) và cất một bản '
            "khóa riêng, ngoài bản sao lưu."
        )
    try:
        keys = keyring(app)
    except KeyringError as error:
        raise Problem(str(error)) from error
    probe = secrets.token_bytes(4096)
    key = keys.key(keys.current_id)
    sealed = list(seal([probe], bucket="attachments", storage_key="doctor", key_id=keys.current_id, key=key))
    if b"".join(unseal(sealed, bucket="attachments", storage_key="doctor", key_id=keys.current_id, key=key)) != probe:
        raise Problem("mã hóa rồi giải mã thử không ra đúng nội dung.")
    sample = _sample_document(SealedStore(files("attachments"), "attachments", keys))
    return f"{len(keys.keys)} khóa, khóa hiện tại «{keys.current_id}»; {sample}"


def _sample_document(store: SealedStore) -> str:
    """The newest sealed document opens and has its recorded SHA-256; how many are not yet under the
    current key (in clear from before encryption, or under an older key)."""
    try:
        newest = db.session.execute(
            sa.select(Attachment.id, Attachment.storage_key, Attachment.key_id, Attachment.sha256)
            .where(Attachment.key_id.is_not(None))
            .order_by(Attachment.id.desc())
            .limit(1)
        ).first()
        behind = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Attachment)
            .where(sa.or_(Attachment.key_id.is_(None), Attachment.key_id != store.keyring.current_id))
        )
        found = "chưa có giấy tờ nào được mã hóa để thử" if newest is None else _opens(store, newest)
    except sa.exc.SQLAlchemyError:
        return "chưa thử giải mã giấy tờ (cơ sở dữ liệu chưa sẵn sàng)"
    finally:
        db.session.rollback()
    if behind:
        return f"{found}; {behind} giấy tờ chưa dùng khóa hiện tại: chạy `flask attachments rotate-key`"
    return found


def _opens(store: SealedStore, row: sa.Row) -> str:
    try:
        intact = store.sha256(row.storage_key, row.key_id) == row.sha256
    except UnreadableFile as error:
        raise Problem(
            f"giấy tờ số {row.id} (khóa «{row.key_id}») không giải mã được: {error}. "
            "Kiểm tra ATTACHMENT_KEYS có đủ các khóa cũ."
        ) from error
    except OSError as error:
        raise Problem(f"không đọc được tệp của giấy tờ số {row.id} ({error}).") from error
    if not intact:
        raise Problem(f"giấy tờ số {row.id} giải mã được nhưng SHA-256 không khớp bản đã ghi nhận.")
    return f"giấy tờ số {row.id} giải mã đúng"


def _https(app: Flask) -> str:
    if not app.config["IS_PRODUCTION"]:
        return "môi trường thử (không kiểm tra)"
    if not (app.config.get("SESSION_COOKIE_SECURE") and app.config.get("REMEMBER_COOKIE_SECURE")):
        raise Problem("cookie đăng nhập không có cờ Secure: bỏ SESSION_COOKIE_SECURE=false khỏi cấu hình.")
    base = app.config.get("BASE_URL") or ""
    if not base.startswith("https://"):
        raise Problem(f"BASE_URL phải là địa chỉ https:// của hệ thống (hiện tại: {base or 'chưa đặt'}).")
    return f"cookie Secure, BASE_URL {base}"


def _smtp(app: Flask) -> str:
    if not is_configured(app.config):
        return "chưa cấu hình MAIL_SERVER: thư nhắc việc nằm chờ trong hộp thư đi"
    timeout = min(app.config.get("MAIL_TIMEOUT_SECONDS", 30), 10)
    try:
        Connection({**app.config, "MAIL_TIMEOUT_SECONDS": timeout}).check()
    except (smtplib.SMTPException, OSError) as error:
        raise Problem(
            f"không kết nối được {app.config['MAIL_SERVER']}:{app.config.get('MAIL_PORT')} "
            f"({type(error).__name__}: {error})."
        ) from error
    return f"kết nối được {app.config['MAIL_SERVER']}:{app.config.get('MAIL_PORT')}"


def _pdf(app: Flask) -> str:
    try:  # the check itself: importing core.pdf loads WeasyPrint, which loads Pango
        from ..core.pdf import DocumentHeader, render_pdf
    except OSError as error:  # WeasyPrint cannot load Pango
        raise Problem(
            f"thiếu thư viện Pango cho WeasyPrint ({error}). "
            "Cài: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
        ) from error
    fonts = Path(str(app.static_folder)) / "fonts"
    missing = [name for name in PDF_FONTS if not (fonts / name).is_file()]
    if missing:
        raise Problem(f"thiếu phông trong {fonts}: {', '.join(missing)}.")
    header = DocumentHeader(issuing_body="Kiểm tra cài đặt", doc_type="BÁO CÁO", title="Trang thử tiếng Việt")
    warnings = _WarningsOf("weasyprint")
    with app.test_request_context(), warnings:
        try:
            pdf = render_pdf("pdf/doctor.html", doc=header, text="Đây là trang thử: ắ ằ ẳ ẵ ặ ơ ư đ Đ.")
        except OSError as error:
            raise Problem(f"WeasyPrint không tạo được PDF ({error}).") from error
    if warnings.messages:  # e.g. a font it could not load, replaced by one without Vietnamese letters
        raise Problem(f"WeasyPrint báo lỗi khi tạo PDF: {'; '.join(warnings.messages[:3])}")
    if not pdf.startswith(b"%PDF-"):
        raise Problem("WeasyPrint không tạo ra tệp PDF.")
    return f"tạo được PDF một trang ({len(pdf):,} byte) với phông Liberation Serif"


class _WarningsOf(logging.Handler):
    """Collects the warnings a library logs while in the `with` block."""

    def __init__(self, logger_name: str):
        super().__init__(level=logging.WARNING)
        self.logger = logging.getLogger(logger_name)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage()[:200])

    def __enter__(self):
        self.logger.addHandler(self)
        return self

    def __exit__(self, *_exc):
        self.logger.removeHandler(self)


def _storage(app: Flask) -> str:
    probe = secrets.token_bytes(4096)
    key = f"doctor-{secrets.token_hex(8)}"
    try:
        for bucket in BUCKETS:
            store = files(bucket)
            store.put(key, probe)
            try:
                if b"".join(store.chunks(key)) != probe:
                    raise Problem(f"đọc lại tệp thử ({bucket}) không đúng nội dung đã ghi.")
            finally:
                store.delete(key)
    except (OSError, sa.exc.SQLAlchemyError) as error:
        raise Problem(f"không ghi/đọc được ({type(error).__name__}: {error}).") from error
    finally:
        db.session.rollback()  # the database store's probe leaves nothing behind
    where = (
        "cơ sở dữ liệu"
        if store_kind(app) == "database"
        else f"đĩa ({app.config.get('ATTACHMENT_DIR')}, {app.config.get('EXPORT_DIR')})"
    )
    return f"ghi và đọc được, lưu trong {where}"


def _scheduler(_app: Flask) -> str:
    latest = latest_sweep_at()
    if scheduler_state(True) != "ok":
        when = format_datetime(latest) if latest else "chưa bao giờ"
        raise Problem(
            f"bộ lập lịch không chạy (lần quét cuối: {when}). Khởi động `flask scheduler run` "
            "(systemd: caseapp-scheduler)."
        )
    return f"lần quét cuối {format_datetime(latest)}"


def _clock(_app: Flask) -> str:

    if utcnow().year < 2025:
        raise Problem(f"đồng hồ máy sai: {utcnow().isoformat()}.")
    sample = datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    if sample.utcoffset() != timedelta(hours=7) or str(VN_TZ) != "Asia/Ho_Chi_Minh":
        raise Problem("múi giờ Asia/Ho_Chi_Minh không đúng UTC+7 (cài gói tzdata).")
    if db.engine.dialect.name == "postgresql":
        database_now = db.session.scalar(sa.text("SELECT now()"))
        db.session.rollback()
        drift = abs(database_now.astimezone(timezone.utc) - utcnow())
        if drift > CLOCK_TOLERANCE:
            raise Problem(
                f"đồng hồ máy này lệch {drift.total_seconds():.0f} giây so với máy cơ sở dữ liệu "
                "(bật NTP: systemd-timesyncd hoặc chrony)."
            )
        return f"đúng giờ (lệch {drift.total_seconds():.1f} giây với cơ sở dữ liệu), múi giờ UTC+7"
    return f"múi giờ UTC+7, bây giờ là {format_datetime(utcnow())}"


CHECKS: list[tuple[str, Callable[[Flask], str]]] = [
    ("Cơ sở dữ liệu", _database),
    ("Bản dịch tiếng Việt", _catalogue),
    ("SECRET_KEY", _secret_key),
    ("Khóa mã hóa tệp (ATTACHMENT_KEYS)", _attachment_keys),
    ("HTTPS (cookie, BASE_URL)", _https),
    ("Thư điện tử (SMTP)", _smtp),
    ("PDF (WeasyPrint, Pango, phông)", _pdf),
    ("Lưu trữ tệp", _storage),
    ("Bộ lập lịch", _scheduler),
    ("Đồng hồ và múi giờ", _clock),
]
NEEDS_DATABASE = {"Lưu trữ tệp", "Bộ lập lịch", "Đồng hồ và múi giờ"}


def examine(app: Flask) -> list[Finding]:
    findings: list[Finding] = []
    for name, check in CHECKS:
        if name in NEEDS_DATABASE and findings and not findings[0].ok:
            findings.append(Finding(name, False, "bỏ qua: cơ sở dữ liệu chưa sẵn sàng"))
            continue
        try:
            findings.append(Finding(name, True, check(app)))
        except Problem as problem:
            findings.append(Finding(name, False, str(problem)))
    return findings


__all__ = ["examine", "Finding", "CHECKS"]
