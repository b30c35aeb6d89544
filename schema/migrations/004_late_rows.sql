-- 004_late_rows: rows loaded behind the watermark of an incremental run, so
-- that the next incremental run evaluates them, and alerts that such a run
-- finds one scan over all history would no longer raise.
-- docs/postgres.md ("Late-loaded rows") and schema/README.md document them.

-- One row per `load` that stored rows at or before the incremental
-- watermark of the time; the next incremental run sets evaluated_by.
CREATE TABLE late_loads (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    loaded_at    timestamptz NOT NULL DEFAULT now(),
    rows         bigint      NOT NULL CHECK (rows > 0),
    earliest     timestamptz NOT NULL,
    watermark    timestamptz NOT NULL,
    evaluated_by bigint      REFERENCES runs (id)
);
CREATE INDEX late_loads_pending_idx ON late_loads (id) WHERE evaluated_by IS NULL;

-- Late rows an incremental run evaluated (the sum of its late_loads rows).
ALTER TABLE runs ADD COLUMN late_rows bigint NOT NULL DEFAULT 0;

-- An untriaged alert that a later run, evaluating late rows, no longer
-- raises: kept for audit, with the run that found it.
ALTER TABLE alerts ADD COLUMN superseded_by bigint REFERENCES runs (id);
ALTER TABLE alerts ADD COLUMN superseded_at timestamptz;
