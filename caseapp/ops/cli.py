"""Commands of an installation's operator: `flask setup` (the first run), `flask files move-to-database`,
`flask attachments rotate-key`.
Messages in Vietnamese: the operator of a centre reads them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from ..auth.services import check_password_strength
from ..core.sealing import KeyringError
from ..core.services import ServiceError
from ..core.storage import store_kind
from ..extensions import db
from ..org.labels import FACILITY_TYPE_LABELS
from ..org.models import FacilityType
from ..org.models import FacilityType as Type
from ..security.policy import Role
from . import setup
from .backup import BackupError, backup, describe, prune, restore
from .doctor import examine
from .files import move_to_database
from .rekey import BATCH, rotate_key


def _ask(label: str, given, check: Callable, **prompt_options):
    """A value from its flag (refused at once when invalid) or asked until it is valid."""
    if given is not None:
        try:
            return check(given)
        except ServiceError as error:
            raise click.ClickException(str(error)) from error
    while True:
        answer = click.prompt(label, **prompt_options)
        try:
            return check(answer)
        except ServiceError as error:
            click.echo(f"  {error}", err=True)


def _type_menu() -> str:
    return "\n".join(
        f"  {number}. {FACILITY_TYPE_LABELS[member.value]}" for number, member in enumerate(FacilityType, start=1)
    )


def _ask_password(given, username: str, full_name: str, facility_name: str) -> str:
    """The first administrator's password, held to an administrator's rules (auth.services)."""

    def strong(password):
        check_password_strength(
            password, role=Role.ADMIN.value, username=username, full_name=full_name, facility_name=facility_name
        )
        return password

    if given is not None:
        return _ask("", given, strong)
    while True:
        password = click.prompt("Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu")
        try:
            return strong(password)
        except ServiceError as error:
            click.echo(f"  {error}", err=True)


def register(app):
    @app.cli.command("setup")
    @click.option("--facility-name", help="Tên cơ sở, ví dụ «Trung tâm Công tác xã hội thành phố Hà Nội».")
    @click.option("--facility-type", help="Loại cơ sở: số thứ tự trong danh sách (1–9) hoặc mã (social_work_center …).")
    @click.option("--facility-code", help="Mã cơ sở: 2–16 chữ in hoa hoặc chữ số, dùng trong số hồ sơ.")
    @click.option("--province", help="Tỉnh/thành phố: mã hoặc tên (ví dụ 01 hoặc «Hà Nội»).")
    @click.option("--commune", help="Xã/phường/đặc khu thuộc tỉnh đó: mã hoặc tên.")
    @click.option("--address", help="Địa chỉ (số nhà, đường), có thể bỏ trống.")
    @click.option(
        "--confidential-address/--public-address",
        default=None,
        help="Địa chỉ bí mật (mặc định với nhà tạm lánh): chỉ người của cơ sở thấy.",
    )
    @click.option("--admin-username", help="Tên đăng nhập của quản trị viên đầu tiên.")
    @click.option("--admin-name", help="Họ và tên của quản trị viên.")
    @click.option("--admin-email", help="E-mail của quản trị viên, có thể bỏ trống.")
    @click.option(
        "--admin-password",
        envvar="CASEAPP_ADMIN_PASSWORD",
        help="Mật khẩu (nên truyền qua biến môi trường CASEAPP_ADMIN_PASSWORD, không ghi trên dòng lệnh).",
    )
    def setup_command(
        facility_name,
        facility_type,
        facility_code,
        province,
        commune,
        address,
        confidential_address,
        admin_username,
        admin_name,
        admin_email,
        admin_password,
    ):
        """Lần chạy đầu: tạo cơ sở đầu tiên và quản trị viên của cơ sở đó (một giao dịch, có ghi nhật ký)."""
        try:
            setup.check_not_set_up()
        except ServiceError as error:
            raise click.ClickException(str(error)) from error
        click.echo("Cài đặt caseapp: cơ sở đầu tiên và quản trị viên của cơ sở đó.")
        # Every required answer given as a flag (a script): the optional ones are not asked either.
        scripted = None not in (
            facility_name,
            facility_type,
            facility_code,
            province,
            commune,
            admin_username,
            admin_name,
            admin_password,
        )
        if scripted:
            address, admin_email = address or "", admin_email or ""
        name = _ask("Tên cơ sở", facility_name, lambda v: setup.text(v, longest=255, field="name", label="tên cơ sở"))
        if facility_type is None:
            click.echo("Loại cơ sở:\n" + _type_menu())
        kind = _ask("Loại cơ sở (số)", facility_type, setup.facility_type)
        code = _ask("Mã cơ sở (2–16 chữ in hoa hoặc chữ số)", facility_code, setup.facility_code)
        province_row = _ask("Tỉnh/thành phố (mã hoặc tên)", province, setup.province)
        commune_row = _ask(
            f"Xã/phường/đặc khu thuộc {province_row.name} (mã hoặc tên)",
            commune,
            lambda v: setup.commune(v, province_row.code),
        )
        street = _ask(
            "Địa chỉ (số nhà, đường; Enter để bỏ qua)",
            address,
            lambda v: setup.text(v, longest=255, field="street_address", label="địa chỉ") if v.strip() else None,
            default="",
            show_default=False,
        )
        if confidential_address is None and scripted:
            confidential_address = kind == Type.SHELTER.value
        elif confidential_address is None:
            confidential_address = click.confirm(
                "Giữ bí mật địa chỉ cơ sở (chỉ người của cơ sở thấy)?", default=kind == Type.SHELTER.value
            )
        username = _ask("Tên đăng nhập của quản trị viên", admin_username, setup.username)
        full_name = _ask(
            "Họ và tên quản trị viên",
            admin_name,
            lambda v: setup.text(v, longest=128, field="full_name", label="họ và tên"),
        )
        mail = _ask("E-mail (Enter để bỏ qua)", admin_email, setup.email, default="", show_default=False)
        password = _ask_password(admin_password, username, full_name, name)
        try:
            facility, user = setup.set_up(
                setup.FacilityAnswers(
                    name=name,
                    type=kind,
                    code=code,
                    province_code=province_row.code,
                    commune_code=commune_row.code,
                    street_address=street,
                    confidential_address=confidential_address,
                ),
                setup.AdminAnswers(username=username, full_name=full_name, password=password, email=mail),
            )
        except ServiceError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
        base = app.config.get("BASE_URL") or "http://<máy chủ>"
        click.echo(f"Đã tạo cơ sở {facility.code} — {facility.name} và quản trị viên {user.username}.")
        click.echo(f"Đăng nhập tại {base.rstrip('/')}/login để tạo các cơ sở và người dùng khác.")

    @app.cli.command("doctor")
    def doctor_command():
        """Kiểm tra bản cài đặt: cơ sở dữ liệu, bản dịch, khóa bí mật, HTTPS, thư, PDF, lưu trữ, bộ lập lịch, giờ."""
        findings = examine(app)
        for finding in findings:
            mark = click.style("[ OK ]", fg="green") if finding.ok else click.style("[LỖI]", fg="red", bold=True)
            click.echo(f"{mark} {finding.name}: {finding.detail}")
        failed = [finding.name for finding in findings if not finding.ok]
        if failed:
            raise click.ClickException(f"{len(failed)} mục cần sửa: {', '.join(failed)}.")
        click.echo("Bản cài đặt sẵn sàng.")

    @app.cli.command("backup")
    @click.argument("target", type=click.Path(path_type=Path), default=".")
    @click.option(
        "--keep",
        type=click.IntRange(min=1),
        default=None,
        help="Chỉ giữ N bản sao lưu mới nhất trong thư mục đích (xóa các bản cũ hơn).",
    )
    def backup_command(target, keep):
        """Sao lưu toàn bộ vào một tệp (TARGET: tên tệp, hoặc thư mục để đặt caseapp-<ngày>-<giờ>.tar)."""
        click.echo(f"Sao lưu {describe()} …")
        try:
            path = backup(target)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Đã ghi {path} ({path.stat().st_size:,} byte).")
        if keep and path.parent == Path(target):
            for old in prune(path.parent, keep):
                click.echo(f"  đã xóa bản cũ {old.name}")

    @app.cli.command("restore")
    @click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore_command(archive):
        """Khôi phục tệp sao lưu vào cơ sở dữ liệu trống (DATABASE_URL), rồi kiểm tra số dòng và tổng kiểm."""
        click.echo(f"Khôi phục {archive.name} vào {describe()} …")
        try:
            result = restore(archive)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        for problem in result.problems:
            click.echo(f"  {problem}", err=True)
        if not result.ok:
            raise click.ClickException(f"Khôi phục xong nhưng {len(result.problems)} điểm không khớp bản sao lưu.")
        click.echo(
            f"Đã khôi phục và kiểm tra {result.tables} bảng, {result.rows:,} dòng, "
            f"{result.documents:,} giấy tờ: khớp với bản sao lưu."
        )

    @app.cli.group("files")
    def files_group():
        """Tệp lưu trữ (giấy tờ của hồ sơ, tệp báo cáo)."""

    @files_group.command("move-to-database")
    def move_to_database_command():
        """Chuyển các tệp đang nằm trên đĩa vào cơ sở dữ liệu (chạy lại được, tiếp tục khi bị ngắt)."""
        if store_kind(app) != "database":
            raise click.ClickException(
                "FILE_STORE không phải «database»: ứng dụng vẫn đọc tệp trên đĩa. "
                "Đặt FILE_STORE=database (mặc định với PostgreSQL) rồi chạy lại."
            )
        try:
            report = move_to_database(app, echo=click.echo)
        except KeyringError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Đã chuyển {report.moved} tệp; {report.already} tệp đã có trong cơ sở dữ liệu.")
        for name in report.missing:
            click.echo(f"  Không tìm thấy trên đĩa lẫn trong cơ sở dữ liệu: {name}", err=True)
        if not report.ok:
            raise click.ClickException(f"{len(report.missing)} tệp bị thiếu, {len(report.corrupt)} tệp sai SHA-256.")

    @app.cli.group("attachments")
    def attachments_group():
        """Giấy tờ của hồ sơ (và tệp báo cáo): khóa mã hóa."""

    @attachments_group.command("rotate-key")
    @click.option("--batch-size", type=click.IntRange(min=1), default=BATCH, show_default=True, help="Số tệp mỗi lô.")
    def rotate_key_command(batch_size):
        """Mã hóa lại bằng khóa hiện tại (ATTACHMENT_KEY_ID) mọi tệp chưa dùng khóa này, kể cả tệp chưa mã hóa
        (từng lô, chạy lại được, tiếp tục khi bị ngắt)."""
        try:
            report = rotate_key(app, batch_size=batch_size, echo=click.echo)
        except KeyringError as error:
            raise click.ClickException(str(error)) from error
        click.echo(
            f"Đã mã hóa lại bằng khóa «{report.key_id}» {report.documents} giấy tờ "
            f"({report.from_clear} giấy tờ trước đây chưa mã hóa) và {report.report_files} tệp báo cáo."
        )
        for problem in report.unreadable:
            click.echo(f"  Không đọc được, giữ nguyên: {problem}", err=True)
        if not report.ok:
            raise click.ClickException(
                f"{len(report.unreadable)} tệp không đọc được: chưa bỏ khóa cũ khỏi ATTACHMENT_KEYS."
            )
