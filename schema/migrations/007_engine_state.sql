-- 007_engine_state: the engine's state at the watermark of the last
-- incremental run (a checkpoint, analyzer/engine/checkpoint.h), so that the
-- next run reads only the rows after it instead of replaying history.
-- docs/postgres.md ("Nightly runs from a checkpoint") documents it.

-- Written in the transaction that stores the run's alerts and marks it
-- succeeded: a run that fails or is killed leaves the previous state and
-- alerts as they were. Only the latest is kept.
CREATE TABLE engine_state (
    run_id    bigint      PRIMARY KEY REFERENCES runs (id),
    watermark timestamptz NOT NULL,
    bytes     bigint      NOT NULL,
    state     bytea       NOT NULL
);
-- The state is written and read whole: no compression on the way.
ALTER TABLE engine_state ALTER COLUMN state SET STORAGE EXTERNAL;

-- For each incremental run: how it used a checkpoint (or why it could
-- not, and replayed history instead), the bytes of the one it read and of
-- the one it wrote.
ALTER TABLE runs ADD COLUMN checkpoint text;
ALTER TABLE runs ADD COLUMN checkpoint_read_bytes bigint;
ALTER TABLE runs ADD COLUMN checkpoint_bytes bigint;
