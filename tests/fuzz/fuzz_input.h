/*
 * Reading a libFuzzer input as a stream of fields. Past the end every field
 * reads as zero, so any input is a whole sequence of steps.
 */
#ifndef TESTS_FUZZ_FUZZ_INPUT_H
#define TESTS_FUZZ_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fin_u8(struct fuzz_in *in)
{
	uint8_t v = 0;

	if (in->n) {
		v = *in->p++;
		in->n--;
	}
	return v;
}

static inline uint64_t fin_bytes(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)fin_u8(in) << (8 * i);
	return v;
}

static inline uint16_t fin_u16(struct fuzz_in *in)
{
	return (uint16_t)fin_bytes(in, 2);
}

static inline uint32_t fin_u32(struct fuzz_in *in)
{
	return (uint32_t)fin_bytes(in, 4);
}

static inline uint64_t fin_u64(struct fuzz_in *in)
{
	return fin_bytes(in, 8);
}

static inline int fin_left(const struct fuzz_in *in)
{
	return in->n != 0;
}

/* An invariant of the code under test does not hold: report it and crash. */
#define FUZZ_CHECK(cond, ...)                                                                   \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			fprintf(stderr, "invariant violated (%s:%d): %s: ", __FILE__, __LINE__, \
			        #cond);                                                         \
			fprintf(stderr, __VA_ARGS__);                                           \
			fprintf(stderr, "\n");                                                  \
			abort();                                                                \
		}                                                                               \
	} while (0)

#endif
