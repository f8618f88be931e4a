"""Reads of the client registry: search and duplicate candidates, inside the user's client scope."""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
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


# --- the duplicate check ------------------------------------------------------------------------
# One check, probable_duplicates(), serves the intake, the new-client form and the register's import.
# A person may be a client already when the client has the same citizen ID or phone; or a name whose
# words, in any order, are the person's with at most one word one letter off (a name alone is enough);
# or all of the person's words but one, with a birth year ±1 or the same commune. Those narrow; the
# score ranks: the name's similarity (rapidfuzz, word order ignored), raised by the same birth year and
# the same commune, lowered by a birth year far from the person's — a missing year or commune hides
# nothing.
#
# Where the narrowing runs (a facility may hold ~100,000 clients):
# - one person (the forms): in SQL, over the clients the user may see. Each word is looked for in the
#   folded search_name; a word one letter off by LIKE patterns of its first or last letter and its
#   length ±1 (one edit keeps one end of a word: a superset, which rapidfuzz then decides). On
#   PostgreSQL the facility's trigram index narrows first. The rows are ranked in SQL by what they share
#   and cut at CANDIDATE_ROWS, so a request reads a few hundred rows, never the whole registry (SQLite,
#   100,000 clients in one facility, no index for words: a scan of about 0.6 s on the shared machine).
# - many people (a register's file, DuplicateIndex): a query per person or per chunk was measured at
#   234 s for 10,000 rows (bench/results/2026-12-07-register.md), so an import reads the names of the
#   facility's clients once, as plain rows, filed by word with the birth year and with the commune. A
#   name alone scores at most NAME_ONLY_MAX, under the register's floor: filing names alone adds nothing.
CANDIDATE_ROWS = 200
NAME_WEIGHT = 0.7  # a name alone, spelt the same: 70 out of 100
SAME_YEAR, NEAR_YEAR, FAR_YEAR, SAME_COMMUNE = 20, 10, -25, 10
NAME_ONLY_MAX = int(100 * NAME_WEIGHT)
_WORD = re.compile(r"[a-z0-9]+")


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
    def words(self) -> tuple[str, ...]:
        """The name's folded words, each once: the check ignores their order."""
        return tuple(dict.fromkeys(_WORD.findall(self.folded)))

    @property
    def phone_digits(self) -> str | None:
        return digits(self.phone) or None


def duplicate_candidates(
    user, *, full_name=None, birth_year=None, citizen_id=None, phone=None, commune_code=None, exclude_id=None, limit=10
) -> list[Candidate]:
    """Search-before-create (intake and new client): the ranked candidates of one person, each with the
    reasons it matched. Never merges anything."""
    person = Identity(full_name, birth_year, citizen_id, phone, commune_code)
    return probable_duplicates(user, [person], limit=limit, exclude_id=exclude_id)[0]


def probable_duplicates(
    user,
    people: list[Identity],
    *,
    limit: int,
    floor: int = 0,
    exclude_id=None,
    index: "DuplicateIndex | None" = None,
    other_citizen_id_is_another_person: bool = False,
) -> list[list[Candidate]]:
    """Each person's candidates among the clients the user may see, scoring at least `floor`, best
    first, at most `limit`: narrowed in SQL person by person, or by `index` (a register's file). The
    forms show a namesake holding another citizen ID (the number typed may be wrong: a person decides);
    an import, deciding alone, takes such a client for another person."""
    narrowed = index.clients_of(people) if index is not None else [_narrowed(user, person) for person in people]
    out = []
    for person, clients in zip(people, narrowed, strict=True):
        found = [
            c
            for c in clients
            if c.id != exclude_id and not (other_citizen_id_is_another_person and _other_citizen_id(person, c))
        ]
        out.append([c for c in rank(person, found, limit=None) if c.score >= floor][:limit])
    return out


def _other_citizen_id(person: Identity, client: Client) -> bool:
    return bool(person.citizen_id and client.citizen_id and client.citizen_id != person.citizen_id)


def _narrowed(user, person: Identity) -> list[Client]:
    """The visible clients that may be the person, in one query: at most CANDIDATE_ROWS, those that
    share the most with the person first."""
    blocks = _sql_blocks(user, person)
    if blocks is None:
        return []
    where, shared = blocks
    stmt = visible_clients(user).where(where).order_by(shared.desc(), Client.id.desc()).limit(CANDIDATE_ROWS)
    return list(db.session.scalars(stmt))


def _sql_blocks(user, person: Identity):
    """(SQL condition, SQL rank) of the clients that may be the person (see the note above), or None
    when the person gives nothing to look for. A word is first looked for anywhere in search_name (a
    cheap test, more than whole words: _scored decides), and only when it is not there as a word one
    letter off."""
    conditions: list[sa.ColumnElement[bool]] = []
    ranks: list[sa.ColumnElement[int]] = []
    if person.citizen_id:
        same_id = Client.citizen_id == person.citizen_id
        conditions.append(same_id)
        ranks.append(sa.case((same_id, 1000), else_=0))
    if person.phone_digits:
        same_phone = Client.phone_digits == person.phone_digits
        conditions.append(same_phone)
        ranks.append(sa.case((same_phone, 500), else_=0))
    if person.words:
        padded = sa.literal(" ", sa.String) + Client.search_name + sa.literal(" ", sa.String)
        whole = [Client.search_name.contains(word) for word in person.words]
        near = [
            sa.or_(has_word, *(padded.like(p) for p in _one_off_patterns(word)))
            for word, has_word in zip(person.words, whole, strict=True)
        ]
        found = sum((sa.case((w, 1), else_=0) for w in whole), sa.literal(0))
        others: list[sa.ColumnElement[bool]] = []
        if person.birth_year:
            near_year = Client.birth_year.between(person.birth_year - 1, person.birth_year + 1)
            others.append(near_year)
            ranks.append(sa.case((near_year, 5), else_=0))
        if person.commune_code:
            same_commune = Client.commune_code == person.commune_code
            others.append(same_commune)
            ranks.append(sa.case((same_commune, 3), else_=0))
        named = sa.and_(found >= _required(person.words), sa.or_(sa.and_(*near), *others))
        indexed = _name_trigrams(user, person.words)
        conditions.append(named if indexed is None else sa.and_(indexed, named))
        ranks.append(found * 10)
    if not conditions:
        return None
    return sa.or_(*conditions), sum(ranks, sa.literal(0))


def _name_trigrams(user, words: tuple[str, ...]):
    """PostgreSQL: the facility's clients holding the trigrams of all the person's words but one (any
    one), through ix_clients_facility_trgm (migration 0010) — the index narrows, the LIKEs decide. None
    (no narrowing) elsewhere, or when a word too short for a trigram leaves a choice unindexed."""
    subsets = [words] if len(words) == 1 else [words[:i] + words[i + 1 :] for i in range(len(words))]
    conditions = [_facility_trigrams(user, list(subset)) for subset in subsets]
    if any(condition is None for condition in conditions):
        return None
    return sa.or_(*conditions)


def _one_off_patterns(word: str) -> list[str]:
    """LIKE patterns of the words one letter off `word` (more than those: rapidfuzz decides). One edit
    keeps the first or the last letter and changes the length by one at most; a two-letter word may
    have its letters swapped."""
    if len(word) < 2:
        return []
    patterns = {f"% {word[::-1]} %"} if len(word) == 2 else set()
    for length in (len(word) - 1, len(word), len(word) + 1):
        blanks = "_" * (length - 1)
        patterns |= {f"% {word[0]}{blanks} %", f"% {blanks}{word[-1]} %"}
    return sorted(patterns)


def _required(words: tuple[str, ...]) -> int:
    """How many of the person's words a client's name must hold whole: all but one (at least one)."""
    return max(len(words) - 1, 1)


class DuplicateIndex:
    """The names of the clients the user may see, read once for a register's file (see the note above):
    their folded names filed by each word with the birth year and with the commune, and their ids by
    phone. A person's name is compared with those of their files in rapidfuzz's batch loop, with the
    similarity below which no candidate without the same phone can reach `floor`; only the clients left
    are loaded. A citizen ID is looked up by the caller, among every client of the facility."""

    def __init__(self, user, *, floor: int) -> None:
        if floor <= NAME_ONLY_MAX:
            raise ValueError("a name alone reaches this floor: the index does not file names alone")
        # _scored: without the same ID or phone, a candidate scores at most this much above the name's.
        self.name_cutoff = (floor - SAME_YEAR - SAME_COMMUNE) / NAME_WEIGHT
        self.by_year: dict[tuple[str, int], list[tuple[int, str, bool]]] = {}
        self.by_commune: dict[tuple[str, str], list[tuple[int, str, bool]]] = {}
        self.by_phone: dict[str, list[int]] = {}
        columns = (Client.id, Client.search_name, Client.full_name, Client.alias, Client.birth_year)
        others = (Client.commune_code, Client.phone_digits, Client.citizen_id.is_not(None))
        stmt = visible_clients(user).with_only_columns(*columns, *others)
        for client_id, search_name, full_name, alias, year, commune, phone, has_id in db.session.execute(stmt):
            entry = (client_id, _sorted_words(fold(full_name or alias)), has_id)
            for word in set(_WORD.findall(search_name or "")):
                if year:
                    self.by_year.setdefault((word, year), []).append(entry)
                if commune:
                    self.by_commune.setdefault((word, commune), []).append(entry)
            if phone:
                self.by_phone.setdefault(phone, []).append(client_id)

    def clients_of(self, people: list[Identity]) -> list[list[Client]]:
        """Each person's clients that may reach the floor, loaded in one query for all."""
        wanted = [self._ids(person) for person in people]
        every = sorted(set().union(*wanted)) if wanted else []
        clients = (
            {c.id: c for c in db.session.scalars(sa.select(Client).where(in_ids(Client.id, every)))} if every else {}
        )
        return [[clients[i] for i in sorted(ids)] for ids in wanted]

    def _ids(self, person: Identity) -> set[int]:
        ids = set(self.by_phone.get(person.phone_digits or "", []))
        pool: dict[int, tuple[int, str, bool]] = {}
        for word in person.words:
            if person.birth_year:
                for year in (person.birth_year - 1, person.birth_year, person.birth_year + 1):
                    pool.update((entry[0], entry) for entry in self.by_year.get((word, year), []))
            if person.commune_code:
                pool.update((entry[0], entry) for entry in self.by_commune.get((word, person.commune_code), []))
        entries = [entry for entry in pool.values() if not (person.citizen_id and entry[2])]
        if entries:
            names = [name for _id, name, _has_id in entries]
            matches = process.extract(
                _sorted_words(person.folded), names, scorer=fuzz.ratio, score_cutoff=self.name_cutoff, limit=None
            )
            ids.update(entries[index][0] for _name, _score, index in matches)
        return ids


def _sorted_words(name: str) -> str:
    """A name's words in order: rapidfuzz's token_sort_ratio of two names is the ratio of these."""
    return " ".join(sorted(name.split()))


def rank(person: Identity, clients, *, limit: int | None) -> list[Candidate]:
    """The clients that may be the person, scored and ranked with their reasons."""
    ranked = [c for c in (_scored(person, client) for client in clients) if c is not None]
    ranked.sort(key=lambda c: (-c.score, -c.client.id))
    return ranked[:limit]


def _scored(person: Identity, client: Client) -> Candidate | None:
    """The client as a candidate (None when it is none: the narrowing reads more than it keeps)."""
    same_id = bool(person.citizen_id) and client.citizen_id == person.citizen_id
    same_phone = bool(person.phone_digits) and client.phone_digits == person.phone_digits
    year, client_year = person.birth_year, client.birth_year
    near_year = bool(year and client_year and abs(client_year - year) <= 1)
    same_commune = bool(person.commune_code) and client.commune_code == person.commune_code
    whole, near = _words_found(person.words, set(_WORD.findall(client.search_name or "")))
    named = bool(person.words) and whole >= _required(person.words)
    if not (same_id or same_phone or (named and (near or near_year or same_commune))):
        return None
    similarity = (
        round(fuzz.token_sort_ratio(person.folded, fold(client.full_name or client.alias))) if person.folded else 0
    )
    reasons, score = [], 0
    if same_id:
        reasons.append(_("same citizen ID"))
        score = 100
    if same_phone:
        reasons.append(_("same phone number"))
        score = max(score, 60 + int(similarity * 0.4))
    name = _name_reason(person, client, similarity, one_off=near)
    if name:
        reasons.append(name)
    year_points, year_reason = _birth_year(person, client)
    if year_reason:
        reasons.append(year_reason)
    if same_commune:
        reasons.append(_("same commune"))
    score = max(score, int(similarity * NAME_WEIGHT) + year_points + (SAME_COMMUNE if same_commune else 0))
    return Candidate(client=client, score=min(max(score, 0), 100), reasons=reasons)


def _words_found(words: tuple[str, ...], client_words: set[str]) -> tuple[int, bool]:
    """How many of the person's words the client's name holds whole, and whether each of the others is
    one of its words one letter off (a letter changed, added, left out, or two swapped)."""
    whole = sum(1 for word in words if word in client_words)
    near = all(
        word in client_words
        or (len(word) > 1 and any(OSA.distance(word, other, score_cutoff=1) <= 1 for other in client_words))
        for word in words
    )
    return whole, near


def _name_reason(person: Identity, client: Client, similarity: int, *, one_off: bool) -> str | None:
    if not similarity:
        return None
    if similarity == 100:
        same_order = person.folded.split() == fold(client.full_name or client.alias).split()
        return _("same name") if same_order else _("same name, words in another order")
    if one_off and similarity >= 80:
        return _("name one letter off")
    return _("name %(pct)d%% similar", pct=similarity)


def _birth_year(person: Identity, client: Client) -> tuple[int, str | None]:
    """Points and reason of the birth years: the same raises the score, one apart less, a year further
    apart lowers it; an unknown year does neither."""
    if not (person.birth_year and client.birth_year):
        return 0, None
    apart = abs(client.birth_year - person.birth_year)
    if apart == 0:
        return SAME_YEAR, _("same birth year %(year)s", year=client.birth_year)
    if apart == 1:
        return NEAR_YEAR, _("birth year %(year)s, one year apart", year=client.birth_year)
    return FAR_YEAR, _("another birth year (%(year)s)", year=client.birth_year)


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
