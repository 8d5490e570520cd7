// SPDX-License-Identifier: GPL-2.0-only
/*
 * The helper's inhibitor on its own, for test_inhibit.py: takes the
 * logind lock and ModemManager's inhibition of PORT exactly as "mfw
 * upgrade" and "mfw resume" do, prints "take: <0 or -errno>", and holds
 * both.  Then each line on stdin: "letgo TTY" calls mfw_inhibit_let_go()
 * and prints "letgo: done"; "follow TTY" calls mfw_inhibit_follow() for a
 * module that moved to TTY and
 * prints "follow: <0 or -errno>"; any other line (or end of file)
 * releases both and prints "released".
 *
 * Usage: test-mfw-inhibit PORT MM_WAIT_MS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inhibit.h"
#include "sig.h"

int main(int argc, char **argv)
{
	struct mfw_inhibit *in = NULL;
	char line[64];
	int ret;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PORT MM_WAIT_MS\n", argv[0]);
		return 2;
	}
	ret = mfw_sig_init();
	if (ret) {
		fprintf(stderr, "signalfd: %d\n", ret);
		return 1;
	}
	ret = mfw_inhibit_take(argv[1], MFW_INHIBIT_WHY,
			       (unsigned int)strtoul(argv[2], NULL, 10), &in);
	printf("take: %d\n", ret);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "letgo ", 6)) {
			mfw_inhibit_let_go(in, line + 6);
			printf("letgo: done\n");
		} else if (!strncmp(line, "follow ", 7)) {
			printf("follow: %d\n", mfw_inhibit_follow(in, line + 7, true));
		} else {
			break;
		}
		fflush(stdout);
	}
	mfw_inhibit_release(in);
	printf("released\n");
	return 0;
}
