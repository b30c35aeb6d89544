-- The rules each run used (docs/postgres.md, "Nightly incremental runs"):
-- runs.rules lists each rule and typology with its version and the
-- fingerprint of what it computes, so that an incremental run after a
-- change of the rules can name the rules added, removed or changed;
-- runs.rules_changed records what it said.
ALTER TABLE runs ADD COLUMN rules jsonb;
ALTER TABLE runs ADD COLUMN rules_changed text;
-- The alerts of shadow rules (rules/LANGUAGE.md, 'status shadow'): stored,
-- kept out of `alerts` (unless --shadow) and `cases`.
ALTER TABLE alerts ADD COLUMN shadow boolean NOT NULL DEFAULT false;
