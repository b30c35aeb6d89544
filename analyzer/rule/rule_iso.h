/* rule_iso.h: the country and currency codes a rule may name.
 *
 * The compiler accepts `country == PH` or `currency in {EUR, USD}` only for
 * codes that exist: ISO 3166-1 alpha-2 country codes and ISO 4217 currency
 * codes, from tables in rule_iso.c (their sources are named there). */
#ifndef MT_RULE_ISO_H
#define MT_RULE_ISO_H

#include <glib.h>

/* TRUE if code (two capital letters) is an ISO 3166-1 alpha-2 country code. */
gboolean rule_iso_country(const char *code);
/* TRUE if code (three capital letters) is an ISO 4217 currency code. */
gboolean rule_iso_currency(const char *code);
/* The sizes of the two tables; TRUE if both are sorted (for the tests). */
gboolean rule_iso_tables_sorted(guint *n_countries, guint *n_currencies);

#endif
