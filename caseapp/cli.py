"""Command-line entry points: flask create-admin, end-all-sessions, load-units, i18n-compile; outside
production also seed-demo, demo-code and demo-data."""

import click
import sqlalchemy as sa

from .auth.services import create_user, end_all_sessions
from .auth.two_factor.totp import code_at_step, step_at
from .core.services import ServiceError
from .core.timeutil import utcnow
from .demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoRefused, seed_demo
from .extensions import db
from .i18n import compile_catalogues
from .ops.cli import register as register_operations
from .org.models import Facility
from .org.units import load_units
from .reminders.cli import register as register_reminders
from .security.policy import Role


def register_cli(app):
    register_reminders(app)  # flask scheduler run, flask reminders tick|sync

    register_operations(app)  # flask setup, doctor, backup, restore, files move-to-database, attachments rotate-key

    @app.cli.command("load-units")
    def load_units_command():
        """Load Vietnam's 34 provinces and 3,321 communes (two tiers since 1 July 2025)."""
        provinces, communes = load_units()
        db.session.commit()
        click.echo(f"Đơn vị hành chính: {provinces} tỉnh/thành phố, {communes} xã/phường/đặc khu.")

    @app.cli.command("create-admin")
    @click.option("--username", prompt="Tên đăng nhập")
    @click.option("--full-name", prompt="Họ và tên")
    @click.option("--facility-code", prompt="Mã cơ sở")
    @click.password_option("--password", prompt="Mật khẩu")
    def create_admin_command(username, full_name, facility_code, password):
        """Create a system administrator attached to an existing facility."""
        facility = db.session.scalar(sa.select(Facility).where(Facility.code == facility_code))
        if facility is None:
            raise click.ClickException(f"Không có cơ sở mã {facility_code}.")
        try:
            with app.test_request_context():
                user = create_user(
                    username=username,
                    full_name=full_name,
                    role=Role.ADMIN.value,
                    facility_id=facility.id,
                    password=password,
                    by=None,
                    must_change_password=False,
                )
        except ServiceError as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"Đã tạo quản trị viên {user.username}.")

    @app.cli.command("end-all-sessions")
    @click.confirmation_option(prompt="Đăng xuất mọi người dùng trên mọi thiết bị?")
    def end_all_sessions_command():
        """Sign every user out everywhere (OWASP ASVS 5.0 V7.4.5), e.g. after a suspected theft of cookies."""
        with app.test_request_context():
            ended = end_all_sessions()
        db.session.commit()
        click.echo(f"Đã kết thúc {ended} phiên đăng nhập.")

    if app.config.get("ENV_NAME") != "production":
        _register_demo_commands(app)

    @app.cli.command("i18n-compile")
    def i18n_compile_command():
        """Compile the Vietnamese catalogue (translations/vi/LC_MESSAGES/messages.po → caseapp/translations/);
        without the app: `python -m caseapp.i18n`."""
        for path in compile_catalogues():
            click.echo(f"compiled {path}")


def _register_demo_commands(app):
    """Demo accounts and synthetic data: commands a production deployment does not even list."""

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Create the demo facilities and users (refused in production); prints the logins."""
        try:
            logins = seed_demo(app)
        except DemoRefused as error:
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, facility in logins:
            click.echo(f"  {username:<18} {role:<14} {facility}")
        click.echo(
            "Quản trị và giám sát đăng nhập hai bước: thêm khóa "
            f"{DEMO_TOTP_SECRET} vào ứng dụng xác thực, hoặc lấy mã hiện tại bằng `flask demo-code`."
        )

    @app.cli.command("demo-code")
    def demo_code_command():
        """Print the current code of the demo accounts' authenticator (never in production)."""
        click.echo(code_at_step(DEMO_TOTP_SECRET, step_at(utcnow())))

    @app.cli.command("demo-data")
    @click.option("--clients", type=click.IntRange(min=1), required=True, help="How many clients to generate.")
    @click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
    def demo_data_command(clients, seed):
        """Generate synthetic national-scale data for benchmarks (refused in production; needs load-units)."""
        # bench/ is development tooling beside the code, not part of the runtime package: imported only
        # when the command runs (from a checkout, where `flask` puts the repository on the import path).
        from bench.demo_data import DemoDataRefused, generate

        try:
            counts, seconds = generate(app, clients=clients, seed=seed, echo=click.echo)
        except DemoDataRefused as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        for table, count in counts.items():
            click.echo(f"  {table:<16} {count:>11,}")
        click.echo(
            f"Đã tạo dữ liệu mẫu: {clients:,} đối tượng trong {seconds:.1f} giây (mật khẩu chung: {DEMO_PASSWORD})."
        )

    @app.cli.command("i18n-compile")
    def i18n_compile_command():
        """Compile the translation catalogues (translations/*.po → caseapp/translations/*.mo); without
        the app: `python -m caseapp.i18n`."""
        for path in compile_catalogues():
            click.echo(f"compiled {path}")
