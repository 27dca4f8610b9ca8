/* privsep.c - the channel between the privileged parent and its translator
 * children (framing; privsep.h), and what the parent refuses to read. */
#include "daemon/privsep.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/conf_paths.h"
#include "lib/log.h"
#include "lib/safe_path.h"
#include "daemon/sandbox.h"
#include "io/tun.h"
#include "daemon/tunconf.h"

#define MSG_CONF 'C'
#define MSG_FAILED 'F'      /* a reload the parent refused: no configuration */
#define MSG_MAX (256u * 1024 * 1024)

static int read_all(int fd, void *buf, size_t n)
{
	char *b = buf;
	while (n) {
		ssize_t r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = EPIPE;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

#define HDR_LEN (2 + 2 * sizeof(uint32_t))

/* Frame: 'C', has-map byte, two 32-bit lengths (host order: both ends are
 * the same binary), the config text, the map-file text. */
struct privsep_frame *privsep_frame_conf(const struct conf_text *t)
{
	uint32_t len[2] = { (uint32_t)t->len, (uint32_t)t->map_len };
	struct privsep_frame *f;
	unsigned char *d;

	if (t->len > MSG_MAX || t->map_len > MSG_MAX) {
		errno = EMSGSIZE;
		return NULL;
	}
	if (!(f = malloc(sizeof(*f) + HDR_LEN + t->len + t->map_len)))
		return NULL;
	f->refs = 1;
	f->len = HDR_LEN + t->len + t->map_len;
	d = f->data;
	d[0] = MSG_CONF;
	d[1] = t->map != NULL;
	memcpy(d + 2, len, sizeof(len));
	if (t->len)
		memcpy(d + HDR_LEN, t->text, t->len);
	if (t->map_len)
		memcpy(d + HDR_LEN + t->len, t->map, t->map_len);
	return f;
}

struct privsep_frame *privsep_frame_failed(void)
{
	static const struct conf_text none;
	struct privsep_frame *f = privsep_frame_conf(&none);

	if (f)
		f->data[0] = MSG_FAILED;
	return f;
}

void privsep_frame_put(struct privsep_frame *f)
{
	if (f && --f->refs == 0)
		free(f);
}

int privsep_frame_send(int fd, const struct privsep_frame *f, size_t *off)
{
	while (*off < f->len) {
		ssize_t w = send(fd, f->data + *off, f->len - *off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (w <= 0)
			return -1;
		*off += (size_t)w;
	}
	return 1;
}

int privsep_request_reload(int fd)
{
	char req = PRIVSEP_REQ_RELOAD;
	ssize_t w;

	while ((w = send(fd, &req, 1, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	/* a full socket holds requests the parent has not read yet */
	return w == 1 || errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
}

int privsep_recv_conf(int fd, struct conf_text *t)
{
	unsigned char hdr[2];
	uint32_t len[2];

	memset(t, 0, sizeof(*t));
	if (read_all(fd, hdr, sizeof(hdr)) != 0 || read_all(fd, len, sizeof(len)) != 0)
		return -1;
	if (hdr[0] == MSG_FAILED && hdr[1] == 0 && len[0] == 0 && len[1] == 0)
		return 1;
	if (hdr[0] != MSG_CONF || hdr[1] > 1 || len[0] > MSG_MAX || len[1] > MSG_MAX) {
		errno = EPROTO;
		return -1;
	}
	t->len = len[0];
	t->map_len = len[1];
	t->text = malloc(t->len + 1);
	t->map = malloc(t->map_len + 1);
	if (!t->text || !t->map) {
		conf_text_free(t);
		errno = ENOMEM;
		return -1;
	}
	if (read_all(fd, t->text, t->len) != 0 || read_all(fd, t->map, t->map_len) != 0) {
		conf_text_free(t);
		return -1;
	}
	t->text[t->len] = '\0';
	t->map[t->map_len] = '\0';
	if (!hdr[1]) {
		free(t->map);
		t->map = NULL;
	}
	return 0;
}

static bool addrs_equal(const struct tun_addr *a, size_t na, const struct tun_addr *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].family != b[i].family || a[i].len != b[i].len ||
		    memcmp(&a[i].a, &b[i].a, a[i].family == AF_INET ? 4 : 16) != 0)
			return false;
	return true;
}

bool conf_iface_changed(const struct config *a, const struct config *b)
{
	return a->tun_up != b->tun_up ||
	       !addrs_equal(a->tun_ips, a->ntun_ips, b->tun_ips, b->ntun_ips) ||
	       !addrs_equal(a->tun_routes, a->ntun_routes, b->tun_routes, b->ntun_routes);
}

/* Is path inside directory dir (both resolved)? */
static bool inside(const char *path, const char *dir)
{
	char rp[PATH_MAX], rd[PATH_MAX];
	size_t n;

	if (!dir || !realpath(path, rp) || !realpath(dir, rd))
		return false;
	n = strlen(rd);
	return strncmp(rp, rd, n) == 0 && (rp[n] == '/' || (n == 1 && rd[0] == '/'));
}

int privsep_check_paths(const char *conf_path, const struct config *c, uid_t uid, gid_t gid,
			char *err, size_t errlen)
{
	const char *paths[2] = { conf_path, c->map_file };
	char why[PATH_MAX];

	if (uid == (uid_t)-1 && gid == (gid_t)-1)
		return 0;
	for (int i = 0; i < 2; i++) {
		if (!paths[i])
			continue;
		if (inside(paths[i], c->data_dir)) {
			snprintf(err, errlen, "%s: refused: it is inside data-dir %s, which belongs to "
				 "the runtime user; keep configuration out of its reach", paths[i],
				 c->data_dir);
			return -1;
		}
		if (safe_path_writable_by(paths[i], uid, gid, why, sizeof(why))) {
			snprintf(err, errlen, "%s: refused: %s can be changed by the runtime user; "
				 "keep configuration out of its reach (only data-dir is its own)",
				 paths[i], why);
			return -1;
		}
	}
	return 0;
}
