/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_NUSE_DELAY_H
#define _ASM_NUSE_DELAY_H

/* Busy waits read the host clock instead of counting loops. */
void __ndelay(unsigned long nsecs);
void __delay(unsigned long loops);

#define ndelay(n)	__ndelay(n)
#define udelay(n)	__ndelay((n) * 1000UL)

#endif
