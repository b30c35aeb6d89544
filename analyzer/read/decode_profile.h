/* decode_profile.h: mapping profiles: how the columns of one bank's CSV
 * layout become the canonical transaction.
 *
 * A profile is GKeyFile text (schema/transactions.md documents every key):
 * the CSV dialect, how each canonical field is made (a column, several
 * columns joined, or a constant), value maps, the timestamp format and
 * time zone, amount rounding, label columns. The shipped profiles are
 * compiled in (profile_builtin_sources, generated from schema/profiles by
 * tools/embed-profiles.sh). A loaded Profile is immutable; the decoder
 * binds it to one file's header. */
#ifndef MT_DECODE_PROFILE_H
#define MT_DECODE_PROFILE_H

#include <glib.h>

#include "base/txn.h"

typedef struct {
    const char *name;
    const char *text;
} ProfileSource;

/* The built-in profiles, terminated by {NULL, NULL}. */
extern const ProfileSource profile_builtin_sources[];

/* The canonical fields, in the order of the canonical CSV. */
#define PROFILE_FIELD_LIST(X)                                                                      \
    X(TX_ID, "tx_id")                                                                              \
    X(TS, "ts")                                                                                    \
    X(FROM, "from_account")                                                                        \
    X(TO, "to_account")                                                                            \
    X(AMOUNT, "amount")                                                                            \
    X(CURRENCY, "currency")                                                                        \
    X(CHANNEL, "channel")                                                                          \
    X(MCC, "mcc")                                                                                  \
    X(COUNTRY, "counterparty_country")                                                             \
    X(LOCATION, "location")                                                                        \
    X(MEMO, "memo")

typedef enum {
#define X(id, name) PROFILE_FIELD_##id,
    PROFILE_FIELD_LIST(X)
#undef X
        PROFILE_FIELD_COUNT
} ProfileField;

/* A column addressed by name; occurrence n (1-based) picks the n-th column
 * of that name in the header ("Account#2"). */
typedef struct {
    char *name;
    guint occurrence;
    gboolean optional; /* may be missing from the header */
} ProfileColumn;

typedef struct {
    char *from;
    guint32 from_len;
    char *to;
    guint32 to_len;
} ProfileMapEntry;

/* How one canonical field is made. */
typedef struct {
    ProfileColumn *columns; /* n_columns > 1: joined; 0: constant or absent */
    guint n_columns;
    char *constant;       /* [constants], or NULL */
    char *fallback;       /* [defaults]: value when the field is empty, or NULL */
    ProfileMapEntry *map; /* [map FIELD] */
    guint n_map;
    char *map_default; /* "*" key of the map, or NULL (unmapped values pass) */
    guint32 map_default_len;
    char *display; /* for messages: "Amount Paid", "From Bank + Account" */
} ProfileFieldSpec;

typedef enum {
    PROFILE_TZ_FIXED, /* tz_offset minutes */
    PROFILE_TZ_ZONE,  /* tz, an IANA zone */
} ProfileTzKind;

typedef struct {
    char *name;
    char *description;
    char *origin; /* "built-in" or the file path */
    int priority; /* detection order: lower first */
    char delimiter, quote, decimal_sep, thousands_sep, join_sep;
    gboolean round_amounts;
    gboolean synthesize_tx_id;
    char *ts_format; /* NULL = ISO 8601 */
    char *tz_name;
    ProfileTzKind tz_kind;
    int tz_offset;
    GTimeZone *tz;
    ProfileFieldSpec fields[PROFILE_FIELD_COUNT];
    ProfileColumn *labels;
    guint n_labels;
    char **label_names; /* NULL-terminated, as written in the profile */
} Profile;

/* Parses profile text; origin names it in messages (a path, or
 * "built-in profile NAME"). Returns NULL with error "ORIGIN:LINE: ..." on a
 * syntax or meaning error. Caller frees with profile_free. */
Profile *profile_load_text(const char *text, const char *origin, GError **error);
/* Loads a profile file. */
Profile *profile_load_file(const char *path, GError **error);
/* Loads a built-in profile by name (see profile_builtin_sources). */
Profile *profile_load_builtin(const char *name, GError **error);
/* A built-in name if there is one, else a file path. */
Profile *profile_load(const char *name_or_path, GError **error);
/* All built-in profiles in detection order (priority, then name); the
 * array owns them. */
GPtrArray *profile_load_builtins(GError **error);
void profile_free(Profile *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Profile, profile_free)

/* The canonical name of a field ("from_account"). */
const char *profile_field_name(ProfileField f);
/* TRUE if every required column of p appears in the header fields. */
gboolean profile_matches(const Profile *p, const StrView *header, guint n_header);
/* Returns the first of candidates (Profile *, in order) that matches the
 * header record header[0, len), borrowed from candidates; NULL with an
 * error that lists every candidate's required columns. where prefixes the
 * message ("file.csv:1"). */
const Profile *profile_detect(GPtrArray *candidates, const char *header, size_t len,
                              const char *where, GError **error);
/* Required columns of p as one string: "tx_id, ts, ...". Caller frees. */
char *profile_describe_columns(const Profile *p);

#endif
