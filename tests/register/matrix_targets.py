"""The access-matrix rows of the register import's pages: a batch (with one refused row) of the acting
user's facility, of another facility, and none."""


def _batch(facility, user):
    from caseapp.extensions import db
    from caseapp.register.imports.models import ImportBatch, ImportRow

    batch = ImportBatch(
        facility_id=facility.id,
        created_by_id=user.id,
        filename="danh-sach.xlsx",
        sha256="0" * 64,
        mapping={"headers": ["Họ và tên"], "layout": "x", "columns": {"full_name": 0}},
        counts={"refused": 1},
        rows_total=1,
    )
    db.session.add(batch)
    db.session.flush()
    row = ImportRow(batch_id=batch.id, row_number=2, cells=["Nguyễn Văn A"], outcome="refused", messages=[])
    db.session.add(row)
    db.session.flush()
    return {"batch_id": batch.id, "row_id": row.id}


def targets(target, no_record):
    def make(*keys):
        return target(
            own=lambda w: {k: v for k, v in _batch(w.facility, w.users["supervisor"]).items() if k in keys},
            other=lambda w: {
                k: v for k, v in _batch(w.other_facility, w.other_users["supervisor"]).items() if k in keys
            },
            missing=lambda w: {k: no_record for k in keys},
        )

    return {
        "register.batch": make("batch_id"),
        "register.set_columns": make("batch_id"),
        "register.settle": make("batch_id", "row_id"),
        "register.commit": make("batch_id"),
        "register.undo": make("batch_id"),
        "register.error_file": make("batch_id"),
    }
