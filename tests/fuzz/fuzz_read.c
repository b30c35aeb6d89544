/* libFuzzer target: the whole read path, source -> CSV records -> profile
 * detection -> decoder -> input, on a file as a bank would send it: the
 * fuzzer's bytes after a canonical header, split into one to three gzip
 * members or left plain by the first byte. Multi-line records, stray
 * quotes, NUL bytes and cut members must end as rows, rejects or a source
 * error with a message, never a crash; and a file read to its end must
 * account for every data line (data = rows + rejected + blank + copies).
 * `make fuzz` runs it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "read/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char header[] = "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,"
                             "counterparty_country,location,memo\n";

/* Appends one gzip member holding n bytes at p to f. */
static void put_member(FILE *f, const uint8_t *p, size_t n)
{
    z_stream z = {0};
    deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    uint8_t out[1 << 14];
    z.next_in = (Bytef *)p;
    z.avail_in = (uInt)n;
    int rc;
    do {
        z.next_out = out;
        z.avail_out = sizeof out;
        rc = deflate(&z, Z_FINISH);
        fwrite(out, 1, sizeof out - z.avail_out, f);
    } while (rc == Z_OK);
    deflateEnd(&z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    guint members = data[0] % 4; /* 0: plain */
    size_t n = size - 1;
    uint8_t *text = g_malloc(sizeof header - 1 + n);
    memcpy(text, header, sizeof header - 1);
    memcpy(text + sizeof header - 1, data + 1, n);
    size_t total = sizeof header - 1 + n;

    char path[] = "/tmp/mt-fuzz-read-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    FILE *f = fdopen(fd, "wb");
    if (!members) {
        fwrite(text, 1, total, f);
    } else {
        size_t at = 0;
        for (guint m = 0; m < members; m++) {
            size_t len = m + 1 == members ? total - at : total / members;
            put_member(f, text + at, len);
            at += len;
        }
    }
    fclose(f);
    g_free(text);

    Intern *acc = intern_new(), *loc = intern_new();
    InputOptions opts = {.max_lateness = 86400, .now = 2000000000};
    const char *paths[] = {path};
    GError *error = NULL;
    Input *in = input_open(paths, 1, &opts, acc, loc, &error);
    if (in) {
        Txn t;
        InputStatus st;
        while ((st = input_next(in, &t, &error)) == INPUT_ROW)
            ;
        InputStats s;
        input_stats(in, &s);
        if (st == INPUT_END &&
            s.lines_data != s.lines_rows + s.lines_rejected + s.lines_blank + s.lines_duplicate)
            abort(); /* a line lost: the invariant input.c promises */
        input_free(in);
    }
    g_clear_error(&error);
    intern_free(acc);
    intern_free(loc);
    unlink(path);
    return 0;
}
