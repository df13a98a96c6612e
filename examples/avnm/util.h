/*
 * Small helpers of the avnm CLI: allocation that cannot fail (a command-line
 * program has nothing better to do than stop when memory runs out), a growable
 * string and a comma-separated list walker.
 */
#ifndef AVNM_CLI_UTIL_H
#define AVNM_CLI_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

void *xmalloc(size_t size);
/* Room for `need` elements of `size` bytes in array (capacity *cap): returns
 * the array, moved if it had to grow. */
void *xgrow(void *array, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);

/* A NUL-terminated string that grows; zero-initialise it ({0}) before use. */
struct buf {
	char *data;
	size_t len, cap;
};

void buf_add(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) CLI_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) CLI_PRINTF(2, 0);
void buf_clear(struct buf *b);
/* The text so far; "" for a buffer never written to. */
const char *buf_str(const struct buf *b);
/* Hand the text over to the caller (to free) and leave the buffer empty. */
char *buf_take(struct buf *b);
void buf_free(struct buf *b);

/* Call fn for each item of a comma-separated list, stopping at the first
 * non-zero result, which is returned. An empty list has no items (so that
 * `access=` is the empty set); an empty item between commas is still passed
 * on, for the library to judge. */
int for_each_item(const char *list, int (*fn)(void *arg, const char *item), void *arg);

#endif
