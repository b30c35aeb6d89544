/* cmd_export.c: `moneytrail export goaml|ftm`: hand a case on in the
 * format the receiving unit uses: a goAML STR draft for the FIU, or
 * FollowTheMoney entities for Aleph. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "out/export_ftm.h"
#include "out/export_goaml.h"

typedef struct {
    CmdView v;
    char *output, *config, *reference, *date;
} ExportOptions;

static int goaml(ExportOptions *o, CaseStore *s)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GKeyFile) kf = g_key_file_new();
    if (!g_key_file_load_from_file(kf, o->config, G_KEY_FILE_NONE, &err)) {
        cmd_error("export", "cannot read config: '%s': %s", o->config, err->message);
        return EXIT_USAGE;
    }
    g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func((GDestroyNotify)case_alert_free);
    for (guint i = 1; o->v.args[i]; i++) {
        CaseAlert *a = s->ops->alert(s, o->v.args[i], &err);
        if (!a)
            return cmd_view_fail("export", err);
        g_ptr_array_add(alerts, a);
    }
    GoamlOptions go = {kf, o->reference, o->date};
    g_autoptr(GString) xml = g_string_new(NULL);
    if (!export_goaml(s, alerts, &go, xml, &err))
        return cmd_view_fail("export", err);
    int rc = cmd_view_write("export", o->output, xml);
    if (rc == EXIT_OK)
        fprintf(stderr, "export: goAML STR draft on %u alert%s to %s\n", alerts->len,
                alerts->len == 1 ? "" : "s", o->output);
    return rc;
}

/* One argument of ftm: an alert (its evidence) or an account (its payments). */
static gboolean ftm_one(ExportFtm *x, CaseStore *s, const char *id, gint64 t0, gint64 t1,
                        GError **error)
{
    g_autoptr(GError) miss = NULL;
    CaseAlert *a = s->ops->alert(s, id, &miss);
    g_autoptr(GPtrArray) txns = NULL;
    if (a) {
        export_ftm_account(x, a->account);
        txns = s->ops->txns_by_id(s, a->evidence, error);
    } else if (s->ops->account_known(s, id, error)) {
        export_ftm_account(x, id);
        txns = s->ops->txns_of(s, id, t0, t1, error);
    } else {
        if (!*error)
            g_set_error(error, CASE_ERROR, CASE_ERROR_NOT_FOUND,
                        "no alert or account '%s' in the alerts, accounts or transactions given",
                        id);
        return FALSE;
    }
    for (guint i = 0; txns && i < txns->len; i++)
        export_ftm_payment(x, g_ptr_array_index(txns, i), a ? a->explanation : NULL);
    case_alert_free(a);
    return txns != NULL;
}

static int ftm(ExportOptions *o, CaseStore *s)
{
    gint64 t0, t1;
    if (!cmd_view_range("export", o->v.from, o->v.to, &t0, &t1))
        return EXIT_USAGE;
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(ExportFtm) x = export_ftm_new(s, out);
    g_autoptr(GError) err = NULL;
    for (guint i = 1; o->v.args[i]; i++)
        if (!ftm_one(x, s, o->v.args[i], t0, t1, &err))
            return cmd_view_fail("export", err);
    int rc = cmd_view_write("export", o->output, out);
    if (rc == EXIT_OK)
        fprintf(stderr, "export: %u FollowTheMoney entities to %s\n", export_ftm_count(x),
                o->output);
    return rc;
}

/* The formats: the first argument names one; adding a format is a row
 * and its function. */
typedef struct {
    const char *name;
    int (*write)(ExportOptions *o, CaseStore *s); /* returns the exit code */
} ExportFormat;

static const ExportFormat formats[] = {
    {"goaml", goaml},
    {"ftm", ftm},
};

/* The format called name, or NULL. */
static const ExportFormat *format_of(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(formats); i++)
        if (strcmp(formats[i].name, name) == 0)
            return &formats[i];
    return NULL;
}

/* The checks of export's arguments and options, after parsing. */
static gboolean export_check(const CmdView *v)
{
    const ExportOptions *o = (const ExportOptions *)v;
    char **args = v->args;
    guint n = args ? g_strv_length(args) : 0;
    if (n < 2 || !format_of(args[0]) || !o->output) {
        cmd_error("export", "give goaml ALERT_ID... or ftm ID..., and -o FILE");
        return FALSE;
    }
    if (strcmp(args[0], "goaml") == 0 && !o->config) {
        cmd_error("export", "goaml needs --config FILE with the reporting entity "
                            "(see schema/goaml.conf.example)");
        return FALSE;
    }
    return TRUE;
}

/* Opens the store and writes the export asked for. */
static int export_run(CmdView *v)
{
    g_autoptr(CaseStore) s = cmd_view_open(&v->store, "export");
    if (!s)
        return EXIT_DATA;
    return format_of(v->args[0])->write((ExportOptions *)v, s);
}

static const CmdViewSpec spec = {
    .what = "export",
    .params = "goaml ALERT_ID... | ftm ID...",
    .summary = "goaml ALERT_ID... -c entity.conf -o str.xml\n"
               "    a goAML suspicious transaction report draft: header, reason built from the\n"
               "    explanations, the evidence transactions with their parties, indicators from\n"
               "    the rule ids. A possible victim is never the subject.\n"
               "ftm ACCOUNT_ID|ALERT_ID... -o entities.json\n"
               "    FollowTheMoney entities (Person or Company, BankAccount, Ownership, Payment)\n"
               "    as JSON lines for Aleph: an account with all its payments, an alert with\n"
               "    its evidence.",
    .check = export_check,
    .run = export_run,
};

int cmd_export(int argc, char **argv)
{
    ExportOptions o = {0};
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "the file to write", "FILE"},
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config,
         "goaml: reporting-entity key file (see schema/goaml.conf.example)", "FILE"},
        {"reference", 0, 0, G_OPTION_ARG_STRING, &o.reference,
         "goaml: entity_reference (default MT- and the first alert id)", "REF"},
        {"date", 0, 0, G_OPTION_ARG_STRING, &o.date,
         "goaml: submission_date, 2024-06-01T10:00:00 (default now)", "TIME"},
        cmd_view_option(&o.v, "from", "ftm: first day of an account's payments"),
        cmd_view_option(&o.v, "to", "ftm: last day of an account's payments"),
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
