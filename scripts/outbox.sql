-- The durable stream (transactional outbox) of one Notify Hub database.
--
-- The hub runs this very text when Hub:Databases:{name}:Outbox:InstallSchema is true (the default), with the
-- schema name of Outbox:Schema in place of notify_hub. A DBA can run it by hand instead (psql -f outbox.sql);
-- it is idempotent, so running it again changes nothing. Dropping the schema and running it again starts a new
-- incarnation (epoch): positions clients stored before are then answered with a history-unavailable resync.
--
-- Applications publish inside their own transaction, atomically with their writes:
--     SELECT notify_hub.publish('orders', '{"id": 42}');
-- Nothing is visible to clients before the transaction commits; a rolled-back transaction sends nothing.
BEGIN;

-- Two installers starting at once (several hub instances) take turns instead of racing on the catalog.
SELECT pg_advisory_xact_lock(hashtext('notify_hub install'));

CREATE SCHEMA IF NOT EXISTS notify_hub;

-- A random 63-bit number identifying one incarnation of the outbox.
CREATE OR REPLACE FUNCTION notify_hub.random_epoch() RETURNS bigint
LANGUAGE sql VOLATILE AS $$
    SELECT ('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint & 9223372036854775807
$$;

-- One row: the epoch, the payload limit the hub configures, and how far retention has deleted (a position
-- at or before this mark may have lost rows after it, so resuming from it is refused).
CREATE TABLE IF NOT EXISTS notify_hub.meta (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch bigint NOT NULL DEFAULT notify_hub.random_epoch(),
    max_payload_bytes integer NOT NULL DEFAULT 262144 CHECK (max_payload_bytes > 0),
    purged_tx xid8 NOT NULL DEFAULT '0',
    purged_id bigint NOT NULL DEFAULT 0,
    installed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO notify_hub.meta (singleton) VALUES (true) ON CONFLICT (singleton) DO NOTHING;

-- The stream. Its order is (tx, id); the hub reads it below the oldest running transaction (the snapshot's
-- xmin), so a transaction that took its id early and committed late is never skipped.
CREATE TABLE IF NOT EXISTS notify_hub.outbox (
    id bigint GENERATED ALWAYS AS IDENTITY,
    tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
    channel text NOT NULL,
    payload text NOT NULL,
    pid integer NOT NULL DEFAULT pg_backend_pid(),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tx, id)
);
CREATE INDEX IF NOT EXISTS outbox_created_at ON notify_hub.outbox (created_at);

-- How far the hub's reader has sent the stream to clients; a new leader resumes here.
CREATE TABLE IF NOT EXISTS notify_hub.cursor (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch bigint NOT NULL,
    tx xid8 NOT NULL,
    id bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE OR REPLACE FUNCTION notify_hub.publish(channel text, payload text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    max_bytes integer;
    size integer;
BEGIN
    IF publish.channel IS NULL OR publish.channel = '' THEN
        RAISE EXCEPTION 'notify_hub.publish: channel must not be empty' USING ERRCODE = '22023';
    END IF;
    IF publish.payload IS NULL THEN
        RAISE EXCEPTION 'notify_hub.publish: payload must not be null (use an empty string)' USING ERRCODE = '22004';
    END IF;
    SELECT m.max_payload_bytes INTO max_bytes FROM notify_hub.meta m;
    size := octet_length(publish.payload);
    IF size > max_bytes THEN
        RAISE EXCEPTION 'notify_hub.publish: payload of % bytes is larger than the outbox allows (% bytes)', size, max_bytes
            USING ERRCODE = '54000', HINT = 'Raise Outbox:MaxPayloadBytes of this database in the hub''s configuration.';
    END IF;
    INSERT INTO notify_hub.outbox (channel, payload) VALUES (publish.channel, publish.payload);
    -- Only a wake-up for the hub's reader: the row is the message. Identical notifications of one transaction
    -- are folded into one by PostgreSQL.
    PERFORM pg_notify('notify_hub_wake', '');
END
$$;

-- TRUNCATE starts a new incarnation: positions into the old one can no longer be resumed.
CREATE OR REPLACE FUNCTION notify_hub.outbox_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE notify_hub.meta SET epoch = notify_hub.random_epoch(), purged_tx = '0', purged_id = 0;
    DELETE FROM notify_hub.cursor;
    RETURN NULL;
END
$$;
CREATE OR REPLACE TRIGGER outbox_truncated AFTER TRUNCATE ON notify_hub.outbox
    FOR EACH STATEMENT EXECUTE FUNCTION notify_hub.outbox_truncated();

COMMIT;
