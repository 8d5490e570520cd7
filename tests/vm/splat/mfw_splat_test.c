// SPDX-License-Identifier: GPL-2.0-only
/*
 * Plants splats on load: a WARN (warn=1, the default) and a leaked
 * allocation that kmemleak must report (leak=1), either or both.  Used
 * only by the rig's self-test.
 */
#include <linux/module.h>
#include <linux/slab.h>

static bool warn = true;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "warn (default: yes)");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "leak a buffer");

static void *mfw_splat_keep;

static int __init mfw_splat_init(void)
{
	if (leak) {
		/* Allocate, then forget the only reference. */
		mfw_splat_keep = kmalloc(1024, GFP_KERNEL);
		mfw_splat_keep = NULL;
	}
	WARN(warn, "mfw rig self-test: planted warning\n");
	return 0;
}

static void __exit mfw_splat_exit(void)
{
}

module_init(mfw_splat_init);
module_exit(mfw_splat_exit);
MODULE_DESCRIPTION("mfw test rig: planted kernel splat");
MODULE_LICENSE("GPL");
