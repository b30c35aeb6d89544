-- The rules each run used (docs/postgres.md, "Nightly incremental runs"): one row a rule or
-- typology, with its version and the fingerprint of what it computes, so
-- that an incremental run after a change of the rules can name the rules
-- added, removed or changed; runs.rules_changed records what it said.
CREATE TABLE run_rules (
    run_id      bigint  NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    rule        text    NOT NULL,
    version     integer NOT NULL,
    fingerprint text    NOT NULL,
    PRIMARY KEY (run_id, rule)
);
ALTER TABLE runs ADD COLUMN rules_changed text;
