/* ip6.c - see ip6.h */
#include "lib/ip6.h"

#include <netinet/in.h>
#include <string.h>

#include "lib/bytes.h"

int ip6_walk(const uint8_t *b, size_t len, struct ip6_info *info)
{
	size_t off = 40;
	uint8_t nh = b[6];

	memset(info, 0, sizeof(*info));
	info->nh_at = 6;
	for (unsigned n = 0; n <= IP6_MAX_EXT; n++) {
		size_t hl;

		switch (nh) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (len < off + 8)
				return -1;
			hl = ((size_t)b[off + 1] + 1) * 8;
			if (nh == IPPROTO_ROUTING && b[off + 3] != 0 && !info->segleft_at)
				info->segleft_at = off + 3;
			break;
		case IPPROTO_AH: /* RFC 4302 2.2: length in 4-octet units, minus 2 */
			if (len < off + 8)
				return -1;
			hl = ((size_t)b[off + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT:
			if (len < off + 8 || info->frag)
				return -1;
			info->frag = true;
			info->frag_off = get16(b + off + 2) & 0xfff8;
			info->frag_more = b[off + 3] & 1;
			info->frag_id = get32(b + off + 4);
			info->ext_after_frag = ip6_is_ext(b[off]);
			hl = 8;
			if (info->frag_off) {
				info->proto = b[off];
				info->l4off = off + hl;
				return 0;
			}
			break;
		default:
			info->proto = nh;
			info->l4off = off;
			return 0;
		}
		if (hl > len - off)
			return -1;
		nh = b[off];
		info->nh_at = off;
		off += hl;
	}
	return -1;
}
