// SPDX-License-Identifier: GPL-2.0
/*
 * Plants a splat on load: a WARN by default, or a leaked allocation that
 * kmemleak must report (leak=1).  Used only by the rig's self-test.
 */
#include <linux/module.h>
#include <linux/slab.h>

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "leak a buffer instead of warning");

static void *mfw_splat_keep;

static int __init mfw_splat_init(void)
{
	if (leak) {
		/* Allocate, then forget the only reference. */
		mfw_splat_keep = kmalloc(1024, GFP_KERNEL);
		mfw_splat_keep = NULL;
		return 0;
	}
	WARN(1, "mfw rig self-test: planted warning\n");
	return 0;
}

static void __exit mfw_splat_exit(void)
{
}

module_init(mfw_splat_init);
module_exit(mfw_splat_exit);
MODULE_DESCRIPTION("mfw test rig: planted kernel splat");
MODULE_LICENSE("GPL");
