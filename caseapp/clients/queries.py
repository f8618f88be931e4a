"""Reads of the client registry: search and duplicate candidates, inside the user's client scope."""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from rapidfuzz import fuzz, process
from sqlalchemy.dialects import postgresql

from ..cases.models import Case
from ..core.pagination import keyset_page
from ..core.sql import in_ids, plan_for_the_values
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
    if number_fields(q):
        only_digits = digits(q)
        return stmt.where(sa.or_(Client.citizen_id == only_digits, Client.phone_digits == only_digits))
    tokens = fold(q).split()
    for token in tokens:
        stmt = stmt.where(Client.search_name.like(f"%{token}%"))
    in_facility = _facility_trigrams(user, tokens)
    return stmt if in_facility is None else stmt.where(in_facility)


def number_fields(q) -> tuple[str, ...]:
    """The fields a search looks a number up in — citizen ID and phone — when the query is a number
    (a lookup the client search audits), else ()."""
    q = (q or "").strip()
    only_digits = digits(q)
    if only_digits and len(only_digits) >= 6 and len(only_digits) >= len(q.replace(" ", "")) - 2:
        return ("citizen_id", "phone")
    return ()


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


@dataclass(frozen=True)
class Identity:
    """What a duplicate search compares: the name (folded), birth year, citizen ID, phone, commune."""

    full_name: str | None = None
    birth_year: int | None = None
    citizen_id: str | None = None
    phone: str | None = None
    commune_code: str | None = None

    @property
    def folded(self) -> str:
        return fold(self.full_name)

    @property
    def given(self) -> str | None:
        return self.folded.split()[-1] if self.folded else None

    @property
    def phone_digits(self) -> str | None:
        return digits(self.phone) or None


def duplicate_candidates(
    user, *, full_name=None, birth_year=None, citizen_id=None, phone=None, commune_code=None, exclude_id=None, limit=10
):
    """Search-before-create: candidates blocked by exact citizen ID, exact phone, birth year ±1 with
    the folded given name, or same commune with the folded given name; then scored with rapidfuzz and
    ranked, each with the reasons it matched. Never merges anything."""
    person = Identity(full_name, birth_year, citizen_id, phone, commune_code)
    blocks = _blocks([person])
    if blocks is None:
        return []
    stmt = visible_clients(user).where(blocks).order_by(Client.id.desc()).limit(200)
    if exclude_id:
        stmt = stmt.where(Client.id != exclude_id)
    return rank(person, db.session.scalars(stmt), limit=limit)


class DuplicateIndex:
    """duplicate_candidates for many people at once (a register's rows), keeping the candidates that
    score at least `floor`, for people whose citizen ID (if any) no client holds; a client holding
    another citizen ID than the person's is another person.

    The clients the user may see are read once, in one query: their folded names filed by each word
    with the birth year and with the commune (the blocks of duplicate_candidates, a word of the name
    standing for the given name), and their ids by phone. A person's name is compared with the names
    of their blocks in rapidfuzz's batch loop, with the similarity below which no candidate without
    the same phone can reach `floor`; only the clients left are loaded and scored by _scored. A query
    per person (or per chunk of a big file) would read the same clients again and again."""

    def __init__(self, user, *, floor: int) -> None:
        self.floor = floor
        # _scored: without the same ID or phone, a candidate scores at most 0.8 × similarity + 10.
        self.name_cutoff = (floor - 10) / 0.8
        self.by_year: dict[tuple[str, int], list[tuple[int, str, bool]]] = {}
        self.by_commune: dict[tuple[str, str], list[tuple[int, str, bool]]] = {}
        self.by_phone: dict[str, list[int]] = {}
        columns = (Client.id, Client.search_name, Client.full_name, Client.alias, Client.birth_year)
        others = (Client.commune_code, Client.phone_digits, Client.citizen_id.is_not(None))
        stmt = visible_clients(user).with_only_columns(*columns, *others)
        for client_id, search_name, full_name, alias, year, commune, phone, has_id in db.session.execute(stmt):
            entry = (client_id, _sorted_words(fold(full_name or alias)), has_id)
            for word in set((search_name or "").split()):
                if year:
                    self.by_year.setdefault((word, year), []).append(entry)
                if commune:
                    self.by_commune.setdefault((word, commune), []).append(entry)
            if phone:
                self.by_phone.setdefault(phone, []).append(client_id)

    def probable(self, people: list[Identity], *, limit: int = 3) -> list[list[Candidate]]:
        """Each person's candidates scoring at least `floor`, best first, at most `limit`."""
        wanted = [self._ids(person) for person in people]
        every = sorted(set().union(*wanted)) if wanted else []
        clients = (
            {c.id: c for c in db.session.scalars(sa.select(Client).where(in_ids(Client.id, every)))} if every else {}
        )
        out = []
        for person, ids in zip(people, wanted, strict=True):
            found = [clients[i] for i in ids if not (person.citizen_id and clients[i].citizen_id)]
            ranked = rank(person, found, limit=None)
            out.append([c for c in ranked if c.score >= self.floor][:limit])
        return out

    def _ids(self, person: Identity) -> set[int]:
        ids = set(self.by_phone.get(person.phone_digits or "", []))
        given = person.given
        if not given:
            return ids
        pool: list[tuple[int, str, bool]] = []
        if person.birth_year:
            for year in (person.birth_year - 1, person.birth_year, person.birth_year + 1):
                pool += self.by_year.get((given, year), [])
        if person.commune_code:
            pool += self.by_commune.get((given, person.commune_code), [])
        if person.citizen_id:
            pool = [entry for entry in pool if not entry[2]]
        if pool:
            names = [name for _id, name, _has_id in pool]
            matches = process.extract(
                _sorted_words(person.folded), names, scorer=fuzz.ratio, score_cutoff=self.name_cutoff, limit=None
            )
            ids.update(pool[index][0] for _name, _score, index in matches)
        return ids


def _sorted_words(name: str) -> str:
    """A name's words in order: rapidfuzz's token_sort_ratio of two names is the ratio of these."""
    return " ".join(sorted(name.split()))


def _blocks(people):
    """SQL: any of the blocks of any of the people (None when none of them has a block)."""
    blocks = []
    ids = {p.citizen_id for p in people if p.citizen_id}
    phones = {p.phone_digits for p in people if p.phone_digits}
    if ids:
        blocks.append(Client.citizen_id.in_(sorted(ids)))
    if phones:
        blocks.append(Client.phone_digits.in_(sorted(phones)))
    for given, people_of_name in _by_given_name(people).items():
        years = {y + d for p in people_of_name if p.birth_year for y in [p.birth_year] for d in (-1, 0, 1)}
        communes = {p.commune_code for p in people_of_name if p.commune_code}
        named = Client.search_name.like(f"%{given}%")
        if years:
            blocks.append(sa.and_(Client.birth_year.in_(sorted(years)), named))
        if communes:
            blocks.append(sa.and_(Client.commune_code.in_(sorted(communes)), named))
    return sa.or_(*blocks) if blocks else None


def _by_given_name(people):
    out = {}
    for person in people:
        if person.given:
            out.setdefault(person.given, []).append(person)
    return out


def rank(person, clients, *, limit: int | None):
    """The clients that match one of the person's blocks, scored and ranked with their reasons."""
    ranked = []
    for client in clients:
        candidate = _scored(person, client)
        if candidate is not None:
            ranked.append(candidate)
    ranked.sort(key=lambda c: (-c.score, -c.client.id))
    return ranked[:limit]


def _scored(person, client):
    same_id = bool(person.citizen_id) and client.citizen_id == person.citizen_id
    same_phone = bool(person.phone_digits) and client.phone_digits == person.phone_digits
    near_year = bool(person.birth_year and client.birth_year) and abs(client.birth_year - person.birth_year) <= 1
    same_commune = bool(person.commune_code) and client.commune_code == person.commune_code
    named = bool(person.given) and person.given in (client.search_name or "")
    if not (same_id or same_phone or (named and (near_year or same_commune))):
        return None  # in another person's block only
    reasons, score = [], 0
    name_similarity = (
        fuzz.token_sort_ratio(person.folded, fold(client.full_name or client.alias)) if person.folded else 0
    )
    if same_id:
        reasons.append(_("same citizen ID"))
        score = 100
    if same_phone:
        reasons.append(_("same phone number"))
        score = max(score, 60 + int(name_similarity * 0.4))
    if near_year:
        reasons.append(_("birth year %(year)s", year=client.birth_year))
    if same_commune:
        reasons.append(_("same commune"))
    if name_similarity:
        reasons.append(_("name %(pct)d%% similar", pct=name_similarity))
    score = max(score, int(name_similarity * 0.8) + (10 if len(reasons) > 2 else 0))
    return Candidate(client=client, score=min(score, 100), reasons=reasons)


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
