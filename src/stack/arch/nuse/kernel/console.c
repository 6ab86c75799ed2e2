// SPDX-License-Identifier: GPL-2.0
/* Kernel messages go to the host's standard error. */
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/console.h>
#include <nuse/host.h>

static void console_write(struct console *con, const char *str, unsigned int len)
{
	nuse_host_print(str, len);
}

static struct console nuse_console = {
	.name	= "nuse",
	.write	= console_write,
	.flags	= CON_PRINTBUFFER | CON_ENABLED,
	.index	= -1,
};

static int __init nuse_console_init(void)
{
	register_console(&nuse_console);
	return 0;
}
console_initcall(nuse_console_init);
