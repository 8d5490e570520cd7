// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - firmware upgrades of CMIoT OneMO cellular modules.
 */
#include "cli.h"

int main(int argc, char **argv)
{
	return mfw_main(argc, argv);
}
