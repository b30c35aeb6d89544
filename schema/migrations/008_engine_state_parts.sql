-- 008_engine_state_parts: the engine state (migration 007) in parts of
-- 8,000 bytes, each a plain row of one page, written by one binary COPY
-- and read by one scan: no TOAST chunks and their index to build and walk,
-- no value of the whole state's size on either side.
-- docs/postgres.md ("Nightly runs from a checkpoint") documents it.

-- The parts of the one state engine_state describes (its bytes count
-- them all): the part at byte offset `at` of the state.
CREATE TABLE engine_state_parts (
    at   bigint NOT NULL,
    data bytea  NOT NULL
);
ALTER TABLE engine_state_parts ALTER COLUMN data SET STORAGE PLAIN;

-- A stored state moves into parts, so that the next run still starts from it.
INSERT INTO engine_state_parts (at, data)
SELECT g::bigint * 8000, substring(state FROM g * 8000 + 1 FOR 8000)
  FROM engine_state, generate_series(0, (length(state) - 1) / 8000) g;
ALTER TABLE engine_state DROP COLUMN state;
