#include "CHalfFloat.h"
#include <string.h>

void recast_half_to_float_portable(const uint16_t *source, float *destination, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        _Float16 half;
        memcpy(&half, &source[i], sizeof half);
        destination[i] = (float)half;
    }
}

void recast_float_to_half_portable(const float *source, uint16_t *destination, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        _Float16 half = (_Float16)source[i];
        memcpy(&destination[i], &half, sizeof half);
    }
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <pthread.h>

__attribute__((target("avx,f16c")))
static void half_to_float_f16c(const uint16_t *source, float *destination, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        _mm256_storeu_ps(destination + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(source + i))));
    }
    for (; i < count; ++i) destination[i] = _cvtsh_ss(source[i]);
}

__attribute__((target("avx,f16c")))
static void float_to_half_f16c(const float *source, uint16_t *destination, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        _mm_storeu_si128((__m128i *)(destination + i), _mm256_cvtps_ph(_mm256_loadu_ps(source + i), _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < count; ++i) destination[i] = _cvtss_sh(source[i], _MM_FROUND_TO_NEAREST_INT);
}

static int f16c_available;

__attribute__((target("xsave")))
static void detect_f16c(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return;
    const unsigned int osxsave = 1u << 27, avx = 1u << 28, f16c = 1u << 29;
    if ((ecx & (osxsave | avx | f16c)) != (osxsave | avx | f16c)) return;
    // The instructions are VEX-encoded: the OS must save the SSE and AVX registers.
    f16c_available = (_xgetbv(0) & 6) == 6;
}

// Asked once: under a hypervisor every cpuid is a trap into it.
static int has_f16c(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, detect_f16c);
    return f16c_available;
}

void recast_half_to_float(const uint16_t *source, float *destination, size_t count) {
    if (has_f16c()) half_to_float_f16c(source, destination, count);
    else recast_half_to_float_portable(source, destination, count);
}

void recast_float_to_half(const float *source, uint16_t *destination, size_t count) {
    if (has_f16c()) float_to_half_f16c(source, destination, count);
    else recast_float_to_half_portable(source, destination, count);
}
#else
// Elsewhere (AArch64) the compiler's own conversions are single instructions.
void recast_half_to_float(const uint16_t *source, float *destination, size_t count) {
    recast_half_to_float_portable(source, destination, count);
}

void recast_float_to_half(const float *source, uint16_t *destination, size_t count) {
    recast_float_to_half_portable(source, destination, count);
}
#endif
