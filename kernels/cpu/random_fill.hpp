// Filling ranges of random arrays with SIMD (AVX2, AVX-512, SSE4 or plain
// code, chosen at run time). Each out[i] is element first + i of the array
// with this seed, bit for bit what dagger/kernels/random.hpp defines.
#pragma once

#include <cstdint>

#include "dagger/kernels/element_types.hpp"

namespace dagger::kernels {

void fill_uniform(std::uint64_t seed, std::uint64_t first, std::int64_t n, double* out);
void fill_uniform(std::uint64_t seed, std::uint64_t first, std::int64_t n, float* out);
// Integers: any value of the type, each as likely.
#define DAGGER_FILL_INTEGERS(e, I, ...) void fill_uniform(std::uint64_t seed, std::uint64_t first, std::int64_t n, I* out);
DAGGER_INTEGER_TYPES(DAGGER_FILL_INTEGERS)
#undef DAGGER_FILL_INTEGERS
void fill_uniform(std::uint64_t seed, std::uint64_t first, std::int64_t n, bool* out);
void fill_normal(std::uint64_t seed, std::uint64_t first, std::int64_t n, double* out);
void fill_normal(std::uint64_t seed, std::uint64_t first, std::int64_t n, float* out);

// The instruction set the fills run with here ("AVX2", "AVX3", ...).
const char* random_fill_target();

}  // namespace dagger::kernels
