/* CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI, ext4 and
 * many journals: better error detection than CRC-32 for the same cost. Slicing by
 * one byte with a table computed once; journals are not the hot path. */
#include "internal.h"

static uint32_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
		table[i] = c;
	}
}

uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
	pthread_once(&table_once, table_init);
	const unsigned char *s = p;
	crc = ~crc;
	while (n--) crc = table[(crc ^ *s++) & 0xffu] ^ (crc >> 8);
	return ~crc;
}
