/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the harness-based selftests that need the UART module bench
 * (tests/vm/uart-bench.py, started by tests/vm/run-vm.sh when
 * MFW_VM_UART_BENCH names a simulator).  Include after
 * kselftest_harness.h and mfw_port.h.
 */
#ifndef MFW_BENCH_H
#define MFW_BENCH_H

/*
 * The first statement of each case that needs the bench: the case skips
 * on a guest without one.  (A SKIP in a fixture's set-up would still run
 * the case's body.)
 */
#define NEED_BENCH()							\
	do {								\
		if (!port_uart_bench())					\
			SKIP(return, "no UART module bench on this guest " \
			     "(tests/vm/run-vm.sh with MFW_VM_UART_BENCH)"); \
	} while (0)

#endif /* MFW_BENCH_H */
