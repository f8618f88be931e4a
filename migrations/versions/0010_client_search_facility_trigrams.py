"""client search: a trigram index per facility (PostgreSQL), so that a common name is found among the
facility's clients and not among every client of the country

Revision ID: 0010_search_facility_trgm
Revises: 0009_rollups
Create Date: 2026-12-03 17:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_search_facility_trgm"
down_revision = "0009_rollups"
branch_labels = None
depends_on = None

# The trigrams of each word of the folded name, prefixed with the facility: 'nguyen thi anh' of
# facility 118 → {118:ngu, 118:guy, 118:uye, 118:yen, 118:thi, 118:anh}. A client search is always
# inside one facility (security.client_scope), and pg_trgm's index over search_name holds one
# posting list per trigram for the whole country: at 1 M clients "ngu" (Nguyễn, 38 %) alone is
# 380,000 entries to read for every search of a common name (bench/: 31 ms of a 35 ms query).
# Here a posting list holds one facility's clients only.
FUNCTION = """
CREATE OR REPLACE FUNCTION clients_facility_trigrams(facility integer, name text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT facility::text || ':' || substr(word, i, 3)), '{}')
  FROM unnest(string_to_array(name, ' ')) AS word, generate_series(1, length(word) - 2) AS i
$$
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)
        op.execute(
            "CREATE INDEX ix_clients_facility_trgm ON clients "
            "USING gin (clients_facility_trigrams(facility_id, search_name))"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_clients_facility_trgm")
        op.execute("DROP FUNCTION IF EXISTS clients_facility_trigrams(integer, text)")
