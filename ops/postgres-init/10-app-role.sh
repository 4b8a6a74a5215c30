#!/bin/sh
# Run once by the postgres image when its data volume is first created (docker-entrypoint-initdb.d).
# The portal connects as "portal", which owns its database but is not a superuser: the ledger's
# triggers refuse TRUNCATE and balance writes, and only a superuser could switch them off
# (session_replication_role), so the application's own role must not be one (docs/funds.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v password="$PORTAL_DB_PASSWORD" <<'SQL'
CREATE ROLE portal LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
CREATE DATABASE recuperation OWNER portal;
SQL
