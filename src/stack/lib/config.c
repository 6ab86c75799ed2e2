// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration helpers: addresses, routes, MTU and link state through
 * the stack's own rtnetlink, sysctls through its procfs — the same paths
 * `ip` and `sysctl` take, run inside the stack with nuse_sys().
 */
#include <nuse/stack.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <string.h>
#include <errno.h>

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
		struct rtmsg rt;
	};
	char attrs[256];
};

static void add_attr(struct nl_req *req, unsigned short type, const void *data, int len)
{
	struct rtattr *rta = (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len = NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send one request and wait for its acknowledgement: 0 or -errno. */
static int nl_talk(struct nl_req *req)
{
	static unsigned int seq;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	long fd, n, ret;

	fd = nuse_sys(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE, 0, 0, 0);
	if (fd < 0)
		return (int)fd;
	req->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	req->nh.nlmsg_seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	ret = nuse_sys(SYS_sendto, fd, (long)req, req->nh.nlmsg_len, 0, (long)&sa, sizeof(sa));
	if (ret < 0)
		goto out;
	for (;;) {
		struct nlmsghdr *nh;

		n = nuse_sys(SYS_recvfrom, fd, (long)buf, sizeof(buf), 0, 0, 0);
		if (n < 0) {
			ret = n;
			goto out;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != req->nh.nlmsg_seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				ret = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				goto out;
			}
		}
	}
out:
	nuse_sys(SYS_close, fd, 0, 0, 0, 0, 0);
	return (int)ret;
}

int nuse_if_index(const char *name)
{
	struct ifreq ifr;
	long fd, ret;

	if (strlen(name) >= IFNAMSIZ)
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	fd = nuse_sys(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0, 0, 0, 0);
	if (fd < 0)
		return (int)fd;
	ret = nuse_sys(SYS_ioctl, fd, SIOCGIFINDEX, (long)&ifr, 0, 0, 0);
	nuse_sys(SYS_close, fd, 0, 0, 0, 0, 0);
	return ret < 0 ? (int)ret : ifr.ifr_ifindex;
}

static void link_req(struct nl_req *req, int ifindex)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req->nh.nlmsg_type = RTM_NEWLINK;
	req->ifi.ifi_family = AF_UNSPEC;
	req->ifi.ifi_index = ifindex;
}

int nuse_if_set_up(int ifindex, int up)
{
	struct nl_req req;

	link_req(&req, ifindex);
	req.ifi.ifi_change = IFF_UP;
	req.ifi.ifi_flags = up ? IFF_UP : 0;
	return nl_talk(&req);
}

int nuse_if_set_mtu(int ifindex, unsigned int mtu)
{
	struct nl_req req;

	link_req(&req, ifindex);
	add_attr(&req, IFLA_MTU, &mtu, sizeof(mtu));
	return nl_talk(&req);
}

static int addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -1;
}

int nuse_if_add_addr(int ifindex, int family, const void *addr, int prefixlen)
{
	struct nl_req req;
	int len = addr_len(family);

	if (len < 0 || prefixlen < 0 || prefixlen > len * 8)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
	req.nh.nlmsg_type = RTM_NEWADDR;
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req.ifa.ifa_family = family;
	req.ifa.ifa_prefixlen = prefixlen;
	req.ifa.ifa_index = ifindex;
	add_attr(&req, IFA_LOCAL, addr, len);
	add_attr(&req, IFA_ADDRESS, addr, len);
	return nl_talk(&req);
}

int nuse_route_add(int family, const void *dst, int prefixlen, const void *gw, int ifindex)
{
	struct nl_req req;
	int len = addr_len(family);

	if (len < 0 || prefixlen < 0 || prefixlen > len * 8 || (prefixlen && !dst))
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_NEWROUTE;
	req.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	req.rt.rtm_family = family;
	req.rt.rtm_dst_len = prefixlen;
	req.rt.rtm_table = RT_TABLE_MAIN;
	req.rt.rtm_protocol = RTPROT_STATIC;
	req.rt.rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	req.rt.rtm_type = RTN_UNICAST;
	if (prefixlen)
		add_attr(&req, RTA_DST, dst, len);
	if (gw)
		add_attr(&req, RTA_GATEWAY, gw, len);
	if (ifindex > 0)
		add_attr(&req, RTA_OIF, &ifindex, sizeof(ifindex));
	return nl_talk(&req);
}

static int sysctl_path(const char *name, char *path, size_t size)
{
	static const char prefix[] = "/proc/sys/";
	size_t n = strlen(name), i;

	if (sizeof(prefix) + n > size)
		return -ENAMETOOLONG;
	memcpy(path, prefix, sizeof(prefix) - 1);
	for (i = 0; i <= n; i++)
		path[sizeof(prefix) - 1 + i] = name[i] == '.' ? '/' : name[i];
	return 0;
}

int nuse_sysctl_set(const char *name, const char *value)
{
	char path[256];
	long fd, ret;
	int err = sysctl_path(name, path, sizeof(path));

	if (err)
		return err;
	fd = nuse_sys(SYS_open, (long)path, O_WRONLY | O_CLOEXEC, 0, 0, 0, 0);
	if (fd < 0)
		return (int)fd;
	ret = nuse_sys(SYS_write, fd, (long)value, strlen(value), 0, 0, 0);
	nuse_sys(SYS_close, fd, 0, 0, 0, 0, 0);
	return ret < 0 ? (int)ret : 0;
}

int nuse_sysctl_get(const char *name, char *buf, unsigned long len)
{
	char path[256];
	long fd, ret;
	int err = sysctl_path(name, path, sizeof(path));

	if (err)
		return err;
	if (!len)
		return -EINVAL;
	fd = nuse_sys(SYS_open, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0, 0);
	if (fd < 0)
		return (int)fd;
	ret = nuse_sys(SYS_read, fd, (long)buf, len - 1, 0, 0, 0);
	nuse_sys(SYS_close, fd, 0, 0, 0, 0, 0);
	if (ret < 0)
		return (int)ret;
	/* drop the trailing newline procfs adds */
	while (ret > 0 && (buf[ret - 1] == '\n'))
		ret--;
	buf[ret] = 0;
	return (int)ret;
}
