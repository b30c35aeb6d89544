/* txn.h: the canonical transaction, as every stage after the decoder sees it.
 *
 * TxnCore is the compact, pointer-free part that windows copy and rules read;
 * Txn adds views into the decoder's row buffer (tx id, memo, labels) that are
 * valid only until the next row is decoded. Money is int64 minor units of
 * the currency (exponent in currency_exp), time is UTC seconds plus the
 * local offset in minutes, accounts and locations are dense interned ids
 * (0 means absent). */
#ifndef MT_TXN_H
#define MT_TXN_H

#include <glib.h>
#include <stdint.h>

#include "base/limits.h"

/* X-macro: the channels of docs/design.md, in a fixed order (the enum value is
 * stored in window state, so only append). */
#define CHANNEL_LIST(X)                                                                            \
    X(CASH_DEPOSIT, "cash_deposit")                                                                \
    X(CASH_WITHDRAWAL, "cash_withdrawal")                                                          \
    X(ATM_DEPOSIT, "atm_deposit")                                                                  \
    X(ATM_WITHDRAWAL, "atm_withdrawal")                                                            \
    X(WIRE_DOMESTIC, "wire_domestic")                                                              \
    X(WIRE_INTERNATIONAL, "wire_international")                                                    \
    X(TRANSFER, "transfer")                                                                        \
    X(ACH_PAYROLL, "ach_payroll")                                                                  \
    X(CARD, "card")                                                                                \
    X(REMITTANCE, "remittance")                                                                    \
    X(PREPAID_LOAD, "prepaid_load")                                                                \
    X(CRYPTO, "crypto")                                                                            \
    X(CHEQUE, "cheque")                                                                            \
    X(OTHER, "other")

typedef enum {
    CHANNEL_NONE = 0,
#define X(id, name) CHANNEL_##id,
    CHANNEL_LIST(X)
#undef X
        CHANNEL_COUNT
} Channel;

#define TXN_MCC_NONE       0xFFFF
#define TXN_OFFSET_UNKNOWN INT16_MIN

typedef struct {
    gint64 ts;             /* UTC seconds since the epoch */
    gint64 amount;         /* minor units of currency, >= 0 */
    guint32 from;          /* interned account id, 0 = none (e.g. cash deposit) */
    guint32 to;            /* interned account id, 0 = none (e.g. cash withdrawal) */
    guint32 location;      /* interned location id, 0 = none */
    guint32 currency;      /* ISO 4217 code packed by txn_pack_code3, 0 = none */
    gint16 utc_offset;     /* minutes east of UTC of the local time, or TXN_OFFSET_UNKNOWN */
    guint16 mcc;           /* 0..9999, TXN_MCC_NONE when absent */
    guint16 country;       /* counterparty country, txn_pack_code2, 0 = none */
    guint8 channel;        /* Channel */
    guint8 currency_exp;   /* decimal places of the currency's minor unit */
    guint8 exp_orig;       /* converted rows (read/fx.h): the original's decimal places */
    guint32 currency_orig; /* converted rows: the original currency; 0 = not converted */
    gint64 amount_orig;    /* converted rows: the original minor units */
} TxnCore;

/* A borrowed view into a buffer; not NUL-terminated. */
typedef struct {
    const char *ptr;
    guint32 len;
} StrView;

typedef struct {
    TxnCore core;
    StrView tx_id;
    StrView memo;
    StrView labels[LIMIT_LABELS]; /* in the order of the profile's labels */
    guint n_labels;
    guint64 line;       /* line number in its source file (first line of the record) */
    guint source_index; /* which input file (0-based, in the order given) */
} Txn;

/* The amount, currency and exponent as the source gave them: after a
 * conversion into the reporting currency (read/fx.h) amount and currency
 * hold the converted value, the *_orig fields the original. */
static inline gint64 txn_amount_orig(const TxnCore *t)
{
    return t->currency_orig ? t->amount_orig : t->amount;
}
static inline guint32 txn_currency_orig(const TxnCore *t)
{
    return t->currency_orig ? t->currency_orig : t->currency;
}
static inline int txn_exp_orig(const TxnCore *t)
{
    return t->currency_orig ? t->exp_orig : t->currency_exp;
}

/* Returns the channel's canonical name, "" for CHANNEL_NONE. */
const char *txn_channel_name(Channel c);
/* Parses a canonical channel name of n bytes; returns FALSE if unknown. */
gboolean txn_channel_parse(const char *s, size_t n, Channel *out);
/* Packs an upper-case 2-letter country code (case-insensitive input);
 * returns 0 if s is not 2 ASCII letters. */
guint16 txn_pack_code2(const char *s, size_t n);
/* Packs an upper-case 3-letter currency code; 0 if not 3 ASCII letters. */
guint32 txn_pack_code3(const char *s, size_t n);
/* Unpacks into buf (at least 4 bytes), NUL-terminated; "" for 0. */
void txn_unpack_code(guint32 code, char *buf);
/* The offset, in minutes east of UTC, to read a transaction's local time
 * with (base/tstamp.h tstamp_local_*): its own where known, else 0 (UTC). */
static inline int txn_offset_min(const TxnCore *t)
{
    return t->utc_offset == TXN_OFFSET_UNKNOWN ? 0 : t->utc_offset;
}

#endif
