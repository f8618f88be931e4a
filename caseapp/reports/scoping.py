"""The scope a report is read for, as the user may read it: one piece of code for the statistics page,
the drill-down and the files (downloaded, or made in the background).

- facility: the user's facility;
- province: every facility of the user's province (VIEW_PROVINCE_REPORTS; refused to anyone else,
  with the same message on the page, in the files and in the queue);
- commune, commune_group: the people living in one commune, or in the communes of a group, of the
  user's province (queries.Scope.covers), counted over the facilities the user reports on — every
  facility of the province for a province reader, the user's own facility for anyone else.
"""

from dataclasses import replace

from flask_babel import lazy_gettext as _l

from ..core.urls import parse_id
from ..extensions import db
from ..org.models import Province
from ..security.policy import Perm, has_perm
from . import queries

KINDS = ("facility", "province", "commune", "commune_group")
CHOOSE_COMMUNE = _l("Choose a commune.")
CHOOSE_GROUP = _l("Choose a group of communes.")
PROVINCE_REFUSED = _l("Only the readers of the province's reports can choose the whole province.")


def province_name(province_code):
    province = db.session.get(Province, province_code)
    return province.name if province else province_code


def _facility(user):
    facility = user.facility
    return queries.Scope("facility", facility_id=facility.id, province_code=facility.province_code, name=facility.name)


def _reported_on(user):
    """The facilities the user reports on: the province's for a province reader, else their own."""
    if not has_perm(user, Perm.VIEW_PROVINCE_REPORTS):
        return _facility(user)
    code = user.facility.province_code
    return queries.Scope("province", province_code=code, name=province_name(code))


def report_scope(user, kind, commune=None, group=None):
    """The Scope asked for (kind, and the commune code or group id it names). ValueError: the province
    asked for by someone who does not read it, or a commune or group scope without its commune or
    group; LookupError: a commune or group that is not of the user's province."""
    if kind == "commune":
        return _of_commune(user, commune)
    if kind == "commune_group":
        return _of_group(user, group)
    if kind == "province":
        if not has_perm(user, Perm.VIEW_PROVINCE_REPORTS):
            raise ValueError(str(PROVINCE_REFUSED))
        return _reported_on(user)
    return _facility(user)


def _of_commune(user, code):
    if not code:
        raise ValueError(str(CHOOSE_COMMUNE))
    commune = queries.province_commune(str(code), user)
    if commune is None:
        raise LookupError(code)
    base = _reported_on(user)
    name = f"{commune.name} — {base.name}"
    return replace(base, kind="commune", communes=(commune.code,), name=name, place=commune.name)


def _of_group(user, group_id):
    if not group_id:
        raise ValueError(str(CHOOSE_GROUP))
    group_key = parse_id(str(group_id))  # an id the database can hold, else no such group
    group = queries.commune_group(group_key, user) if group_key is not None else None
    if group is None:
        raise LookupError(group_id)
    base = _reported_on(user)
    communes = tuple(commune.code for commune in group.communes)
    name = f"{group.name} — {base.name}"
    return replace(base, kind="commune_group", communes=communes, group_id=group.id, name=name, place=group.name)


def scope_args(scope):
    """The query-string arguments that ask for the scope again (links, files, the drill-down)."""
    if scope.kind == "commune":
        return {"scope": "commune", "commune": scope.commune_code}
    if scope.kind == "commune_group":
        return {"scope": "commune_group", "group": scope.group_id}
    return {"scope": scope.kind}
