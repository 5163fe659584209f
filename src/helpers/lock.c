/* lock.c - bpf_spin_lock and bpf_spin_unlock: the u32 of a struct bpf_spin_lock in a map value, as a spinlock
 * shared by every thread running programs on the map (the verifier proves the pairing, and that nothing but
 * loads, stores and the unlock happen while it is held) */
#include <errno.h>

#include "helpers/impl.h"
#include "interp/run.h"
#include "maps/map.h"

HELPER(bpf_spin_lock)
{
	uint32_t *lock = (uint32_t *)(uintptr_t)r1;
	(void)r2; (void)r3; (void)r4; (void)r5;
	if (!bpfvm_run_helper_access(rc, lock, 4, true, "bpf_spin_lock"))
		return 0;
	if (rc->checked) { /* an unverified program may lock twice: give up rather than spin for ever */
		for (unsigned long spins = 0; __atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE); spins++)
			if (spins > (1ul << 26)) {
				bpfvm_run_fail(rc, -EDEADLK, "bpf_spin_lock: lock at %p still held after %lu tries, at insn %zu",
					       (void *)lock, spins, rc->helper_insn);
				return 0;
			}
		return 0;
	}
	bpfvm_spin_lock(lock);
	return 0;
}

HELPER(bpf_spin_unlock)
{
	uint32_t *lock = (uint32_t *)(uintptr_t)r1;
	(void)r2; (void)r3; (void)r4; (void)r5;
	if (!bpfvm_run_helper_access(rc, lock, 4, true, "bpf_spin_unlock"))
		return 0;
	bpfvm_spin_unlock(lock);
	return 0;
}
