"""The access-matrix rows of the import wizard's pages, for each kind of list (the beneficiary register,
the workforce register): a batch of that kind (with one refused row) of the acting user's facility, of
another facility, and none."""


def _batch(facility, user, kind="beneficiaries"):
    from caseapp.extensions import db
    from caseapp.register.imports.models import ImportBatch, ImportRow

    batch = ImportBatch(
        facility_id=facility.id,
        created_by_id=user.id,
        kind=kind,
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
    def make(*keys, kind="beneficiaries"):
        return target(
            own=lambda w: {k: v for k, v in _batch(w.facility, w.users["supervisor"], kind).items() if k in keys},
            other=lambda w: {
                k: v for k, v in _batch(w.other_facility, w.other_users["supervisor"], kind).items() if k in keys
            },
            missing=lambda w: {k: no_record for k in keys},
        )

    rows = {}
    for kind, prefix in (("beneficiaries", "register."), ("workforce", "register.workforce_")):
        rows |= {
            f"{prefix}batch": make("batch_id", kind=kind),
            f"{prefix}set_columns": make("batch_id", kind=kind),
            f"{prefix}settle": make("batch_id", "row_id", kind=kind),
            f"{prefix}commit": make("batch_id", kind=kind),
            f"{prefix}undo": make("batch_id", kind=kind),
            f"{prefix}error_file": make("batch_id", kind=kind),
        }
    return rows
