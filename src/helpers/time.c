/* time.c - clock, random-number and cpu-id helpers */
#include <time.h>

#include "helpers/impl.h"
#include "interp/run.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

HELPER(bpf_ktime_get_ns) { return clock_ns(CLOCK_MONOTONIC); }
HELPER(bpf_ktime_get_boot_ns) { return clock_ns(CLOCK_BOOTTIME); }
HELPER(bpf_ktime_get_coarse_ns) { return clock_ns(CLOCK_MONOTONIC_COARSE); }
HELPER(bpf_get_smp_processor_id) { return 0; }

/* xorshift64*, state in the run context, seeded on first use from the clock */
HELPER(bpf_get_prandom_u32)
{
	if (!rc->prandom_state)
		rc->prandom_state = clock_ns(CLOCK_MONOTONIC) | 1;
	uint64_t x = rc->prandom_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rc->prandom_state = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}
