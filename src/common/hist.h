/* hist.h - text histograms of log2 buckets, in the layout of bcc's biolatency/print_log2_hist */
#ifndef BPFVM_COMMON_HIST_H
#define BPFVM_COMMON_HIST_H

#include <stdint.h>
#include <stdio.h>

/* vals[i] counts values in [2^i, 2^(i+1)) (slot 0: 0..1); prints nothing when every count is zero */
void print_log2_hist(FILE *out, const uint64_t *vals, int nvals, const char *val_type);

#endif
