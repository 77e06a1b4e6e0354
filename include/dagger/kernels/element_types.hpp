// The element types of arrays, as one list, so every switch over them (the
// element program, block I/O, sort, the wire) names the same types in the
// same order. The order is the numbering of dagger::DType and
// kernels::ElementType, which travels on the wire: new types go at the end.
#pragma once

#include <cstdint>

// X(enumerator, C++ type, name)
#define DAGGER_ELEMENT_TYPES(X)                                                                     \
  X(f64, double, "double") X(f32, float, "float") X(i64, std::int64_t, "int64") X(b8, bool, "bool") \
  X(i8, std::int8_t, "int8") X(i16, std::int16_t, "int16") X(i32, std::int32_t, "int32")           \
  X(u8, std::uint8_t, "uint8") X(u16, std::uint16_t, "uint16") X(u32, std::uint32_t, "uint32")     \
  X(u64, std::uint64_t, "uint64")

#define DAGGER_ELEMENT_TYPE_COUNT 11

// The integer types of the list (bool is not one).
#define DAGGER_INTEGER_TYPES(X)                                                                     \
  X(i64, std::int64_t, "int64") X(i8, std::int8_t, "int8") X(i16, std::int16_t, "int16")            \
  X(i32, std::int32_t, "int32") X(u8, std::uint8_t, "uint8") X(u16, std::uint16_t, "uint16")        \
  X(u32, std::uint32_t, "uint32") X(u64, std::uint64_t, "uint64")
