/* Tests of input.c with the shipped profiles: each small file under
 * tests/data/input decoded with exact transactions and exact reject rows;
 * malformed rows; multi-file input with line numbers per file; late rows;
 * whole-source errors (empty file, no header, gzip truncated). */
#include <criterion/criterion.h>
#include <string.h>

#include "render.h"

#define DATA              "tests/data/input/"
#define NO_LATENESS_LIMIT (1000LL * 86400 * 365)
#define REJECTS_HEADER    "file,line,column,reason,raw\n"

typedef struct {
    const char *file;
    const char *profile; /* detected */
    const char *rows;
    const char *rejects; /* after the header */
} ProfileCase;

static const ProfileCase profile_cases[] = {
    {DATA "canonical.csv", "canonical",
     "2: c1 2024-03-01T09:10:00Z +0 >DE01A 9,500.00 EUR cash_deposit loc=Berlin Mitte\n"
     "3: c2 2024-03-01T09:15:00Z +120 DE01A>GB02B 1,234.50 GBP wire_international country=GB "
     "memo=rent, March\n"
     "4: c3 2024-03-01T09:30:00Z -330 DE01A> 60 JPY card mcc=0780 country=US loc=New York, NY "
     "memo=hotel \"Plaza\"\nsecond line\n",
     ""},
    {DATA "canonical-reordered.csv", "canonical",
     "2: r1 2024-03-02T08:00:00Z +0 A>B 25.00  transfer\n", ""},
    {DATA "ibm-amlworld.csv", "ibm-amlworld",
     "2: ibm-amlworld.csv:2 2022-09-01T00:20:00Z +0 010:8000EBD30>010:8000EBD30 3,697.34 USD "
     "other label=0\n"
     "3: ibm-amlworld.csv:3 2022-09-01T00:20:00Z +0 03208:8000F4580>001:8000F5340 0.01 USD "
     "cheque label=0\n"
     "4: ibm-amlworld.csv:4 2022-09-01T00:22:00Z +0 0211050:80AEF5310>0211050:80AEF5310 1.12 "
     "EUR transfer label=1\n"
     "5: ibm-amlworld.csv:5 2022-09-01T00:25:00Z +0 011:8000ECA90>011:8000ECA91 12,346 JPY "
     "card label=0\n"
     "6: ibm-amlworld.csv:6 2022-09-01T00:30:00Z +0 001:80A7F5A20>020:80B3C2D10 0.00123457 "
     "BTC crypto label=1\n",
     DATA "ibm-amlworld.csv,7,9,column 9 (Payment Currency): 'Peso' is not a 3-letter "
          "currency code,\"2022/09/01 00:31,001,80A7F5A20,020,80B3C2D10,10.00,US "
          "Dollar,10.00,Peso,Wire,0\"\n"},
    {DATA "amlsim.csv", "amlsim",
     "2: 1 2017-01-01T00:00:00Z +0 A100>A200 754.10 USD transfer label=False label=-1\n"
     "3: 2 2017-01-01T00:05:00Z +0 A100>A300 100.00 USD cash_withdrawal label=True label=12\n"
     "4: 3 2017-01-02T00:00:00Z +0 A300>A200 99.99 USD wire_international label=False "
     "label=-1\n",
     ""},
    {DATA "de-bank.csv", "de-bank",
     "2: B-1 2024-01-15T08:30:00Z +60 >DE89370400440532013000 1,234.56 EUR cash_deposit "
     "loc=Köln memo=Einzahlung; Filiale Dom\n"
     "4: B-3 2024-03-31T01:30:00Z +120 DE89370400440532013000>AT611904300234573201 250.00 EUR "
     "wire_international country=AT memo=Miete \"März\"\n"
     /* 02:30 on the night clocks go back is read as the first (summer time) one */
     "6: B-5 2024-10-27T00:30:00Z +120 DE89370400440532013000> 80.00 EUR atm_withdrawal "
     "mcc=6011 loc=Berlin\n"
     "7: B-6 2024-10-27T02:30:00Z +60 DE89370400440532013000> 1,000,000.00 EUR "
     "atm_withdrawal mcc=6011 loc=Berlin\n",
     DATA "de-bank.csv,3,2,column 2 (Buchungsdatum + Uhrzeit): '31.03.2024 02:30:00' does "
          "not exist in Europe/Berlin (the clocks were put "
          "forward),\"B-2;31.03.2024;02:30:00;DE89370400440532013000;AT611904300234573201;250,"
          "00;EUR;Auslandsüberweisung;;AT;;\"\n" DATA
          "de-bank.csv,5,8,column 8 (Buchungsart): 'Gutschrift' is not a known "
          "channel,\"B-4;01.07.2024;12:00:00;DE89370400440532013000;DE02120300000000202051;10,00;"
          "EUR;Gutschrift;;;;\"\n"},
};

Test(input, shipped_profiles)
{
    for (size_t i = 0; i < G_N_ELEMENTS(profile_cases); i++) {
        const ProfileCase *c = &profile_cases[i];
        g_autofree char *rejects = g_strconcat(REJECTS_HEADER, c->rejects, NULL);
        RenderResult r;
        render_input(&c->file, 1, NULL, NO_LATENESS_LIMIT, &r);
        cr_expect_str_eq(r.profiles, c->profile, "%s", c->file);
        cr_expect_str_eq(r.rows, c->rows, "%s", c->file);
        cr_expect_str_eq(r.rejects, rejects, "%s", c->file);
        cr_expect_null(r.error, "%s: %s", c->file, r.error);
        render_result_clear(&r);
    }
}

Test(input, malformed_rows_are_rejected_with_reasons)
{
    const char *path = DATA "malformed.csv";
    g_autofree char *expected = NULL;
    cr_assert(g_file_get_contents(DATA "malformed.rejects.csv", &expected, NULL, NULL));
    RenderResult r;
    render_input(&path, 1, NULL, NO_LATENESS_LIMIT, &r);
    cr_expect_str_eq(r.rows, "2: ok1 2024-03-01T09:00:00Z +0 A>B 10.00 EUR transfer\n"
                             "24: ok2 2024-03-01T09:00:00Z +0 A>B 20.00 EUR transfer\n");
    cr_expect_str_eq(r.rejects, expected);
    cr_expect_eq(r.stats.rows, 23);
    cr_expect_eq(r.stats.rejected, 21);
    cr_expect_null(r.error);
    render_result_clear(&r);
}

Test(input, late_rows)
{
    const char *path = DATA "late.csv";
    RenderResult r;
    render_input(&path, 1, NULL, 600, &r);
    cr_expect_str_eq(r.rows, "2: l1 2024-03-01T12:00:00Z +0 A>B 1.00 EUR transfer\n"
                             "3: l2 2024-03-01T11:55:00Z +0 A>B 2.00 EUR transfer\n"
                             "5: l4 2024-03-01T12:30:00Z +0 A>B 4.00 EUR transfer\n"
                             "6: l5 2024-03-01T12:20:00Z +0 A>B 5.00 EUR transfer\n");
    cr_expect_str_eq(
        r.rejects, REJECTS_HEADER DATA
        "late.csv,4,,\"timestamp 2024-03-01T11:00:00Z is 3600 s older than "
        "the latest seen (2024-03-01T12:00:00Z), more than the allowed "
        "lateness of 600 s\",\"l3,2024-03-01T11:00:00Z,A,B,3.00,EUR,"
        "transfer\"\n" DATA
        "late.csv,7,,\"timestamp 2024-03-01T12:19:59Z is 601 s older than the latest seen "
        "(2024-03-01T12:30:00Z), more than the allowed lateness of 600 s\",\"l6,2024-03-01T12:"
        "19:59Z,A,B,6.00,EUR,transfer\"\n");
    render_result_clear(&r);
}

Test(input, several_files_one_stream_with_lines_per_file)
{
    const char *paths[] = {DATA "late.csv", DATA "canonical-reordered.csv", DATA "late.csv"};
    InputOptions opts = {.format = "canonical", .max_lateness = 600};
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Intern) loc = intern_new();
    g_autoptr(GError) error = NULL;
    g_autoptr(Input) in = input_open(paths, 3, &opts, acc, loc, &error);
    GString *seen = g_string_new(NULL);
    Txn t;
    while (input_next(in, &t, &error) == INPUT_ROW)
        g_string_append_printf(seen, "%u:%" G_GUINT64_FORMAT ":%.*s ", t.source_index, t.line,
                               (int)t.tx_id.len, t.tx_id.ptr);
    InputStats st;
    input_stats(in, &st);
    /* the second late.csv is a day older than canonical-reordered.csv: all late */
    cr_expect_str_eq(seen->str, "0:2:l1 0:3:l2 0:5:l4 0:6:l5 1:2:r1 ");
    cr_expect_eq(st.rows, 6 + 1 + 6);
    cr_expect_eq(st.rejected, 2 + 6);
    cr_expect_str_eq(input_source_name(in, 1), DATA "canonical-reordered.csv");
    cr_expect_str_eq(input_profile_name(in, 2), "canonical");
    cr_expect_null(error);
    g_string_free(seen, TRUE);
}

Test(input, several_files_with_their_own_profiles)
{
    const char *paths[] = {DATA "amlsim.csv", DATA "gzip-named.csv", DATA "canonical.csv"};
    RenderResult r;
    render_input(paths, 3, NULL, NO_LATENESS_LIMIT, &r);
    cr_expect_str_eq(r.profiles, "amlsim canonical canonical");
    cr_expect_str_eq(
        r.rows,
        "2: 1 2017-01-01T00:00:00Z +0 A100>A200 754.10 USD transfer label=False label=-1\n"
        "3: 2 2017-01-01T00:05:00Z +0 A100>A300 100.00 USD cash_withdrawal label=True "
        "label=12\n"
        "4: 3 2017-01-02T00:00:00Z +0 A300>A200 99.99 USD wire_international label=False "
        "label=-1\n"
        "2: c1 2024-03-01T09:10:00Z +0 >DE01A 9,500.00 EUR cash_deposit loc=Berlin Mitte\n"
        "3: c2 2024-03-01T09:15:00Z +120 DE01A>GB02B 1,234.50 GBP wire_international "
        "country=GB memo=rent, March\n"
        "4: c3 2024-03-01T09:30:00Z -330 DE01A> 60 JPY card mcc=0780 country=US loc=New York, "
        "NY memo=hotel \"Plaza\"\nsecond line\n");
    cr_expect_str_eq(r.rejects, REJECTS_HEADER);
    cr_expect_eq(r.stats.rows, 9);
    cr_expect_eq(r.stats.duplicates, 3); /* canonical.csv repeats gzip-named.csv: dropped */
    cr_expect_eq(r.stats.bytes_read, 244 + 272 + 358); /* gzip counts compressed bytes */
    cr_expect_eq(r.stats.bytes_total, 244 + 272 + 358);
    render_result_clear(&r);
}

typedef struct {
    const char *paths[2];
    guint n;
    const char *format;
    const char *error;
} ErrorCase;

#define EXPECTED_ALL                                                                               \
    "one of ibm-amlworld (Timestamp, From Bank, Account, To Bank, Account#2, Amount Paid, "        \
    "Payment Currency, Payment Format, Is Laundering); amlsim (tran_id, tran_timestamp, "          \
    "orig_acct, bene_acct, base_amt, tx_type, is_sar, alert_id); de-bank (Buchungs-ID, "           \
    "Buchungsdatum, Uhrzeit, Auftraggeberkonto, Empfängerkonto, Betrag, Währung, "               \
    "Buchungsart); canonical (tx_id, ts, from_account, to_account, amount, channel)"

static const ErrorCase error_cases[] = {
    {{DATA "empty.csv"},
     1,
     NULL,
     DATA "empty.csv:1: empty file; expected a header row with the columns of " EXPECTED_ALL},
    {{DATA "headerless.csv"},
     1,
     NULL,
     DATA "headerless.csv:1: header matches no profile; expected the columns of " EXPECTED_ALL},
    {{DATA "canonical.csv", DATA "no-such.csv"},
     2,
     NULL,
     "cannot open '" DATA "no-such.csv': No such file or directory"},
    {{DATA "canonical.csv"},
     1,
     "de-bank",
     DATA "canonical.csv:1: header has no column 'Buchungs-ID' (profile de-bank)"},
    {{DATA "canonical.csv"},
     1,
     "nonesuch",
     "unknown format 'nonesuch' (built-in profiles: amlsim, canonical, de-bank, ibm-amlworld; "
     "or give a .profile file path)"},
    {{DATA "truncated.csv.gz"},
     1,
     NULL,
     "truncated gzip stream (unexpected end of file) in '" DATA "truncated.csv.gz' at byte 150"},
};

Test(input, source_errors)
{
    for (size_t i = 0; i < G_N_ELEMENTS(error_cases); i++) {
        const ErrorCase *c = &error_cases[i];
        RenderResult r;
        render_input(c->paths, c->n, c->format, NO_LATENESS_LIMIT, &r);
        cr_expect_str_eq(r.error ? r.error : "(none)", c->error, "case %zu", i);
        render_result_clear(&r);
    }
}
