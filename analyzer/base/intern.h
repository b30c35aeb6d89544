/* intern.h: strings interned once into dense ids (1, 2, 3, ...; 0 = none).
 *
 * Account and location ids are interned on first sight, so that windows and
 * rules compare integers. Strings are copied into an arena owned by the
 * table; looking up a known string allocates nothing. */
#ifndef MT_INTERN_H
#define MT_INTERN_H

#include <glib.h>

typedef struct Intern Intern;

Intern *intern_new(void);
void intern_free(Intern *in);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Intern, intern_free)

/* Returns the id of the n bytes at s, adding them if new. n == 0 gives 0. */
guint32 intern_add(Intern *in, const char *s, size_t n);
/* For the hot path: hashes the n bytes at s and starts loading their slot
 * into the cache, so that intern_add_hashed, called a little later with the
 * returned hash, finds it there. */
guint32 intern_prefetch(const Intern *in, const char *s, size_t n);
guint32 intern_add_hashed(Intern *in, const char *s, size_t n, guint32 hash);
/* Returns the id, or 0 if the string was never added. */
guint32 intern_lookup(const Intern *in, const char *s, size_t n);
/* Returns the NUL-terminated string of an id, borrowed for the table's
 * lifetime; "" for 0. */
const char *intern_str(const Intern *in, guint32 id);
/* Number of ids handed out (the largest id). */
guint32 intern_count(const Intern *in);
/* The bytes the table holds: its slots, the index by id and the arena. */
gsize intern_bytes(const Intern *in);

#endif
