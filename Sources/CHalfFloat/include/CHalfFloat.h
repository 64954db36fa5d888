// Array conversions between IEEE 754 half and single precision, for tensors moving between
// the host and fp16 GPU storage. Swift converts one value at a time, through a software
// routine on x86-64 (about 10 ns a value: milliseconds per video frame); these use the
// processor's F16C instructions where it has them. Both paths round to nearest even and
// keep infinities, NaNs and subnormals.
#ifndef RECAST_HALF_FLOAT_H
#define RECAST_HALF_FLOAT_H

#include <stddef.h>
#include <stdint.h>

void recast_half_to_float(const uint16_t *source, float *destination, size_t count);
void recast_float_to_half(const float *source, uint16_t *destination, size_t count);
// The path used without F16C (the compiler's conversions), callable on its own for tests.
void recast_half_to_float_portable(const uint16_t *source, float *destination, size_t count);
void recast_float_to_half_portable(const float *source, uint16_t *destination, size_t count);

#endif
