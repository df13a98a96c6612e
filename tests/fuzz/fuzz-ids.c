/* Fuzzer: resource ids (R1). The input, as a C string, goes through the
 * internal parser id_parse and the public avnm_id_canonical and
 * avnm_scope_add, and the answers must agree with each other and with R1:
 *  - accepted ids are canonical-idempotent: the key parses again to itself,
 *    the display form parses to the same key, both are the same length, the
 *    key is the display lower-cased, starts with '/', is at most 2048 bytes
 *    and holds no empty, "." or ".." segment, '%', blank or control byte;
 *  - avnm_id_canonical accepts exactly what id_parse accepts, gives the same
 *    key, and says `limit` when the buffer is one byte short;
 *  - avnm_scope_add accepts exactly the subscription and management-group ids,
 *    stores the key, and the same item in other letter case is the same item
 *    (R1.6);
 *  - a rejection comes with a one-line printable message (R7);
 *  - the fast check of network ids (vnet_id_sub) accepts only networks that the
 *    whole grammar (id_parse_full) accepts, with the same subscription, and
 *    id_parse, which takes that fast path, gives every input the answer and the
 *    parts id_parse_full gives;
 *  - the GUID, subscription and management-group reference parsers, and the
 *    name and tag checks, never read past their input (ASan) and agree with
 *    the id parser on subscription and management-group ids.
 * The input split at newlines also builds two scopes, one from the items in
 * order and one from them reversed and upper-cased: equal by R1.6. */
#include <ctype.h>
#include <string.h>

#include "avnm.h"
#include "fuzz.h"
#include "ids.h"

static avnm_ctx *msg_ctx; /* for messages only: avnm_id_canonical is pure */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (avnm_ctx_new(&msg_ctx, NULL) != AVNM_OK)
		abort();
	return 0;
}

static void check_message(const char *msg)
{
	size_t n = strlen(msg);
	FUZZ_CHECK(n > 0, "a rejection without a message");
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)msg[i] >= 0x20 && msg[i] != 0x7f,
		           "message with a control byte 0x%02x at %zu: %s",
		           (unsigned)(unsigned char)msg[i], i, msg);
}

static void upper(char *dst, const char *src)
{
	size_t i = 0;
	for (; src[i]; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 'a' + 'A') : src[i];
	dst[i] = '\0';
}

static int segment_ok(const char *s, size_t n)
{
	return n > 0 && !(n == 1 && s[0] == '.') && !(n == 2 && s[0] == '.' && s[1] == '.');
}

static void check_accepted(const struct idparts *p, const char *text)
{
	static char low[ID_MAX + 2];
	struct idparts again;
	char msg[512];

	FUZZ_CHECK(p->len == strlen(p->key) && p->len == strlen(p->display),
	           "lengths differ: %zu %zu %zu", p->len, strlen(p->key), strlen(p->display));
	FUZZ_CHECK(p->len <= ID_MAX, "accepted id of %zu bytes", p->len);
	FUZZ_CHECK(p->key[0] == '/' && p->display[0] == '/', "no leading '/': %s", p->key);
	FUZZ_CHECK(p->key[p->len - 1] != '/', "trailing '/': %s", p->key);
	ascii_lower(low, p->display, p->len + 1);
	FUZZ_CHECK(strcmp(low, p->key) == 0, "key is not the lower-cased display: %s / %s",
	           p->key, p->display);
	/* the display is the input with at most a '/' put in front */
	FUZZ_CHECK(strcmp(p->display, text) == 0 || (text[0] != '/' && strcmp(p->display + 1, text) == 0),
	           "display %s is not the input %s", p->display, text);
	for (size_t i = 1, start = 1; i <= p->len; i++) {
		if (i == p->len || p->key[i] == '/') {
			FUZZ_CHECK(segment_ok(p->key + start, i - start), "bad segment in %s", p->key);
			start = i + 1;
		}
	}
	for (size_t i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->key[i];
		FUZZ_CHECK(c > 0x20 && c != 0x7f && c != '%', "byte 0x%02x accepted in %s", c, p->key);
	}
	FUZZ_CHECK(id_parse(&again, p->key, msg, sizeof msg) == 0, "key rejected: %s: %s", p->key, msg);
	FUZZ_CHECK(again.kind == p->kind && strcmp(again.key, p->key) == 0, "key not idempotent: %s",
	           p->key);
	FUZZ_CHECK(id_parse(&again, p->display, msg, sizeof msg) == 0 && strcmp(again.key, p->key) == 0,
	           "display %s does not parse to its key", p->display);
	upper(low, p->key);
	FUZZ_CHECK(id_parse(&again, low, msg, sizeof msg) == 0 && strcmp(again.key, p->key) == 0,
	           "upper-cased %s does not parse to the same key (R1.3)", low);

	if (p->kind == IDK_SUBSCRIPTION) {
		char g[GUID_LEN + 1];
		FUZZ_CHECK(sub_ref_parse(g, text, NULL, 0) == 0 && strcmp(g, p->sub) == 0,
		           "subscription reference disagrees on %s", text);
	}
	if (p->kind == IDK_MANAGEMENT_GROUP) {
		char key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1];
		FUZZ_CHECK(mg_ref_parse(key, disp, text, NULL, 0) == 0, "mg reference rejects %s", text);
		FUZZ_CHECK(strlen(key) == p->mg.len && memcmp(key, p->key + p->mg.off, p->mg.len) == 0,
		           "mg reference key %s disagrees with %s", key, p->key);
	}
}

static void check_scope_one(const char *text, const struct idparts *p, int parsed)
{
	avnm_scope *s = NULL;
	char up[ID_MAX + 2];
	FUZZ_CHECK(avnm_scope_new(&s, NULL) == AVNM_OK, "avnm_scope_new failed");
	int rc = avnm_scope_add(s, text);
	int item = parsed && (p->kind == IDK_SUBSCRIPTION || p->kind == IDK_MANAGEMENT_GROUP);
	FUZZ_CHECK((rc == AVNM_OK) == item, "avnm_scope_add returned %d for %s (kind %d)", rc, text,
	           parsed ? (int)p->kind : -1);
	if (rc == AVNM_OK) {
		FUZZ_CHECK(avnm_scope_count(s) == 1, "one item counts %zu", avnm_scope_count(s));
		FUZZ_CHECK(strcmp(avnm_scope_item(s, 0), p->key) == 0, "item %s is not the key %s",
		           avnm_scope_item(s, 0), p->key);
		upper(up, p->display);
		FUZZ_CHECK(avnm_scope_add(s, up) == AVNM_OK && avnm_scope_count(s) == 1,
		           "%s in upper case is another item (R1.6)", text);
	} else {
		FUZZ_CHECK(rc == AVNM_E_INVALID_ARGUMENT, "avnm_scope_add returned %d", rc);
		FUZZ_CHECK(avnm_scope_count(s) == 0, "a refused item was added");
	}
	avnm_scope_free(s);
}

/* The lines of the input as scope items: in order, and reversed in upper case. */
static void check_scope_lines(const char *text)
{
	avnm_scope *a = NULL, *b = NULL;
	char *copy = strdup(text), *lines[64];
	size_t n = 0;
	if (!copy)
		return;
	for (char *line = copy; n < 64;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lines[n++] = line;
		if (!nl)
			break;
		line = nl + 1;
	}
	FUZZ_CHECK(avnm_scope_new(&a, NULL) == AVNM_OK && avnm_scope_new(&b, NULL) == AVNM_OK,
	           "avnm_scope_new failed");
	size_t added = 0;
	for (size_t i = 0; i < n; i++)
		added += avnm_scope_add(a, lines[i]) == AVNM_OK;
	for (size_t i = n; i-- > 0;) {
		upper(lines[i], lines[i]);
		avnm_scope_add(b, lines[i]);
	}
	FUZZ_CHECK(avnm_scope_count(a) <= added, "more items than were added");
	FUZZ_CHECK(avnm_scope_equal(a, b) == 1 && avnm_scope_equal(b, a) == 1,
	           "the same items in another order and case make another scope (R1.6)");
	for (size_t i = 1; i < avnm_scope_count(a); i++)
		FUZZ_CHECK(strcmp(avnm_scope_item(a, i - 1), avnm_scope_item(a, i)) < 0,
		           "scope items not sorted and unique");
	FUZZ_CHECK(avnm_scope_item(a, avnm_scope_count(a)) == NULL, "item past the end");
	avnm_scope_free(a);
	avnm_scope_free(b);
	free(copy);
}

static int same_seg(struct idseg a, struct idseg b)
{
	return a.off == b.off && a.len == b.len;
}

static int same_parts(const struct idparts *a, const struct idparts *b)
{
	return a->kind == b->kind && a->len == b->len && strcmp(a->key, b->key) == 0 &&
	       strcmp(a->display, b->display) == 0 && strcmp(a->sub, b->sub) == 0 &&
	       same_seg(a->mg, b->mg) && same_seg(a->rg, b->rg) && same_seg(a->name, b->name) &&
	       same_seg(a->child, b->child);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct idparts p;
	char *text = malloc(size + 1);
	char msg[512], canon[ID_MAX + 2];
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	msg[0] = '\0';
	int rc = id_parse(&p, text, msg, sizeof msg);
	FUZZ_CHECK(rc == 0 || rc == -1, "id_parse returned %d", rc);
	if (rc == 0)
		check_accepted(&p, text);
	else
		check_message(msg);

	/* the fast check of network ids accepts only networks the whole grammar accepts,
	 * with the same subscription; and id_parse's fast path for them changes nothing:
	 * the whole grammar gives every input the same answer and the same parts */
	static struct idparts f;
	int frc = id_parse_full(&f, text, NULL, 0);
	FUZZ_CHECK(frc == rc, "id_parse returned %d, id_parse_full %d", rc, frc);
	if (rc == 0)
		FUZZ_CHECK(same_parts(&p, &f), "id_parse and id_parse_full differ on the parts of %s", text);
	const char *sub = text + VNET_SUB_AT;
	if (vnet_id_sub(text, strlen(text))) {
		FUZZ_CHECK(frc == 0 && f.kind == IDK_VNET, "vnet_id_sub accepts what id_parse_full does not");
		for (size_t i = 0; i < GUID_LEN; i++)
			FUZZ_CHECK(tolower((unsigned char)sub[i]) == f.sub[i], "vnet_id_sub: another subscription");
	}

	int crc = avnm_id_canonical(canon, sizeof canon, msg_ctx, text);
	FUZZ_CHECK((crc == AVNM_OK) == (rc == 0), "avnm_id_canonical %d, id_parse %d on %s", crc, rc,
	           text);
	if (crc == AVNM_OK) {
		FUZZ_CHECK(strcmp(canon, p.key) == 0, "canonical %s, key %s", canon, p.key);
		FUZZ_CHECK(avnm_id_canonical(canon, p.len, NULL, text) == AVNM_E_LIMIT,
		           "a buffer one byte short is not `limit`");
		FUZZ_CHECK(avnm_id_canonical(canon, p.len + 1, NULL, text) == AVNM_OK,
		           "a buffer of exactly the right size is refused");
	} else {
		FUZZ_CHECK(crc == AVNM_E_INVALID_ARGUMENT, "avnm_id_canonical returned %d", crc);
		check_message(avnm_errmsg(msg_ctx));
	}
	check_scope_one(text, &p, rc == 0);

	/* The smaller parsers and the name rules, on the same bytes. */
	char g[GUID_LEN + 1], key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1];
	if (guid_parse(g, text, msg, sizeof msg) == 0) {
		FUZZ_CHECK(strlen(g) == GUID_LEN, "GUID of %zu characters", strlen(g));
		for (size_t i = 0; i < GUID_LEN; i++)
			FUZZ_CHECK(isxdigit((unsigned char)g[i]) ? !isupper((unsigned char)g[i]) : g[i] == '-',
			           "GUID %s not canonical (R1.1)", g);
		FUZZ_CHECK(strlen(text) == GUID_LEN, "a GUID %s from %zu bytes", g, strlen(text));
	} else {
		check_message(msg);
	}
	if (sub_ref_parse(g, text, msg, sizeof msg) != 0)
		check_message(msg);
	if (mg_ref_parse(key, disp, text, msg, sizeof msg) == 0) {
		FUZZ_CHECK(name_valid_mg(disp, strlen(disp)), "mg reference %s breaks R1.5", disp);
		ascii_lower(canon, disp, strlen(disp) + 1);
		FUZZ_CHECK(strcmp(canon, key) == 0, "mg key %s is not %s lower-cased", key, disp);
	} else {
		check_message(msg);
	}
	/* name checks take a span: the raw bytes, NULs included, with no terminator */
	char *raw = malloc(size ? size : 1);
	if (raw) {
		memcpy(raw, data, size);
		int mgn = name_valid_mg(raw, size);
		(void)name_valid_rg(raw, size);
		int vn = name_valid_vnet(raw, size);
		(void)name_valid_subnet(raw, size);
		int res = name_valid_resource(raw, size);
		int pr = name_valid_principal(raw, size);
		(void)tag_key_valid(raw, size);
		(void)tag_value_valid(raw, size);
		FUZZ_CHECK(!mgn || (size >= 1 && size <= 90), "mg name of %zu bytes", size);
		FUZZ_CHECK(!vn || (size >= 2 && size <= 64), "vnet name of %zu bytes", size);
		FUZZ_CHECK(!res || (size >= 1 && size <= 64), "resource name of %zu bytes", size);
		FUZZ_CHECK(!pr || (size >= 1 && size <= 128), "principal name of %zu bytes", size);
		FUZZ_CHECK(!(mgn || vn || res || pr) || memchr(raw, '\0', size) == NULL,
		           "a name with a NUL byte accepted");
		free(raw);
	}
	check_scope_lines(text);
	free(text);
	return 0;
}
