-- OrleansLog's PostgreSQL schema, part 3 of 3: Orleans grain state (ADO.NET grain storage).
--
-- One row per grain state: the grain's identity (hashes and parts of its id, its type, the service
-- id) and the serialized state. The 10.x provider binds only @PayloadBinary when writing and reads
-- only the PayloadBinary and Version columns, so there are no JSON or XML columns. OrleansLog stores
-- Orleans-serializer bytes there, the same bytes its embedded file storage writes. version is the
-- ETag: a write carries the version it read and succeeds only if that is still the stored one
-- (optimistic concurrency). The write returns the new version; it returns the old version (update
-- lost) or NULL (first insert lost), which the provider reports as an InconsistentStateException.
-- Unlike a plain index, the unique index makes two first writes of the same grain race safely: the
-- loser inserts nothing and is told so, instead of leaving two rows.

CREATE TABLE IF NOT EXISTS orleansstorage
(
    grainidhash            integer       NOT NULL,
    grainidn0              bigint        NOT NULL,
    grainidn1              bigint        NOT NULL,
    graintypehash          integer       NOT NULL,
    graintypestring        varchar(512)  NOT NULL,
    grainidextensionstring varchar(512)  NULL,
    serviceid              varchar(150)  NOT NULL,
    payloadbinary          bytea         NULL,
    modifiedon             timestamp     NOT NULL,
    version                integer       NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS ux_orleansstorage_grain
    ON orleansstorage (grainidhash, graintypehash, grainidn0, grainidn1, graintypestring,
                       (COALESCE(grainidextensionstring, '')), serviceid);

-- Writes a grain's state. p_version is the version the grain read (NULL: it read nothing). Returns
-- the new version; p_version unchanged when the stored version differs, NULL when another first write won.
CREATE OR REPLACE FUNCTION olog_storage_write(
    p_grain_id_hash integer, p_grain_id_n0 bigint, p_grain_id_n1 bigint, p_grain_type_hash integer,
    p_grain_type varchar, p_grain_id_extension varchar, p_service_id varchar, p_version integer,
    p_payload bytea)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
    changed integer;
BEGIN
    IF p_version IS NOT NULL THEN
        UPDATE orleansstorage
           SET payloadbinary = p_payload,
               modifiedon = (now() AT TIME ZONE 'utc'),
               version = version + 1
         WHERE grainidhash = p_grain_id_hash AND graintypehash = p_grain_type_hash
           AND grainidn0 = p_grain_id_n0 AND grainidn1 = p_grain_id_n1
           AND graintypestring = p_grain_type
           AND grainidextensionstring IS NOT DISTINCT FROM p_grain_id_extension
           AND serviceid = p_service_id
           AND version = p_version;
        GET DIAGNOSTICS changed = ROW_COUNT;
        RETURN CASE WHEN changed > 0 THEN p_version + 1 ELSE p_version END;
    END IF;

    INSERT INTO orleansstorage
        (grainidhash, grainidn0, grainidn1, graintypehash, graintypestring, grainidextensionstring, serviceid,
         payloadbinary, modifiedon, version)
    VALUES
        (p_grain_id_hash, p_grain_id_n0, p_grain_id_n1, p_grain_type_hash, p_grain_type, p_grain_id_extension, p_service_id,
         p_payload, (now() AT TIME ZONE 'utc'), 1)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS changed = ROW_COUNT;
    RETURN CASE WHEN changed > 0 THEN 1 ELSE NULL END;
END
$fn$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('WriteToStorageKey', $q$
    SELECT olog_storage_write(@GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
                              @GrainIdExtensionString, @ServiceId, @GrainStateVersion, @PayloadBinary)
           AS NewGrainStateVersion;
$q$),
('ReadFromStorageKey', $q$
    SELECT payloadbinary AS PayloadBinary, version AS Version
      FROM orleansstorage
     WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
       AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
       AND graintypestring = @GrainTypeString
       AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
       AND serviceid = @ServiceId;
$q$),
-- Clearing keeps the row (and bumps its version) so a stale writer still loses the version check.
('ClearStorageKey', $q$
    UPDATE orleansstorage
       SET payloadbinary = NULL, version = version + 1
     WHERE grainidhash = @GrainIdHash AND graintypehash = @GrainTypeHash
       AND grainidn0 = @GrainIdN0 AND grainidn1 = @GrainIdN1
       AND graintypestring = @GrainTypeString
       AND grainidextensionstring IS NOT DISTINCT FROM @GrainIdExtensionString
       AND serviceid = @ServiceId
       AND version = @GrainStateVersion
    RETURNING version AS NewGrainStateVersion;
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
