// SPDX-License-Identifier: GPL-2.0
/* No assembly needs structure offsets in this port. */
#include <linux/kbuild.h>

int main(void)
{
	return 0;
}
