-- 001_initial: transactions, the accounts (KYC) side table, runs, alerts,
-- their evidence, triage history and typology hits. Applied by `moneytrail db init` in one
-- transaction; schema/README.md documents every table and column.

CREATE TABLE transactions (
    tx_id                text        PRIMARY KEY CHECK (length(tx_id) BETWEEN 1 AND 64),
    ts                   timestamptz NOT NULL,
    ts_offset            smallint    NOT NULL DEFAULT 0 CHECK (ts_offset BETWEEN -1080 AND 1080),
    from_account         text        CHECK (from_account <> ''),
    to_account           text        CHECK (to_account <> ''),
    amount               numeric     NOT NULL CHECK (amount >= 0 AND scale(amount) <= 8),
    currency             text        CHECK (currency ~ '^[A-Z]{3}$'),
    channel              text        NOT NULL CHECK (channel IN (
        'cash_deposit', 'cash_withdrawal', 'atm_deposit', 'atm_withdrawal', 'wire_domestic',
        'wire_international', 'transfer', 'ach_payroll', 'card', 'remittance', 'prepaid_load',
        'crypto', 'cheque', 'other')),
    mcc                  smallint    CHECK (mcc BETWEEN 0 AND 9999),
    counterparty_country text        CHECK (counterparty_country ~ '^[A-Z]{2}$'),
    location             text,
    memo                 text,
    loaded_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (from_account IS NOT NULL OR to_account IS NOT NULL)
);
-- The time-ordered scan (ORDER BY ts, tx_id) and the account look-ups.
CREATE INDEX transactions_ts_idx   ON transactions (ts, tx_id);
CREATE INDEX transactions_from_idx ON transactions (from_account, ts);
CREATE INDEX transactions_to_idx   ON transactions (to_account, ts);

CREATE TABLE accounts (
    account_id              text PRIMARY KEY,
    customer_id             text,
    kind                    text CHECK (kind IN ('person', 'business')),
    name                    text,
    birth_date              date,
    country                 text,
    region                  text,
    city                    text,
    address                 text,
    phone                   text,
    email                   text,
    occupation              text,
    declared_monthly_income numeric,
    business_mcc            smallint CHECK (business_mcc BETWEEN 0 AND 9999),
    opening_hours           text,
    employees               integer,
    opened_at               date
);
CREATE INDEX accounts_customer_idx ON accounts (customer_id);
CREATE INDEX accounts_phone_idx    ON accounts (phone);
CREATE INDEX accounts_address_idx  ON accounts (address);

CREATE TABLE runs (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started      timestamptz NOT NULL DEFAULT now(),
    finished     timestamptz,
    source       text        NOT NULL,
    incremental  boolean     NOT NULL DEFAULT false,
    rules_digest text        NOT NULL,
    range_from   timestamptz,
    range_to     timestamptz,
    rows         bigint      NOT NULL DEFAULT 0,
    replayed     bigint      NOT NULL DEFAULT 0,
    rejected     bigint      NOT NULL DEFAULT 0,
    alerts       bigint      NOT NULL DEFAULT 0,
    alerts_new   bigint      NOT NULL DEFAULT 0,
    watermark    timestamptz,
    status       text        NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'succeeded', 'failed')),
    error        text
);
CREATE INDEX runs_watermark_idx ON runs (watermark) WHERE status = 'succeeded' AND incremental;

CREATE TABLE alerts (
    alert_id       text        PRIMARY KEY,
    rule           text        NOT NULL,
    rule_version   integer     NOT NULL,
    title          text        NOT NULL,
    family         text        NOT NULL,
    strength       text        NOT NULL,
    score          numeric     NOT NULL,
    account        text        NOT NULL,
    perspective    text        NOT NULL,
    window_start   timestamptz NOT NULL,
    window_end     timestamptz NOT NULL,
    trigger_tx     text        NOT NULL,
    currency       text        NOT NULL,
    "values"       jsonb       NOT NULL,
    evidence_total integer     NOT NULL,
    role           text,                          -- typology alerts: the account's role
    escalated      boolean     NOT NULL DEFAULT false,
    indicators     jsonb,                         -- typology alerts: the indicator alerts behind
    subgraph       jsonb,                         -- graph patterns: the matched edges
    explanation    text        NOT NULL,
    source         text        NOT NULL,
    run_id         bigint      NOT NULL REFERENCES runs (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    triage_status  text        NOT NULL DEFAULT 'new',
    triage_note    text,
    triage_by      text,
    triage_at      timestamptz
);
CREATE INDEX alerts_account_idx ON alerts (account, window_end);
CREATE INDEX alerts_rule_idx    ON alerts (rule, window_end);
CREATE INDEX alerts_run_idx     ON alerts (run_id);
CREATE INDEX alerts_triage_idx  ON alerts (triage_status, window_end);

CREATE TABLE alert_evidence (
    alert_id text    NOT NULL REFERENCES alerts (alert_id) ON DELETE CASCADE,
    ordinal  integer NOT NULL,
    tx_id    text    NOT NULL,
    PRIMARY KEY (alert_id, ordinal)
);
CREATE INDEX alert_evidence_tx_idx ON alert_evidence (tx_id);

-- Every triage decision, oldest first; alerts.triage_* hold the latest.
CREATE TABLE alert_triage (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id  text        NOT NULL REFERENCES alerts (alert_id) ON DELETE CASCADE,
    status    text        NOT NULL,
    note      text,
    triage_by text        NOT NULL DEFAULT current_user,
    triage_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_triage_alert_idx ON alert_triage (alert_id, triage_at);

CREATE TABLE typology_hits (
    alert_id text    NOT NULL REFERENCES alerts (alert_id) ON DELETE CASCADE,
    typology text    NOT NULL,
    role     text,
    score    numeric NOT NULL,
    PRIMARY KEY (alert_id, typology)
);
CREATE INDEX typology_hits_typology_idx ON typology_hits (typology);
