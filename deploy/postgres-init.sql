-- Runs once, when the PostgreSQL volume is first created (docker-entrypoint-initdb.d).
-- The API's database comes from POSTGRES_DB; this adds the database for the SQL tracker store option
-- (ENDPOINTS=endpoints.sql.yml), owned by the same role. Rasa creates its `events` table on first start;
-- `python -m actions.retention` adds the index on events.timestamp.
CREATE DATABASE wegwijzer_tracker OWNER wegwijzer;
