/* txn.c: helpers of the canonical transaction: channel names from the
 * X-macro, packing of ISO country and currency codes into integers, and the
 * local hour and day of week of a transaction.
 *
 * Packed codes keep the letters in order, one byte each (upper case), so a
 * packed code compares like its text and unpacks without a table. */
#include "base/txn.h"

#include <string.h>

static const char *const txn_channel_names[CHANNEL_COUNT] = {[CHANNEL_NONE] = "",
#define X(id, name) [CHANNEL_##id] = name,
                                                             CHANNEL_LIST(X)
#undef X
};

const char *txn_channel_name(Channel c)
{
    if ((unsigned)c >= CHANNEL_COUNT)
        return "";
    return txn_channel_names[c];
}

static const guint8 txn_channel_lens[CHANNEL_COUNT] = {[CHANNEL_NONE] = 0,
#define X(id, name) [CHANNEL_##id] = sizeof name - 1,
                                                       CHANNEL_LIST(X)
#undef X
};

gboolean txn_channel_parse(const char *s, size_t n, Channel *out)
{
    for (int c = CHANNEL_NONE + 1; c < CHANNEL_COUNT; c++) {
        if (txn_channel_lens[c] == n && memcmp(txn_channel_names[c], s, n) == 0) {
            *out = (Channel)c;
            return TRUE;
        }
    }
    return FALSE;
}

/* Upper-case value of an ASCII letter, 0 for anything else. */
static guint32 txn_letter(char c)
{
    if (c >= 'a' && c <= 'z')
        return (guint32)(c - 'a' + 'A');
    if (c >= 'A' && c <= 'Z')
        return (guint32)c;
    return 0;
}

guint16 txn_pack_code2(const char *s, size_t n)
{
    if (n != 2)
        return 0;
    guint32 a = txn_letter(s[0]), b = txn_letter(s[1]);
    if (!a || !b)
        return 0;
    return (guint16)(a << 8 | b);
}

guint32 txn_pack_code3(const char *s, size_t n)
{
    if (n != 3)
        return 0;
    guint32 a = txn_letter(s[0]), b = txn_letter(s[1]), c = txn_letter(s[2]);
    if (!a || !b || !c)
        return 0;
    return a << 16 | b << 8 | c;
}

void txn_unpack_code(guint32 code, char *buf)
{
    int i = 0;
    if (code > 0xFFFF)
        buf[i++] = (char)(code >> 16 & 0xFF);
    if (code > 0xFF)
        buf[i++] = (char)(code >> 8 & 0xFF);
    if (code)
        buf[i++] = (char)(code & 0xFF);
    buf[i] = '\0';
}

/* Local seconds since the epoch: UTC shifted by the known offset. */
static gint64 txn_local_seconds(const TxnCore *t)
{
    if (t->utc_offset == TXN_OFFSET_UNKNOWN)
        return t->ts;
    return t->ts + (gint64)t->utc_offset * 60;
}

/* Floor division, so that times before 1970 fall on the right day. */
static gint64 txn_floor_div(gint64 a, gint64 b)
{
    gint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int txn_local_hour(const TxnCore *t)
{
    gint64 s = txn_local_seconds(t);
    gint64 sod = s - txn_floor_div(s, 86400) * 86400;
    return (int)(sod / 3600);
}

int txn_local_dow(const TxnCore *t)
{
    gint64 days = txn_floor_div(txn_local_seconds(t), 86400);
    /* 1970-01-01 was a Thursday (4). */
    gint64 r = (days + 3) % 7;
    if (r < 0)
        r += 7;
    return (int)r + 1;
}
