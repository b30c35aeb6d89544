# A German bank's CSV export, the continental-European dialect: ';' between
# fields, decimal comma with '.' thousands (1.234,56), the booking date
# (dd.mm.yyyy) and time in two columns, local time in Europe/Berlin, and a
# quoted Verwendungszweck (memo) that may hold ';'. Unknown Buchungsart
# values are rejected rather than guessed.
[profile]
name = de-bank
description = German bank CSV export (semicolons, decimal comma, Europe/Berlin)
priority = 30
delimiter = ;
quote = "
decimal_separator = ,
thousands_separator = .
join_separator = :
timestamp_format = %d.%m.%Y %H:%M:%S
timezone = Europe/Berlin
round_amounts = false
optional_columns = MCC;Land;Ort;Verwendungszweck

[fields]
tx_id = Buchungs-ID
ts = Buchungsdatum + Uhrzeit
from_account = Auftraggeberkonto
to_account = Empfängerkonto
amount = Betrag
currency = Währung
channel = Buchungsart
mcc = MCC
counterparty_country = Land
location = Ort
memo = Verwendungszweck

[map channel]
Bareinzahlung = cash_deposit
Barauszahlung = cash_withdrawal
Einzahlung Automat = atm_deposit
Geldautomat = atm_withdrawal
Überweisung = wire_domestic
Auslandsüberweisung = wire_international
Umbuchung = transfer
Gehalt = ach_payroll
Kartenzahlung = card
Geldtransfer = remittance
Prepaid-Aufladung = prepaid_load
Krypto = crypto
Scheck = cheque
Lastschrift = other
