"""How long one sweep takes for a backlog of due reminders (batches of jobs.BATCH_SIZE per
transaction; the target: 100,000 due reminders in seconds). Reports numbers; asserts nothing.

    .venv/bin/python bench/reminders_sweep.py [ROWS] [DATABASE_URL]

Default: 100,000 rows on a fresh SQLite file in a temporary folder. A PostgreSQL URL must name a
database that can be emptied (its schema is dropped and migrated again).
"""

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="caseapp-bench-reminders-"))
    url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{folder / 'bench.db'}"
    os.environ.update(FLASK_ENV="development", DATABASE_URL=url, CASEAPP_INSTANCE_DIR=str(folder))

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from caseapp import create_app
    from caseapp.core.timeutil import utcnow
    from caseapp.extensions import db
    from caseapp.org.units import load_units
    from caseapp.reminders.jobs import sweep
    from caseapp.reminders.models import Reminder
    from tests import factories

    app = create_app()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        upgrade()
        load_units()
        db.session.commit()
        facility = factories.make_facility()
        workers = [factories.make_user(facility=facility) for _ in range(20)]
        factories.make_user(role="supervisor", facility=facility)
        cases = [factories.make_case(facility, worker=workers[n % 20]) for n in range(200)]
        db.session.commit()
        due = utcnow() - timedelta(hours=1)
        for start in range(0, rows, 10_000):
            db.session.execute(
                sa.insert(Reminder),
                [
                    dict(
                        case_id=cases[n % 200].id,
                        facility_id=facility.id,
                        item_kind="follow_up",
                        item_key=f"follow_up:{cases[n % 200].id}:{n}",
                        slot="0",
                        user_id=workers[n % 20].id,
                        due_at=due,
                        remind_at=due,
                        status="pending",
                        late=False,
                        created_at=due,
                    )
                    for n in range(start, min(rows, start + 10_000))
                ],
            )
        db.session.commit()
        began = time.perf_counter()
        entry = sweep(utcnow())
        seconds = time.perf_counter() - began
        print(
            f"{db.engine.dialect.name}: {entry.sent:,} reminders sent in {seconds:.1f} s "
            f"({entry.sent / seconds:,.0f}/s), {entry.errors} errors, late {entry.late:,}"
        )


if __name__ == "__main__":
    main()
