// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - one-shot timers run by the main loop.
 */
#include <time.h>

#include "sim.h"

int64_t sim_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t sim_now_ms(void)
{
	return sim_now_ns() / 1000000;
}

void sim_timer_add(struct sim *sim, long ms, sim_timer_fn fn, long arg)
{
	for (int i = 0; i < SIM_TIMERS; i++) {
		struct sim_timer *t = &sim->timers[i];

		if (t->used)
			continue;
		t->used = true;
		t->at = sim_now_ms() + (ms > 0 ? ms : 0);
		t->fn = fn;
		t->arg = arg;
		return;
	}
	/* More than SIM_TIMERS at once is a simulator bug. */
	transcript_event("timer table full");
}

void sim_timer_cancel(struct sim *sim, sim_timer_fn fn)
{
	for (int i = 0; i < SIM_TIMERS; i++)
		if (sim->timers[i].used && sim->timers[i].fn == fn)
			sim->timers[i].used = false;
}

long sim_timer_next(struct sim *sim)
{
	int64_t now = sim_now_ms();
	long best = -1;

	for (int i = 0; i < SIM_TIMERS; i++) {
		struct sim_timer *t = &sim->timers[i];
		long d;

		if (!t->used)
			continue;
		d = t->at > now ? (long)(t->at - now) : 0;
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

void sim_timer_run(struct sim *sim)
{
	int64_t now = sim_now_ms();

	for (int i = 0; i < SIM_TIMERS; i++) {
		struct sim_timer *t = &sim->timers[i];

		if (t->used && t->at <= now) {
			t->used = false;
			t->fn(sim, t->arg);
		}
	}
}
