/* txn.c: helpers of the canonical transaction: channel names from the
 * X-macro and packing of ISO country and currency codes into integers.
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
