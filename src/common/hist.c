/* hist.c - print log2 histograms as bcc's tools do: "low -> high : count |*****|" with 40 stars at the maximum */
#include "common/hist.h"

static void print_stars(FILE *out, uint64_t val, uint64_t val_max, int width)
{
	uint64_t v = val < val_max ? val : val_max;
	int stars = val_max ? (int)(v * width / val_max) : 0;
	for (int i = 0; i < width; i++)
		fputc(i < stars ? '*' : ' ', out);
	if (val > val_max)
		fputc('+', out);
}

void print_log2_hist(FILE *out, const uint64_t *vals, int nvals, const char *val_type)
{
	int idx_max = -1;
	uint64_t val_max = 0;
	for (int i = 0; i < nvals; i++) {
		if (vals[i] > 0)
			idx_max = i;
		if (vals[i] > val_max)
			val_max = vals[i];
	}
	if (idx_max < 0)
		return;
	int narrow = idx_max <= 32;
	fprintf(out, "%*s%-*s : count    distribution\n", narrow ? 5 : 15, "", narrow ? 19 : 29, val_type);
	for (int i = 0; i <= idx_max && i < 64; i++) {
		/* slot i holds [2^i, 2^(i+1)); slot 0 also holds 0 */
		unsigned long long low = i ? 1ULL << i : 0, high = i == 63 ? ~0ULL : (2ULL << i) - 1;
		fprintf(out, "%*llu -> %-*llu : %-8llu |", narrow ? 10 : 20, low, narrow ? 10 : 20, high,
			(unsigned long long)vals[i]);
		print_stars(out, vals[i], val_max, narrow ? 40 : 20);
		fprintf(out, "|\n");
	}
}
