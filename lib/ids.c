/* Identifier parsing and validation (SEMANTICS R1).
 *
 * Everything here works on byte spans whose length was found with a bounded
 * scan, so no function reads past the caller's NUL, and none allocates: the
 * results go into the caller's buffers. Rejections are never repaired, because
 * an id that was silently rewritten could name a different resource. */
#include "ids.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define IDS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define IDS_PRINTF(f, a)
#endif

/* Bytes of offending input quoted in a message: enough to recognise it, short
 * enough to keep the message on one readable line. */
#define QUOTE_MAX 80
/* Two quotes, each byte escaped to at most 4 characters, "...", NUL. */
#define QUOTE_BUF (2 + QUOTE_MAX * 4 + 3 + 1)

/* The longest accepted id shape (a subnet) has 10 segments. */
#define SEG_MAX 10

#define TAG_KEY_MAX 512
#define TAG_VALUE_MAX 256
#define PRINCIPAL_MAX 128

/* ------------------------------------------------------------------------ */
/* Messages */

static size_t bounded_len(const char *s, size_t max)
{
	return strnlen(s, max);
}

/* Quotes s[0..n) for a message. Non-printable bytes, and '"' and '\\' too, become
 * \xHH so that the quoted text cannot be mistaken for the message around it and
 * control bytes cannot garble a terminal or a log line. */
static const char *quote(char buf[QUOTE_BUF], const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t lim = n > QUOTE_MAX ? QUOTE_MAX : n;
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			buf[o++] = (char)c;
		} else {
			buf[o++] = '\\';
			buf[o++] = 'x';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 0x0f];
		}
	}
	buf[o++] = '"';
	if (n > lim) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* Quotes a NUL-terminated string; scanning one byte beyond QUOTE_MAX is enough to
 * know whether it was truncated, and keeps the scan bounded. */
static const char *quote_str(char buf[QUOTE_BUF], const char *s)
{
	return quote(buf, s, bounded_len(s, QUOTE_MAX + 1));
}

/* Writes "<what> "<input>": <reason>" into msg, when the caller wants a message. */
IDS_PRINTF(5, 6)
static int fail(char *msg, size_t msgsize, const char *what, const char *text,
                const char *fmt, ...)
{
	char q[QUOTE_BUF];
	va_list ap;
	int w;

	if (msg == NULL || msgsize == 0)
		return -1;
	if (text == NULL)
		w = snprintf(msg, msgsize, "%s: none given (NULL): ", what);
	else
		w = snprintf(msg, msgsize, "%s %s: ", what, quote_str(q, text));
	if (w < 0 || (size_t)w >= msgsize)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg + w, msgsize - (size_t)w, fmt, ap);
	va_end(ap);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Characters */

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
	return is_alpha(c) || is_digit(c);
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Deliberately not <ctype.h>: its answer depends on the process locale, and ids
 * must fold the same way everywhere (R1.3). */
/* Branch-free, so that loops over whole ids vectorise. */
static char lower(char c)
{
	unsigned char u = (unsigned char)c;
	return (char)((unsigned char)(u - 'A') < 26u ? u | 0x20 : u);
}

/* What each byte may be in a name (R1.5): a table lookup a byte, for the names every
 * network and resource-group id carries. */
enum { NC_ALNUM = 1, NC_ARM = 2, NC_RG = 4 };
static const unsigned char name_class[256] = {
	['('] = NC_RG, [')'] = NC_RG, ['-'] = NC_ARM|NC_RG, ['.'] = NC_ARM|NC_RG,
	['0'] = NC_ALNUM, ['1'] = NC_ALNUM, ['2'] = NC_ALNUM, ['3'] = NC_ALNUM, ['4'] = NC_ALNUM,
	['5'] = NC_ALNUM, ['6'] = NC_ALNUM, ['7'] = NC_ALNUM, ['8'] = NC_ALNUM, ['9'] = NC_ALNUM,
	['A'] = NC_ALNUM, ['B'] = NC_ALNUM, ['C'] = NC_ALNUM, ['D'] = NC_ALNUM, ['E'] = NC_ALNUM,
	['F'] = NC_ALNUM, ['G'] = NC_ALNUM, ['H'] = NC_ALNUM, ['I'] = NC_ALNUM, ['J'] = NC_ALNUM,
	['K'] = NC_ALNUM, ['L'] = NC_ALNUM, ['M'] = NC_ALNUM, ['N'] = NC_ALNUM, ['O'] = NC_ALNUM,
	['P'] = NC_ALNUM, ['Q'] = NC_ALNUM, ['R'] = NC_ALNUM, ['S'] = NC_ALNUM, ['T'] = NC_ALNUM,
	['U'] = NC_ALNUM, ['V'] = NC_ALNUM, ['W'] = NC_ALNUM, ['X'] = NC_ALNUM, ['Y'] = NC_ALNUM,
	['Z'] = NC_ALNUM, ['_'] = NC_ARM|NC_RG, ['a'] = NC_ALNUM, ['b'] = NC_ALNUM,
	['c'] = NC_ALNUM, ['d'] = NC_ALNUM, ['e'] = NC_ALNUM, ['f'] = NC_ALNUM, ['g'] = NC_ALNUM,
	['h'] = NC_ALNUM, ['i'] = NC_ALNUM, ['j'] = NC_ALNUM, ['k'] = NC_ALNUM, ['l'] = NC_ALNUM,
	['m'] = NC_ALNUM, ['n'] = NC_ALNUM, ['o'] = NC_ALNUM, ['p'] = NC_ALNUM, ['q'] = NC_ALNUM,
	['r'] = NC_ALNUM, ['s'] = NC_ALNUM, ['t'] = NC_ALNUM, ['u'] = NC_ALNUM, ['v'] = NC_ALNUM,
	['w'] = NC_ALNUM, ['x'] = NC_ALNUM, ['y'] = NC_ALNUM, ['z'] = NC_ALNUM,
};

/* Whether each of the n bytes at s is of a class in cls (name_class bits): lengths and
 * ends are the caller's. */
static int all_class(const char *s, size_t n, unsigned cls)
{
	for (size_t i = 0; i < n; i++)
		if (!(name_class[(unsigned char)s[i]] & cls)) return 0;
	return 1;
}

/* strchr() would match the terminating NUL, letting a NUL byte in a span pass. */
static int in_set(unsigned char c, const char *set)
{
	for (; *set != '\0'; set++)
		if ((unsigned char)*set == c)
			return 1;
	return 0;
}

/* Decodes one UTF-8 sequence from s[0..n). Returns its length, or 0 when the bytes
 * are not well-formed (RFC 3629): overlong forms, surrogates and code points past
 * U+10FFFF are refused because they let two different byte strings display as
 * the same id. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t v;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xc2) /* a continuation byte, or the lead of an overlong 2-byte form */
		return 0;
	if (c < 0xe0) {
		len = 2;
		v = (uint32_t)(c & 0x1fu);
	} else if (c < 0xf0) {
		len = 3;
		v = (uint32_t)(c & 0x0fu);
		if (c == 0xe0)
			lo = 0xa0; /* below: overlong */
		else if (c == 0xed)
			hi = 0x9f; /* above: UTF-16 surrogates */
	} else if (c < 0xf5) {
		len = 4;
		v = (uint32_t)(c & 0x07u);
		if (c == 0xf0)
			lo = 0x90; /* below: overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above: past U+10FFFF */
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (uint32_t)(s[i] & 0x3fu);
	}
	*cp = v;
	return len;
}

/* Code points that are invisible, or look like a separator, when an id is shown:
 * two ids differing only in these would look identical to a person (R1.4). */
static int cp_rejected(uint32_t cp)
{
	return cp <= 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0xa0) || cp == 0x1680 ||
	       (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
	       (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff;
}

/* Control characters per Unicode (Cc): C0, DEL and C1. */
static int cp_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

enum char_fault { CF_NONE, CF_PERCENT, CF_ASCII, CF_UTF8, CF_UNICODE };

#if defined(__SSE2__)
/* Whether the 16 bytes at u are all printable ASCII other than '%'. */
static int plain16(const unsigned char *u)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)u);
	/* signed bytes: those >= 0x80 are negative, so not above 0x20 */
	__m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(0x20)),
	                           _mm_cmplt_epi8(v, _mm_set1_epi8(0x7f)));
	ok = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('%')), ok);
	return _mm_movemask_epi8(ok) == 0xFFFF;
}
#endif

/* Finds the first character of s[0..n) that no id may contain. Returns its offset
 * (n when there is none) and what is wrong with it. */
static size_t scan_chars(const char *s, size_t n, enum char_fault *fault, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	*fault = CF_NONE;
	*cp = 0;
	while (i < n) {
		/* Ids are nearly always printable ASCII without '%': skip such bytes sixteen
		 * or eight at a time (none below 0x21, none at or above 0x7f, no '%'). */
#if defined(__SSE2__)
		while (n - i >= 16) {
			if (!plain16(u + i)) break;
			i += 16;
			/* the rest: the 16 bytes ending at n, overlapping what was checked */
			if (n - i < 16 && i < n && plain16(u + n - 16)) i = n;
		}
#endif
		while (n - i >= 8) {
			uint64_t w;
			memcpy(&w, u + i, 8);
			const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
			uint64_t below = (w - ones * 0x21) & ~w;
			uint64_t above = (w + ones * (0x80 - 0x7f)) | w;
			uint64_t pct = w ^ (ones * '%');
			pct = (pct - ones) & ~pct;
			if ((below | above | pct) & high) break;
			i += 8;
		}
		if (i < n && u[i] > 0x20 && u[i] < 0x7f && u[i] != '%') {
			i++;
			continue;
		}
		if (i >= n) break;
		size_t len = utf8_decode(u + i, n - i, cp);

		if (len == 0) {
			*fault = CF_UTF8;
			return i;
		}
		if (*cp == '%') {
			*fault = CF_PERCENT;
			return i;
		}
		if (cp_rejected(*cp)) {
			*fault = *cp < 0x80 ? CF_ASCII : CF_UNICODE;
			return i;
		}
		i += len;
	}
	return n;
}

/* ------------------------------------------------------------------------ */
/* Names (R1.5). Each why_* returns NULL for a valid name, else a phrase that reads
 * after the name in a message. */

static const char *why_mg(const char *s, size_t n)
{
	if (n == 0)
		return "is empty";
	if (n > MG_NAME_MAX)
		return "is longer than 90 characters";
	if (!all_class(s, n, NC_ALNUM | NC_RG))
		return "may only contain ASCII letters, digits, '-', '_', '.', '(' and ')'";
	if (s[n - 1] == '.')
		return "must not end with '.'";
	return NULL;
}

static const char *why_rg(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t count = 0;

	if (n == 0)
		return "is empty";
	for (size_t i = 0; i < n; count++) {
		uint32_t cp;
		size_t len = utf8_decode(u + i, n - i, &cp);

		if (len == 0)
			return "is not valid UTF-8";
		if (count == 90)
			return "is longer than 90 characters";
		if (cp < 0x80 ? !(name_class[u[i]] & (NC_ALNUM | NC_RG)) : cp_rejected(cp))
			return "may only contain letters, digits, '-', '_', '.', '(' and ')'";
		i += len;
	}
	if (s[n - 1] == '.')
		return "must not end with '.'";
	return NULL;
}

/* The ARM rule shared by virtual networks, subnets and Network resources: letters,
 * digits, '_', '.', '-', starting alphanumeric, ending alphanumeric or '_'. */
static const char *why_arm(const char *s, size_t n, size_t min, size_t max)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n < min || n > max) {
		if (max == 64)
			return min == 1 ? "must be 1 to 64 characters long"
			                : "must be 2 to 64 characters long";
		return "must be 1 to 80 characters long";
	}
	if (!all_class(s, n, NC_ALNUM | NC_ARM))
		return "may only contain ASCII letters, digits, '_', '.' and '-'";
	if (!is_alnum(u[0]))
		return "must start with a letter or digit";
	if (!is_alnum(u[n - 1]) && u[n - 1] != '_')
		return "must end with a letter, digit or '_'";
	return NULL;
}

static const char *why_vnet(const char *s, size_t n)
{
	return why_arm(s, n, 2, 64);
}

static const char *why_subnet(const char *s, size_t n)
{
	return why_arm(s, n, 1, 80);
}

static const char *why_resource(const char *s, size_t n)
{
	return why_arm(s, n, 1, 64);
}

int name_valid_mg(const char *s, size_t n)
{
	return s != NULL && why_mg(s, n) == NULL;
}

int name_valid_rg(const char *s, size_t n)
{
	return s != NULL && why_rg(s, n) == NULL;
}

int name_valid_vnet(const char *s, size_t n)
{
	return s != NULL && why_vnet(s, n) == NULL;
}

int name_valid_subnet(const char *s, size_t n)
{
	return s != NULL && why_subnet(s, n) == NULL;
}

int name_valid_resource(const char *s, size_t n)
{
	return s != NULL && why_resource(s, n) == NULL;
}

int name_valid_principal(const char *s, size_t n)
{
	if (s == NULL || n == 0 || n > PRINCIPAL_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_alnum(c) && !in_set(c, "-_.@"))
			return 0;
	}
	return 1;
}

int tag_key_valid(const char *s, size_t n)
{
	enum char_fault fault;
	uint32_t cp;

	if (s == NULL || n == 0 || n > TAG_KEY_MAX)
		return 0;
	/* '%' is already refused by scan_chars(), like everything id_parse() refuses. */
	if (scan_chars(s, n, &fault, &cp) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (in_set((unsigned char)s[i], "<>&\\?/"))
			return 0;
	return 1;
}

int tag_value_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n == 0)
		return 1;
	if (s == NULL || n > TAG_VALUE_MAX)
		return 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(u + i, n - i, &cp);

		if (len == 0 || cp_control(cp))
			return 0;
		i += len;
	}
	return 1;
}

#if defined(__SSE2__)
/* 16 bytes, ASCII letters lower-cased. */
static __m128i lower16(const char *s)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	/* signed bytes: those >= 0x80 (UTF-8) are negative, so never in 'A'..'Z' */
	__m128i up = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
	                           _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
	return _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
}

/* 16 bytes of given, lower-cased, against 16 of lower: sixteen at once. */
static int eq_lower16(const char *lower_, const char *given)
{
	__m128i l = _mm_loadu_si128((const __m128i *)(const void *)lower_);
	return _mm_movemask_epi8(_mm_cmpeq_epi8(lower16(given), l)) == 0xFFFF;
}
#endif

void ascii_lower(char *dst, const char *src, size_t n)
{
	size_t i = 0;
#if defined(__SSE2__)
	if (n >= 16) {
		for (; n - i >= 16; i += 16)
			_mm_storeu_si128((__m128i *)(void *)(dst + i), lower16(src + i));
		/* the last 1-15 bytes: the 16 ending at n again, overlapping (lower-casing is
		 * idempotent, and dst is src or apart from it) */
		if (i < n) _mm_storeu_si128((__m128i *)(void *)(dst + n - 16), lower16(src + n - 16));
		return;
	}
#endif
	for (; n - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, src + i, 8);
		w = ascii_lower_word(w);
		memcpy(dst + i, &w, 8);
	}
	if (i < n && n >= 8 && dst == src) {
		/* in place: the last 8 bytes again, overlapping (lower-casing is idempotent) */
		uint64_t w;
		memcpy(&w, src + n - 8, 8);
		w = ascii_lower_word(w);
		memcpy(dst + n - 8, &w, 8);
		return;
	}
	for (; i < n; i++)
		dst[i] = lower(src[i]);
}

#if defined(__SSE2__)
/* Bit i: byte i of the 16 at given differs from byte i of the 16 at lower_. */
static uint32_t diff16(const char *given, const char *lower_)
{
	__m128i g = _mm_loadu_si128((const __m128i *)(const void *)given);
	__m128i l = _mm_loadu_si128((const __m128i *)(const void *)lower_);
	return ~(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(g, l)) & 0xFFFFu;
}
#endif

int case_bits(unsigned char *bits, const char *given, const char *lower_, size_t n)
{
	int any = 0;
	size_t i = 0;
	memset(bits, 0, (n + 7) / 8);
#if defined(__SSE2__)
	for (; n - i >= 16; i += 16) {
		uint32_t d = diff16(given + i, lower_ + i);
		bits[i / 8] = (unsigned char)d;
		bits[i / 8 + 1] = (unsigned char)(d >> 8);
		any |= d != 0;
	}
	if (i < n && n >= 16) {
		/* the rest: the 16 bytes ending at n, their bits or-ed in at bit n - 16 */
		size_t at = n - 16;
		uint32_t d = diff16(given + at, lower_ + at) << (at % 8);
		any |= d != 0;
		for (size_t b = at / 8; d; b++, d >>= 8) bits[b] = (unsigned char)(bits[b] | d);
		return any;
	}
#endif
	for (; i < n; i++)
		if (given[i] != lower_[i]) {
			bits[i / 8] = (unsigned char)(bits[i / 8] | 1u << (i % 8));
			any = 1;
		}
	return any;
}

int eq_lower(const char *lower_, const char *given, size_t n)
{
	size_t i = 0;
#if defined(__SSE2__)
	if (n >= 16) {
		for (; n - i >= 16; i += 16)
			if (!eq_lower16(lower_ + i, given + i)) return 0;
		/* the last partial block: the 16 bytes ending at n, overlapping */
		return i == n || eq_lower16(lower_ + n - 16, given + n - 16);
	}
#endif
	for (; n - i >= 8; i += 8) {
		uint64_t a, b;
		memcpy(&a, lower_ + i, 8);
		memcpy(&b, given + i, 8);
		if (a != b && a != ascii_lower_word(b)) return 0;
	}
	if (i < n && n >= 8) {
		/* the last 1-7 bytes: the 8 ending at n, overlapping */
		uint64_t a, b;
		memcpy(&a, lower_ + n - 8, 8);
		memcpy(&b, given + n - 8, 8);
		return a == b || a == ascii_lower_word(b);
	}
	for (; i < n; i++)
		if (lower_[i] != lower(given[i])) return 0;
	return 1;
}

/* ------------------------------------------------------------------------ */
/* GUIDs (R1.1) */

/* Whether s[0..36) is 8-4-4-4-12 hex digits: on the path every subscription and
 * tenant id takes. */
#if defined(__SSE2__)
/* Bit i: byte i of the 16 at s is a hex digit (hex) or '-' (dash). */
static void guid_classes16(const char *s, unsigned *hex, unsigned *dash)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i l = _mm_or_si128(v, _mm_set1_epi8(0x20));
	/* signed bytes: those >= 0x80 are negative and in neither range */
	__m128i dig = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
	                            _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
	__m128i af = _mm_and_si128(_mm_cmpgt_epi8(l, _mm_set1_epi8('a' - 1)),
	                           _mm_cmplt_epi8(l, _mm_set1_epi8('f' + 1)));
	*hex = (unsigned)_mm_movemask_epi8(_mm_or_si128(dig, af));
	*dash = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('-')));
}

static int guid_well_formed(const char *s)
{
	/* blocks at 0, 16 and 20 (overlapping): dashes at 8, 13 | 18, 23 | 23 */
	static const unsigned at[3] = { 0, 16, 20 }, want[3] = { 1u << 8 | 1u << 13,
		                                                    1u << 2 | 1u << 7, 1u << 3 };
	for (int k = 0; k < 3; k++) {
		unsigned hex, dash;
		guid_classes16(s + at[k], &hex, &dash);
		if (dash != want[k] || (hex | dash) != 0xFFFF) return 0;
	}
	return 1;
}
#else
static int guid_well_formed(const char *s)
{
	for (size_t i = 0; i < GUID_LEN; i++) {
		unsigned char c = (unsigned char)s[i];
		int want_dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (want_dash ? c != '-' : !is_hex(c)) return 0;
	}
	return 1;
}
#endif

static const char *why_guid(const char *s, size_t n)
{
	static const size_t dash[] = {8, 13, 18, 23};
	size_t d = 0;

	if (n == GUID_LEN && guid_well_formed(s))
		return NULL;
	if (n == 0)
		return "is empty";
	if (s[0] == '{' || s[n - 1] == '}')
		return "must not be enclosed in braces (expected 8-4-4-4-12 hex digits)";
	if (n != GUID_LEN) {
		if (n == 32 && memchr(s, '-', n) == NULL)
			return "is missing its dashes (expected 8-4-4-4-12 hex digits)";
		return "must be 36 characters long (8-4-4-4-12 hex digits)";
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (d < 4 && i == dash[d]) {
			if (c != '-')
				return "must have '-' after hex digits 8, 12, 16 and 20 "
				       "(expected 8-4-4-4-12 hex digits)";
			d++;
		} else if (!is_hex(c)) {
			return "may only contain hex digits and '-' (expected 8-4-4-4-12 hex digits)";
		}
	}
	return NULL;
}

static int guid_from(char out[GUID_LEN + 1], const char *label, const char *text,
                     char *msg, size_t msgsize)
{
	const char *why;
	size_t n;

	out[0] = '\0';
	if (text == NULL)
		return fail(msg, msgsize, label, NULL, "a GUID is required");
	/* One byte past the expected length is enough to know the length is wrong. */
	n = bounded_len(text, GUID_LEN + 1);
	why = why_guid(text, n);
	if (why != NULL)
		return fail(msg, msgsize, label, text, "%s", why);
	ascii_lower(out, text, GUID_LEN);
	out[GUID_LEN] = '\0';
	return 0;
}

int guid_parse(char out[GUID_LEN + 1], const char *text, char *msg, size_t msgsize)
{
	return guid_from(out, "invalid GUID", text, msg, msgsize);
}

/* ------------------------------------------------------------------------ */
/* Resource ids (R1.2 - R1.5) */

struct idctx {
	const char *text;   /* input, for messages */
	const char *d;      /* display: the input with the leading '/' */
	const char *k;      /* the same in ASCII lower case */
	struct idseg seg[SEG_MAX];
	size_t nseg;        /* total segments; more than SEG_MAX are counted, not stored */
	char *msg;
	size_t msgsize;
};

#define ID_WHAT "invalid resource id"

static int seg_is(const struct idctx *c, size_t i, const char *lit)
{
	size_t n = strlen(lit);

	if (i >= c->nseg || i >= SEG_MAX || c->seg[i].len != n)
		return 0;
	return eq_lower(c->k + c->seg[i].off, lit, n); /* the key is lower case already */
}

/* Requires literal segment i; what names its role for the message. */
static int expect(const struct idctx *c, size_t i, const char *lit, const char *what)
{
	char q[QUOTE_BUF];

	if (i >= c->nseg)
		return fail(c->msg, c->msgsize, ID_WHAT, c->text,
		            "ends too early: \"%s\" must follow", lit);
	if (!seg_is(c, i, lit))
		return fail(c->msg, c->msgsize, ID_WHAT, c->text,
		            "unknown %s %s (only \"%s\" is supported here)", what,
		            quote(q, c->d + c->seg[i].off, c->seg[i].len), lit);
	return 0;
}

/* Requires name segment i to exist and satisfy why(). */
static int expect_name(const struct idctx *c, size_t i, const char *what,
                       const char *(*why)(const char *, size_t), struct idseg *out)
{
	char q[QUOTE_BUF];
	const char *w;

	if (i >= c->nseg)
		return fail(c->msg, c->msgsize, ID_WHAT, c->text, "ends before the %s", what);
	w = why(c->d + c->seg[i].off, c->seg[i].len);
	if (w != NULL)
		return fail(c->msg, c->msgsize, ID_WHAT, c->text, "%s %s %s", what,
		            quote(q, c->d + c->seg[i].off, c->seg[i].len), w);
	*out = c->seg[i];
	return 0;
}

/* Requires the id to end after segment count n; after names the last segment. */
static int expect_end(const struct idctx *c, size_t n, const char *after)
{
	if (c->nseg > n)
		return fail(c->msg, c->msgsize, ID_WHAT, c->text,
		            "has unexpected segments after the %s", after);
	return 0;
}

/* Splits the display form into segments and refuses the shapes R1.4 names: empty
 * segments would be collapsed by some tools and dot segments resolved by others,
 * so either could make one id name two different things. */
static int split(struct idctx *c, size_t len, size_t shift)
{
	size_t start = 1;

	c->nseg = 0;
	for (;;) {
		size_t end = start;
		size_t n;

		const char *slash = memchr(c->d + start, '/', len - start);
		end = slash ? (size_t)(slash - c->d) : len;
		n = end - start;
		if (n == 0) {
			if (end == len)
				return fail(c->msg, c->msgsize, ID_WHAT, c->text,
				            "ends with '/' (a trailing '/' is not accepted)");
			return fail(c->msg, c->msgsize, ID_WHAT, c->text,
			            "has an empty segment ('//') at byte offset %zu", start - shift);
		}
		if (c->d[start] == '.' && (n == 1 || (n == 2 && c->d[start + 1] == '.')))
			return fail(c->msg, c->msgsize, ID_WHAT, c->text,
			            "has a '%s' segment at byte offset %zu (relative path "
			            "segments are not accepted)",
			            n == 1 ? "." : "..", start - shift);
		if (c->nseg < SEG_MAX) {
			c->seg[c->nseg].off = start;
			c->seg[c->nseg].len = n;
		}
		c->nseg++;
		if (end == len)
			return 0;
		start = end + 1;
	}
}

static int shape_subscription(struct idctx *c, struct idparts *out)
{
	char q[QUOTE_BUF];
	const char *w;
	int is_vnet;

	if (c->nseg < 2)
		return fail(c->msg, c->msgsize, ID_WHAT, c->text,
		            "ends before the subscription GUID");
	w = why_guid(c->d + c->seg[1].off, c->seg[1].len);
	if (w != NULL)
		return fail(c->msg, c->msgsize, ID_WHAT, c->text, "subscription %s %s",
		            quote(q, c->d + c->seg[1].off, c->seg[1].len), w);
	ascii_lower(out->sub, c->d + c->seg[1].off, GUID_LEN);
	out->sub[GUID_LEN] = '\0';
	out->kind = IDK_SUBSCRIPTION;
	if (c->nseg == 2)
		return 0;

	if (expect(c, 2, "resourceGroups", "resource type") != 0 ||
	    expect_name(c, 3, "resource group name", why_rg, &out->rg) != 0)
		return -1;
	out->kind = IDK_RESOURCE_GROUP;
	if (c->nseg == 4)
		return 0;

	if (expect(c, 4, "providers", "segment") != 0 ||
	    expect(c, 5, "Microsoft.Network", "provider namespace") != 0)
		return -1;
	if (c->nseg < 7)
		return fail(c->msg, c->msgsize, ID_WHAT, c->text,
		            "ends before the resource type");
	is_vnet = seg_is(c, 6, "virtualNetworks");
	if (!is_vnet && !seg_is(c, 6, "networkManagers"))
		return fail(c->msg, c->msgsize, ID_WHAT, c->text,
		            "unknown resource type %s (only \"virtualNetworks\" and "
		            "\"networkManagers\" are supported)",
		            quote(q, c->d + c->seg[6].off, c->seg[6].len));
	if (!is_vnet) {
		if (expect_name(c, 7, "network manager name", why_resource, &out->name) != 0 ||
		    expect_end(c, 8, "network manager name") != 0)
			return -1;
		out->kind = IDK_MANAGER;
		return 0;
	}
	if (expect_name(c, 7, "virtual network name", why_vnet, &out->name) != 0)
		return -1;
	out->kind = IDK_VNET;
	if (c->nseg == 8)
		return 0;

	if (expect(c, 8, "subnets", "child resource type") != 0 ||
	    expect_name(c, 9, "subnet name", why_subnet, &out->child) != 0 ||
	    expect_end(c, 10, "subnet name") != 0)
		return -1;
	out->kind = IDK_SUBNET;
	return 0;
}

static int shape_tenant(struct idctx *c, struct idparts *out)
{
	if (expect(c, 1, "Microsoft.Management", "provider namespace") != 0 ||
	    expect(c, 2, "managementGroups", "resource type") != 0 ||
	    expect_name(c, 3, "management group id", why_mg, &out->mg) != 0 ||
	    expect_end(c, 4, "management group id") != 0)
		return -1;
	out->kind = IDK_MANAGEMENT_GROUP;
	return 0;
}

static void idparts_clear(struct idparts *out)
{
	static const struct idseg none = {0, 0};

	out->kind = (enum id_kind)0;
	out->len = 0;
	out->key[0] = '\0';
	out->display[0] = '\0';
	out->sub[0] = '\0';
	out->mg = none;
	out->rg = none;
	out->name = none;
	out->child = none;
}

static int vnet_parts(struct idparts *out, const char *text);

int id_parse(struct idparts *out, const char *text, char *msg, size_t msgsize)
{
	/* the usual network id: its form checked in one pass, its parts at known places */
	if (out && text && text[0] == '/' && vnet_parts(out, text)) return 0;
	return id_parse_full(out, text, msg, msgsize);
}

int id_parse_full(struct idparts *out, const char *text, char *msg, size_t msgsize)
{
	struct idctx c;
	enum char_fault fault;
	uint32_t cp;
	size_t n, shift, len, bad;
	int rc;

	if (out == NULL)
		return fail(msg, msgsize, ID_WHAT, text, "no result structure given");
	idparts_clear(out);
	if (text == NULL)
		return fail(msg, msgsize, ID_WHAT, NULL, "an id is required");

	c.text = text;
	c.d = out->display;
	c.msg = msg;
	c.msgsize = msgsize;

	/* Bounded so that an enormous string costs no more than a long one. */
	n = bounded_len(text, ID_MAX + 1);
	shift = text[0] == '/' ? 0 : 1;
	len = n + shift;
	if (n == 0 || (n == 1 && shift == 0))
		return fail(msg, msgsize, ID_WHAT, text, "is empty");
	if (len > ID_MAX)
		return fail(msg, msgsize, ID_WHAT, text,
		            "is longer than %d bytes (counting the leading '/')", ID_MAX);

	bad = scan_chars(text, n, &fault, &cp);
	switch (fault) {
	case CF_NONE:
		break;
	case CF_PERCENT:
		return fail(msg, msgsize, ID_WHAT, text,
		            "has '%%' at byte offset %zu (percent escapes are not decoded, "
		            "so they are not accepted)", bad);
	case CF_ASCII:
		return fail(msg, msgsize, ID_WHAT, text,
		            "has whitespace or a control character (byte 0x%02X) at byte "
		            "offset %zu", (unsigned)cp, bad);
	case CF_UTF8:
		return fail(msg, msgsize, ID_WHAT, text,
		            "is not valid UTF-8 at byte offset %zu", bad);
	case CF_UNICODE:
		return fail(msg, msgsize, ID_WHAT, text,
		            "has invisible or whitespace character U+%04lX at byte offset %zu",
		            (unsigned long)cp, bad);
	}

	out->display[0] = '/';
	memcpy(out->display + shift, text, n);
	out->display[len] = '\0';
	ascii_lower(out->key, out->display, len + 1);
	c.k = out->key;

	rc = split(&c, len, shift);
	if (rc == 0) {
		if (seg_is(&c, 0, "subscriptions"))
			rc = shape_subscription(&c, out);
		else if (seg_is(&c, 0, "providers"))
			rc = shape_tenant(&c, out);
		else
			rc = fail(msg, msgsize, ID_WHAT, text,
			          "must start with \"/subscriptions/\" or "
			          "\"/providers/Microsoft.Management/managementGroups/\"");
	}
	if (rc != 0) {
		idparts_clear(out);
		return -1;
	}
	out->len = len;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* A fast path for network ids */

/* eq_lower of n <= 16 bytes where sixteen can be read at both (the literal with its NUL
 * and what follows it): one comparison of sixteen, the bytes past n masked off. */
static int eq_lower_short(const char lower_[16], const char *given, size_t n)
{
#if defined(__SSE2__)
	__m128i l = _mm_loadu_si128((const __m128i *)(const void *)lower_);
	unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(lower16(given), l));
	return ((eq | ~((1u << n) - 1)) & 0xFFFFu) == 0xFFFFu;
#else
	return eq_lower(lower_, given, n);
#endif
}

/* /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Network/
 * virtualNetworks/{name}, every literal in any letter case: where the resource group
 * starts, and the provider literal that follows it. */
#define VNET_RG_AT (VNET_SUB_AT + GUID_LEN + sizeof "/resourceGroups/" - 1)
static const char vnet_provider[] = "/providers/microsoft.network/virtualnetworks/";
#define VNET_PROVIDER_LEN (sizeof vnet_provider - 1)

/* The '/' that ends the resource group of a network id that vnet_id_sub accepts, else
 * NULL: the one pass both vnet_id_sub and vnet_parts take. */
static const char *vnet_form(const char *id, size_t n)
{
	if (n < VNET_RG_AT + 1 + VNET_PROVIDER_LEN + 2 || n > ID_MAX) return NULL;
	/* (n is long enough to read sixteen bytes at both literals' places) */
	if (!eq_lower_short("/subscriptions/", id, VNET_SUB_AT) ||
	    !guid_well_formed(id + VNET_SUB_AT) || id[VNET_SUB_AT + GUID_LEN] != '/' ||
	    !eq_lower_short("resourcegroups/", id + VNET_SUB_AT + GUID_LEN + 1,
	                    VNET_RG_AT - VNET_SUB_AT - GUID_LEN - 1))
		return NULL;
	const char *rg = id + VNET_RG_AT, *end = id + n;
	const char *slash = memchr(rg, '/', (size_t)(end - rg));
	if (!slash) return NULL;
	/* R1.5: an ASCII resource-group name is one the management-group rule allows (any
	 * other takes the full parser) */
	if (why_mg(rg, (size_t)(slash - rg)) != NULL) return NULL;
	if ((size_t)(end - slash) < VNET_PROVIDER_LEN + 2 ||
	    !eq_lower(vnet_provider, slash, VNET_PROVIDER_LEN))
		return NULL;
	const char *name = slash + VNET_PROVIDER_LEN;
	return why_vnet(name, (size_t)(end - name)) == NULL ? slash : NULL;
}

int vnet_id_sub(const char *id, size_t n)
{
	return vnet_form(id, n) != NULL;
}

/* What id_parse_full makes of a network id that vnet_id_sub accepts (then it accepts it
 * too, as a network, with a leading '/', segments in the places vnet_id_sub checked);
 * 0 for any other id. */
static int vnet_parts(struct idparts *out, const char *text)
{
	size_t n = strnlen(text, ID_MAX + 1);
	const char *end_rg = vnet_form(text, n);
	if (!end_rg) return 0;
	idparts_clear(out);
	out->kind = IDK_VNET;
	out->len = n;
	memcpy(out->display, text, n + 1);
	ascii_lower(out->key, text, n + 1);
	memcpy(out->sub, out->key + VNET_SUB_AT, GUID_LEN);
	out->sub[GUID_LEN] = '\0';
	size_t slash = (size_t)(end_rg - text);
	out->rg = (struct idseg){ VNET_RG_AT, slash - VNET_RG_AT };
	out->name = (struct idseg){ slash + VNET_PROVIDER_LEN, n - slash - VNET_PROVIDER_LEN };
	return 1;
}

/* ------------------------------------------------------------------------ */
/* References */

static const char *kind_name(enum id_kind k)
{
	switch (k) {
	case IDK_SUBSCRIPTION:
		return "a subscription";
	case IDK_MANAGEMENT_GROUP:
		return "a management group";
	case IDK_RESOURCE_GROUP:
		return "a resource group";
	case IDK_VNET:
		return "a virtual network";
	case IDK_SUBNET:
		return "a subnet";
	case IDK_MANAGER:
		return "a network manager";
	}
	return "something else";
}

/* A reference with a '/' in it can only be a resource id; without one it can only
 * be a bare GUID or name. Deciding on that alone keeps the two forms from being
 * confused with each other. */
static int has_slash(const char *s)
{
	return strchr(s, '/') != NULL;
}

int sub_ref_parse(char out[GUID_LEN + 1], const char *text, char *msg, size_t msgsize)
{
	struct idparts p;

	out[0] = '\0';
	if (text == NULL || !has_slash(text))
		return guid_from(out, "invalid subscription id", text, msg, msgsize);
	if (id_parse(&p, text, msg, msgsize) != 0)
		return -1;
	if (p.kind != IDK_SUBSCRIPTION)
		return fail(msg, msgsize, "invalid subscription reference", text,
		            "names %s, not a subscription", kind_name(p.kind));
	memcpy(out, p.sub, GUID_LEN + 1);
	return 0;
}

int mg_ref_parse(char key[MG_NAME_MAX + 1], char display[MG_NAME_MAX + 1], const char *text,
                 char *msg, size_t msgsize)
{
	struct idparts p;
	const char *name;
	const char *why;
	size_t n;

	key[0] = '\0';
	display[0] = '\0';
	if (text == NULL)
		return fail(msg, msgsize, "invalid management group id", NULL, "an id is required");
	if (has_slash(text)) {
		if (id_parse(&p, text, msg, msgsize) != 0)
			return -1;
		if (p.kind != IDK_MANAGEMENT_GROUP)
			return fail(msg, msgsize, "invalid management group reference", text,
			            "names %s, not a management group", kind_name(p.kind));
		name = p.display + p.mg.off;
		n = p.mg.len;
	} else {
		/* One byte past the limit is enough to know the name is too long. */
		n = bounded_len(text, MG_NAME_MAX + 1);
		why = why_mg(text, n);
		if (why != NULL)
			return fail(msg, msgsize, "invalid management group id", text, "%s", why);
		name = text;
	}
	memcpy(display, name, n);
	display[n] = '\0';
	ascii_lower(key, display, n + 1);
	return 0;
}
