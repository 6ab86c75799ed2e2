// SPDX-License-Identifier: GPL-2.0
/*
 * The --iface option: BACKEND:SPEC[,ip=A/L][,ip6=A/L][,gw=A][,gw6=A][,mac=M][,mtu=N].
 *
 * Shared by nuse-exec and the backend tools, so one message format: every
 * error is one line that starts with "--iface:" and names the offending
 * item with its value, so the user can see which of six similar-looking
 * pieces was wrong.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"

#define OPT "--iface"

static const char *const kinds[] = { "tap", "packet", "dpdk", "shm" };

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno || *end || *out > max)
		return -1;
	return 0;
}

static int parse_prefix(const char *val, int family, void *addr,
			uint8_t *prefix, char *err, size_t errlen)
{
	const char *what = family == AF_INET ? "ip" : "ip6";
	unsigned long max = family == AF_INET ? 32 : 128, len;
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;

	if (strlen(val) >= sizeof(buf))
		return io_err(err, errlen, EINVAL, OPT ": bad %s '%s'", what,
			      val);
	strcpy(buf, val);
	slash = strchr(buf, '/');
	if (!slash)
		return io_err(err, errlen, EINVAL,
			      OPT ": %s '%s' needs a prefix length (ADDR/LEN)",
			      what, val);
	*slash = '\0';
	if (inet_pton(family, buf, addr) != 1)
		return io_err(err, errlen, EINVAL, OPT ": bad %s address '%s'",
			      what, buf);
	if (parse_uint(slash + 1, max, &len))
		return io_err(err, errlen, EINVAL,
			      OPT ": bad %s prefix length '%s' (0-%lu)", what,
			      slash + 1, max);
	*prefix = len;
	return 0;
}

static int parse_addr(const char *key, const char *val, int family, void *addr,
		      char *err, size_t errlen)
{
	if (inet_pton(family, val, addr) != 1)
		return io_err(err, errlen, EINVAL, OPT ": bad %s address '%s'",
			      key, val);
	return 0;
}

/* One key=value item; 1 when it is not ours (it belongs to SPEC). */
static int parse_item(struct nuse_iface *ifc, char *item, char *err,
		      size_t errlen)
{
	char *eq = strchr(item, '=');
	const char *key = item, *val;
	unsigned long mtu;

	if (!eq)
		return 1;
	*eq = '\0';
	val = eq + 1;

#define ONCE(flag)                                                  \
	do {                                                        \
		if (flag)                                           \
			return io_err(err, errlen, EINVAL,          \
				      OPT ": %s given twice", key); \
		flag = 1;                                           \
	} while (0)

	if (!strcmp(key, "ip")) {
		ONCE(ifc->has_ip);
		return parse_prefix(val, AF_INET, &ifc->ip, &ifc->prefix, err,
				    errlen);
	}
	if (!strcmp(key, "ip6")) {
		ONCE(ifc->has_ip6);
		return parse_prefix(val, AF_INET6, &ifc->ip6, &ifc->prefix6,
				    err, errlen);
	}
	if (!strcmp(key, "gw")) {
		ONCE(ifc->has_gw);
		return parse_addr(key, val, AF_INET, &ifc->gw, err, errlen);
	}
	if (!strcmp(key, "gw6")) {
		ONCE(ifc->has_gw6);
		return parse_addr(key, val, AF_INET6, &ifc->gw6, err, errlen);
	}
	if (!strcmp(key, "mac")) {
		ONCE(ifc->has_mac);
		if (io_parse_mac(val, ifc->mac))
			return io_err(err, errlen, EINVAL, OPT ": bad MAC '%s'",
				      val);
		return 0;
	}
	if (!strcmp(key, "mtu")) {
		if (ifc->mtu)
			return io_err(err, errlen, EINVAL,
				      OPT ": mtu given twice");
		/* 68 is IPv4's minimum; 65521 keeps a frame under 64 KiB. */
		if (parse_uint(val, 65521, &mtu) || mtu < 68)
			return io_err(err, errlen, EINVAL,
				      OPT ": bad MTU '%s' (68-65521)", val);
		ifc->mtu = mtu;
		return 0;
	}
#undef ONCE
	*eq = '=';
	return 1;
}

static int append_spec(struct nuse_iface *ifc, const char *s, char *err,
		       size_t errlen)
{
	size_t have = strlen(ifc->spec), add = strlen(s);

	if (have + add + 2 > sizeof(ifc->spec))
		return io_err(err, errlen, ENAMETOOLONG,
			      OPT ": backend spec too long");
	if (have)
		ifc->spec[have++] = ',';
	memcpy(ifc->spec + have, s, add + 1);
	return 0;
}

int nuse_iface_parse(const char *arg, struct nuse_iface *ifc, char *err,
		     size_t errlen)
{
	char *copy, *item, *save, *colon;
	size_t klen;
	unsigned int i;
	int ret;

	memset(ifc, 0, sizeof(*ifc));
	colon = strchr(arg, ':');
	if (!colon) {
		io_err(err, errlen, EINVAL,
		       OPT
		       ": '%s' is not BACKEND:SPEC (tap, packet, dpdk, shm)",
		       arg);
		return -1;
	}
	klen = colon - arg;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i]) == klen && !strncmp(kinds[i], arg, klen))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0])) {
		io_err(err, errlen, EINVAL,
		       OPT ": unknown backend '%.*s' (tap, packet, dpdk, shm)",
		       (int)klen, arg);
		return -1;
	}

	copy = strdup(arg);
	if (!copy) {
		io_err(err, errlen, ENOMEM, OPT ": out of memory");
		return -1;
	}
	ret = -1;
	item = strtok_r(copy, ",", &save);
	/* The first item is "KIND:ARG" and always part of the spec. */
	if (!item || !item[klen + 1]) {
		io_err(err, errlen, EINVAL,
		       OPT ": %.*s needs an argument (%.*s:NAME)", (int)klen,
		       arg, (int)klen, arg);
		goto out;
	}
	if (append_spec(ifc, item, err, errlen))
		goto out;
	while ((item = strtok_r(NULL, ",", &save))) {
		int r = parse_item(ifc, item, err, errlen);

		if (r < 0)
			goto out;
		if (r == 0)
			continue;
		/* Only DPDK devargs take extra items; elsewhere it is a typo. */
		if (strcmp(kinds[i], "dpdk")) {
			io_err(err, errlen, EINVAL, OPT ": unknown option '%s'",
			       item);
			goto out;
		}
		if (append_spec(ifc, item, err, errlen))
			goto out;
	}
	if (ifc->has_gw && !ifc->has_ip) {
		io_err(err, errlen, EINVAL, OPT ": gw needs ip");
		goto out;
	}
	ret = 0;
out:
	free(copy);
	return ret;
}

void nuse_iface_conf(const struct nuse_iface *ifc,
		     struct nuse_backend_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->mtu = ifc->mtu;
	conf->has_mac = ifc->has_mac;
	memcpy(conf->mac, ifc->mac, 6);
}
