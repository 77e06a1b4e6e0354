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

// Elements first, first + step, ..., first + (n - 1) step: a row of a
// column-major array, as the transpose of a random array reads it. Each
// out[i] is bit for bit element first + i step of the contiguous fills.
// A draw makes two elements, 2j and 2j + 1; with `partner`, the doubles'
// fills also write the other one of each: partner[i] is element
// (first + i step) ^ 1.
void fill_uniform_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, double* out,
                          double* partner = nullptr);
void fill_uniform_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, float* out);
#define DAGGER_FILL_INTEGERS(e, I, ...) \
  void fill_uniform_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, I* out);
DAGGER_INTEGER_TYPES(DAGGER_FILL_INTEGERS)
#undef DAGGER_FILL_INTEGERS
void fill_uniform_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, bool* out);
void fill_normal_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, double* out,
                         double* partner = nullptr);
void fill_normal_strided(std::uint64_t seed, std::uint64_t first, std::uint64_t step, std::int64_t n, float* out);

// The instruction set the fills run with here ("AVX2", "AVX3", ...).
const char* random_fill_target();

}  // namespace dagger::kernels
