"""Reads of the client registry: search and duplicate candidates, inside the user's client scope."""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from rapidfuzz import fuzz
from sqlalchemy.dialects import postgresql

from ..cases.models import Case
from ..core.pagination import keyset_page
from ..core.sql import plan_for_the_values
from ..core.text import fold
from ..extensions import db
from ..org.models import Commune, Province
from ..security.scopes import case_scope, client_scope, own_facility
from .models import Client, ClientChange, Consent, FamilyMember

_DIGITS = re.compile(r"\D+")
_WILDCARDS = re.compile(r"[%_\\]")
_CASE_NUMBER = re.compile(r"^[A-Za-z0-9]+-\d{4}-\d{1,6}$")


def digits(value):
    return _DIGITS.sub("", value or "")


def visible_clients(user):
    """Clients the user may see; merged-away records are reached only through the surviving one."""
    return sa.select(Client).where(client_scope(user), Client.merged_into_id.is_(None))


def search_statement(user, q):
    """Search by name (accent- and case-insensitive, any word order), citizen ID, phone or case number.
    Names use fold() on both sides: the stored column and the query."""
    stmt = visible_clients(user)
    q = (q or "").strip()
    if not q:
        return stmt
    if _CASE_NUMBER.match(q):
        # Only a case the user may know of: a sealed (sensitive) case outside the user's case scope
        # must not be found by its number, even when its client is in the registry.
        known_case = sa.or_(
            case_scope(user), sa.and_(own_facility(Case.facility_id, user), Case.is_sensitive.is_(False))
        )
        return stmt.where(
            sa.exists(sa.select(Case.id).where(Case.client_id == Client.id, Case.number == q.upper(), known_case))
        )
    only_digits = digits(q)
    if only_digits and len(only_digits) >= 6 and len(only_digits) >= len(q.replace(" ", "")) - 2:
        return stmt.where(sa.or_(Client.citizen_id == only_digits, Client.phone_digits == only_digits))
    tokens = fold(q).split()
    for token in tokens:
        stmt = stmt.where(Client.search_name.like(f"%{token}%"))
    in_facility = _facility_trigrams(user, tokens)
    return stmt if in_facility is None else stmt.where(in_facility)


def facility_trigrams(facility_id, words):
    """What the SQL function clients_facility_trigrams (migration 0010) computes, in Python."""
    return {f"{facility_id}:{word[i : i + 3]}" for word in words for i in range(len(word) - 2)}


def _facility_trigrams(user, tokens):
    """PostgreSQL: every trigram of the query's words among the trigrams of the facility's clients
    (ix_clients_facility_trgm, migration 0010: a posting list per facility, not per country). It only
    narrows: the LIKEs above stay the exact test. A word with a LIKE wildcard has no trigrams here."""
    if user.facility_id is None or db.session.get_bind().dialect.name != "postgresql":
        return None
    grams = sorted(facility_trigrams(user.facility_id, [t for t in tokens if not _WILDCARDS.search(t)]))
    if not grams:
        return None
    trigrams = sa.func.clients_facility_trigrams(Client.facility_id, Client.search_name)
    return trigrams.op("@>")(sa.literal(grams, postgresql.ARRAY(sa.Text)))


def search_page(user, q, *, after=None, per_page=25):
    if (q or "").strip():
        plan_for_the_values()  # which index serves a name depends on the name
    return keyset_page(db.session, search_statement(user, q), key_column=Client.id, after=after, per_page=per_page)


@dataclass
class Candidate:
    client: Client
    score: int
    reasons: list = field(default_factory=list)


def duplicate_candidates(
    user, *, full_name=None, birth_year=None, citizen_id=None, phone=None, commune_code=None, exclude_id=None, limit=10
):
    """Search-before-create: candidates blocked by exact citizen ID, exact phone, birth year ±1 with
    the folded given name, or same commune with the folded given name; then scored with rapidfuzz and
    ranked, each with the reasons it matched. Never merges anything."""
    folded = fold(full_name)
    given = folded.split()[-1] if folded else None
    phone_digits = digits(phone) or None
    blocks = []
    if citizen_id:
        blocks.append(Client.citizen_id == citizen_id)
    if phone_digits:
        blocks.append(Client.phone_digits == phone_digits)
    if given and birth_year:
        blocks.append(
            sa.and_(Client.birth_year.between(birth_year - 1, birth_year + 1), Client.search_name.like(f"%{given}%"))
        )
    if given and commune_code:
        blocks.append(sa.and_(Client.commune_code == commune_code, Client.search_name.like(f"%{given}%")))
    if not blocks:
        return []
    stmt = visible_clients(user).where(sa.or_(*blocks)).order_by(Client.id.desc()).limit(200)
    if exclude_id:
        stmt = stmt.where(Client.id != exclude_id)
    ranked = []
    for client in db.session.scalars(stmt):
        reasons, score = [], 0
        name_similarity = fuzz.token_sort_ratio(folded, fold(client.full_name or client.alias)) if folded else 0
        if citizen_id and client.citizen_id == citizen_id:
            reasons.append(_("same citizen ID"))
            score = 100
        if phone_digits and client.phone_digits == phone_digits:
            reasons.append(_("same phone number"))
            score = max(score, 60 + int(name_similarity * 0.4))
        if birth_year and client.birth_year and abs(client.birth_year - birth_year) <= 1:
            reasons.append(_("birth year %(year)s", year=client.birth_year))
        if commune_code and client.commune_code == commune_code:
            reasons.append(_("same commune"))
        if name_similarity:
            reasons.append(_("name %(pct)d%% similar", pct=name_similarity))
        score = max(score, int(name_similarity * 0.8) + (10 if len(reasons) > 2 else 0))
        ranked.append(Candidate(client=client, score=min(score, 100), reasons=reasons))
    ranked.sort(key=lambda c: (-c.score, -c.client.id))
    return ranked[:limit]


def client_history(client_ids):
    """Changes of one client (or of a client and the records merged into it), newest first."""
    return (
        sa.select(ClientChange)
        .where(ClientChange.client_id.in_(client_ids))
        .options(sa.orm.joinedload(ClientChange.changed_by))
        .order_by(ClientChange.changed_at.desc(), ClientChange.id.desc())
    )


def consents_of(client_id):
    return sa.select(Consent).where(Consent.client_id == client_id).order_by(Consent.given_at.desc())


def merged_ids(client_id):
    """The client and every record merged into it."""
    return [client_id] + list(db.session.scalars(sa.select(Client.id).where(Client.merged_into_id == client_id)))


def last_change_id(client_id):
    """The newest history row of a client: the edit form remembers it, to tell later what changed."""
    return db.session.scalar(sa.select(sa.func.max(ClientChange.id)).where(ClientChange.client_id == client_id)) or 0


def changes_after(client_id, mark):
    return (
        sa.select(ClientChange)
        .where(ClientChange.client_id == client_id, ClientChange.id > mark)
        .order_by(ClientChange.id)
    )


def family_of(client_id):
    return sa.select(FamilyMember).where(FamilyMember.client_id == client_id).order_by(FamilyMember.id)


def place_names(province_codes=(), commune_codes=()):
    """{code: name} of the given provinces and communes, in two queries whatever the number of rows."""
    names = {}
    province_codes = {c for c in province_codes if c}
    commune_codes = {c for c in commune_codes if c}
    if province_codes:
        names.update(
            db.session.execute(sa.select(Province.code, Province.name).where(Province.code.in_(province_codes)))
            .tuples()
            .all()
        )
    if commune_codes:
        names.update(
            db.session.execute(sa.select(Commune.code, Commune.name).where(Commune.code.in_(commune_codes)))
            .tuples()
            .all()
        )
    return names
