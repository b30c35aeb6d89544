# IBM AMLSim transactions.csv (github.com/IBM/AMLSim). Amounts are written
# by Python as floats, so they are rounded to cents; the currency is USD.
# AMLSim has no country column: a WIRE is read as a payment abroad (mtgen
# writes WIRE for international wires and remittances only), CREDIT as a
# card payment.
[profile]
name = amlsim
description = IBM AMLSim transactions.csv
priority = 20
delimiter = ,
quote = "
decimal_separator = .
thousands_separator = none
timestamp_format = iso
timezone = UTC
round_amounts = true
labels = is_sar;alert_id

[fields]
tx_id = tran_id
ts = tran_timestamp
from_account = orig_acct
to_account = bene_acct
amount = base_amt
channel = tx_type

[constants]
currency = USD

[map channel]
TRANSFER = transfer
CASH-IN = cash_deposit
DEPOSIT = cash_deposit
CASH-OUT = cash_withdrawal
WITHDRAWAL = cash_withdrawal
CHECK = cheque
CREDIT = card
WIRE = wire_international
PAYMENT = transfer
* = other
