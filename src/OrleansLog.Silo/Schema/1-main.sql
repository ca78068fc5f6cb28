-- OrleansLog's PostgreSQL schema, part 1 of 3: what every Orleans ADO.NET provider shares.
--
-- The Orleans ADO.NET providers (Microsoft.Orleans.Clustering.AdoNet, .Persistence.AdoNet) ship no
-- SQL. They read the text of every statement they run from the OrleansQuery table, by key, and bind
-- parameters by name (@DeploymentId, @GrainIdHash, ...), reading result columns by name. This schema
-- is written for OrleansLog against that contract as implemented by the 10.4.x providers; the
-- upstream dotnet/orleans scripts (src/AdoNet/**/PostgreSQL-*.sql) were the specification.
--
-- Applied by the silo at start-up (PostgresSchema.cs) inside one transaction that holds an advisory
-- lock, in the order main -> clustering -> persistence. Every statement is idempotent (IF NOT EXISTS,
-- CREATE OR REPLACE, ON CONFLICT DO UPDATE), so applying it again, or from several silos starting
-- at once, is harmless; the version row lets later starts skip it.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64)   NOT NULL,
    querytext varchar(8000) NOT NULL,
    CONSTRAINT orleansquery_key PRIMARY KEY (querykey)
);

-- Which version of this schema the database carries. One row.
CREATE TABLE IF NOT EXISTS orleanslog_schema
(
    id         integer     NOT NULL DEFAULT 1,
    version    integer     NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleanslog_schema_single_row PRIMARY KEY (id),
    CONSTRAINT orleanslog_schema_id_is_1 CHECK (id = 1)
);
