/* decode_profile.c: loading mapping profiles from GKeyFile text, and
 * detecting which profile a file's header row belongs to.
 *
 * Everything a row needs is resolved here once: separators to bytes, the
 * time zone to a fixed offset or a GTimeZone, column references to
 * (name, occurrence), map targets checked (a channel map must give
 * canonical channel names). Errors name the profile file and the line of
 * the offending key; GKeyFile itself does not report lines, so the line is
 * found by a small scan of the text. */
#include "read/decode_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read/csv.h"
#include "base/limits.h"

#define PROFILE_GROUP            "profile"
#define PROFILE_DEFAULT_PRIORITY 50

static const char *const profile_field_names[PROFILE_FIELD_COUNT] = {
#define X(id, name) name,
    PROFILE_FIELD_LIST(X)
#undef X
};

static const char *const profile_keys[] = {
    "name",
    "description",
    "priority",
    "delimiter",
    "quote",
    "decimal_separator",
    "thousands_separator",
    "join_separator",
    "timestamp_format",
    "timezone",
    "round_amounts",
    "synthesize_tx_id",
    "labels",
    "optional_columns",
    NULL,
};

/* Loading state: the key file, its text (for line numbers), its origin. */
typedef struct {
    GKeyFile *kf;
    const char *text;
    const char *origin;
    Profile *p;
} ProfileLoad;

const char *profile_field_name(ProfileField f)
{
    return f < PROFILE_FIELD_COUNT ? profile_field_names[f] : "";
}

static int profile_field_by_name(const char *name)
{
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
        if (strcmp(profile_field_names[f], name) == 0)
            return f;
    return -1;
}

/* 1-based line of "key =" inside [group] of text, or of the group header
 * when key is NULL; 0 if not found. */
static guint profile_key_line(const char *text, const char *group, const char *key)
{
    gboolean in_group = FALSE;
    guint line = 1;
    size_t klen = key ? strlen(key) : 0;
    for (const char *p = text; *p; line++) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        while (n > 0 && (*p == ' ' || *p == '\t'))
            p++, n--;
        if (n > 0 && *p == '[') {
            in_group = n >= strlen(group) + 2 && memcmp(p + 1, group, strlen(group)) == 0 &&
                       p[strlen(group) + 1] == ']';
            if (in_group && !key)
                return line;
        } else if (in_group && key && n > klen && memcmp(p, key, klen) == 0 &&
                   (p[klen] == '=' || p[klen] == ' ' || p[klen] == '\t')) {
            return line;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return 0;
}

/* 1-based line of the first line GKeyFile cannot read, or 0. */
static guint profile_bad_line(const char *text)
{
    guint line = 1;
    for (const char *p = text; *p; line++) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        while (n > 0 && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        gboolean ok = n == 0 || *p == '#' || (*p == '[' && p[n - 1] == ']') || memchr(p, '=', n);
        if (!ok)
            return line;
        if (!eol)
            break;
        p = eol + 1;
    }
    return 0;
}

/* Sets error "ORIGIN:LINE: message" for key in group (line omitted if
 * unknown). */
G_GNUC_PRINTF(5, 6)
static void profile_fail(ProfileLoad *ld, const char *group, const char *key, GError **error,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    guint line = profile_key_line(ld->text, group, key);
    if (line)
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s:%u: %s",
                    ld->origin, line, msg);
    else
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "%s: %s", ld->origin,
                    msg);
}

static void profile_column_clear(ProfileColumn *c)
{
    g_free(c->name);
}

static void profile_field_clear(ProfileFieldSpec *fs)
{
    for (guint i = 0; i < fs->n_columns; i++)
        profile_column_clear(&fs->columns[i]);
    g_free(fs->columns);
    for (guint i = 0; i < fs->n_map; i++) {
        g_free(fs->map[i].from);
        g_free(fs->map[i].to);
    }
    g_free(fs->map);
    g_free(fs->map_default);
    g_free(fs->constant);
    g_free(fs->fallback);
    g_free(fs->display);
}

void profile_free(Profile *p)
{
    if (!p)
        return;
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
        profile_field_clear(&p->fields[f]);
    for (guint i = 0; i < p->n_labels; i++)
        profile_column_clear(&p->labels[i]);
    g_free(p->labels);
    g_strfreev(p->label_names);
    if (p->tz)
        g_time_zone_unref(p->tz);
    g_free(p->tz_name);
    g_free(p->ts_format);
    g_free(p->origin);
    g_free(p->description);
    g_free(p->name);
    g_free(p);
}

/* Parses "Name" or "Name#N" into c (name copied). */
static gboolean profile_parse_column(const char *spec, ProfileColumn *c)
{
    g_autofree char *s = g_strstrip(g_strdup(spec));
    c->occurrence = 1;
    char *hash = strrchr(s, '#');
    if (hash && hash[1] && strspn(hash + 1, "0123456789") == strlen(hash + 1)) {
        long n = strtol(hash + 1, NULL, 10);
        if (n < 1 || n > LIMIT_FIELDS)
            return FALSE;
        c->occurrence = (guint)n;
        *hash = '\0';
        g_strchomp(s);
    }
    if (!*s)
        return FALSE;
    c->name = g_steal_pointer(&s);
    return TRUE;
}

/* A string value of [profile], or def when the key is absent. */
static char *profile_get(ProfileLoad *ld, const char *key, const char *def)
{
    char *v = g_key_file_get_string(ld->kf, PROFILE_GROUP, key, NULL);
    return v ? v : g_strdup(def);
}

/* Reads a one-byte separator; "tab" and "none" (or empty) are spelled
 * out. allowed lists the bytes accepted; none_ok allows no separator. */
static gboolean profile_get_char(ProfileLoad *ld, const char *key, const char *def,
                                 const char *allowed, gboolean none_ok, char *out, GError **error)
{
    g_autofree char *v = profile_get(ld, key, def);
    gboolean none = strcmp(v, "none") == 0 || v[0] == '\0';
    *out = strcmp(v, "tab") == 0 ? '\t' : strlen(v) == 1 ? v[0] : '\0';
    if ((none && none_ok) || (*out && strchr(allowed, *out)))
        return TRUE;
    g_autoptr(GString) list = g_string_new(NULL);
    for (const char *a = allowed; *a; a++) {
        g_string_append(list, list->len ? " " : "");
        if (*a == '\t')
            g_string_append(list, "tab");
        else
            g_string_append_printf(list, "'%c'", *a);
    }
    profile_fail(ld, PROFILE_GROUP, key, error, "%s '%s' is not one of %s%s", key, v, list->str,
                 none_ok ? " none" : "");
    return FALSE;
}

static gboolean profile_get_bool(ProfileLoad *ld, const char *key, gboolean *out, GError **error)
{
    g_autofree char *v = profile_get(ld, key, "false");
    *out = strcmp(v, "true") == 0;
    if (*out || strcmp(v, "false") == 0)
        return TRUE;
    profile_fail(ld, PROFILE_GROUP, key, error, "%s '%s' is not true or false", key, v);
    return FALSE;
}

/* Checks a strftime-like pattern: only %Y %m %d %H %M %S %z %%, with a date. */
static gboolean profile_check_format(const char *fmt)
{
    gboolean y = FALSE, m = FALSE, d = FALSE;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (!*p || !strchr("YmdHMSz%", *p))
            return FALSE;
        y |= *p == 'Y';
        m |= *p == 'm';
        d |= *p == 'd';
    }
    return y && m && d;
}

/* Parses "+HH:MM", "-HHMM", "UTC", "Z" into minutes. */
static gboolean profile_fixed_offset(const char *s, int *minutes)
{
    if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0) {
        *minutes = 0;
        return TRUE;
    }
    int h, m;
    char sign;
    char tail;
    if (sscanf(s, "%c%2d:%2d%c", &sign, &h, &m, &tail) != 3 &&
        sscanf(s, "%c%2d%2d%c", &sign, &h, &m, &tail) != 3)
        return FALSE;
    if ((sign != '+' && sign != '-') || h > 18 || m > 59)
        return FALSE;
    *minutes = (sign == '-' ? -1 : 1) * (h * 60 + m);
    return TRUE;
}

static gboolean profile_load_time(ProfileLoad *ld, GError **error)
{
    Profile *p = ld->p;
    g_autofree char *fmt = profile_get(ld, "timestamp_format", "iso");
    if (strcmp(fmt, "iso") != 0) {
        if (!profile_check_format(fmt)) {
            profile_fail(ld, PROFILE_GROUP, "timestamp_format", error,
                         "timestamp_format '%s' needs %%Y, %%m and %%d and may use only "
                         "%%H %%M %%S %%z %%%%",
                         fmt);
            return FALSE;
        }
        p->ts_format = g_steal_pointer(&fmt);
    }
    p->tz_name = profile_get(ld, "timezone", "UTC");
    if (profile_fixed_offset(p->tz_name, &p->tz_offset)) {
        p->tz_kind = PROFILE_TZ_FIXED;
        return TRUE;
    }
    p->tz_kind = PROFILE_TZ_ZONE;
    p->tz = g_time_zone_new_identifier(p->tz_name);
    if (!p->tz) {
        profile_fail(ld, PROFILE_GROUP, "timezone", error,
                     "timezone '%s' is neither an offset like +01:00 nor a known IANA zone",
                     p->tz_name);
        return FALSE;
    }
    return TRUE;
}

/* Rejects keys of [profile] this version does not know (typos). */
static gboolean profile_check_keys(ProfileLoad *ld, GError **error)
{
    g_auto(GStrv) keys = g_key_file_get_keys(ld->kf, PROFILE_GROUP, NULL, NULL);
    for (guint i = 0; keys && keys[i]; i++)
        if (!g_strv_contains(profile_keys, keys[i])) {
            profile_fail(ld, PROFILE_GROUP, keys[i], error, "unknown key '%s' in [%s]", keys[i],
                         PROFILE_GROUP);
            return FALSE;
        }
    return TRUE;
}

static gboolean profile_load_dialect(ProfileLoad *ld, GError **error)
{
    Profile *p = ld->p;
    if (!profile_get_char(ld, "delimiter", ",", ",;|\t", FALSE, &p->delimiter, error) ||
        !profile_get_char(ld, "quote", "\"", "\"'", TRUE, &p->quote, error) ||
        !profile_get_char(ld, "decimal_separator", ".", ".,", FALSE, &p->decimal_sep, error) ||
        !profile_get_char(ld, "thousands_separator", "", ",. '", TRUE, &p->thousands_sep, error) ||
        !profile_get_char(ld, "join_separator", ":", ":|/-_. ", FALSE, &p->join_sep, error))
        return FALSE;
    if (p->thousands_sep == p->decimal_sep) {
        profile_fail(ld, PROFILE_GROUP, "thousands_separator", error,
                     "thousands_separator is the same as decimal_separator");
        return FALSE;
    }
    return profile_get_bool(ld, "round_amounts", &p->round_amounts, error) &&
           profile_get_bool(ld, "synthesize_tx_id", &p->synthesize_tx_id, error);
}

static gboolean profile_load_head(ProfileLoad *ld, GError **error)
{
    Profile *p = ld->p;
    if (!g_key_file_has_group(ld->kf, PROFILE_GROUP)) {
        profile_fail(ld, PROFILE_GROUP, NULL, error, "missing group [%s]", PROFILE_GROUP);
        return FALSE;
    }
    p->name = g_key_file_get_string(ld->kf, PROFILE_GROUP, "name", NULL);
    if (!p->name || !*p->name) {
        profile_fail(ld, PROFILE_GROUP, NULL, error, "missing key 'name' in [%s]", PROFILE_GROUP);
        return FALSE;
    }
    p->description = profile_get(ld, "description", "");
    g_autofree char *prio = profile_get(ld, "priority", G_STRINGIFY(PROFILE_DEFAULT_PRIORITY));
    char *end;
    p->priority = (int)strtol(prio, &end, 10);
    if (*end || !*prio) {
        profile_fail(ld, PROFILE_GROUP, "priority", error, "priority '%s' is not a number", prio);
        return FALSE;
    }
    return profile_check_keys(ld, error) && profile_load_dialect(ld, error) &&
           profile_load_time(ld, error);
}

/* Parses "A + B + C" into the field's columns. */
static gboolean profile_load_columns(ProfileLoad *ld, int f, const char *value, GError **error)
{
    ProfileFieldSpec *fs = &ld->p->fields[f];
    g_auto(GStrv) parts = g_strsplit(value, "+", -1);
    fs->n_columns = g_strv_length(parts);
    fs->columns = g_new0(ProfileColumn, fs->n_columns);
    for (guint i = 0; i < fs->n_columns; i++)
        if (!profile_parse_column(parts[i], &fs->columns[i])) {
            profile_fail(ld, "fields", profile_field_names[f], error,
                         "'%s' is not a column name (like 'Amount' or 'Account#2')", value);
            return FALSE;
        }
    g_autofree char *stripped = g_strstrip(g_strdup(value));
    fs->display = g_steal_pointer(&stripped);
    return TRUE;
}

/* Loads [fields], [constants] or [defaults]: keys are canonical fields. */
static gboolean profile_load_group(ProfileLoad *ld, const char *group, GError **error)
{
    g_auto(GStrv) keys = g_key_file_get_keys(ld->kf, group, NULL, NULL);
    for (guint i = 0; keys && keys[i]; i++) {
        int f = profile_field_by_name(keys[i]);
        g_autofree char *v = g_key_file_get_string(ld->kf, group, keys[i], NULL);
        if (f < 0) {
            profile_fail(ld, group, keys[i], error, "unknown field '%s' in [%s]", keys[i], group);
            return FALSE;
        }
        ProfileFieldSpec *fs = &ld->p->fields[f];
        if (strcmp(group, "fields") == 0 && !profile_load_columns(ld, f, v, error))
            return FALSE;
        if (strcmp(group, "constants") == 0)
            fs->constant = g_steal_pointer(&v);
        else if (strcmp(group, "defaults") == 0)
            fs->fallback = g_steal_pointer(&v);
        if (fs->constant && fs->n_columns) {
            profile_fail(ld, group, keys[i], error, "field '%s' is both a column and a constant",
                         keys[i]);
            return FALSE;
        }
    }
    return TRUE;
}

/* Checks a value a field will take from a map, constant or default. */
static gboolean profile_check_value(int f, const char *v)
{
    Channel c;
    if (f == PROFILE_FIELD_CHANNEL)
        return txn_channel_parse(v, strlen(v), &c);
    if (f == PROFILE_FIELD_CURRENCY)
        return txn_pack_code3(v, strlen(v)) != 0;
    if (f == PROFILE_FIELD_COUNTRY)
        return txn_pack_code2(v, strlen(v)) != 0;
    return TRUE;
}

static gboolean profile_load_map(ProfileLoad *ld, const char *group, int f, GError **error)
{
    ProfileFieldSpec *fs = &ld->p->fields[f];
    gsize n;
    g_auto(GStrv) keys = g_key_file_get_keys(ld->kf, group, &n, NULL);
    fs->map = g_new0(ProfileMapEntry, n);
    for (gsize i = 0; i < n; i++) {
        g_autofree char *v = g_key_file_get_string(ld->kf, group, keys[i], NULL);
        if (!profile_check_value(f, v)) {
            profile_fail(ld, group, keys[i], error, "'%s' is not a valid %s", v,
                         profile_field_names[f]);
            return FALSE;
        }
        if (strcmp(keys[i], "*") == 0) {
            fs->map_default_len = (guint32)strlen(v);
            fs->map_default = g_steal_pointer(&v);
            continue;
        }
        ProfileMapEntry *e = &fs->map[fs->n_map++];
        e->from_len = (guint32)strlen(keys[i]);
        e->from = g_strdup(keys[i]);
        e->to_len = (guint32)strlen(v);
        e->to = g_steal_pointer(&v);
    }
    return TRUE;
}

/* Loads the [map FIELD] groups; any other unknown group is an error. */
static gboolean profile_load_maps(ProfileLoad *ld, GError **error)
{
    static const char *const known[] = {PROFILE_GROUP, "fields", "constants", "defaults", NULL};
    g_auto(GStrv) groups = g_key_file_get_groups(ld->kf, NULL);
    for (guint i = 0; groups[i]; i++) {
        if (g_strv_contains(known, groups[i]))
            continue;
        int f = g_str_has_prefix(groups[i], "map ") ? profile_field_by_name(groups[i] + 4) : -1;
        if (f < 0) {
            profile_fail(ld, groups[i], NULL, error,
                         "unknown group [%s] (expected [profile], [fields], [constants], "
                         "[defaults] or [map FIELD])",
                         groups[i]);
            return FALSE;
        }
        if (!profile_load_map(ld, groups[i], f, error))
            return FALSE;
    }
    return TRUE;
}

/* Marks the columns named in optional_columns as optional. */
static gboolean profile_load_optional(ProfileLoad *ld, GError **error)
{
    g_auto(GStrv) names =
        g_key_file_get_string_list(ld->kf, PROFILE_GROUP, "optional_columns", NULL, NULL);
    for (guint i = 0; names && names[i]; i++) {
        g_strstrip(names[i]);
        gboolean found = FALSE;
        for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
            for (guint c = 0; c < ld->p->fields[f].n_columns; c++)
                if (strcmp(ld->p->fields[f].columns[c].name, names[i]) == 0)
                    found = ld->p->fields[f].columns[c].optional = TRUE;
        if (!found && *names[i]) {
            profile_fail(ld, PROFILE_GROUP, "optional_columns", error,
                         "optional column '%s' is not used in [fields]", names[i]);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean profile_load_labels(ProfileLoad *ld, GError **error)
{
    Profile *p = ld->p;
    gsize n = 0;
    g_auto(GStrv) names = g_key_file_get_string_list(ld->kf, PROFILE_GROUP, "labels", &n, NULL);
    if (n > LIMIT_LABELS) {
        profile_fail(ld, PROFILE_GROUP, "labels", error, "more than %d labels", LIMIT_LABELS);
        return FALSE;
    }
    p->labels = g_new0(ProfileColumn, n);
    p->label_names = g_new0(char *, n + 1);
    for (gsize i = 0; i < n; i++) {
        if (!profile_parse_column(names[i], &p->labels[p->n_labels])) {
            profile_fail(ld, PROFILE_GROUP, "labels", error, "label '%s' is not a column name",
                         names[i]);
            return FALSE;
        }
        p->label_names[p->n_labels] = g_strstrip(g_strdup(names[i]));
        p->n_labels++;
    }
    return TRUE;
}

/* Constants and defaults must be values the decoder accepts. */
static gboolean profile_check_fields(ProfileLoad *ld, GError **error)
{
    Profile *p = ld->p;
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++) {
        ProfileFieldSpec *fs = &p->fields[f];
        const char *bad = fs->constant && !profile_check_value(f, fs->constant)   ? fs->constant
                          : fs->fallback && !profile_check_value(f, fs->fallback) ? fs->fallback
                                                                                  : NULL;
        if (bad) {
            profile_fail(ld, fs->constant ? "constants" : "defaults", profile_field_names[f], error,
                         "'%s' is not a valid %s", bad, profile_field_names[f]);
            return FALSE;
        }
        if (!fs->display)
            fs->display = g_strdup(profile_field_names[f]);
    }
    static const ProfileField needed[] = {PROFILE_FIELD_TS, PROFILE_FIELD_AMOUNT,
                                          PROFILE_FIELD_CHANNEL, PROFILE_FIELD_TX_ID};
    for (guint i = 0; i < G_N_ELEMENTS(needed); i++) {
        const ProfileFieldSpec *fs = &p->fields[needed[i]];
        if (fs->n_columns || fs->constant ||
            (needed[i] == PROFILE_FIELD_TX_ID && p->synthesize_tx_id))
            continue;
        profile_fail(ld, "fields", NULL, error, "no column for the required field '%s'%s",
                     profile_field_names[needed[i]],
                     needed[i] == PROFILE_FIELD_TX_ID ? " (or synthesize_tx_id = true)" : "");
        return FALSE;
    }
    if (!p->fields[PROFILE_FIELD_FROM].n_columns && !p->fields[PROFILE_FIELD_TO].n_columns) {
        profile_fail(ld, "fields", NULL, error, "no column for from_account or to_account");
        return FALSE;
    }
    return TRUE;
}

Profile *profile_load_text(const char *text, const char *origin, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    if (!g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, &local)) {
        guint line = profile_bad_line(text);
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s:%u: %s", origin,
                    line ? line : 1, local->message);
        return NULL;
    }
    g_autoptr(Profile) p = g_new0(Profile, 1);
    p->origin = g_strdup(origin);
    ProfileLoad ld = {kf, text, origin, p};
    if (!profile_load_head(&ld, error) || !profile_load_group(&ld, "fields", error) ||
        !profile_load_group(&ld, "constants", error) ||
        !profile_load_group(&ld, "defaults", error) || !profile_load_maps(&ld, error) ||
        !profile_load_optional(&ld, error) || !profile_load_labels(&ld, error) ||
        !profile_check_fields(&ld, error))
        return NULL;
    return g_steal_pointer(&p);
}

Profile *profile_load_file(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) local = NULL;
    if (!g_file_get_contents(path, &text, NULL, &local)) {
        g_set_error(error, local->domain, local->code, "cannot read profile '%s': %s", path,
                    local->message);
        return NULL;
    }
    return profile_load_text(text, path, error);
}

Profile *profile_load_builtin(const char *name, GError **error)
{
    for (const ProfileSource *s = profile_builtin_sources; s->name; s++)
        if (strcmp(s->name, name) == 0) {
            g_autofree char *origin = g_strdup_printf("built-in profile %s", name);
            return profile_load_text(s->text, origin, error);
        }
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no built-in profile '%s'", name);
    return NULL;
}

Profile *profile_load(const char *name_or_path, GError **error)
{
    for (const ProfileSource *s = profile_builtin_sources; s->name; s++)
        if (strcmp(s->name, name_or_path) == 0)
            return profile_load_builtin(name_or_path, error);
    if (!strchr(name_or_path, '/') && !g_str_has_suffix(name_or_path, ".profile")) {
        g_autoptr(GString) names = g_string_new(NULL);
        for (const ProfileSource *s = profile_builtin_sources; s->name; s++)
            g_string_append_printf(names, "%s%s", names->len ? ", " : "", s->name);
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "unknown format '%s' (built-in profiles: %s; or give a .profile file path)",
                    name_or_path, names->str);
        return NULL;
    }
    return profile_load_file(name_or_path, error);
}

static gint profile_cmp_priority(gconstpointer a, gconstpointer b)
{
    const Profile *pa = *(Profile *const *)a, *pb = *(Profile *const *)b;
    if (pa->priority != pb->priority)
        return pa->priority < pb->priority ? -1 : 1;
    return strcmp(pa->name, pb->name);
}

GPtrArray *profile_load_builtins(GError **error)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func((GDestroyNotify)profile_free);
    for (const ProfileSource *s = profile_builtin_sources; s->name; s++) {
        Profile *p = profile_load_builtin(s->name, error);
        if (!p)
            return NULL;
        g_ptr_array_add(all, p);
    }
    g_ptr_array_sort(all, profile_cmp_priority);
    return g_steal_pointer(&all);
}

/* Trims ASCII spaces around a header name. */
static StrView profile_trim(StrView v)
{
    while (v.len > 0 && v.ptr[0] == ' ')
        v.ptr++, v.len--;
    while (v.len > 0 && v.ptr[v.len - 1] == ' ')
        v.len--;
    return v;
}

static guint profile_count_column(const ProfileColumn *c, const StrView *header, guint n)
{
    guint count = 0;
    size_t len = strlen(c->name);
    for (guint i = 0; i < n; i++) {
        StrView h = profile_trim(header[i]);
        count += h.len == len && memcmp(h.ptr, c->name, len) == 0;
    }
    return count;
}

gboolean profile_matches(const Profile *p, const StrView *header, guint n_header)
{
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
        for (guint i = 0; i < p->fields[f].n_columns; i++) {
            const ProfileColumn *c = &p->fields[f].columns[i];
            if (!c->optional && profile_count_column(c, header, n_header) < c->occurrence)
                return FALSE;
        }
    for (guint i = 0; i < p->n_labels; i++)
        if (profile_count_column(&p->labels[i], header, n_header) < p->labels[i].occurrence)
            return FALSE;
    return TRUE;
}

static void profile_append_column(GString *out, const ProfileColumn *c)
{
    g_string_append_printf(out, "%s%s", out->len ? ", " : "", c->name);
    if (c->occurrence > 1)
        g_string_append_printf(out, "#%u", c->occurrence);
}

char *profile_describe_columns(const Profile *p)
{
    GString *out = g_string_new(NULL);
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++)
        for (guint i = 0; i < p->fields[f].n_columns; i++)
            if (!p->fields[f].columns[i].optional)
                profile_append_column(out, &p->fields[f].columns[i]);
    for (guint i = 0; i < p->n_labels; i++)
        profile_append_column(out, &p->labels[i]);
    return g_string_free(out, FALSE);
}

const Profile *profile_detect(GPtrArray *candidates, const char *header, size_t len,
                              const char *where, GError **error)
{
    g_autofree char *copy = g_malloc(len + 1);
    CsvRow *row = g_new(CsvRow, 1);
    const Profile *found = NULL;
    for (guint i = 0; i < candidates->len && !found; i++) {
        const Profile *p = candidates->pdata[i];
        memcpy(copy, header, len);
        if (csv_split(copy, len, p->delimiter, p->quote, row) == CSV_OK &&
            profile_matches(p, row->fields, row->n_fields))
            found = p;
    }
    g_free(row);
    if (found)
        return found;
    g_autoptr(GString) expected = g_string_new(NULL);
    for (guint i = 0; i < candidates->len; i++) {
        const Profile *p = candidates->pdata[i];
        g_autofree char *cols = profile_describe_columns(p);
        g_string_append_printf(expected, "%s%s (%s)", i ? "; " : "", p->name, cols);
    }
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s: header matches no profile; expected the columns of %s%s", where,
                candidates->len > 1 ? "one of " : "", expected->str);
    return NULL;
}
