-- OrleansLog's PostgreSQL schema, part 2 of 3: Orleans membership (ADO.NET clustering).
--
-- Orleans' membership protocol keeps one row per silo incarnation (address, port, generation) and
-- one version row per cluster ("deployment"). Every change to a silo row must bump the version in
-- the same transaction and only if the version the silo read is still current: that compare-and-swap
-- is what makes concurrent membership updates safe. The functions below return 1 when the change was
-- made and 0 when it lost the race (Orleans then re-reads and retries); a lost race leaves nothing
-- changed, because each function undoes its version bump by raising inside a sub-transaction.
-- Timestamps have millisecond precision so values Orleans read back compare equal when it passes
-- them in again (CleanupDefunctSiloEntryKey).

CREATE TABLE IF NOT EXISTS orleansmembershipversiontable
(
    deploymentid varchar(150)   NOT NULL,
    timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT pk_orleansmembershipversiontable_deploymentid PRIMARY KEY (deploymentid)
);

CREATE TABLE IF NOT EXISTS orleansmembershiptable
(
    deploymentid varchar(150)   NOT NULL,
    address      varchar(45)    NOT NULL,
    port         integer        NOT NULL,
    generation   integer        NOT NULL,
    siloname     varchar(150)   NOT NULL,
    hostname     varchar(150)   NOT NULL,
    status       integer        NOT NULL,
    proxyport    integer        NULL,
    suspecttimes varchar(8000)  NULL,
    starttime    timestamptz(3) NOT NULL,
    iamalivetime timestamptz(3) NOT NULL,
    CONSTRAINT pk_membershiptable_deploymentid PRIMARY KEY (deploymentid, address, port, generation),
    CONSTRAINT fk_membershiptable_membershipversiontable_deploymentid
        FOREIGN KEY (deploymentid) REFERENCES orleansmembershipversiontable (deploymentid)
);

-- A heartbeat. Never moves IAmAliveTime backwards (a delayed heartbeat must not undo a newer one).
CREATE OR REPLACE FUNCTION olog_membership_i_am_alive(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer, p_i_am_alive timestamptz)
RETURNS void LANGUAGE sql AS $fn$
    UPDATE orleansmembershiptable
       SET iamalivetime = GREATEST(iamalivetime, p_i_am_alive)
     WHERE deploymentid = p_deployment_id
       AND address = p_address AND port = p_port AND generation = p_generation;
$fn$;

-- Creates the cluster's version row; 1 if created, 0 if it already existed.
CREATE OR REPLACE FUNCTION olog_membership_insert_version(p_deployment_id varchar)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    changed integer;
BEGIN
    INSERT INTO orleansmembershipversiontable (deploymentid) VALUES (p_deployment_id)
        ON CONFLICT (deploymentid) DO NOTHING;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed;
END
$fn$;

-- Moves the membership table version on by one if the caller read the current one (Orleans' optimistic
-- concurrency for membership writes); false when another silo wrote first. Callers run it in the same
-- block as their row change, so a failed change rolls the bump back too.
CREATE OR REPLACE FUNCTION olog_membership_bump_version(p_deployment_id varchar, p_version integer)
RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
    changed integer;
BEGIN
    UPDATE orleansmembershipversiontable
       SET version = version + 1, timestamp = now()
     WHERE deploymentid = p_deployment_id AND version = p_version AND version < 2147483647;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN changed > 0;
END
$fn$;

-- Adds a silo row if the caller's table version is current; 1 on success, 0 if the version moved on
-- or the row exists.
CREATE OR REPLACE FUNCTION olog_membership_insert(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer,
    p_silo_name varchar, p_host_name varchar, p_status integer, p_proxy_port integer,
    p_start_time timestamptz, p_i_am_alive timestamptz, p_version integer)
RETURNS integer LANGUAGE plpgsql AS $fn$
BEGIN
    BEGIN
        IF NOT olog_membership_bump_version(p_deployment_id, p_version) THEN
            RETURN 0;
        END IF;

        -- A duplicate key raises unique_violation, which rolls back the version bump above too.
        INSERT INTO orleansmembershiptable
            (deploymentid, address, port, generation, siloname, hostname, status, proxyport, starttime, iamalivetime)
        VALUES
            (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
             p_start_time, p_i_am_alive);
        RETURN 1;
    EXCEPTION
        WHEN unique_violation THEN
            RETURN 0;
    END;
END
$fn$;

-- Changes a silo row (status, suspicions, heartbeat) if the caller's table version is current; 1 on
-- success, 0 if the version moved on or the row does not exist.
CREATE OR REPLACE FUNCTION olog_membership_update(
    p_deployment_id varchar, p_address varchar, p_port integer, p_generation integer,
    p_status integer, p_suspect_times varchar, p_i_am_alive timestamptz, p_version integer)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    changed integer;
BEGIN
    BEGIN
        IF NOT olog_membership_bump_version(p_deployment_id, p_version) THEN
            RETURN 0;
        END IF;

        UPDATE orleansmembershiptable
           SET status = p_status,
               suspecttimes = p_suspect_times,
               iamalivetime = GREATEST(iamalivetime, p_i_am_alive)
         WHERE deploymentid = p_deployment_id
           AND address = p_address AND port = p_port AND generation = p_generation;
        GET DIAGNOSTICS changed = ROW_COUNT;
        IF changed = 0 THEN
            -- Undo the version bump: the row to change is not there.
            RAISE EXCEPTION 'no membership row for %:% generation %', p_address, p_port, p_generation
                USING ERRCODE = 'no_data_found';
        END IF;
        RETURN 1;
    EXCEPTION
        WHEN no_data_found THEN
            RETURN 0;
    END;
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('UpdateIAmAlivetimeKey', $q$
    SELECT olog_membership_i_am_alive(@DeploymentId, @Address, @Port, @Generation, @IAmAliveTime);
$q$),
('InsertMembershipVersionKey', $q$
    SELECT olog_membership_insert_version(@DeploymentId) AS row_count;
$q$),
('InsertMembershipKey', $q$
    SELECT olog_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName,
                                  @Status, @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS row_count;
$q$),
('UpdateMembershipKey', $q$
    SELECT olog_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                  @IAmAliveTime, @Version) AS row_count;
$q$),
-- The version row comes back even when the silo row does not exist (left join).
('MembershipReadRowKey', $q$
    SELECT v.deploymentid AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
           m.siloname AS SiloName, m.hostname AS HostName, m.status AS Status, m.proxyport AS ProxyPort,
           m.suspecttimes AS SuspectTimes, m.starttime AS StartTime, m.iamalivetime AS IAmAliveTime,
           v.version AS Version
      FROM orleansmembershipversiontable v
      LEFT JOIN orleansmembershiptable m
        ON m.deploymentid = v.deploymentid
       AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
     WHERE v.deploymentid = @DeploymentId;
$q$),
('MembershipReadAllKey', $q$
    SELECT v.deploymentid AS DeploymentId, m.address AS Address, m.port AS Port, m.generation AS Generation,
           m.siloname AS SiloName, m.hostname AS HostName, m.status AS Status, m.proxyport AS ProxyPort,
           m.suspecttimes AS SuspectTimes, m.starttime AS StartTime, m.iamalivetime AS IAmAliveTime,
           v.version AS Version
      FROM orleansmembershipversiontable v
      LEFT JOIN orleansmembershiptable m ON m.deploymentid = v.deploymentid
     WHERE v.deploymentid = @DeploymentId;
$q$),
('DeleteMembershipTableEntriesKey', $q$
    DELETE FROM orleansmembershiptable WHERE deploymentid = @DeploymentId;
    DELETE FROM orleansmembershipversiontable WHERE deploymentid = @DeploymentId;
$q$),
-- Gateways clients may use: silos in the requested status (Active) that run a gateway.
('GatewaysQueryKey', $q$
    SELECT address AS Address, proxyport AS ProxyPort, generation AS Generation
      FROM orleansmembershiptable
     WHERE deploymentid = @DeploymentId AND status = @Status AND proxyport > 0;
$q$),
-- Removes rows of silos declared Dead (6) long ago, untouched since, and not under suspicion.
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM orleansmembershiptable
     WHERE deploymentid = @DeploymentId
       AND status = 6
       AND iamalivetime < @IAmAliveTime
       AND starttime < @IAmAliveTime
       AND COALESCE(suspecttimes, '') = '';
$q$),
-- Removes one Dead row, only if it is still exactly as the caller read it.
('CleanupDefunctSiloEntryKey', $q$
    DELETE FROM orleansmembershiptable
     WHERE deploymentid = @DeploymentId AND status = 6
       AND address = @Address AND port = @Port AND generation = @Generation
       AND iamalivetime = @IAmAliveTime AND starttime = @StartTime
       AND COALESCE(suspecttimes, '') = COALESCE(@SuspectTimes, '');
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
