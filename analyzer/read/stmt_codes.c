/* stmt_codes.c: the bank transaction code table (schema/bank-codes.tsv).
 *
 * Generated rows, kept equal to the schema file by a unit test
 * (tests/unit/test_stmt.c); the first row that matches wins, and an ISO
 * row with "*" as subfamily matches any subfamily of its family. */
#include "read/stmt.h"

#include <string.h>

static const StmtCode stmt_code_rows[] = {
    {"iso", "PMNT/CNTR/CDPT", "cash_deposit"},
    {"iso", "PMNT/CNTR/FCDP", "cash_deposit"},
    {"iso", "PMNT/CNTR/CWDL", "cash_withdrawal"},
    {"iso", "PMNT/CNTR/FCWD", "cash_withdrawal"},
    {"iso", "PMNT/CCRD/CWDL", "atm_withdrawal"},
    {"iso", "PMNT/CCRD/CDPT", "atm_deposit"},
    {"iso", "PMNT/CCRD/*", "card"},
    {"iso", "PMNT/MCRD/*", "card"},
    {"iso", "PMNT/ICDT/XBCT", "wire_international"},
    {"iso", "PMNT/RCDT/XBCT", "wire_international"},
    {"iso", "PMNT/ICDT/DMCT", "wire_domestic"},
    {"iso", "PMNT/RCDT/DMCT", "wire_domestic"},
    {"iso", "PMNT/ICDT/SALA", "ach_payroll"},
    {"iso", "PMNT/RCDT/SALA", "ach_payroll"},
    {"iso", "PMNT/ICDT/*", "transfer"},
    {"iso", "PMNT/RCDT/*", "transfer"},
    {"iso", "PMNT/IRCT/*", "transfer"},
    {"iso", "PMNT/RRCT/*", "transfer"},
    {"iso", "PMNT/IDDT/*", "transfer"},
    {"iso", "PMNT/RDDT/*", "transfer"},
    {"iso", "PMNT/ICHQ/*", "cheque"},
    {"iso", "PMNT/RCHQ/*", "cheque"},
    {"iso", "PMNT/MCOP/*", "other"},
    {"iso", "PMNT/MDOP/*", "other"},
    {"swift", "NCHK", "cheque"},
    {"swift", "NTRF", "transfer"},
    {"swift", "NSTO", "transfer"},
    {"swift", "NDDT", "transfer"},
    {"swift", "NSAL", "ach_payroll"},
    {"swift", "NCHG", "other"},
    {"swift", "NMSC", "other"},
    {"gvc", "082", "cash_deposit"},
    {"gvc", "083", "cash_withdrawal"},
    {"gvc", "106", "card"},
    {"gvc", "004", "transfer"},
    {"gvc", "005", "transfer"},
    {"gvc", "008", "transfer"},
    {"gvc", "020", "transfer"},
    {"gvc", "051", "transfer"},
    {"gvc", "052", "transfer"},
    {"gvc", "053", "ach_payroll"},
    {"gvc", "104", "transfer"},
    {"gvc", "105", "transfer"},
    {"gvc", "116", "transfer"},
    {"gvc", "117", "transfer"},
    {"gvc", "152", "transfer"},
    {"gvc", "153", "ach_payroll"},
    {"gvc", "166", "transfer"},
    {"gvc", "171", "transfer"},
    {"gvc", "808", "other"},
    {"gvc", "835", "other"},
    {"prtry", "REMITTANCE", "remittance"},
    {"prtry", "PREPAID-LOAD", "prepaid_load"},
    {"prtry", "CRYPTO", "crypto"},
    {"goaml", "K/in", "cash_deposit"},
    {"goaml", "K/out", "cash_withdrawal"},
    {"goaml", "B", "transfer"},
    {"goaml", "M", "remittance"},
    {"goaml", "C", "card"},
    {"goaml", "O", "other"},
};

const StmtCode *stmt_codes(guint *n)
{
    *n = G_N_ELEMENTS(stmt_code_rows);
    return stmt_code_rows;
}

/* TRUE if code matches a row's code; "DOMN/FMLY/ *" (no space) matches any subfamily. */
static gboolean stmt_code_match(const char *row, const char *code)
{
    size_t n = strlen(row);
    if (n >= 2 && strcmp(row + n - 2, "/*") == 0)
        return strncmp(row, code, n - 1) == 0;
    return strcmp(row, code) == 0;
}

const char *stmt_code_channel(const char *scheme, const char *code)
{
    for (guint i = 0; i < G_N_ELEMENTS(stmt_code_rows); i++)
        if (strcmp(stmt_code_rows[i].scheme, scheme) == 0 &&
            stmt_code_match(stmt_code_rows[i].code, code))
            return stmt_code_rows[i].channel;
    return NULL;
}
