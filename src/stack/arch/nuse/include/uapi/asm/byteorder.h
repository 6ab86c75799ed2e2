/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_ASM_NUSE_BYTEORDER_H
#define _UAPI_ASM_NUSE_BYTEORDER_H

/* The host is x86-64. */
#include <linux/byteorder/little_endian.h>

#endif
