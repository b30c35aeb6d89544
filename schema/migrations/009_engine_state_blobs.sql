-- 009_engine_state_blobs: the engine state's transaction records (most of
-- its bytes, and append-only: a night adds a few chunks and drops the
-- expired ones) stored apart from the rest, one blob per chunk, so that a
-- night writes its new chunks and the small mutable rest instead of the
-- whole state. docs/postgres.md ("Nightly runs from a checkpoint")
-- documents it; analyzer/engine/checkpoint.h describes the format.

-- The blobs the stored state (engine_state, engine_state_parts) names:
-- the part at byte offset `at` of the blob `key`, in rows of 8,000 bytes
-- as the parts are. Written and deleted in the run's transaction.
CREATE TABLE engine_state_blobs (
    key  bigint NOT NULL,
    at   bigint NOT NULL,
    data bytea  NOT NULL,
    PRIMARY KEY (key, at)
);
ALTER TABLE engine_state_blobs ALTER COLUMN data SET STORAGE PLAIN;

-- A state stored before is in checkpoint format 2, which this program
-- does not read: the first run after the upgrade replays the whole
-- history once and stores the new format (runs.checkpoint says why).

-- For each incremental run: of the state it stored, the bytes it wrote
-- (its payload and its new blobs; checkpoint_bytes counts them all), and
-- the milliseconds it took to read and restore the state it started from.
ALTER TABLE runs ADD COLUMN checkpoint_written_bytes bigint;
ALTER TABLE runs ADD COLUMN checkpoint_load_ms bigint;
