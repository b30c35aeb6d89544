# IBM "Transactions for Anti Money Laundering" (AMLworld) synthetic data,
# e.g. HI-Small_Trans.csv (Altman et al., NeurIPS 2023). Timestamps are UTC
# to the minute; banks have leading zeros and accounts are hex, so an
# account is bank + ':' + account. The amount is what the sender paid.
[profile]
name = ibm-amlworld
description = IBM AMLworld "Transactions for Anti Money Laundering" CSV
priority = 10
delimiter = ,
quote = "
decimal_separator = .
thousands_separator = none
join_separator = :
timestamp_format = %Y/%m/%d %H:%M
timezone = UTC
round_amounts = true
synthesize_tx_id = true
labels = Is Laundering

[fields]
ts = Timestamp
from_account = From Bank + Account
to_account = To Bank + Account#2
amount = Amount Paid
currency = Payment Currency
channel = Payment Format

[map currency]
US Dollar = USD
Euro = EUR
Bitcoin = BTC
Yuan = CNY
Yen = JPY
UK Pound = GBP
Rupee = INR
Ruble = RUB
Canadian Dollar = CAD
Australian Dollar = AUD
Swiss Franc = CHF
Mexican Peso = MXN
Brazil Real = BRL
Saudi Riyal = SAR
Shekel = ILS

[map channel]
ACH = transfer
Bitcoin = crypto
Cash = cash_deposit
Cheque = cheque
Credit Card = card
Reinvestment = other
Wire = wire_domestic
