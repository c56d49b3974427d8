"""The partner search text kept by the database (partners/search.py): triggers on
organisation and contact rewrite a partner's partner_search row in the transaction of
each change, whoever makes it; the existing partners are backfilled. On PostgreSQL a
pg_trgm GIN index answers searches of three characters or more, and a GIN index of the
text's CJK unigrams and bigrams answers searches of one or two CJK characters. After the
migration that adds the table, as Piccolo runs raw steps before table changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T00:36:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "partner search text kept by triggers, backfilled; its indexes"

# Han, Hangul syllables and kana (partners/search.py CJK_CLASS), as a PostgreSQL regex.
CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]"

POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    r"""
CREATE OR REPLACE FUNCTION partner_search_body(organisation_id integer) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT concat_ws(E'\n', o.legal_name, o.english_name, o.tax_id,
           (SELECT string_agg(concat_ws(E'\n', c.name, c.romanised_name, c.email), E'\n'
                              ORDER BY c.id)
              FROM contact c WHERE c.organisation = o.id))
    FROM organisation o WHERE o.id = organisation_id
$$""",
    f"""
CREATE OR REPLACE FUNCTION partner_search_grams(body text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g.gram), '{{}}')
    FROM (SELECT substr(body, i, n) AS gram
            FROM generate_series(1, length(body)) AS i CROSS JOIN (VALUES (1), (2)) AS w(n)) g
   WHERE g.gram ~ '^{CJK}+$'
$$""",
    """
CREATE OR REPLACE FUNCTION partner_search_from_organisation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO partner_search (organisation, body)
  VALUES (NEW.id, coalesce(partner_search_body(NEW.id), ''))
  ON CONFLICT (organisation) DO UPDATE SET body = EXCLUDED.body;
  RETURN NULL;
END
$$""",
    """
CREATE OR REPLACE FUNCTION partner_search_from_contact() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE partner_search SET body = coalesce(partner_search_body(NEW.organisation), '')
     WHERE organisation = NEW.organisation;
  ELSE
    UPDATE partner_search SET body = coalesce(partner_search_body(OLD.organisation), '')
     WHERE organisation = OLD.organisation;
    IF TG_OP = 'UPDATE' AND NEW.organisation IS DISTINCT FROM OLD.organisation THEN
      UPDATE partner_search SET body = coalesce(partner_search_body(NEW.organisation), '')
       WHERE organisation = NEW.organisation;
    END IF;
  END IF;
  RETURN NULL;
END
$$""",
    "DROP TRIGGER IF EXISTS partner_search_organisation ON organisation",
    """
CREATE TRIGGER partner_search_organisation
AFTER INSERT OR UPDATE OF legal_name, english_name, tax_id ON organisation
FOR EACH ROW EXECUTE FUNCTION partner_search_from_organisation()""",
    "DROP TRIGGER IF EXISTS partner_search_contact ON contact",
    """
CREATE TRIGGER partner_search_contact
AFTER INSERT OR DELETE OR UPDATE OF name, romanised_name, email, organisation ON contact
FOR EACH ROW EXECUTE FUNCTION partner_search_from_contact()""",
    """
INSERT INTO partner_search (organisation, body)
SELECT o.id, coalesce(partner_search_body(o.id), '') FROM organisation o
ON CONFLICT (organisation) DO UPDATE SET body = EXCLUDED.body""",
    "CREATE INDEX IF NOT EXISTS partner_search_body_trgm ON partner_search "
    "USING gin (body gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS partner_search_grams ON partner_search "
    "USING gin (partner_search_grams(body))",
)
POSTGRES_BACKWARDS = (
    "DROP TRIGGER IF EXISTS partner_search_organisation ON organisation",
    "DROP TRIGGER IF EXISTS partner_search_contact ON contact",
    "DROP INDEX IF EXISTS partner_search_grams",
    "DROP INDEX IF EXISTS partner_search_body_trgm",
    "DROP FUNCTION IF EXISTS partner_search_from_contact()",
    "DROP FUNCTION IF EXISTS partner_search_from_organisation()",
    "DROP FUNCTION IF EXISTS partner_search_grams(text)",
    "DROP FUNCTION IF EXISTS partner_search_body(integer)",
)

# SQLite triggers have no functions to call: the partner's text is this expression.
SQLITE_BODY = """(SELECT o.legal_name || char(10) || coalesce(o.english_name, '') || char(10)
       || coalesce(o.tax_id, '')
       || coalesce((SELECT char(10) || group_concat(c.name || char(10)
                        || coalesce(c.romanised_name, '') || char(10) || coalesce(c.email, ''),
                        char(10))
                      FROM contact c WHERE c.organisation = o.id), '')
  FROM organisation o WHERE o.id = {id})"""


def _sqlite_refresh(reference: str) -> str:
    body = SQLITE_BODY.format(id=reference)
    return (
        f"UPDATE partner_search SET body = coalesce({body}, '') "
        f"WHERE organisation = {reference};"
    )


SQLITE = (
    f"""CREATE TRIGGER IF NOT EXISTS partner_search_organisation_insert
AFTER INSERT ON organisation BEGIN
  INSERT OR IGNORE INTO partner_search (organisation, body) VALUES (NEW.id, '');
  {_sqlite_refresh("NEW.id")}
END""",
    f"""CREATE TRIGGER IF NOT EXISTS partner_search_organisation_update
AFTER UPDATE OF legal_name, english_name, tax_id ON organisation BEGIN
  INSERT OR IGNORE INTO partner_search (organisation, body) VALUES (NEW.id, '');
  {_sqlite_refresh("NEW.id")}
END""",
    f"""CREATE TRIGGER IF NOT EXISTS partner_search_contact_insert
AFTER INSERT ON contact BEGIN
  {_sqlite_refresh("NEW.organisation")}
END""",
    f"""CREATE TRIGGER IF NOT EXISTS partner_search_contact_delete
AFTER DELETE ON contact BEGIN
  {_sqlite_refresh("OLD.organisation")}
END""",
    f"""CREATE TRIGGER IF NOT EXISTS partner_search_contact_update
AFTER UPDATE OF name, romanised_name, email, organisation ON contact BEGIN
  {_sqlite_refresh("OLD.organisation")}
  {_sqlite_refresh("NEW.organisation")}
END""",
    "INSERT OR IGNORE INTO partner_search (organisation, body) "
    f"SELECT src.id, coalesce({SQLITE_BODY.format(id='src.id')}, '') FROM organisation src",
)
SQLITE_BACKWARDS = tuple(
    f"DROP TRIGGER IF EXISTS partner_search_{name}"
    for name in (
        "organisation_insert",
        "organisation_update",
        "contact_insert",
        "contact_delete",
        "contact_update",
    )
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def run(statements_for_engine: dict[str, tuple[str, ...]]) -> None:
        engine = engine_finder()
        for statement in statements_for_engine[engine.engine_type]:
            await engine.run_ddl(statement)

    async def create() -> None:
        await run({"postgres": POSTGRES, "sqlite": SQLITE})

    async def drop() -> None:
        await run({"postgres": POSTGRES_BACKWARDS, "sqlite": SQLITE_BACKWARDS})

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
