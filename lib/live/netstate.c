/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The network state of the running host (sp_collect_sockets and
 * sp_collect_network of include/spoor/collect.h): the sockets of
 * /proc/net joined to the processes that hold them through the socket
 * inodes of /proc/PID/fd, the interfaces of /sys/class/net with their
 * addresses, the routes of /proc/net/route and ipv6_route, the ARP cache
 * of /proc/net/arp and the IPv6 neighbours, which only netlink lists (a
 * socket, no program).  The socket tables are read a line at a time; the
 * inode map (one pair per socket descriptor) is the one table held.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "spoor/collect.h"
#include "spoor/time.h"
#include "volatile-procfs.h"
#include "base/util.h"

/* ---- sockets ---- */

struct owner {
	uint64_t inode;
	pid_t pid;
};

struct owners {
	struct owner *v;
	size_t n, cap;
};

static int
cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The socket inodes of each process's descriptors. */
static int
owners_build(struct owners *ow, int proc_fd, struct sp_collect_out *o)
{
	struct dirent *de, *fe;
	char path[48], *target;
	unsigned long long ino;
	DIR *d, *fd_dir;
	pid_t pid, fdn;
	int fd, used;

	if ((fd = dup(proc_fd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return SP_E_OS;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!sp_vol_is_pid(de->d_name, &pid))
			continue;
		snprintf(path, sizeof(path), "%d/fd", (int)pid);
		if ((fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0 || (fd_dir = fdopendir(fd)) == NULL) {
			if (errno == EACCES || errno == EPERM)
				sp_collect_out_problem(o, "sockets",
				    "process %d: fd: %s", (int)pid,
				    strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		while ((fe = readdir(fd_dir)) != NULL) {
			if (!sp_vol_is_pid(fe->d_name, &fdn) &&
			    strcmp(fe->d_name, "0") != 0)
				continue;
			if (sp_vol_readlink(dirfd(fd_dir), fe->d_name,
			    &target) != 0)
				continue;
			used = 0;
			if (sscanf(target, "socket:[%llu]%n", &ino,
			    &used) == 1 && used > 0 && target[used] == '\0') {
				if (sp_array_grow((void **)&ow->v, &ow->cap,
				    ow->n + 1, sizeof(*ow->v)) != SP_OK) {
					free(target);
					closedir(fd_dir);
					closedir(d);
					return SP_E_NOMEM;
				}
				ow->v[ow->n].inode = ino;
				ow->v[ow->n].pid = pid;
				ow->n++;
			}
			free(target);
		}
		closedir(fd_dir);
	}
	closedir(d);
	if (ow->n > 0)
		qsort(ow->v, ow->n, sizeof(*ow->v), cmp_owner);
	return SP_OK;
}

static void
json_pids(struct sp_json *w, const struct owners *ow, uint64_t inode)
{
	size_t lo = 0, hi = ow->n, mid;
	pid_t last = 0;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ow->v[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	sp_json_key(w, "pids");
	sp_json_array_begin(w);
	/* inode 0 is a socket no longer bound to a file: no owner */
	for (; inode != 0 && lo < ow->n && ow->v[lo].inode == inode; lo++) {
		if (ow->v[lo].pid == last)
			continue;
		last = ow->v[lo].pid;
		sp_json_int(w, last);
	}
	sp_json_array_end(w);
}

static void
socket_table(struct sp_collect_out *o, int proc_fd, const char *proto,
    const struct owners *ow, struct sp_json *w)
{
	struct sp_vol_lines r;
	struct sp_vol_span l;
	struct sp_vol_inet in;
	struct sp_vol_unix un;
	char path[32];
	int e, is_unix = strcmp(proto, "unix") == 0;
	int v6 = proto[strlen(proto) - 1] == '6';

	snprintf(path, sizeof(path), "net/%s", proto);
	if ((e = sp_vol_lines_open(&r, proc_fd, path)) != 0) {
		/* no IPv6 in the kernel: no table, no problem */
		if (e != ENOENT)
			sp_collect_out_problem(o, "sockets", "%s: %s", path,
			    strerror(e));
		return;
	}
	while (sp_vol_lines_next(&r, &l)) {
		if (is_unix ? sp_vol_parse_unix(l, &un) != 0 :
		    sp_vol_parse_inet(l, v6, &in) != 0)
			continue;	/* the header, or a malformed line */
		sp_json_object_begin(w);
		if (is_unix)
			sp_vol_json_unix(w, &un);
		else
			sp_vol_json_inet(w, proto, &in);
		json_pids(w, ow, is_unix ? un.inode : in.inode);
		sp_json_object_end(w);
		sp_json_line_end(w);
	}
	if (r.skipped > 0)
		sp_collect_out_problem(o, "sockets", "%s: %llu overlong lines "
		    "skipped", path, (unsigned long long)r.skipped);
	sp_vol_lines_close(&r);
}

int
sp_collect_sockets(struct sp_collect_out *o, const char *proc_root,
    struct sp_err *err)
{
	static const char *const protos[] = {
		"tcp", "tcp6", "udp", "udp6", "raw", "raw6", "unix"
	};
	struct sp_collect_meta meta = { NULL, SP_TIME_NONE, -1, -1, -1, 0, 0 };
	struct owners ow = { NULL, 0, 0 };
	struct sp_vol_item it;
	int proc_fd, rc;
	size_t i;

	if (proc_root == NULL)
		proc_root = "/proc";
	if ((proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    proc_root);
	if ((rc = owners_build(&ow, proc_fd, o)) != SP_OK) {
		close(proc_fd);
		free(ow.v);
		return sp_err_set(err, rc, 0, "sockets: '%s'", proc_root);
	}
	if (sp_vol_item_open(&it) != 0) {
		close(proc_fd);
		free(ow.v);
		return sp_err_set(err, SP_E_NOMEM, 0, "sockets");
	}
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		socket_table(o, proc_fd, protos[i], &ow, &it.w);
	free(ow.v);
	close(proc_fd);
	if (sp_vol_item_close(&it) != 0) {
		free(it.buf);
		return sp_err_set(err, SP_E_NOMEM, 0, "sockets");
	}
	meta.source = proc_root;
	rc = sp_collect_out_add(o, "volatile/sockets.jsonl", "volatile",
	    it.buf, it.len, &meta, err);
	free(it.buf);
	return rc;
}

/* ---- interfaces ---- */

static void
json_if_flags(struct sp_json *w, const char *hex)
{
	static const struct { unsigned long bit; const char *name; } names[] = {
		{ 0x1, "UP" }, { 0x2, "BROADCAST" }, { 0x4, "DEBUG" },
		{ 0x8, "LOOPBACK" }, { 0x10, "POINTOPOINT" },
		{ 0x20, "NOTRAILERS" }, { 0x40, "RUNNING" }, { 0x80, "NOARP" },
		{ 0x100, "PROMISC" }, { 0x200, "ALLMULTI" },
		{ 0x400, "MASTER" }, { 0x800, "SLAVE" },
		{ 0x1000, "MULTICAST" }, { 0x2000, "PORTSEL" },
		{ 0x4000, "AUTOMEDIA" }, { 0x8000, "DYNAMIC" }
	};
	struct sp_strbuf sb = SP_STRBUF_INIT;
	struct sp_vol_span s;
	uint64_t v = 0;
	size_t i;

	s.p = hex;
	s.len = strlen(hex);
	if (s.len > 2 && hex[0] == '0' && hex[1] == 'x') {
		s.p += 2;
		s.len -= 2;
	}
	if (hex[0] == '\0' || sp_vol_u64(s, 16, &v) != 0) {
		sp_json_kv_str(w, "flags", NULL);
		sp_json_kv_bool(w, "promiscuous", 0);
		return;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (v & names[i].bit)
			sp_strbuf_addf(&sb, "%s%s", sb.len ? "," : "",
			    names[i].name);
	sp_json_kv_str(w, "flags", sp_strbuf_str(&sb));
	sp_json_kv_bool(w, "promiscuous", (v & 0x100) != 0);
	sp_strbuf_release(&sb);
}

static char *
sys_attr(int dirfd, const char *name, const char *attr)
{
	char path[512], *v = NULL;

	snprintf(path, sizeof(path), "%s/%s", name, attr);
	if (sp_vol_read_line(dirfd, path, &v) != 0)
		return NULL;
	return v;
}

static void
json_addresses(struct sp_json *w, const char *name, struct ifaddrs *ifa,
    const char *inet6, size_t inet6_len)
{
	const char *p = inet6, *end = inet6 + inet6_len;
	struct sp_vol_inet6_addr a6;
	struct sp_vol_span l;
	char a[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];
	const unsigned char *m;
	int bits, i, b;

	sp_json_key(w, "addresses");
	sp_json_array_begin(w);
	for (; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
		    strcmp(ifa->ifa_name, name) != 0)
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)
		    ifa->ifa_addr)->sin_addr, a, sizeof(a));
		bits = 0;
		if (ifa->ifa_netmask != NULL) {
			m = (const unsigned char *)&((struct sockaddr_in *)
			    (void *)ifa->ifa_netmask)->sin_addr;
			for (i = 0; i < 4; i++)
				for (b = 0; b < 8; b++)
					bits += (m[i] >> b) & 1;
		}
		snprintf(buf, sizeof(buf), "%s/%d", a, bits);
		sp_json_str(w, buf);
	}
	while (sp_vol_next_line(&p, end, &l)) {
		if (sp_vol_parse_if_inet6(l, &a6) != 0 ||
		    a6.iface.len != strlen(name) ||
		    memcmp(a6.iface.p, name, a6.iface.len) != 0)
			continue;
		sp_vol_format_inet6(&a6, buf, sizeof(buf));
		sp_json_str(w, buf);
	}
	sp_json_array_end(w);
}

static void
interfaces(struct sp_collect_out *o, int proc_fd, const char *sys_root,
    struct sp_json *w)
{
	struct ifaddrs *ifa = NULL;
	struct dirent *de;
	char path[4200], *inet6 = NULL, *mac, *flags, *oper, *mtu, *idx;
	size_t inet6_len = 0;
	DIR *d;
	int dfd;

	snprintf(path, sizeof(path), "%s/class/net", sys_root);
	if ((d = opendir(path)) == NULL) {
		sp_collect_out_problem(o, "network", "'%s': %s", path,
		    strerror(errno));
		return;
	}
	dfd = dirfd(d);
	if (getifaddrs(&ifa) != 0) {
		sp_collect_out_problem(o, "network", "getifaddrs: %s",
		    strerror(errno));
		ifa = NULL;
	}
	(void)sp_vol_read(proc_fd, "net/if_inet6", SP_VOL_READ_MAX, &inet6,
	    &inet6_len, NULL);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		mac = sys_attr(dfd, de->d_name, "address");
		flags = sys_attr(dfd, de->d_name, "flags");
		oper = sys_attr(dfd, de->d_name, "operstate");
		mtu = sys_attr(dfd, de->d_name, "mtu");
		idx = sys_attr(dfd, de->d_name, "ifindex");
		sp_json_object_begin(w);
		sp_json_kv_int(w, "schema", SP_JSON_SCHEMA);
		sp_json_kv_str(w, "kind", "interface");
		sp_json_kv_str(w, "name", de->d_name);
		json_addresses(w, de->d_name, ifa, inet6 != NULL ? inet6 : "",
		    inet6_len);
		sp_json_kv_str(w, "mac", mac);
		json_if_flags(w, flags != NULL ? flags : "");
		sp_json_kv_str(w, "operstate", oper);
		sp_json_key(w, "mtu");
		sp_json_raw(w, mtu != NULL && mtu[0] != '\0' &&
		    strspn(mtu, "0123456789") == strlen(mtu) &&
		    strlen(mtu) < 19 ? mtu : "null");
		sp_json_key(w, "ifindex");
		sp_json_raw(w, idx != NULL && idx[0] != '\0' &&
		    strspn(idx, "0123456789") == strlen(idx) &&
		    strlen(idx) < 19 ? idx : "null");
		sp_json_object_end(w);
		sp_json_line_end(w);
		free(mac);
		free(flags);
		free(oper);
		free(mtu);
		free(idx);
	}
	closedir(d);
	free(inet6);
	if (ifa != NULL)
		freeifaddrs(ifa);
}

/* ---- routes and neighbours ---- */

static void
routes(struct sp_collect_out *o, int proc_fd, int v6, struct sp_json *w)
{
	const char *path = v6 ? "net/ipv6_route" : "net/route";
	struct sp_vol_route4 r4;
	struct sp_vol_route6 r6;
	struct sp_vol_lines r;
	struct sp_vol_span l;
	int e;

	if ((e = sp_vol_lines_open(&r, proc_fd, path)) != 0) {
		if (e != ENOENT)
			sp_collect_out_problem(o, "network", "%s: %s", path,
			    strerror(e));
		return;
	}
	while (sp_vol_lines_next(&r, &l)) {
		if (v6 ? sp_vol_parse_route6(l, &r6) != 0 :
		    sp_vol_parse_route4(l, &r4) != 0)
			continue;
		sp_json_object_begin(w);
		if (v6)
			sp_vol_json_route6(w, &r6);
		else
			sp_vol_json_route4(w, &r4);
		sp_json_object_end(w);
		sp_json_line_end(w);
	}
	sp_vol_lines_close(&r);
}

static void
arp(struct sp_collect_out *o, int proc_fd, struct sp_json *w)
{
	struct sp_vol_lines r;
	struct sp_vol_span l;
	struct sp_vol_arp a;
	int e;

	if ((e = sp_vol_lines_open(&r, proc_fd, "net/arp")) != 0) {
		if (e != ENOENT)
			sp_collect_out_problem(o, "network", "net/arp: %s",
			    strerror(e));
		return;
	}
	while (sp_vol_lines_next(&r, &l)) {
		if (sp_vol_parse_arp(l, &a) != 0)
			continue;
		sp_json_object_begin(w);
		sp_vol_json_arp(w, &a);
		sp_json_object_end(w);
		sp_json_line_end(w);
	}
	sp_vol_lines_close(&r);
}

/* The IPv6 neighbours through an RTM_GETNEIGH dump. */
static void
ndp(struct sp_collect_out *o, struct sp_json *w)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req;
	struct sockaddr_nl sa;
	struct timeval tv = { 2, 0 };
	char *buf;
	ssize_t n;
	int fd, done = 0, rounds = 0;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) < 0) {
		sp_collect_out_problem(o, "network", "netlink: %s",
		    strerror(errno));
		return;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg));
	req.nh.nlmsg_type = RTM_GETNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.nd.ndm_family = AF_INET6;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if ((buf = malloc(1 << 16)) == NULL ||
	    sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
	    sizeof(sa)) < 0) {
		sp_collect_out_problem(o, "network", "netlink: %s",
		    buf == NULL ? "out of memory" : strerror(errno));
		free(buf);
		close(fd);
		return;
	}
	/* bounded: a kernel (or anything) that never says DONE is cut off */
	while (!done && rounds++ < 4096) {
		n = recv(fd, buf, 1 << 16, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			sp_collect_out_problem(o, "network", "netlink: %s",
			    n < 0 ? strerror(errno) : "end of data");
			break;
		}
		done = sp_vol_neigh_messages(buf, (size_t)n, w);
	}
	free(buf);
	close(fd);
}

int
sp_collect_network(struct sp_collect_out *o, const char *proc_root,
    const char *sys_root, struct sp_err *err)
{
	struct sp_collect_meta meta = { NULL, SP_TIME_NONE, -1, -1, -1, 0, 0 };
	struct sp_vol_item it;
	int proc_fd, rc;

	if (proc_root == NULL)
		proc_root = "/proc";
	if (sys_root == NULL)
		sys_root = "/sys";
	if ((proc_fd = open(proc_root, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		return sp_err_set(err, sp_errno_code(errno), errno, "'%s'",
		    proc_root);
	if (sp_vol_item_open(&it) != 0) {
		close(proc_fd);
		return sp_err_set(err, SP_E_NOMEM, 0, "network");
	}
	interfaces(o, proc_fd, sys_root, &it.w);
	routes(o, proc_fd, 0, &it.w);
	routes(o, proc_fd, 1, &it.w);
	arp(o, proc_fd, &it.w);
	ndp(o, &it.w);
	close(proc_fd);
	if (sp_vol_item_close(&it) != 0) {
		free(it.buf);
		return sp_err_set(err, SP_E_NOMEM, 0, "network");
	}
	meta.source = proc_root;
	rc = sp_collect_out_add(o, "volatile/network.jsonl", "volatile",
	    it.buf, it.len, &meta, err);
	free(it.buf);
	return rc;
}
