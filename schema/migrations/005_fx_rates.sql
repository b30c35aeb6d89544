-- Reference exchange rates (docs/currencies.md), loaded by
-- `moneytrail load --fx FILE`: one row per currency and day, the rate in
-- units of the currency per one unit of the base (the euro in the ECB's
-- files), exact as published. `scan --db` converts with them when the
-- table holds rates and no --fx file is given.
CREATE TABLE fx_rates (
    day      date        NOT NULL,
    currency char(3)     NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    rate     numeric     NOT NULL CHECK (rate > 0),
    base     char(3)     NOT NULL CHECK (base ~ '^[A-Z]{3}$'),
    PRIMARY KEY (currency, day)
);
