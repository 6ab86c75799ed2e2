/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attaching a packet backend to the stack as a network device.
 *
 * This is the one place where the stack layer uses the backend layer
 * (stack -> backend, never back): it opens the backend an --iface option
 * names, adds a stack network device with the backend's MAC, MTU and
 * offloads, wires transmit to nuse_backend_tx_batch and the backend's rx
 * thread to nuse_netdev_rx, then applies ip=, ip6=, gw=, gw6= through the
 * stack's own netlink and brings the link up.
 */
#ifndef NUSE_ATTACH_H
#define NUSE_ATTACH_H

#include <stddef.h>

#include <nuse/backend.h>

struct nuse_attach;

/*
 * The stack must be booted. pcap: capture file for both directions, or
 * NULL. 0 and *out, or -errno with one line in err; a failed attach leaves
 * no backend open (the stack device, once added, cannot be removed).
 */
int nuse_attach(struct nuse_attach **out, const struct nuse_iface *ifc,
		const char *pcap, char *err, size_t errlen);

int nuse_attach_ifindex(const struct nuse_attach *a);
const char *nuse_attach_name(const struct nuse_attach *a);
struct nuse_backend *nuse_attach_backend(struct nuse_attach *a);

/*
 * For tests on hosts without tc netem: drop frames (both directions) with
 * probability loss_ppm / 10^6 and swap neighbours within a batch with
 * probability reorder_ppm / 10^6. Repeatable (fixed seeds). Set it right
 * after attaching, before traffic.
 */
void nuse_attach_impair(struct nuse_attach *a, unsigned int loss_ppm,
			unsigned int reorder_ppm);

/* Stop receiving and close the backend. Transmit is refused from the
 * moment this starts, so call it before or after nuse_halt(). */
void nuse_detach(struct nuse_attach *a);

#endif
