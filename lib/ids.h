/* Identifier parsing and validation (SEMANTICS R1): the edge of the library.
 * Everything that enters through the public API is parsed here once; the rest of
 * lib/ only ever sees canonical keys. Internal header: nothing here is exported. */
#ifndef AVNM_IDS_H
#define AVNM_IDS_H

#include <stddef.h>
#include <stdint.h>

/* Longest accepted resource id in bytes, leading '/' included (R1.4). */
#define ID_MAX 2048
/* A canonical GUID: 36 characters plus NUL. */
#define GUID_LEN 36

/* What a resource id names. */
enum id_kind {
	IDK_SUBSCRIPTION = 1,  /* /subscriptions/{guid} */
	IDK_MANAGEMENT_GROUP,  /* /providers/Microsoft.Management/managementGroups/{mg} */
	IDK_RESOURCE_GROUP,    /* /subscriptions/{s}/resourceGroups/{rg} */
	IDK_VNET,              /* .../resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{n} */
	IDK_SUBNET,            /* ... /virtualNetworks/{n}/subnets/{sn} */
	IDK_MANAGER            /* .../resourceGroups/{rg}/providers/Microsoft.Network/networkManagers/{n} */
};

/* A segment of an id: offset and length, valid both in key and in display. */
struct idseg {
	size_t off, len;
};

/* A parsed resource id. key and display have the same length and the same
 * segment offsets; they differ only in ASCII letter case. */
struct idparts {
	enum id_kind kind;
	size_t len;                 /* strlen(key) == strlen(display) */
	char key[ID_MAX + 2];       /* canonical: leading '/', ASCII lower case (R1.2, R1.3) */
	char display[ID_MAX + 2];   /* as given, with the leading '/' added (R1.3) */
	char sub[GUID_LEN + 1];     /* lower-case subscription GUID; "" when kind has none */
	struct idseg mg;            /* IDK_MANAGEMENT_GROUP: the group id */
	struct idseg rg;            /* resource group name, when present */
	struct idseg name;          /* vnet or manager name, when present */
	struct idseg child;         /* subnet name, when present */
};

/* Parse a resource id of any kind above. The leading '/' is optional on input.
 * Provider namespace and resource type segments ("providers", "Microsoft.Network",
 * "virtualNetworks", "resourceGroups", ...) compare case-insensitively.
 * Rejects (R1.4): empty input, empty segments ("//"), a trailing '/', "." or ".."
 * segments, '%' anywhere, ASCII whitespace or control characters, invalid UTF-8
 * (overlong forms, surrogates, > U+10FFFF), Unicode whitespace, C1 controls and
 * format characters (U+00A0, U+1680, U+2000-U+200F, U+2028-U+202F, U+205F-U+206F,
 * U+3000, U+FEFF), ids longer than ID_MAX bytes, unknown provider or type
 * segments, a wrong number of segments, and names breaking R1.5.
 * Returns 0, or -1 with a one-line human message (what and why, quoting at most
 * 80 bytes of the input, escaping non-printable bytes as \xHH) in msg. */
int id_parse(struct idparts *out, const char *text, char *msg, size_t msgsize);
/* id_parse without its fast path for the usual network id (vnet_id_sub): the whole
 * grammar. id_parse gives the same result for every text; the tests hold them to it. */
int id_parse_full(struct idparts *out, const char *text, char *msg, size_t msgsize);

/* Canonical lower-case GUID from "8-4-4-4-12" hex digits in any letter case (R1.1).
 * Braces, missing dashes, whitespace, wrong lengths: -1 with a message. */
int guid_parse(char out[GUID_LEN + 1], const char *text, char *msg, size_t msgsize);

/* A subscription reference: a GUID, or "/subscriptions/GUID" (leading '/' optional). */
int sub_ref_parse(char out[GUID_LEN + 1], const char *text, char *msg, size_t msgsize);

/* A management-group reference: a bare id ("mg-prod") or its full resource id
 * ("/providers/Microsoft.Management/managementGroups/mg-prod", leading '/'
 * optional). key receives the lower-cased id, display the id as given; both
 * without any prefix. Sizes: at least 91 bytes each. */
#define MG_NAME_MAX 90
int mg_ref_parse(char key[MG_NAME_MAX + 1], char display[MG_NAME_MAX + 1], const char *text,
                 char *msg, size_t msgsize);

/* Name rules of R1.5, on a byte span (no NUL needed). Return 1 if valid. */
int name_valid_mg(const char *s, size_t n);       /* 1-90 [A-Za-z0-9-_.()], not ending '.' */
int name_valid_rg(const char *s, size_t n);       /* 1-90 code points of [A-Za-z0-9-_.()] or
                                                   * non-ASCII letters (any valid UTF-8 code
                                                   * point >= U+0080 not rejected above),
                                                   * not ending '.' */
int name_valid_vnet(const char *s, size_t n);     /* 2-64 [A-Za-z0-9_.-], first alnum,
                                                   * last alnum or '_' */
int name_valid_subnet(const char *s, size_t n);   /* 1-80 [A-Za-z0-9_.-], first alnum,
                                                   * last alnum or '_' */
int name_valid_resource(const char *s, size_t n); /* ^[0-9a-zA-Z]([0-9a-zA-Z_.-]{0,62}[0-9a-zA-Z_])?$
                                                   * managers, connections, network groups */
int name_valid_principal(const char *s, size_t n);/* 1-128 [A-Za-z0-9-_.@] */

/* Tag key: 1-512 bytes of valid UTF-8, none of < > % & \ ? / nor any character
 * rejected by id_parse. Tag value: 0-256 bytes of valid UTF-8 without control characters. */
int tag_key_valid(const char *s, size_t n);
int tag_value_valid(const char *s, size_t n);

/* ASCII lower case of n bytes from src into dst: the same buffer, or apart. */
void ascii_lower(char *dst, const char *src, size_t n);
/* Eight bytes lower-cased at once: 0x20 is added to exactly the bytes in 'A'..'Z'
 * (bytes with the high bit set, UTF-8, are left alone). */
static inline uint64_t ascii_lower_word(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	uint64_t seven = w & ~high;
	uint64_t ge_a = seven + ones * (0x80 - 'A');
	uint64_t gt_z = seven + ones * (0x80 - 'Z' - 1);
	return w | (ge_a & ~gt_z & ~w & high) >> 2;
}
/* Bit i of bits ((n + 7) / 8 bytes): byte i of given differs from byte i of lower_
 * (given is lower_ in its own letter case). Returns whether any bit is set. */
int case_bits(unsigned char *bits, const char *given, const char *lower_, size_t n);
/* A fast, conservative check for questions: 1 when the n bytes at id (n = strlen(id))
 * are a virtual-network id that id_parse certainly accepts (leading '/', an ASCII
 * resource-group name), its subscription's GUID at id + VNET_SUB_AT (36 bytes, as
 * written: any letter case); 0 when they are not, or might not be: then ask
 * id_parse. */
#define VNET_SUB_AT (sizeof "/subscriptions/" - 1)
int vnet_id_sub(const char *id, size_t n);
/* Whether given, lower-cased, equals the n bytes of lower (already lower case). */
int eq_lower(const char *lower, const char *given, size_t n);

#endif
