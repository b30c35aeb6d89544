# moneytrail's own transaction CSV, described in schema/transactions.md.
# Columns may come in any order; the optional ones may be missing.
[profile]
name = canonical
description = moneytrail canonical transaction CSV (schema/transactions.md)
priority = 90
delimiter = ,
quote = "
decimal_separator = .
thousands_separator = none
timestamp_format = iso
timezone = UTC
round_amounts = false
optional_columns = currency;mcc;counterparty_country;location;memo

[fields]
tx_id = tx_id
ts = ts
from_account = from_account
to_account = to_account
amount = amount
currency = currency
channel = channel
mcc = mcc
counterparty_country = counterparty_country
location = location
memo = memo
