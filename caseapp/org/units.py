"""Loading the administrative units from the vietnam-provinces package."""

import sqlalchemy as sa
from vietnam_provinces import Province as VPProvince
from vietnam_provinces import Ward as VPWard

from ..extensions import db
from .models import Commune, Province


def load_units():
    """Insert or update the 34 provinces and 3,321 communes; returns (provinces, communes) counts.
    Idempotent: a second run changes nothing."""
    existing_p = {p.code: p for p in db.session.scalars(sa.select(Province))}
    for p in VPProvince.iter_all():
        code = f"{int(p.code):02d}"  # official two-digit province code
        row = existing_p.get(code)
        values = {"name": p.name, "division_type": p.division_type.value}
        if row is None:
            db.session.add(Province(code=code, **values))
        else:
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
    db.session.flush()
    existing_c = {c.code: c for c in db.session.scalars(sa.select(Commune))}
    new_rows = []
    for w in VPWard.iter_all():
        code = f"{int(w.code):05d}"  # official five-digit commune code
        province = f"{int(w.province_code):02d}"
        values = {"name": w.name, "division_type": w.division_type.value, "province_code": province}
        row = existing_c.get(code)
        if row is None:
            new_rows.append({"code": code, **values})
        else:
            for key, value in values.items():
                if getattr(row, key) != value:
                    setattr(row, key, value)
    if new_rows:
        db.session.execute(sa.insert(Commune), new_rows)
    db.session.flush()
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Province)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Commune)),
    )
