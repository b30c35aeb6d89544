/* fx.h: reference exchange rates, and amounts converted into one reporting
 * currency exactly (docs/currencies.md).
 *
 * Rates come from a file in the European Central Bank's wide layout (a
 * `Date` column, one column per currency, units of the currency per euro,
 * "N/A" where none was published) or in a long layout
 * (`date,currency,rate,base`), or from the fx_rates table in that long
 * form. Every rate is kept as an exact decimal (an integer and a number of
 * decimal places), never a double. A conversion uses the rate of the
 * transaction's UTC date or the last one published before it, no more than
 * the maximum age old, and rounds once, half to even, to the minor unit of
 * the reporting currency. */
#ifndef MT_FX_H
#define MT_FX_H

#include <glib.h>

#include "base/db.h"

typedef struct Fx Fx;

/* Days a rate may be older than the transaction it converts, by default:
 * a weekend and a two-day holiday (Good Friday to Easter Monday) fit. */
#define FX_MAX_AGE_DAYS_DEFAULT 5

typedef enum {
    FX_OK = 0,
    FX_NO_CURRENCY, /* the row has no currency */
    FX_NO_RATE,     /* the currency has no rate on or before the date */
    FX_STALE,       /* the last rate is older than the maximum age */
    FX_OVERFLOW,    /* the converted amount is above LIMIT_AMOUNT_MINOR */
} FxStatus;

/* An empty table converting into reporting (a packed ISO 4217 code). */
Fx *fx_new(guint32 reporting, int max_age_days);
/* fx_new for the options a user gave: code the reporting currency (NULL:
 * EUR), max_age_days at least 0; NULL with error (G_OPTION_ERROR_BAD_VALUE,
 * the message naming --currency or --fx-max-age) when one is not valid. */
Fx *fx_new_checked(const char *code, int max_age_days, GError **error);
void fx_free(Fx *fx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Fx, fx_free)

/* Reads rates from a CSV text (wide or long layout, told by the header);
 * name is the file name used in errors ("rates.csv:7: ..."). Rates add to
 * those read before; all must share one base currency. FALSE with error on
 * a malformed line, a date or rate that is not one, a zero or negative
 * rate, a currency given twice for a date, or a second base. */
gboolean fx_load_text(Fx *fx, const char *name, const char *text, gsize len, GError **error);
/* fx_load_text on a whole file. */
gboolean fx_load_file(Fx *fx, const char *path, GError **error);
/* Reads the fx_rates table (schema/migrations/005_fx_rates.sql) through
 * fx_load_text; *n is the number of rates it holds (0: none). */
gboolean fx_load_db(Fx *fx, PGconn *conn, guint *n, GError **error);
/* After loading: sorts the rates by date and checks that the reporting
 * currency can be reached (it is the base or has rates; 0: only read). */
gboolean fx_finish(Fx *fx, GError **error);

guint32 fx_reporting(const Fx *fx);
int fx_reporting_exp(const Fx *fx);
guint32 fx_base(const Fx *fx);
int fx_max_age(const Fx *fx);
/* Rates held (currency and day pairs). */
guint fx_count(const Fx *fx);
/* TRUE if currency is the base or has at least one rate. */
gboolean fx_knows(const Fx *fx, guint32 currency);

/* Converts amount (minor units, exp decimals, of currency) at UTC time ts
 * into minor units of the reporting currency in *out. */
FxStatus fx_convert(const Fx *fx, gint64 amount, guint32 currency, int exp, gint64 ts, gint64 *out);
/* A threshold of a rule: v units of currency at ts in reporting units,
 * through fx_convert on its minor units; NaN when there is no rate. */
double fx_convert_value(const Fx *fx, double v, guint32 currency, gint64 ts);
/* Why a conversion failed, for a reject: "no USD rate on or before
 * 2024-03-01 in the rates", ... buf holds 160 bytes. */
const char *fx_status_text(const Fx *fx, FxStatus st, guint32 currency, gint64 ts, char *buf);

/* Calls fn for each rate, by currency then date: "2024-03-01", "USD",
 * "1.0830", base "EUR" (the rate as exact decimal text). */
void fx_foreach(const Fx *fx,
                void (*fn)(const char *date, const char *currency, const char *rate,
                           const char *base, void *user),
                void *user);

/* The currencies of a run seen without rates: a few codes, to warn when
 * amounts of several are added as numbers. */
#define FX_SEEN_MAX 8
typedef struct {
    guint32 codes[FX_SEEN_MAX];
    guint n;
    gboolean more; /* more currencies than FX_SEEN_MAX */
} FxSeen;

static inline void fx_seen_add(FxSeen *s, guint32 currency)
{
    if (s->n && s->codes[s->n - 1] == currency)
        return;
    for (guint i = 0; i < s->n; i++)
        if (s->codes[i] == currency)
            return;
    if (s->n < FX_SEEN_MAX)
        s->codes[s->n++] = currency;
    else
        s->more = TRUE;
}
/* "EUR, JPY, USD" (an empty currency as "none"); caller frees. */
char *fx_seen_text(const FxSeen *s);

#endif
