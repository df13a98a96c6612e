/* Unit tests for lib/ids.c: identifier parsing and validation (SEMANTICS R1). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ids.h"

/* A GUID in the three letter cases the tests need. */
#define GL "0f8fad5b-d9cb-469f-a165-70867728950e"
#define GU "0F8FAD5B-D9CB-469F-A165-70867728950E"
#define GM "0f8FAD5b-D9cb-469F-a165-70867728950E"

#define MSG_SIZE 512

/* Every rejection must come with a one-line message that is plain printable
 * ASCII, since it may end up in a log or on a terminal. */
static void check_message(const char *m)
{
	assert_true(m[0] != '\0');
	for (const char *p = m; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

#define ACCEPT_ID(p, text)                                                   \
	do {                                                                 \
		char m_[MSG_SIZE] = "";                                      \
		int rc_ = id_parse((p), (text), m_, sizeof m_);              \
		if (rc_ != 0)                                                \
			print_error("unexpected rejection: %s\n", m_);       \
		assert_int_equal(rc_, 0);                                    \
		assert_string_equal(m_, "");                                 \
	} while (0)

/* Checks the rejection, its message, and that nothing half-parsed is left. */
#define REJECT_ID(text)                                                      \
	do {                                                                 \
		struct idparts p_;                                           \
		char m_[MSG_SIZE] = "";                                      \
		assert_int_equal(id_parse(&p_, (text), m_, sizeof m_), -1); \
		check_message(m_);                                           \
		assert_int_equal(p_.kind, 0);                                \
		assert_string_equal(p_.key, "");                             \
		assert_string_equal(p_.display, "");                         \
		assert_string_equal(p_.sub, "");                             \
	} while (0)

/* Rejects and requires the message to mention why. */
#define REJECT_ID_BECAUSE(text, why)                                         \
	do {                                                                 \
		struct idparts p_;                                           \
		char m_[MSG_SIZE] = "";                                      \
		assert_int_equal(id_parse(&p_, (text), m_, sizeof m_), -1); \
		check_message(m_);                                           \
		if (strstr(m_, (why)) == NULL)                               \
			print_error("message lacks \"%s\": %s\n", (why), m_); \
		assert_non_null(strstr(m_, (why)));                          \
	} while (0)

/* A segment must name the same bytes in display (as given) and key (folded). */
#define CHECK_SEG(p, seg, disp, keyv)                                        \
	do {                                                                 \
		assert_int_equal((seg).len, strlen(disp));                   \
		assert_memory_equal((p)->display + (seg).off, (disp), (seg).len); \
		assert_memory_equal((p)->key + (seg).off, (keyv), (seg).len); \
	} while (0)

#define CHECK_NO_SEG(seg)                                                    \
	do {                                                                 \
		assert_int_equal((seg).off, 0);                              \
		assert_int_equal((seg).len, 0);                              \
	} while (0)

/* Fills buf with n copies of c and a NUL. */
static char *fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

/* ------------------------------------------------------------------------ */
/* guid_parse */

/* R1.1 */
static void test_guid_accepts_any_case(void **state)
{
	char out[GUID_LEN + 1];
	char m[MSG_SIZE] = "";

	(void)state;
	assert_int_equal(guid_parse(out, GL, m, sizeof m), 0);
	assert_string_equal(out, GL);
	assert_int_equal(guid_parse(out, GU, m, sizeof m), 0);
	assert_string_equal(out, GL);
	assert_int_equal(guid_parse(out, GM, m, sizeof m), 0);
	assert_string_equal(out, GL);
	assert_int_equal(guid_parse(out, "00000000-0000-0000-0000-000000000000", m, sizeof m), 0);
	assert_string_equal(out, "00000000-0000-0000-0000-000000000000");
	assert_string_equal(m, "");
}

#define REJECT_GUID(text)                                                    \
	do {                                                                 \
		char o_[GUID_LEN + 1] = "x";                                 \
		char m_[MSG_SIZE] = "";                                      \
		assert_int_equal(guid_parse(o_, (text), m_, sizeof m_), -1); \
		check_message(m_);                                           \
		assert_string_equal(o_, "");                                 \
	} while (0)

/* R1.1 */
static void test_guid_rejects(void **state)
{
	(void)state;
	REJECT_GUID("{" GL "}");                                  /* braces */
	REJECT_GUID("{" GL);
	REJECT_GUID(GL "}");
	REJECT_GUID("0f8fad5bd9cb469fa16570867728950e");          /* no dashes */
	REJECT_GUID("0f8fad5b-d9cb469f-a165-70867728950e-");      /* dash moved */
	REJECT_GUID("0f8fad5b-d9cb-469f-a165-70867728950");       /* 35 chars */
	REJECT_GUID("0f8fad5b-d9cb-469f-a165-70867728950e0");     /* 37 chars */
	REJECT_GUID("0f8fad5b-d9cb-469f-a165-70867728950g");      /* non-hex */
	REJECT_GUID("0f8fad5b-d9cb-469f-a165-7086772895 e");      /* space inside */
	REJECT_GUID(" " GL);                                      /* leading space */
	REJECT_GUID(GL " ");                                      /* trailing space */
	REJECT_GUID(GL "\n");
	REJECT_GUID("0f8fad5b_d9cb_469f_a165_70867728950e");      /* wrong separator */
	REJECT_GUID("");
	REJECT_GUID("urn:uuid:" GL);
}

/* R1.1 */
static void test_guid_message_explains(void **state)
{
	char out[GUID_LEN + 1];
	char m[MSG_SIZE];

	(void)state;
	assert_int_equal(guid_parse(out, "{" GL "}", m, sizeof m), -1);
	assert_non_null(strstr(m, "braces"));
	assert_non_null(strstr(m, "\"{" GL "}\""));
	assert_int_equal(guid_parse(out, "0f8fad5bd9cb469fa16570867728950e", m, sizeof m), -1);
	assert_non_null(strstr(m, "dashes"));
	assert_int_equal(guid_parse(out, NULL, m, sizeof m), -1);
	check_message(m);
}

/* ------------------------------------------------------------------------ */
/* id_parse: accepted shapes */

/* R1.2 R1.3 */
static void test_id_subscription(void **state)
{
	struct idparts p;

	(void)state;
	ACCEPT_ID(&p, "/subscriptions/" GL);
	assert_int_equal(p.kind, IDK_SUBSCRIPTION);
	assert_string_equal(p.key, "/subscriptions/" GL);
	assert_string_equal(p.display, "/subscriptions/" GL);
	assert_int_equal(p.len, strlen(p.key));
	assert_string_equal(p.sub, GL);
	CHECK_NO_SEG(p.mg);
	CHECK_NO_SEG(p.rg);
	CHECK_NO_SEG(p.name);
	CHECK_NO_SEG(p.child);

	/* The leading '/' is optional on input and always present on output. */
	ACCEPT_ID(&p, "Subscriptions/" GM);
	assert_int_equal(p.kind, IDK_SUBSCRIPTION);
	assert_string_equal(p.key, "/subscriptions/" GL);
	assert_string_equal(p.display, "/Subscriptions/" GM);
	assert_int_equal(p.len, strlen("/subscriptions/" GL));
	assert_string_equal(p.sub, GL);

	ACCEPT_ID(&p, "/SUBSCRIPTIONS/" GU);
	assert_string_equal(p.key, "/subscriptions/" GL);
	assert_string_equal(p.display, "/SUBSCRIPTIONS/" GU);
	assert_string_equal(p.sub, GL);
}

/* R1.2 R1.3 */
static void test_id_management_group(void **state)
{
	struct idparts p;

	(void)state;
	ACCEPT_ID(&p, "/providers/Microsoft.Management/managementGroups/MG-Prod");
	assert_int_equal(p.kind, IDK_MANAGEMENT_GROUP);
	assert_string_equal(p.key, "/providers/microsoft.management/managementgroups/mg-prod");
	assert_string_equal(p.display, "/providers/Microsoft.Management/managementGroups/MG-Prod");
	assert_int_equal(p.len, strlen(p.display));
	assert_string_equal(p.sub, "");
	CHECK_SEG(&p, p.mg, "MG-Prod", "mg-prod");
	assert_int_equal(p.mg.off, strlen("/providers/Microsoft.Management/managementGroups/"));
	CHECK_NO_SEG(p.rg);
	CHECK_NO_SEG(p.name);
	CHECK_NO_SEG(p.child);

	ACCEPT_ID(&p, "PROVIDERS/microsoft.management/MANAGEMENTGROUPS/a(b)_c.d");
	assert_int_equal(p.kind, IDK_MANAGEMENT_GROUP);
	assert_string_equal(p.key, "/providers/microsoft.management/managementgroups/a(b)_c.d");
	assert_string_equal(p.display, "/PROVIDERS/microsoft.management/MANAGEMENTGROUPS/a(b)_c.d");
	CHECK_SEG(&p, p.mg, "a(b)_c.d", "a(b)_c.d");
}

/* R1.2 R1.3 */
static void test_id_resource_group(void **state)
{
	struct idparts p;
	const char *in = "subscriptions/" GU "/ResourceGroups/My-RG";

	(void)state;
	ACCEPT_ID(&p, in);
	assert_int_equal(p.kind, IDK_RESOURCE_GROUP);
	assert_string_equal(p.display, "/subscriptions/" GU "/ResourceGroups/My-RG");
	assert_string_equal(p.key, "/subscriptions/" GL "/resourcegroups/my-rg");
	assert_int_equal(p.len, strlen(in) + 1);
	assert_string_equal(p.sub, GL);
	CHECK_SEG(&p, p.rg, "My-RG", "my-rg");
	CHECK_NO_SEG(p.mg);
	CHECK_NO_SEG(p.name);
	CHECK_NO_SEG(p.child);

	/* Already canonical input: key and display are the same bytes. */
	ACCEPT_ID(&p, "/subscriptions/" GL "/resourcegroups/rg");
	assert_string_equal(p.key, p.display);
	CHECK_SEG(&p, p.rg, "rg", "rg");
}

/* R1.2 R1.3 */
static void test_id_vnet(void **state)
{
	struct idparts p;

	(void)state;
	ACCEPT_ID(&p, "/subscriptions/" GM "/resourceGroups/RG1/providers/Microsoft.Network/"
	              "virtualNetworks/Hub_VNet");
	assert_int_equal(p.kind, IDK_VNET);
	assert_string_equal(p.display, "/subscriptions/" GM "/resourceGroups/RG1/providers/"
	                               "Microsoft.Network/virtualNetworks/Hub_VNet");
	assert_string_equal(p.key, "/subscriptions/" GL "/resourcegroups/rg1/providers/"
	                           "microsoft.network/virtualnetworks/hub_vnet");
	assert_int_equal(p.len, strlen(p.key));
	assert_string_equal(p.sub, GL);
	CHECK_SEG(&p, p.rg, "RG1", "rg1");
	CHECK_SEG(&p, p.name, "Hub_VNet", "hub_vnet");
	CHECK_NO_SEG(p.child);
	CHECK_NO_SEG(p.mg);

	/* Literal segments in any case, no leading '/'. */
	ACCEPT_ID(&p, "SUBSCRIPTIONS/" GL "/RESOURCEGROUPS/rg/PROVIDERS/MICROSOFT.NETWORK/"
	              "VIRTUALNETWORKS/vnet");
	assert_int_equal(p.kind, IDK_VNET);
	assert_string_equal(p.key, "/subscriptions/" GL "/resourcegroups/rg/providers/"
	                           "microsoft.network/virtualnetworks/vnet");
	assert_int_equal(p.display[0], '/');
	CHECK_SEG(&p, p.name, "vnet", "vnet");
}

/* R1.2 R1.3 */
static void test_id_subnet(void **state)
{
	struct idparts p;
	const char *in = "/subscriptions/" GL "/resourceGroups/RG/providers/Microsoft.Network/"
	                 "virtualNetworks/VNet-1/subnets/Default_";

	(void)state;
	ACCEPT_ID(&p, in);
	assert_int_equal(p.kind, IDK_SUBNET);
	assert_string_equal(p.display, in);
	assert_string_equal(p.key, "/subscriptions/" GL "/resourcegroups/rg/providers/"
	                           "microsoft.network/virtualnetworks/vnet-1/subnets/default_");
	assert_int_equal(p.len, strlen(in));
	assert_string_equal(p.sub, GL);
	CHECK_SEG(&p, p.rg, "RG", "rg");
	CHECK_SEG(&p, p.name, "VNet-1", "vnet-1");
	CHECK_SEG(&p, p.child, "Default_", "default_");
	assert_int_equal(p.child.off + p.child.len, p.len);

	ACCEPT_ID(&p, "subscriptions/" GU "/resourcegroups/rg/providers/microsoft.network/"
	              "virtualnetworks/v1/SUBNETS/s");
	assert_int_equal(p.kind, IDK_SUBNET);
	assert_string_equal(p.sub, GL);
	CHECK_SEG(&p, p.child, "s", "s");
}

/* R1.2 R1.3 */
static void test_id_manager(void **state)
{
	struct idparts p;

	(void)state;
	ACCEPT_ID(&p, "/subscriptions/" GL "/resourceGroups/rg/providers/Microsoft.Network/"
	              "networkManagers/AVNM_");
	assert_int_equal(p.kind, IDK_MANAGER);
	assert_string_equal(p.key, "/subscriptions/" GL "/resourcegroups/rg/providers/"
	                           "microsoft.network/networkmanagers/avnm_");
	CHECK_SEG(&p, p.rg, "rg", "rg");
	CHECK_SEG(&p, p.name, "AVNM_", "avnm_");
	CHECK_NO_SEG(p.child);

	ACCEPT_ID(&p, "subscriptions/" GL "/resourceGroups/rg/providers/Microsoft.Network/"
	              "NetworkManagers/m");
	assert_int_equal(p.kind, IDK_MANAGER);
	assert_int_equal(p.display[0], '/');
	CHECK_SEG(&p, p.name, "m", "m");
}

/* R1.3: display keeps every byte; key differs only in ASCII letter case. */
static void test_id_key_display_same_shape(void **state)
{
	struct idparts p;

	(void)state;
	ACCEPT_ID(&p, "/Subscriptions/" GM "/resourceGroups/R\xC3\xA9-Grp/providers/Microsoft.Network/"
	              "virtualNetworks/VN/subnets/SN");
	assert_int_equal(strlen(p.key), p.len);
	assert_int_equal(strlen(p.display), p.len);
	for (size_t i = 0; i < p.len; i++) {
		unsigned char k = (unsigned char)p.key[i], d = (unsigned char)p.display[i];

		if (d >= 'A' && d <= 'Z')
			assert_int_equal(k, d - 'A' + 'a');
		else
			assert_int_equal(k, d);
	}
}

/* R1.3 R1.5: non-ASCII letters are accepted in resource-group names and never folded. */
static void test_id_rg_non_ascii_not_folded(void **state)
{
	struct idparts p;

	(void)state;
	ACCEPT_ID(&p, "/subscriptions/" GL "/resourceGroups/Caf\xC3\xA9-RG");
	assert_int_equal(p.kind, IDK_RESOURCE_GROUP);
	CHECK_SEG(&p, p.rg, "Caf\xC3\xA9-RG", "caf\xC3\xA9-rg");
	assert_string_equal(p.key, "/subscriptions/" GL "/resourcegroups/caf\xC3\xA9-rg");

	/* U+00C9 is the upper case of U+00E9; folding it would change the bytes. */
	ACCEPT_ID(&p, "/subscriptions/" GL "/resourceGroups/\xC3\x89T\xC3\x89");
	CHECK_SEG(&p, p.rg, "\xC3\x89T\xC3\x89", "\xC3\x89t\xC3\x89");

	/* Greek and CJK letters, and a 4-byte code point. */
	ACCEPT_ID(&p, "/subscriptions/" GL "/resourceGroups/\xCE\xA9\xE6\x97\xA5\xF0\x9F\x98\x80");
	CHECK_SEG(&p, p.rg, "\xCE\xA9\xE6\x97\xA5\xF0\x9F\x98\x80",
	          "\xCE\xA9\xE6\x97\xA5\xF0\x9F\x98\x80");
}

/* ------------------------------------------------------------------------ */
/* id_parse: rejections */

#define RG_ID "/subscriptions/" GL "/resourceGroups/rg"
#define VNET_ID RG_ID "/providers/Microsoft.Network/virtualNetworks/vnet"

/* R1.4 */
static void test_id_rejects_empty_segments(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE("/subscriptions//resourceGroups/rg", "empty segment");
	REJECT_ID_BECAUSE("//subscriptions/" GL, "empty segment");
	REJECT_ID_BECAUSE("/subscriptions/" GL "//resourceGroups/rg", "empty segment");
	REJECT_ID_BECAUSE(VNET_ID "//subnets/s", "empty segment");
	REJECT_ID_BECAUSE("//", "empty segment");
	REJECT_ID_BECAUSE("", "empty");
	REJECT_ID_BECAUSE("/", "empty");
	REJECT_ID(NULL);
}

/* R1.4 */
static void test_id_rejects_trailing_slash(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE("/subscriptions/" GL "/", "ends with '/'");
	REJECT_ID_BECAUSE("subscriptions/" GL "/", "ends with '/'");
	REJECT_ID_BECAUSE(RG_ID "/", "ends with '/'");
	REJECT_ID_BECAUSE(VNET_ID "/", "ends with '/'");
	REJECT_ID_BECAUSE("/providers/Microsoft.Management/managementGroups/mg/", "ends with '/'");
}

/* R1.4 */
static void test_id_rejects_dot_segments(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE("/subscriptions/" GL "/./resourceGroups/rg", "'.' segment");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/../resourceGroups/rg", "'..' segment");
	REJECT_ID_BECAUSE("/./subscriptions/" GL, "'.' segment");
	REJECT_ID_BECAUSE("../subscriptions/" GL, "'..' segment");
	REJECT_ID_BECAUSE(RG_ID "/..", "'..' segment");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/.", "'.' segment");
	REJECT_ID_BECAUSE(VNET_ID "/subnets/..", "'..' segment");
	/* Names that merely contain dots are not dot segments; "..." ends in '.'. */
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/...", "must not end with '.'");
}

/* R1.4 */
static void test_id_rejects_percent(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/a%2Fb", "'%'");
	REJECT_ID_BECAUSE("/subscriptions%2F" GL, "'%'");
	REJECT_ID_BECAUSE("%2Fsubscriptions/" GL, "'%'");
	REJECT_ID_BECAUSE(RG_ID "%", "'%'");
	REJECT_ID_BECAUSE(VNET_ID "%20", "'%'");
}

/* R1.4 */
static void test_id_rejects_whitespace_and_controls(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE(RG_ID " ", "whitespace or a control character");
	REJECT_ID_BECAUSE(" " RG_ID, "whitespace or a control character");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r g", "whitespace");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r\tg", "byte 0x09");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r\ng", "byte 0x0A");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r\rg", "byte 0x0D");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r\x01g", "byte 0x01");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r\x1Fg", "byte 0x1F");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r\x7Fg", "byte 0x7F");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r\vg", "byte 0x0B");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r\fg", "byte 0x0C");
}

/* R1.4 */
static void test_id_rejects_invalid_utf8(void **state)
{
	(void)state;
	/* Overlong '/': the classic way to smuggle a separator past a check. */
	REJECT_ID_BECAUSE(RG_ID "\xC0\xAF" "x", "not valid UTF-8");
	REJECT_ID_BECAUSE(RG_ID "\xC1\xBF", "not valid UTF-8");
	REJECT_ID_BECAUSE(RG_ID "\xE0\x80\xAF", "not valid UTF-8");     /* overlong, 3 bytes */
	REJECT_ID_BECAUSE(RG_ID "\xF0\x80\x80\xAF", "not valid UTF-8"); /* overlong, 4 bytes */
	REJECT_ID_BECAUSE(RG_ID "\x80", "not valid UTF-8");             /* lone continuation */
	REJECT_ID_BECAUSE(RG_ID "\xBF" "x", "not valid UTF-8");
	REJECT_ID_BECAUSE(RG_ID "\xED\xA0\x80", "not valid UTF-8");     /* U+D800 surrogate */
	REJECT_ID_BECAUSE(RG_ID "\xED\xBF\xBF", "not valid UTF-8");     /* U+DFFF surrogate */
	REJECT_ID_BECAUSE(RG_ID "\xF4\x90\x80\x80", "not valid UTF-8"); /* U+110000 */
	REJECT_ID_BECAUSE(RG_ID "\xF5\x80\x80\x80", "not valid UTF-8");
	REJECT_ID_BECAUSE(RG_ID "\xFF", "not valid UTF-8");
	REJECT_ID_BECAUSE(RG_ID "\xC3", "not valid UTF-8");             /* truncated at end */
	REJECT_ID_BECAUSE(RG_ID "\xE6\x97", "not valid UTF-8");
	REJECT_ID_BECAUSE(RG_ID "\xC3" "x", "not valid UTF-8");         /* missing continuation */
	REJECT_ID_BECAUSE(RG_ID "\xE6\x97/x", "not valid UTF-8");
}

/* R1.4 */
static void test_id_rejects_unicode_space_and_format(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE(RG_ID "\xC2\xA0" "x", "U+00A0");     /* no-break space */
	REJECT_ID_BECAUSE(RG_ID "\xE2\x80\x8B" "x", "U+200B"); /* zero-width space */
	REJECT_ID_BECAUSE(RG_ID "\xEF\xBB\xBF" "x", "U+FEFF"); /* BOM */
	REJECT_ID_BECAUSE("\xEF\xBB\xBF" RG_ID, "U+FEFF");
	REJECT_ID_BECAUSE(RG_ID "\xC2\x85" "x", "U+0085");     /* C1 NEL */
	REJECT_ID_BECAUSE(RG_ID "\xC2\x80" "x", "U+0080");
	REJECT_ID_BECAUSE(RG_ID "\xC2\x9F" "x", "U+009F");
	REJECT_ID_BECAUSE(RG_ID "\xE1\x9A\x80" "x", "U+1680");
	REJECT_ID_BECAUSE(RG_ID "\xE2\x80\x80" "x", "U+2000");
	REJECT_ID_BECAUSE(RG_ID "\xE2\x80\x8F" "x", "U+200F"); /* RLM */
	REJECT_ID_BECAUSE(RG_ID "\xE2\x80\xA8" "x", "U+2028");
	REJECT_ID_BECAUSE(RG_ID "\xE2\x80\xAE" "x", "U+202E"); /* RLO */
	REJECT_ID_BECAUSE(RG_ID "\xE2\x81\x9F" "x", "U+205F");
	REJECT_ID_BECAUSE(RG_ID "\xE2\x81\xA0" "x", "U+2060"); /* word joiner */
	REJECT_ID_BECAUSE(RG_ID "\xE2\x81\xAF" "x", "U+206F");
	REJECT_ID_BECAUSE(RG_ID "\xE3\x80\x80" "x", "U+3000");
}

/* R1.4 R1.5: the characters just outside the rejected ranges stay allowed. */
static void test_id_unicode_range_edges_accepted(void **state)
{
	struct idparts p;

	(void)state;
	ACCEPT_ID(&p, RG_ID "\xC2\xA1");     /* U+00A1 */
	ACCEPT_ID(&p, RG_ID "\xE1\x9A\x81"); /* U+1681 */
	ACCEPT_ID(&p, RG_ID "\xE2\x80\x90"); /* U+2010 */
	ACCEPT_ID(&p, RG_ID "\xE2\x80\xB0"); /* U+2030 */
	ACCEPT_ID(&p, RG_ID "\xE2\x81\xB0"); /* U+2070 */
	ACCEPT_ID(&p, RG_ID "\xEF\xBB\xBE"); /* U+FEFE */
	ACCEPT_ID(&p, RG_ID "\xF4\x8F\xBF\xBF"); /* U+10FFFF */
	ACCEPT_ID(&p, RG_ID "\xED\x9F\xBF"); /* U+D7FF */
	ACCEPT_ID(&p, RG_ID "\xEE\x80\x80"); /* U+E000 */
}

/* Builds an id of exactly n bytes (n > 200) which is well formed up to its
 * length check but has filler segments after the subnet name; lead says whether
 * it starts with '/'. */
static void long_id(char *buf, size_t n, int lead)
{
	const char *head = VNET_ID "/subnets/s";
	size_t h;

	if (!lead)
		head++;
	h = strlen(head);
	memcpy(buf, head, h);
	for (size_t i = h; i < n; i++)
		buf[i] = ((i - h) % 2 == 0) ? '/' : 'a';
	if (buf[n - 1] == '/')
		buf[n - 1] = 'b';
	buf[n] = '\0';
	assert_int_equal(strlen(buf), n);
}

/* R1.4: no id that obeys the R1.5 name limits can reach ID_MAX bytes (the longest
 * is about 625), so the boundary shows in which check rejects: at ID_MAX bytes the
 * length passes and the shape check rejects; one byte more, the length check does. */
static void test_id_length_boundary(void **state)
{
	char buf[ID_MAX + 16];

	(void)state;
	long_id(buf, ID_MAX, 1);
	REJECT_ID_BECAUSE(buf, "unexpected segments after the subnet name");
	long_id(buf, ID_MAX + 1, 1);
	REJECT_ID_BECAUSE(buf, "longer than 2048 bytes");
	long_id(buf, ID_MAX + 10, 1);
	REJECT_ID_BECAUSE(buf, "longer than 2048 bytes");

	/* The leading '/' added on output counts. */
	long_id(buf, ID_MAX - 1, 0);
	REJECT_ID_BECAUSE(buf, "unexpected segments after the subnet name");
	long_id(buf, ID_MAX, 0);
	REJECT_ID_BECAUSE(buf, "longer than 2048 bytes");
}

/* R1.4 R1.5: the longest id the name rules allow is accepted whole. */
static void test_id_longest_valid(void **state)
{
	struct idparts p;
	char rg[90 * 4 + 1] = "";
	char vnet[65], sub[81];
	char buf[ID_MAX + 1];

	(void)state;
	for (int i = 0; i < 90; i++)
		strcat(rg, "\xF0\x9F\x98\x80");
	snprintf(buf, sizeof buf,
	         "/subscriptions/" GL "/resourceGroups/%s/providers/Microsoft.Network/"
	         "virtualNetworks/%s/subnets/%s",
	         rg, fill(vnet, 'V', 64), fill(sub, 'S', 80));
	ACCEPT_ID(&p, buf);
	assert_int_equal(p.kind, IDK_SUBNET);
	assert_int_equal(p.len, 625);
	assert_int_equal(p.rg.len, 360);
	assert_int_equal(p.name.len, 64);
	assert_int_equal(p.child.len, 80);
	assert_string_equal(p.display, buf);
}

/* R1.4 */
static void test_id_rejects_unknown_providers_and_types(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Compute/virtualMachines/vm",
	                  "unknown provider namespace \"Microsoft.Compute\"");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Networks/virtualNetworks/v",
	                  "unknown provider namespace");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/publicIPAddresses/ip",
	                  "unknown resource type \"publicIPAddresses\"");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/virtualNetwork/v",
	                  "unknown resource type");
	REJECT_ID_BECAUSE(VNET_ID "/peerings/p", "unknown child resource type \"peerings\"");
	REJECT_ID_BECAUSE(RG_ID "/provider/Microsoft.Network/virtualNetworks/v", "unknown segment");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourcegroup/rg", "unknown resource type");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/providers/Microsoft.Network/virtualNetworks/v",
	                  "unknown resource type");
	REJECT_ID_BECAUSE("/providers/Microsoft.Authorization/roleDefinitions/x",
	                  "unknown provider namespace \"Microsoft.Authorization\"");
	REJECT_ID_BECAUSE("/providers/Microsoft.Management/managementGroup/mg",
	                  "unknown resource type");
	REJECT_ID_BECAUSE("/tenants/" GL, "must start with");
	REJECT_ID_BECAUSE("/resourceGroups/rg", "must start with");
	REJECT_ID_BECAUSE("/subscription/" GL, "must start with");
	REJECT_ID_BECAUSE(GL, "must start with");
}

/* R1.4 */
static void test_id_rejects_missing_segments(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE("/subscriptions", "ends before the subscription");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups", "ends before the resource group");
	REJECT_ID_BECAUSE(RG_ID "/providers", "ends too early");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network", "ends before the resource type");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/virtualNetworks", "ends before");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/networkManagers", "ends before");
	REJECT_ID_BECAUSE(VNET_ID "/subnets", "ends before the subnet name");
	REJECT_ID_BECAUSE("/providers", "ends too early");
	REJECT_ID_BECAUSE("/providers/Microsoft.Management", "ends too early");
	REJECT_ID_BECAUSE("/providers/Microsoft.Management/managementGroups", "ends before");
}

/* R1.4 */
static void test_id_rejects_extra_segments(void **state)
{
	(void)state;
	REJECT_ID_BECAUSE("/providers/Microsoft.Management/managementGroups/mg/x",
	                  "unexpected segments after the management group id");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/networkManagers/m/x",
	                  "unexpected segments after the network manager name");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/networkManagers/m/"
	                        "connectivityConfigurations/c",
	                  "unexpected segments");
	REJECT_ID_BECAUSE(VNET_ID "/subnets/s/x", "unexpected segments after the subnet name");
	REJECT_ID_BECAUSE(VNET_ID "/subnets/s/ipConfigurations/a/b/c/d/e/f/g/h",
	                  "unexpected segments");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/x", "unknown resource type");
	REJECT_ID_BECAUSE(RG_ID "/x", "unknown segment");
	REJECT_ID_BECAUSE(VNET_ID "/x", "unknown child resource type");
}

/* R1.1 R1.4: the subscription GUID inside an id follows guid_parse's rules. */
static void test_id_guid_inside(void **state)
{
	struct idparts p;

	(void)state;
	REJECT_ID_BECAUSE("/subscriptions/{" GL "}", "braces");
	REJECT_ID_BECAUSE("/subscriptions/{" GL "}/resourceGroups/rg", "braces");
	REJECT_ID_BECAUSE("/subscriptions/0f8fad5bd9cb469fa16570867728950e", "dashes");
	REJECT_ID_BECAUSE("/subscriptions/0f8fad5b-d9cb-469f-a165-70867728950", "36 characters");
	REJECT_ID_BECAUSE("/subscriptions/0f8fad5b-d9cb-469f-a165-70867728950e0", "36 characters");
	REJECT_ID_BECAUSE("/subscriptions/0f8fad5b-d9cb-469f-a165-70867728950x", "hex digits");
	REJECT_ID_BECAUSE("/subscriptions/my-subscription", "subscription");
	ACCEPT_ID(&p, "/subscriptions/" GU "/resourceGroups/rg");
	assert_string_equal(p.sub, GL);
	assert_memory_equal(p.key + strlen("/subscriptions/"), GL, GUID_LEN);
	assert_memory_equal(p.display + strlen("/subscriptions/"), GU, GUID_LEN);
}

/* A failed parse must not leave a previous result looking valid. */
static void test_id_failure_clears_result(void **state)
{
	struct idparts p;
	char m[MSG_SIZE];

	(void)state;
	ACCEPT_ID(&p, VNET_ID);
	assert_int_equal(id_parse(&p, VNET_ID "/", m, sizeof m), -1);
	assert_int_equal(p.kind, 0);
	assert_int_equal(p.len, 0);
	assert_string_equal(p.key, "");
	assert_string_equal(p.display, "");
	assert_string_equal(p.sub, "");
	CHECK_NO_SEG(p.rg);
	CHECK_NO_SEG(p.name);
}

/* ------------------------------------------------------------------------ */
/* Names (R1.5) */

#define MG_ID "/providers/Microsoft.Management/managementGroups/"

/* R1.5 */
static void test_name_mg(void **state)
{
	char b[128], id[256];
	struct idparts p;

	(void)state;
	assert_true(name_valid_mg("a", 1));
	assert_true(name_valid_mg(fill(b, 'm', 90), 90));
	assert_false(name_valid_mg(fill(b, 'm', 91), 91));
	assert_false(name_valid_mg("", 0));
	assert_false(name_valid_mg(NULL, 0));
	assert_true(name_valid_mg("Mg-1_(x).y", 10));
	assert_true(name_valid_mg(".a", 2));
	assert_true(name_valid_mg("(", 1));
	assert_false(name_valid_mg("a.", 2));
	assert_false(name_valid_mg(".", 1));
	assert_false(name_valid_mg("a b", 3));
	assert_false(name_valid_mg("a/b", 3));
	assert_false(name_valid_mg("a@b", 3));
	assert_false(name_valid_mg("caf\xC3\xA9", 5)); /* ASCII only */
	assert_false(name_valid_mg("a\0b", 3));
	/* The span is what counts: a prefix of an invalid string can be valid. */
	assert_true(name_valid_mg("ab.", 2));

	snprintf(id, sizeof id, MG_ID "%s", fill(b, 'm', 90));
	ACCEPT_ID(&p, id);
	assert_int_equal(p.mg.len, 90);
	snprintf(id, sizeof id, MG_ID "%s", fill(b, 'm', 91));
	REJECT_ID_BECAUSE(id, "longer than 90");
	REJECT_ID_BECAUSE(MG_ID "mg.", "must not end with '.'");
	REJECT_ID_BECAUSE(MG_ID "m\xC3\xA9", "may only contain");
	REJECT_ID_BECAUSE(MG_ID "m@g", "may only contain");
	ACCEPT_ID(&p, MG_ID "m");
}

/* R1.5 */
static void test_name_rg(void **state)
{
	char b[512], id[600];
	struct idparts p;

	(void)state;
	assert_true(name_valid_rg("r", 1));
	assert_true(name_valid_rg(fill(b, 'r', 90), 90));
	assert_false(name_valid_rg(fill(b, 'r', 91), 91));
	assert_false(name_valid_rg("", 0));
	assert_false(name_valid_rg(NULL, 0));
	assert_true(name_valid_rg("R-1_(x).y", 9));
	assert_false(name_valid_rg("rg.", 3));
	assert_false(name_valid_rg("r g", 3));
	assert_false(name_valid_rg("r@g", 3));
	assert_false(name_valid_rg("r/g", 3));
	assert_false(name_valid_rg("r\0g", 3));
	assert_true(name_valid_rg("\xC3\xA9", 2));
	assert_true(name_valid_rg("caf\xC3\xA9", 5));
	assert_true(name_valid_rg("\xC3\xA9.", 2)); /* span excludes the '.' */
	assert_false(name_valid_rg("\xC3\xA9.", 3));
	assert_false(name_valid_rg("\xC3", 1));       /* truncated UTF-8 */
	assert_false(name_valid_rg("\xC0\xAF", 2));
	assert_false(name_valid_rg("a\xC2\xA0" "b", 4)); /* U+00A0 */
	assert_false(name_valid_rg("a\xE2\x80\x8B" "b", 5)); /* U+200B */
	assert_false(name_valid_rg("a\xEF\xBB\xBF" "b", 5)); /* U+FEFF */

	/* The limit counts characters, not bytes. */
	b[0] = '\0';
	for (int i = 0; i < 90; i++)
		strcat(b, "\xC3\xA9");
	assert_true(name_valid_rg(b, 180));
	strcat(b, "\xC3\xA9");
	assert_false(name_valid_rg(b, 182));
	fill(b, 'r', 89);
	strcat(b, "\xC3\xA9");
	assert_true(name_valid_rg(b, 91));

	snprintf(id, sizeof id, "/subscriptions/" GL "/resourceGroups/%s", fill(b, 'r', 90));
	ACCEPT_ID(&p, id);
	assert_int_equal(p.rg.len, 90);
	snprintf(id, sizeof id, "/subscriptions/" GL "/resourceGroups/%s", fill(b, 'r', 91));
	REJECT_ID_BECAUSE(id, "longer than 90");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/rg.", "must not end with '.'");
	REJECT_ID_BECAUSE("/subscriptions/" GL "/resourceGroups/r@g", "may only contain");
	ACCEPT_ID(&p, "/subscriptions/" GL "/resourceGroups/r");
	ACCEPT_ID(&p, "/subscriptions/" GL "/resourceGroups/(.)_-");
}

/* R1.5 */
static void test_name_vnet(void **state)
{
	char b[128], id[512];
	struct idparts p;

	(void)state;
	assert_false(name_valid_vnet("v", 1));
	assert_true(name_valid_vnet("v1", 2));
	assert_true(name_valid_vnet(fill(b, 'v', 64), 64));
	assert_false(name_valid_vnet(fill(b, 'v', 65), 65));
	assert_false(name_valid_vnet("", 0));
	assert_false(name_valid_vnet(NULL, 0));
	assert_true(name_valid_vnet("9a", 2));
	assert_true(name_valid_vnet("a_", 2));
	assert_true(name_valid_vnet("a.-_b", 5));
	assert_false(name_valid_vnet("_a", 2));
	assert_false(name_valid_vnet(".a", 2));
	assert_false(name_valid_vnet("-a", 2));
	assert_false(name_valid_vnet("a.", 2));
	assert_false(name_valid_vnet("a-", 2));
	assert_false(name_valid_vnet("a(b)", 4));
	assert_false(name_valid_vnet("a b", 3));
	assert_false(name_valid_vnet("v\xC3\xA9", 3));

	snprintf(id, sizeof id, RG_ID "/providers/Microsoft.Network/virtualNetworks/%s",
	         fill(b, 'v', 64));
	ACCEPT_ID(&p, id);
	assert_int_equal(p.name.len, 64);
	snprintf(id, sizeof id, RG_ID "/providers/Microsoft.Network/virtualNetworks/%s",
	         fill(b, 'v', 65));
	REJECT_ID_BECAUSE(id, "2 to 64 characters");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/virtualNetworks/v", "2 to 64");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/virtualNetworks/_v", "must start");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/virtualNetworks/v-", "must end");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/virtualNetworks/v(1)",
	                  "may only contain");
	ACCEPT_ID(&p, RG_ID "/providers/Microsoft.Network/virtualNetworks/v_");
}

/* R1.5 (subnet names: 1-80, same character rules as virtual networks) */
static void test_name_subnet(void **state)
{
	char b[128], id[512];
	struct idparts p;

	(void)state;
	assert_true(name_valid_subnet("s", 1));
	assert_true(name_valid_subnet(fill(b, 's', 80), 80));
	assert_false(name_valid_subnet(fill(b, 's', 81), 81));
	assert_false(name_valid_subnet("", 0));
	assert_false(name_valid_subnet("_", 1));
	assert_false(name_valid_subnet("_s", 2));
	assert_true(name_valid_subnet("s_", 2));
	assert_false(name_valid_subnet("s.", 2));
	assert_false(name_valid_subnet("s-", 2));

	snprintf(id, sizeof id, VNET_ID "/subnets/%s", fill(b, 's', 80));
	ACCEPT_ID(&p, id);
	assert_int_equal(p.child.len, 80);
	snprintf(id, sizeof id, VNET_ID "/subnets/%s", fill(b, 's', 81));
	REJECT_ID_BECAUSE(id, "1 to 80 characters");
	REJECT_ID_BECAUSE(VNET_ID "/subnets/.s", "must start");
	REJECT_ID_BECAUSE(VNET_ID "/subnets/s.", "must end");
}

/* R1.5: ^[0-9a-zA-Z]([0-9a-zA-Z_.-]{0,62}[0-9a-zA-Z_])?$ */
static void test_name_resource(void **state)
{
	char b[128], id[512];
	struct idparts p;

	(void)state;
	assert_true(name_valid_resource("m", 1));
	assert_true(name_valid_resource("7", 1));
	assert_false(name_valid_resource("_", 1));
	assert_false(name_valid_resource(".", 1));
	assert_false(name_valid_resource("-", 1));
	assert_false(name_valid_resource("", 0));
	assert_false(name_valid_resource(NULL, 0));
	assert_true(name_valid_resource("m_", 2));
	assert_false(name_valid_resource("m.", 2));
	assert_false(name_valid_resource("m-", 2));
	assert_true(name_valid_resource("a-._b", 5));
	assert_false(name_valid_resource("_m", 2));
	assert_true(name_valid_resource(fill(b, 'm', 64), 64));
	assert_false(name_valid_resource(fill(b, 'm', 65), 65));
	fill(b, 'm', 64);
	b[0] = '_';
	assert_false(name_valid_resource(b, 64));
	fill(b, 'm', 64);
	b[63] = '-';
	assert_false(name_valid_resource(b, 64));
	b[63] = '_';
	assert_true(name_valid_resource(b, 64));
	assert_false(name_valid_resource("a b", 3));
	assert_false(name_valid_resource("a(b)", 4));

	snprintf(id, sizeof id, RG_ID "/providers/Microsoft.Network/networkManagers/%s",
	         fill(b, 'm', 64));
	ACCEPT_ID(&p, id);
	assert_int_equal(p.name.len, 64);
	snprintf(id, sizeof id, RG_ID "/providers/Microsoft.Network/networkManagers/%s",
	         fill(b, 'm', 65));
	REJECT_ID_BECAUSE(id, "1 to 64 characters");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/networkManagers/_m", "must start");
	REJECT_ID_BECAUSE(RG_ID "/providers/Microsoft.Network/networkManagers/m.", "must end");
	ACCEPT_ID(&p, RG_ID "/providers/Microsoft.Network/networkManagers/m");
}

/* R1.5 (principal names) */
static void test_name_principal(void **state)
{
	char b[160];

	(void)state;
	assert_true(name_valid_principal("a", 1));
	assert_true(name_valid_principal("alice@contoso.com", 17));
	assert_true(name_valid_principal("svc-ops_1", 9));
	assert_true(name_valid_principal(fill(b, 'p', 128), 128));
	assert_false(name_valid_principal(fill(b, 'p', 129), 129));
	assert_false(name_valid_principal("", 0));
	assert_false(name_valid_principal(NULL, 0));
	assert_false(name_valid_principal("a b", 3));
	assert_false(name_valid_principal("a/b", 3));
	assert_false(name_valid_principal("a+b", 3));
	assert_false(name_valid_principal("a\0b", 3));
	assert_false(name_valid_principal("\xC3\xA9", 2));
}

/* ------------------------------------------------------------------------ */
/* Tags */

static void test_tag_key(void **state)
{
	char b[600];

	(void)state;
	assert_true(tag_key_valid("env", 3));
	assert_true(tag_key_valid("Cost-Center.v2_x:y", 18));
	assert_true(tag_key_valid("caf\xC3\xA9", 5));
	assert_true(tag_key_valid(fill(b, 'k', 512), 512));
	assert_false(tag_key_valid(fill(b, 'k', 513), 513));
	assert_false(tag_key_valid("", 0));
	assert_false(tag_key_valid(NULL, 0));
	assert_false(tag_key_valid("a<b", 3));
	assert_false(tag_key_valid("a>b", 3));
	assert_false(tag_key_valid("a%b", 3));
	assert_false(tag_key_valid("a&b", 3));
	assert_false(tag_key_valid("a\\b", 3));
	assert_false(tag_key_valid("a?b", 3));
	assert_false(tag_key_valid("a/b", 3));
	/* Whatever id_parse refuses. */
	assert_false(tag_key_valid("a b", 3));
	assert_false(tag_key_valid("a\tb", 3));
	assert_false(tag_key_valid("a\0b", 3));
	assert_false(tag_key_valid("a\x7F", 2));
	assert_false(tag_key_valid("a\xC0\xAF", 3));
	assert_false(tag_key_valid("a\xED\xA0\x80", 4));
	assert_false(tag_key_valid("a\x80", 2));
	assert_false(tag_key_valid("a\xC2\xA0", 3));
	assert_false(tag_key_valid("a\xE2\x80\x8B", 4));
	assert_false(tag_key_valid("\xEF\xBB\xBF" "a", 4));
	assert_false(tag_key_valid("a\xC2\x85", 3));
	/* The span is what counts. */
	assert_true(tag_key_valid("ab/", 2));
}

static void test_tag_value(void **state)
{
	char b[300];

	(void)state;
	assert_true(tag_value_valid("", 0));
	assert_true(tag_value_valid(NULL, 0));
	assert_true(tag_value_valid("prod", 4));
	assert_true(tag_value_valid("a b/c%d&e<f>g?h\\i", 17));
	assert_true(tag_value_valid("caf\xC3\xA9", 5));
	assert_true(tag_value_valid("\xE2\x80\x8B", 3)); /* not a control character */
	assert_true(tag_value_valid(fill(b, 'v', 256), 256));
	assert_false(tag_value_valid(fill(b, 'v', 257), 257));
	assert_false(tag_value_valid(NULL, 1));
	assert_false(tag_value_valid("a\tb", 3));
	assert_false(tag_value_valid("a\nb", 3));
	assert_false(tag_value_valid("a\0b", 3));
	assert_false(tag_value_valid("a\x01", 2));
	assert_false(tag_value_valid("a\x7F", 2));
	assert_false(tag_value_valid("a\xC2\x85", 3));   /* C1 NEL */
	assert_false(tag_value_valid("a\xC0\xAF", 3));   /* overlong */
	assert_false(tag_value_valid("a\xED\xA0\x80", 4)); /* surrogate */
	assert_false(tag_value_valid("a\x80", 2));
	assert_false(tag_value_valid("a\xC3", 2));
}

/* ------------------------------------------------------------------------ */
/* References */

/* R1.1 R1.2 */
static void test_sub_ref_parse(void **state)
{
	char out[GUID_LEN + 1];
	char m[MSG_SIZE] = "";

	(void)state;
	assert_int_equal(sub_ref_parse(out, GL, m, sizeof m), 0);
	assert_string_equal(out, GL);
	assert_int_equal(sub_ref_parse(out, GU, m, sizeof m), 0);
	assert_string_equal(out, GL);
	assert_int_equal(sub_ref_parse(out, "/subscriptions/" GM, m, sizeof m), 0);
	assert_string_equal(out, GL);
	assert_int_equal(sub_ref_parse(out, "subscriptions/" GU, m, sizeof m), 0);
	assert_string_equal(out, GL);
	assert_int_equal(sub_ref_parse(out, "/SubScriptions/" GL, m, sizeof m), 0);
	assert_string_equal(out, GL);
	assert_string_equal(m, "");
}

#define REJECT_SUB(text, why)                                                \
	do {                                                                 \
		char o_[GUID_LEN + 1] = "x";                                 \
		char m_[MSG_SIZE] = "";                                      \
		assert_int_equal(sub_ref_parse(o_, (text), m_, sizeof m_), -1); \
		check_message(m_);                                           \
		assert_non_null(strstr(m_, (why)));                          \
		assert_string_equal(o_, "");                                 \
	} while (0)

/* R1.1 R1.2 R1.4 */
static void test_sub_ref_parse_rejects(void **state)
{
	(void)state;
	REJECT_SUB("{" GL "}", "braces");
	REJECT_SUB("/subscriptions/{" GL "}", "braces");
	REJECT_SUB("0f8fad5bd9cb469fa16570867728950e", "dashes");
	REJECT_SUB("/subscriptions/" GL "/", "ends with '/'");
	REJECT_SUB("//subscriptions/" GL, "empty segment");
	REJECT_SUB(RG_ID, "names a resource group, not a subscription");
	REJECT_SUB(MG_ID "mg", "names a management group, not a subscription");
	REJECT_SUB("/subscriptions/" GL "/x", "unknown resource type");
	REJECT_SUB(" " GL, "36 characters");
	REJECT_SUB("0f8fad5b-d9cb-469f-a165-7086772895 e", "hex digits");
	REJECT_SUB("", "empty");
	REJECT_SUB(NULL, "GUID");
}

/* R1.2 R1.5 */
static void test_mg_ref_parse(void **state)
{
	char key[MG_NAME_MAX + 1], disp[MG_NAME_MAX + 1];
	char m[MSG_SIZE] = "";
	char b[128], id[256];

	(void)state;
	assert_int_equal(mg_ref_parse(key, disp, "mg-prod", m, sizeof m), 0);
	assert_string_equal(key, "mg-prod");
	assert_string_equal(disp, "mg-prod");
	assert_int_equal(mg_ref_parse(key, disp, "MG-Prod", m, sizeof m), 0);
	assert_string_equal(key, "mg-prod");
	assert_string_equal(disp, "MG-Prod");
	assert_int_equal(mg_ref_parse(key, disp, MG_ID "MG-Prod", m, sizeof m), 0);
	assert_string_equal(key, "mg-prod");
	assert_string_equal(disp, "MG-Prod");
	assert_int_equal(mg_ref_parse(key, disp, "PROVIDERS/Microsoft.management/"
	                                         "ManagementGroups/Root(1)", m, sizeof m), 0);
	assert_string_equal(key, "root(1)");
	assert_string_equal(disp, "Root(1)");
	assert_int_equal(mg_ref_parse(key, disp, fill(b, 'M', 90), m, sizeof m), 0);
	assert_string_equal(key, fill(b, 'm', 90));
	assert_string_equal(disp, fill(b, 'M', 90));
	snprintf(id, sizeof id, MG_ID "%s", fill(b, 'M', 90));
	assert_int_equal(mg_ref_parse(key, disp, id, m, sizeof m), 0);
	assert_string_equal(key, fill(b, 'm', 90));
	assert_string_equal(m, "");
}

#define REJECT_MG(text, why)                                                 \
	do {                                                                 \
		char k_[MG_NAME_MAX + 1] = "x", d_[MG_NAME_MAX + 1] = "x";  \
		char m_[MSG_SIZE] = "";                                      \
		assert_int_equal(mg_ref_parse(k_, d_, (text), m_, sizeof m_), -1); \
		check_message(m_);                                           \
		assert_non_null(strstr(m_, (why)));                          \
		assert_string_equal(k_, "");                                 \
		assert_string_equal(d_, "");                                 \
	} while (0)

/* R1.2 R1.4 R1.5 */
static void test_mg_ref_parse_rejects(void **state)
{
	char b[128], id[256];

	(void)state;
	REJECT_MG(fill(b, 'm', 91), "longer than 90");
	REJECT_MG(fill(b, 'm', 120), "longer than 90");
	snprintf(id, sizeof id, MG_ID "%s", fill(b, 'm', 91));
	REJECT_MG(id, "longer than 90");
	REJECT_MG("mg.", "must not end with '.'");
	REJECT_MG("", "empty");
	REJECT_MG("m g", "may only contain");
	REJECT_MG("m%20g", "may only contain");
	REJECT_MG(MG_ID "mg/", "ends with '/'");
	REJECT_MG(MG_ID "mg/x", "unexpected segments");
	REJECT_MG("/subscriptions/" GL, "names a subscription, not a management group");
	REJECT_MG("/providers/Microsoft.Management/mg", "unknown resource type");
	REJECT_MG(NULL, "required");
}

/* ------------------------------------------------------------------------ */
/* ascii_lower */

/* R1.3 */
static void test_ascii_lower(void **state)
{
	char src[256], dst[256];

	(void)state;
	for (int i = 0; i < 256; i++)
		src[i] = (char)(unsigned char)i;
	ascii_lower(dst, src, sizeof src);
	for (int i = 0; i < 256; i++) {
		int want = (i >= 'A' && i <= 'Z') ? i - 'A' + 'a' : i;

		assert_int_equal((unsigned char)dst[i], want);
	}

	/* In place, and only n bytes. */
	strcpy(src, "ABC-\xC3\x89\xC3\xA9-XyZ");
	ascii_lower(src, src, 10);
	assert_string_equal(src, "abc-\xC3\x89\xC3\xA9-xyZ");
	ascii_lower(dst, "Q", 0);

	/* Every length up to 64 (blocks of 16 and 8 and the overlapping tails), apart and in
	 * place: exactly n bytes lower-cased, none after them touched. */
	for (size_t n = 0; n <= 64; n++) {
		char in[80], out[80], place[80];
		for (size_t i = 0; i < sizeof in; i++)
			in[i] = "AbZ@[`{z\xC3\x89Y-09mQ"[i % 15];
		memset(out, '#', sizeof out);
		memcpy(place, in, sizeof in);
		ascii_lower(out, in, n);
		ascii_lower(place, place, n);
		for (size_t i = 0; i < sizeof in; i++) {
			unsigned char c = (unsigned char)in[i];
			int want = i >= n ? '#' : (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
			assert_int_equal((unsigned char)out[i], want);
			assert_int_equal((unsigned char)place[i], i >= n ? c : (unsigned)want);
		}
	}
}

/* The word-at-a-time helpers against byte-at-a-time answers, at every length and
 * offset up to 200 bytes (their blocks of 8 and 16 and the overlapping tails), with a
 * letter-case pattern that differs at each position. */
static void test_case_helpers(void **state)
{
	char key[256], given[256], other[256];
	unsigned char bits[40];
	(void)state;
	for (size_t n = 0; n <= 200; n++) {
		for (size_t flip = 0; flip <= n; flip++) {
			/* a lower-case key of letters, digits and punctuation; given is the key
			 * with upper-case letters where (i * 7 + flip) % 5 == 0 */
			for (size_t i = 0; i < n; i++) {
				static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789-./_";
				key[i] = alphabet[(i * 13 + n) % (sizeof alphabet - 1)];
				int up = (i * 7 + flip) % 5 == 0 && key[i] >= 'a' && key[i] <= 'z';
				given[i] = up ? (char)(key[i] - 'a' + 'A') : key[i];
			}
			key[n] = given[n] = '\0';
			int any = case_bits(bits, given, key, n), want_any = 0;
			for (size_t i = 0; i < n; i++) {
				int want = given[i] != key[i];
				want_any |= want;
				assert_int_equal(bits[i / 8] >> (i % 8) & 1, want);
			}
			for (size_t i = n; i < (n + 7) / 8 * 8; i++) assert_int_equal(bits[i / 8] >> (i % 8) & 1, 0);
			assert_int_equal(any, want_any);
			assert_true(eq_lower(key, given, n));
			/* one byte changed anywhere: not equal any more */
			if (flip < n) {
				memcpy(other, given, n + 1);
				other[flip] = other[flip] == '#' ? '$' : '#';
				assert_false(eq_lower(key, other, n));
			}
		}
	}
	/* upper-case letters only match their lower case; other bytes only themselves */
	assert_true(eq_lower("microsoft.network-0123456789", "MICROSOFT.NETWORK-0123456789", 28));
	assert_false(eq_lower("@[`{", "`{@[", 4));
	assert_false(eq_lower("\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9\xe9",
	                      "\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9\xc9", 17));
}

/* The fast check of network ids (vnet_id_sub) against the parser: it accepts the usual
 * forms, and whatever it accepts the whole grammar (id_parse_full) accepts as a network
 * of the same subscription, with every part as id_parse's fast path gives it, through
 * every one-byte change, deletion and insertion. */
static int fast_agrees(const char *id)
{
	const char *sub = id + VNET_SUB_AT;
	static struct idparts p, f;
	if (!vnet_id_sub(id, strlen(id))) return 0;
	if (id_parse_full(&p, id, NULL, 0) != 0 || p.kind != IDK_VNET) {
		print_error("vnet_id_sub accepts what id_parse does not: \"%s\"\n", id);
		fail();
	}
	for (size_t i = 0; i < GUID_LEN; i++)
		assert_int_equal(p.sub[i], sub[i] >= 'A' && sub[i] <= 'Z' ? sub[i] - 'A' + 'a' : sub[i]);
	assert_int_equal(id_parse(&f, id, NULL, 0), 0);
	assert_int_equal(f.kind, p.kind);
	assert_int_equal(f.len, p.len);
	assert_string_equal(f.key, p.key);
	assert_string_equal(f.display, p.display);
	assert_string_equal(f.sub, p.sub);
	const struct idseg *fs[] = { &f.mg, &f.rg, &f.name, &f.child };
	const struct idseg *ps[] = { &p.mg, &p.rg, &p.name, &p.child };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(fs[i]->off, ps[i]->off);
		assert_int_equal(fs[i]->len, ps[i]->len);
	}
	return 1;
}

static void test_vnet_fast_path(void **state)
{
	static const char *const good[] = {
		"/subscriptions/a0000000-0000-0000-0000-000000000001/resourceGroups/rg-net/providers/"
		"Microsoft.Network/virtualNetworks/vnet-a1",
		"/SUBSCRIPTIONS/A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D/RESOURCEGROUPS/RG.(x)_y-z/PROVIDERS/"
		"MICROSOFT.NETWORK/VIRTUALNETWORKS/Vn_.-9",
		"/subscriptions/a0000000-0000-0000-0000-000000000001/resourcegroups/r/providers/"
		"microsoft.network/virtualnetworks/v_",
		"/subscriptions/a0000000-0000-0000-0000-000000000001/resourceGroups/"
		"r23456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"
		"/providers/Microsoft.Network/virtualNetworks/"
		"v234567890123456789012345678901234567890123456789012345678901234",
	};
	static const char bytes[] = { 0x01, 0x1f, ' ', '%', '/', '.', '(', ')', '_', '-', '0', 'A',
		                          'z', '{', '~', 0x7f, (char)0x80, (char)0xc3, (char)0xe9 };
	char m[400];
	size_t accepted = 0, tried = 0;
	(void)state;
	for (size_t g = 0; g < sizeof good / sizeof good[0]; g++) {
		assert_true(fast_agrees(good[g]));
		size_t n = strlen(good[g]);
		for (size_t i = 0; i <= n; i++) {
			for (size_t b = 0; b < sizeof bytes; b++) {
				/* replaced */
				if (i < n) {
					memcpy(m, good[g], n + 1);
					m[i] = bytes[b];
					accepted += (size_t)fast_agrees(m);
					tried++;
				}
				/* inserted */
				memcpy(m, good[g], i);
				m[i] = bytes[b];
				memcpy(m + i + 1, good[g] + i, n - i + 1);
				accepted += (size_t)fast_agrees(m);
				tried++;
			}
			/* deleted */
			if (i < n) {
				memcpy(m, good[g], i);
				memcpy(m + i, good[g] + i + 1, n - i);
				accepted += (size_t)fast_agrees(m);
				tried++;
			}
		}
	}
	/* most changes keep a valid id (a letter for a letter), some do not */
	assert_true(accepted > 0 && accepted < tried);
	/* the forms left to the parser */
	assert_false(vnet_id_sub("subscriptions/a0000000-0000-0000-0000-000000000001/resourceGroups/"
	                         "rg/providers/Microsoft.Network/virtualNetworks/vn",
	                         strlen("subscriptions/a0000000-0000-0000-0000-000000000001/"
	                                "resourceGroups/rg/providers/Microsoft.Network/"
	                                "virtualNetworks/vn")));
}

/* ------------------------------------------------------------------------ */
/* Messages */

/* R1.4: messages quote at most 80 bytes, escaped, and fit any buffer. */
static void test_messages(void **state)
{
	struct idparts p;
	char m[MSG_SIZE];
	char b[300];
	char tiny[8];

	(void)state;
	/* No buffer: the result alone. */
	assert_int_equal(id_parse(&p, "/x", NULL, 0), -1);
	assert_int_equal(id_parse(&p, "/x", NULL, 100), -1);
	tiny[0] = 'z';
	assert_int_equal(id_parse(&p, "/x", tiny, 0), -1);
	assert_int_equal(tiny[0], 'z');
	assert_int_equal(id_parse(&p, "/x", tiny, 1), -1);
	assert_string_equal(tiny, "");
	assert_int_equal(id_parse(&p, "/x", tiny, sizeof tiny), -1);
	assert_int_equal(strlen(tiny), sizeof tiny - 1);
	assert_int_equal(guid_parse(b, "nope", NULL, 0), -1);
	assert_int_equal(sub_ref_parse(b, "nope", NULL, 0), -1);
	assert_int_equal(mg_ref_parse(b, b + 100, "no pe", NULL, 0), -1);

	/* The input is quoted. */
	assert_int_equal(id_parse(&p, "/tenants/x", m, sizeof m), -1);
	assert_non_null(strstr(m, "\"/tenants/x\""));

	/* Non-printable bytes, and quote and backslash, are escaped as \xHH. */
	assert_int_equal(id_parse(&p, RG_ID "\x01", m, sizeof m), -1);
	assert_non_null(strstr(m, "rg\\x01\""));
	assert_int_equal(id_parse(&p, RG_ID "\xC3\xA9\xC2\xA0", m, sizeof m), -1);
	assert_non_null(strstr(m, "rg\\xC3\\xA9\\xC2\\xA0\""));
	assert_int_equal(id_parse(&p, "/a\"b\\c", m, sizeof m), -1);
	assert_non_null(strstr(m, "\"/a\\x22b\\x5Cc\""));
	check_message(m);

	/* Long input: 80 bytes quoted, then an ellipsis. */
	fill(b, 'y', 200);
	memcpy(b, "/tenants/", 9);
	assert_int_equal(id_parse(&p, b, m, sizeof m), -1);
	b[80] = '\0';
	assert_non_null(strstr(m, b));
	assert_non_null(strstr(m, "yyy\"..."));
	/* "/tenants/" is 9 of the 80 bytes: 71 'y' are quoted, not 72. */
	assert_null(strstr(m, fill(b, 'y', 72)));
	assert_non_null(strstr(m, fill(b, 'y', 71)));
	check_message(m);

	/* Exactly 80 bytes: quoted whole, no ellipsis. */
	fill(b, 'y', 80);
	memcpy(b, "/tenants/", 9);
	assert_int_equal(id_parse(&p, b, m, sizeof m), -1);
	assert_null(strstr(m, "..."));
	assert_non_null(strstr(m, b));

	/* Worst case: 80 escaped bytes still make one line. */
	fill(b, '\x01', 200);
	assert_int_equal(id_parse(&p, b, m, sizeof m), -1);
	check_message(m);
	assert_null(strchr(m, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guid_accepts_any_case),
		cmocka_unit_test(test_guid_rejects),
		cmocka_unit_test(test_guid_message_explains),
		cmocka_unit_test(test_id_subscription),
		cmocka_unit_test(test_id_management_group),
		cmocka_unit_test(test_id_resource_group),
		cmocka_unit_test(test_id_vnet),
		cmocka_unit_test(test_id_subnet),
		cmocka_unit_test(test_id_manager),
		cmocka_unit_test(test_id_key_display_same_shape),
		cmocka_unit_test(test_id_rg_non_ascii_not_folded),
		cmocka_unit_test(test_id_rejects_empty_segments),
		cmocka_unit_test(test_id_rejects_trailing_slash),
		cmocka_unit_test(test_id_rejects_dot_segments),
		cmocka_unit_test(test_id_rejects_percent),
		cmocka_unit_test(test_id_rejects_whitespace_and_controls),
		cmocka_unit_test(test_id_rejects_invalid_utf8),
		cmocka_unit_test(test_id_rejects_unicode_space_and_format),
		cmocka_unit_test(test_id_unicode_range_edges_accepted),
		cmocka_unit_test(test_id_length_boundary),
		cmocka_unit_test(test_id_longest_valid),
		cmocka_unit_test(test_id_rejects_unknown_providers_and_types),
		cmocka_unit_test(test_id_rejects_missing_segments),
		cmocka_unit_test(test_id_rejects_extra_segments),
		cmocka_unit_test(test_id_guid_inside),
		cmocka_unit_test(test_id_failure_clears_result),
		cmocka_unit_test(test_name_mg),
		cmocka_unit_test(test_name_rg),
		cmocka_unit_test(test_name_vnet),
		cmocka_unit_test(test_name_subnet),
		cmocka_unit_test(test_name_resource),
		cmocka_unit_test(test_name_principal),
		cmocka_unit_test(test_tag_key),
		cmocka_unit_test(test_tag_value),
		cmocka_unit_test(test_sub_ref_parse),
		cmocka_unit_test(test_sub_ref_parse_rejects),
		cmocka_unit_test(test_mg_ref_parse),
		cmocka_unit_test(test_mg_ref_parse_rejects),
		cmocka_unit_test(test_ascii_lower),
		cmocka_unit_test(test_case_helpers),
		cmocka_unit_test(test_vnet_fast_path),
		cmocka_unit_test(test_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
