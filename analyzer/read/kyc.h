/* kyc.h: the accounts (KYC) side table, joined to transactions by account id.
 *
 * Loaded once before the scan from a CSV with the columns of the
 * generator's accounts.csv (schema/transactions.md, "Accounts"): account ids
 * are interned into the same table as the transactions' accounts, so a
 * record is found by dense id in O(1). Derived at load time: the number of
 * distinct customers sharing each phone, email and address, so that rules
 * can read "shared identifiers" as a number. Read-only while scanning. */
#ifndef MT_KYC_H
#define MT_KYC_H

#include <glib.h>

#include "base/intern.h"
#include "base/txn.h"

typedef enum {
    KYC_KIND_UNKNOWN = 0,
    KYC_KIND_PERSON = 1,
    KYC_KIND_BUSINESS = 2,
} KycKind;

typedef struct {
    guint8 known;         /* FALSE for accounts not in the table */
    guint8 kind;          /* KycKind */
    guint16 business_mcc; /* TXN_MCC_NONE when none */
    guint16 country;      /* txn_pack_code2 */
    gint16 open_min;      /* declared opening hours, minutes of the day; -1 = none */
    gint16 close_min;     /* may be < open_min for hours past midnight */
    gint32 birth_day;     /* days since 1970-01-01; G_MININT32 = unknown */
    gint32 opened_day;    /* days since 1970-01-01; G_MININT32 = unknown */
    gint32 employees;     /* -1 = unknown */
    guint32 customer;     /* interned customer id (the account itself if none given) */
    guint32 region;       /* interned in the locations table, like transaction locations */
    guint32 city;         /* interned in the locations table */
    guint32 occupation;   /* kyc_text_hash of the lower-case occupation, 0 = none */
    gint64 income;        /* declared monthly income in cents, -1 = unknown */
    guint16 shared_phone; /* distinct customers with this phone (1 = only this one), 0 = none */
    guint16 shared_email;
    guint16 shared_address;
    guint8 pad_[64 - 54]; /* one cache line a record: the engine loads it ahead in one */
} KycRecord;

G_STATIC_ASSERT(sizeof(KycRecord) == 64);

typedef struct Kyc Kyc;

/* Loads path (plain or gzip CSV). Account ids are interned into accounts,
 * regions and cities into locations (both borrowed, must outlive the Kyc).
 * A malformed row is an error naming file, line and column. */
Kyc *kyc_load(const char *path, Intern *accounts, Intern *locations, GError **error);
void kyc_free(Kyc *k);
/* An empty table, filled with kyc_add and closed with kyc_finish (used by
 * rule examples): keys are column names of the accounts CSV. */
Kyc *kyc_new(void);
gboolean kyc_add(Kyc *k, const char *const *keys, const StrView *values, guint n, Intern *accounts,
                 Intern *locations, GError **error);
/* Computes the shared-identifier counts; call after the last kyc_add. */
void kyc_finish(Kyc *k);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Kyc, kyc_free)

/* The parsed table as bytes, appended to out (a split's rows file), and
 * back: kyc_restore rebuilds it, records, customers and links, for the
 * account and location tables it was saved with (their ids; accounts and
 * locations are their counts, to check the ids against). The bytes are
 * the program's own, in the machine's byte order. NULL with error when
 * they are damaged. */
void kyc_save(const Kyc *k, GByteArray *out);
Kyc *kyc_restore(const guint8 *p, gsize len, guint32 accounts, guint32 locations, GError **error);

/* The record of an account; a zeroed "unknown" record for accounts not in
 * the table. k may be NULL (no side table). Never NULL. */
const KycRecord *kyc_get(const Kyc *k, guint32 account);
/* Number of accounts loaded. */
guint kyc_count(const Kyc *k);
/* The customer id string of an interned customer. */
const char *kyc_customer_name(const Kyc *k, guint32 customer);
/* A non-zero 32-bit hash of text compared case-insensitively (occupations). */
guint32 kyc_text_hash(const char *s, gsize n);
/* Accounts whose holders share the phone, email or address of account,
 * other customers only, appended to out (guint32 ids); for evidence. */
void kyc_linked_accounts(const Kyc *k, guint32 account, GArray *out);

#endif
