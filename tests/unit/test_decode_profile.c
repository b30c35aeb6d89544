/* Tests of decode_profile.c: the shipped profiles load, detection picks
 * the right one from a header, and a bad profile is an error naming the
 * file and line. */
#include <criterion/criterion.h>
#include <string.h>

#include "read/decode_profile.h"

Test(decode_profile, builtins_load_in_priority_order)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) all = profile_load_builtins(&error);
    cr_assert_not_null(all, "%s", error ? error->message : "");
    cr_expect_eq(all->len, 4);
    cr_expect_str_eq(((Profile *)all->pdata[0])->name, "ibm-amlworld");
    cr_expect_str_eq(((Profile *)all->pdata[1])->name, "amlsim");
    cr_expect_str_eq(((Profile *)all->pdata[2])->name, "de-bank");
    cr_expect_str_eq(((Profile *)all->pdata[3])->name, "canonical");
}

Test(decode_profile, amlworld_details)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Profile) p = profile_load("ibm-amlworld", &error);
    cr_assert_not_null(p);
    const ProfileFieldSpec *to = &p->fields[PROFILE_FIELD_TO];
    cr_expect_eq(to->n_columns, 2);
    cr_expect_str_eq(to->columns[0].name, "To Bank");
    cr_expect_str_eq(to->columns[1].name, "Account");
    cr_expect_eq(to->columns[1].occurrence, 2);
    cr_expect_str_eq(to->display, "To Bank + Account#2");
    cr_expect_eq(p->join_sep, ':');
    cr_expect(p->round_amounts);
    cr_expect(p->synthesize_tx_id);
    cr_expect_str_eq(p->ts_format, "%Y/%m/%d %H:%M");
    cr_expect_eq(p->tz_kind, PROFILE_TZ_FIXED);
    cr_expect_eq(p->n_labels, 1);
    cr_expect_str_eq(p->label_names[0], "Is Laundering");
    cr_expect_eq(p->fields[PROFILE_FIELD_CURRENCY].n_map, 15);
}

Test(decode_profile, de_bank_details)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Profile) p = profile_load_builtin("de-bank", &error);
    cr_assert_not_null(p);
    cr_expect_eq(p->delimiter, ';');
    cr_expect_eq(p->decimal_sep, ',');
    cr_expect_eq(p->thousands_sep, '.');
    cr_expect_eq(p->tz_kind, PROFILE_TZ_ZONE);
    cr_expect_str_eq(p->tz_name, "Europe/Berlin");
}

typedef struct {
    const char *header;
    const char *profile; /* NULL: no match */
} DetectCase;

static const DetectCase detect_cases[] = {
    {"Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"
     "Amount Paid,Payment Currency,Payment Format,Is Laundering",
     "ibm-amlworld"},
    {"tran_id,orig_acct,bene_acct,tx_type,base_amt,tran_timestamp,is_sar,alert_id", "amlsim"},
    {"Buchungs-ID;Buchungsdatum;Uhrzeit;Auftraggeberkonto;Empfängerkonto;Betrag;Währung;"
     "Buchungsart",
     "de-bank"},
    {"tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,"
     "location,memo",
     "canonical"},
    {"channel,amount,ts,to_account,from_account,tx_id", "canonical"},
    {" tx_id , ts,from_account,to_account,amount,channel", "canonical"}, /* spaces trimmed */
    {"\"tx_id\",\"ts\",\"from_account\",\"to_account\",\"amount\",\"channel\"", "canonical"},
    /* Account only once: not AMLworld */
    {"Timestamp,From Bank,Account,To Bank,Amount Paid,Payment Currency,Payment Format,"
     "Is Laundering",
     NULL},
    {"tx_id,ts,from_account,to_account,amount", NULL},
};

Test(decode_profile, detect_from_header)
{
    g_autoptr(GPtrArray) all = profile_load_builtins(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(detect_cases); i++) {
        const DetectCase *c = &detect_cases[i];
        g_autoptr(GError) error = NULL;
        const Profile *p = profile_detect(all, c->header, strlen(c->header), "x.csv:1", &error);
        cr_expect_str_eq(p ? p->name : "(none)", c->profile ? c->profile : "(none)", "%s",
                         c->header);
    }
}

typedef struct {
    const char *text;
    const char *error;
} LoadErrorCase;

#define HEAD   "[profile]\nname = t\n"
#define FIELDS "[fields]\ntx_id = id\nts = when\nfrom_account = a\namount = x\nchannel = c\n"

static const LoadErrorCase load_errors[] = {
    {"name = t\n", "t.profile:1: Key file does not start with a group"},
    {HEAD "this is not a key\n" FIELDS,
     "t.profile:3: Key file contains line “this is not a key” which is not a key-value pair, "
     "group, or comment"},
    {"[fields]\nts = x\n", "t.profile: missing group [profile]"},
    {HEAD "delimiter = ::\n" FIELDS, "t.profile:3: delimiter '::' is not one of ',' ';' '|' tab"},
    {HEAD "decimal_separator = ,\nthousands_separator = ,\n" FIELDS,
     "t.profile:4: thousands_separator is the same as decimal_separator"},
    {HEAD "delimeter = ;\n" FIELDS, "t.profile:3: unknown key 'delimeter' in [profile]"},
    {HEAD "timezone = Mars/Olympus\n" FIELDS,
     "t.profile:3: timezone 'Mars/Olympus' is neither an offset like +01:00 nor a known IANA "
     "zone"},
    {HEAD "timestamp_format = %d.%m.%y\n" FIELDS,
     "t.profile:3: timestamp_format '%d.%m.%y' needs %Y, %m and %d and may use only %H %M %S "
     "%z %%"},
    {HEAD "round_amounts = yes\n" FIELDS, "t.profile:3: round_amounts 'yes' is not true or false"},
    {HEAD FIELDS "colour = red\n", "t.profile:9: unknown field 'colour' in [fields]"},
    {HEAD FIELDS "[map channel]\nWire = telegraph\n",
     "t.profile:10: 'telegraph' is not a valid channel"},
    {HEAD FIELDS "[map currency]\nDollar = Dollar\n",
     "t.profile:10: 'Dollar' is not a valid currency"},
    {HEAD FIELDS "[constants]\nchannel = wire\n",
     "t.profile:10: field 'channel' is both a column and a constant"},
    {HEAD FIELDS "[mapping]\nx = y\n",
     "t.profile:9: unknown group [mapping] (expected [profile], [fields], [constants], "
     "[defaults] or [map FIELD])"},
    {HEAD "[fields]\ntx_id = id\nts = when\nfrom_account = a\namount = x\n",
     "t.profile:3: no column for the required field 'channel'"},
    {HEAD "[fields]\nts = when\nfrom_account = a\namount = x\nchannel = c\n",
     "t.profile:3: no column for the required field 'tx_id' (or synthesize_tx_id = true)"},
    {HEAD "[fields]\ntx_id = id\nts = when\namount = x\nchannel = c\n",
     "t.profile:3: no column for from_account or to_account"},
    {HEAD "optional_columns = memo\n" FIELDS,
     "t.profile:3: optional column 'memo' is not used in [fields]"},
    {HEAD "[fields]\ntx_id = id\nts = when\nfrom_account = a + \namount = x\nchannel = c\n",
     "t.profile:6: 'a + ' is not a column name (like 'Amount' or 'Account#2')"},
};

Test(decode_profile, load_errors_name_file_and_line)
{
    for (size_t i = 0; i < G_N_ELEMENTS(load_errors); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(Profile) p = profile_load_text(load_errors[i].text, "t.profile", &error);
        cr_expect_null(p, "case %zu", i);
        cr_expect_str_eq(error ? error->message : "(none)", load_errors[i].error, "case %zu", i);
    }
}

Test(decode_profile, load_from_file_and_unknown_name)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Profile) p = profile_load("schema/profiles/amlsim.profile", &error);
    cr_expect_not_null(p);
    cr_expect_str_eq(p->origin, "schema/profiles/amlsim.profile");
    g_autoptr(Profile) q = profile_load("tests/data/input/no-such.profile", &error);
    cr_expect_null(q);
    cr_expect(g_str_has_prefix(error->message,
                               "cannot read profile 'tests/data/input/no-such.profile': "));
}

Test(decode_profile, describe_columns)
{
    g_autoptr(Profile) p = profile_load_builtin("canonical", NULL);
    g_autofree char *cols = profile_describe_columns(p);
    cr_expect_str_eq(cols, "tx_id, ts, from_account, to_account, amount, channel");
}
