/* libFuzzer target: CSV splitting and decoding of one record with each
 * shipped profile bound to its own sample header. Malformed input must be a
 * reject with a reason, never a crash. `make fuzz` runs it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "read/decode.h"
#include "read/decode_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const headers[][2] = {
    {"canonical", "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_"
                  "country,location,memo"},
    {"ibm-amlworld", "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving "
                     "Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering"},
    {"amlsim", "tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,is_sar,alert_id"},
    {"de-bank", "Buchungs-ID;Buchungsdatum;Uhrzeit;Auftraggeberkonto;Empfängerkonto;Betrag;"
                "Währung;Buchungsart;MCC;Land;Ort;Verwendungszweck"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    guint which = data[0] % G_N_ELEMENTS(headers);
    Profile *p = profile_load_builtin(headers[which][0], NULL);
    if (!p)
        return 0;
    Intern *acc = intern_new(), *loc = intern_new();
    Decoder *d = decode_new(p, acc, loc, "fuzz.csv");
    char *header = g_strdup(headers[which][1]);
    if (decode_bind(d, header, strlen(header), "fuzz.csv:1", NULL)) {
        char *rec = g_memdup2(data + 1, size - 1);
        Txn t;
        decode_row(d, rec, size - 1, 2, &t);
        g_free(rec);
    }
    g_free(header);
    decode_free(d);
    intern_free(acc);
    intern_free(loc);
    profile_free(p);
    return 0;
}
