#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void)
{
	fputs("avnm: out of memory\n", stderr);
	exit(2);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xgrow(void *array, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return array;
	size_t grown = *cap ? *cap : 8;
	while (grown < need) {
		if (grown > SIZE_MAX / 2)
			out_of_memory();
		grown *= 2;
	}
	if (grown > SIZE_MAX / size)
		out_of_memory();
	void *p = realloc(array, grown * size);
	if (!p)
		out_of_memory();
	*cap = grown;
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

void buf_add(struct buf *b, const char *s, size_t n)
{
	if (n > SIZE_MAX - b->len - 1)
		out_of_memory();
	b->data = xgrow(b->data, &b->cap, b->len + n + 1, 1);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0)
		return;
	size_t need = (size_t)n;
	b->data = xgrow(b->data, &b->cap, b->len + need + 1, 1);
	vsnprintf(b->data + b->len, need + 1, fmt, ap);
	b->len += need;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_clear(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *buf_take(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");
	*b = (struct buf){0};
	return s;
}

void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

int for_each_item(const char *list, int (*fn)(void *arg, const char *item), void *arg)
{
	if (*list == '\0')
		return 0;
	char *copy = xstrdup(list);
	int rc = 0;
	for (char *item = copy;;) {
		char *comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		rc = fn(arg, item);
		if (rc != 0 || !comma)
			break;
		item = comma + 1;
	}
	free(copy);
	return rc;
}
