/* pngcolor.c: counts the pixels of one colour in a PNG (8-bit RGB or RGBA,
 * not interlaced, as headless Chromium writes screenshots). A test helper,
 * compiled by the end-to-end script that uses it:
 *   pngcolor FILE RRGGBB [X0 Y0 X1 Y1]  ->  prints the count (in the box) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static unsigned be32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undoes the PNG row filters in place; rows are 1 + stride bytes. */
static int unfilter(unsigned char *d, unsigned h, unsigned stride, unsigned bpp)
{
    for (unsigned y = 0; y < h; y++) {
        unsigned char *row = d + y * (stride + 1), f = row[0], *px = row + 1;
        unsigned char *up = y ? d + (y - 1) * (stride + 1) + 1 : NULL;
        for (unsigned i = 0; i < stride; i++) {
            int a = i >= bpp ? px[i - bpp] : 0, b = up ? up[i] : 0;
            int c = up && i >= bpp ? up[i - bpp] : 0;
            int add = f == 0 ? 0 : f == 1 ? a : f == 2 ? b : f == 3 ? (a + b) / 2 : paeth(a, b, c);
            if (f > 4)
                return -1;
            px[i] = (unsigned char)(px[i] + add);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 7)
        return fprintf(stderr, "usage: pngcolor FILE RRGGBB [X0 Y0 X1 Y1]\n"), 2;
    FILE *f = fopen(argv[1], "rb");
    static unsigned char buf[64 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (!f || n < 33 || memcmp(buf + 1, "PNG", 3) != 0)
        return fprintf(stderr, "pngcolor: not a PNG: %s\n", argv[1]), 2;
    unsigned w = be32(buf + 16), h = be32(buf + 20), type = buf[25];
    unsigned bpp = type == 6 ? 4 : 3;
    if (buf[24] != 8 || (type != 2 && type != 6) || buf[28] != 0)
        return fprintf(stderr, "pngcolor: only 8-bit RGB/RGBA, not interlaced\n"), 2;
    unsigned char *idat = malloc(n), *raw;
    size_t il = 0;
    for (size_t p = 8; p + 12 <= n;) {
        unsigned len = be32(buf + p);
        if (memcmp(buf + p + 4, "IDAT", 4) == 0)
            memcpy(idat + il, buf + p + 8, len), il += len;
        p += 12 + len;
    }
    uLongf rl = (uLongf)h * (w * bpp + 1);
    raw = malloc(rl);
    if (uncompress(raw, &rl, idat, il) != Z_OK || unfilter(raw, h, w * bpp, bpp) != 0)
        return fprintf(stderr, "pngcolor: corrupt image data\n"), 2;
    unsigned long rgb = strtoul(argv[2], NULL, 16), count = 0;
    unsigned x0 = 0, y0 = 0, x1 = w, y1 = h;
    if (argc == 7)
        x0 = atoi(argv[3]), y0 = atoi(argv[4]), x1 = atoi(argv[5]), y1 = atoi(argv[6]);
    for (unsigned y = y0; y < y1 && y < h; y++)
        for (unsigned x = x0; x < x1 && x < w; x++) {
            const unsigned char *px = raw + y * (w * bpp + 1) + 1 + x * bpp;
            count += ((unsigned long)px[0] << 16 | px[1] << 8 | px[2]) == rgb;
        }
    printf("%lu\n", count);
    return 0;
}
