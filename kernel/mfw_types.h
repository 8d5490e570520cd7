/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - base types for the files compiled both into the module and into
 * userspace (the simulator, the helper, host tests and fuzzers).
 *
 * Those files use only bool, size_t and the plain C integer types, and no
 * library function beyond what both worlds provide.
 */
#ifndef _MFW_TYPES_H
#define _MFW_TYPES_H

#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#endif

#endif /* _MFW_TYPES_H */
