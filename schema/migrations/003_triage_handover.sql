-- Triage that carries over (docs/investigators.md, "Triage"): an entry may
-- hand an alert over (assignee), add a note without changing the status,
-- name who decided where the database role is shared (--by), and mute
-- later alerts of the rule on the account for some days after a dismissal.
ALTER TABLE alert_triage ALTER COLUMN status DROP NOT NULL;
ALTER TABLE alert_triage ADD COLUMN assignee text;
ALTER TABLE alert_triage ADD COLUMN mute_days integer;
ALTER TABLE alerts ADD COLUMN triage_assignee text;
