// Element programs: appending the steps of built-in element-wise operations.
#include "dagger/array/element_program.hpp"

#include <algorithm>

namespace dagger::detail {
namespace {

using kernels::ElementInstruction;
using kernels::ElementProgram;

// The deepest the evaluation stack gets while running p.
int depth_of(const ElementProgram& p) {
  int top = 0, deepest = 0;
  for (int k = 0; k < p.length; ++k) {
    const auto code = p.code[k].code;
    if (code == ElementInstruction::load || code == ElementInstruction::constant ||
        code == ElementInstruction::generate || code == ElementInstruction::generate_transposed) {
      ++top;
    }
    if (code == ElementInstruction::binary) --top;
    deepest = std::max(deepest, top);
  }
  return deepest;
}

ElementInstruction step(ElementInstruction::Code code, std::uint8_t op, DType left, DType right, DType compute,
                        DType result, std::uint16_t index) {
  return {code, op, element_type(left), element_type(right), element_type(compute), element_type(result), index};
}

bool reads_constant(ElementInstruction::Code code) {
  return code == ElementInstruction::constant || code == ElementInstruction::generate ||
         code == ElementInstruction::generate_transposed;
}

DType result_dtype(const ElementProgram& p) { return static_cast<DType>(kernels::result_type(p)); }

}  // namespace

ProgramPtr load_program(DType dtype) {
  auto p = std::make_shared<ElementProgram>();
  p->code[0] = step(ElementInstruction::load, 0, dtype, dtype, dtype, dtype, 0);
  p->length = 1;
  p->sources = 1;
  return p;
}

ProgramPtr constant_program(kernels::ElementValue value, DType dtype) {
  auto p = std::make_shared<ElementProgram>();
  p->constant[0] = value;
  p->constants = 1;
  p->code[0] = step(ElementInstruction::constant, 0, dtype, dtype, dtype, dtype, 0);
  p->length = 1;
  return p;
}

ProgramPtr generate_program(kernels::RandomKind kind, std::uint64_t seed, DType dtype) {
  auto p = std::make_shared<ElementProgram>();
  p->constant[0].i64 = static_cast<std::int64_t>(seed);
  p->constants = 1;
  p->code[0] = step(ElementInstruction::generate, static_cast<std::uint8_t>(kind), dtype, dtype, dtype, dtype, 0);
  p->length = 1;
  return p;
}

ProgramPtr unary_program(const ProgramPtr& x, kernels::UnaryOp op, DType compute, DType result) {
  if (!x || x->length + 1 > ElementProgram::kMaxInstructions) return nullptr;
  auto p = std::make_shared<ElementProgram>(*x);
  const DType left = result_dtype(*x);
  p->code[p->length++] = step(ElementInstruction::unary, static_cast<std::uint8_t>(op), left, left, compute, result, 0);
  return p;
}

ProgramPtr binary_program(const ProgramPtr& x, const ProgramPtr& y, kernels::BinaryOp op, DType compute,
                          DType result) {
  if (!x || !y) return nullptr;
  if (x->length + y->length + 1 > ElementProgram::kMaxInstructions ||
      x->sources + y->sources > ElementProgram::kMaxSources ||
      x->constants + y->constants > ElementProgram::kMaxConstants) {
    return nullptr;
  }
  auto p = std::make_shared<ElementProgram>(*x);
  for (int k = 0; k < y->constants; ++k) p->constant[p->constants + k] = y->constant[k];
  for (int k = 0; k < y->length; ++k) {
    ElementInstruction in = y->code[k];
    if (in.code == ElementInstruction::load) in.index = static_cast<std::uint16_t>(in.index + x->sources);
    if (reads_constant(in.code)) in.index = static_cast<std::uint16_t>(in.index + x->constants);
    p->code[p->length + k] = in;
  }
  p->length = static_cast<std::uint16_t>(p->length + y->length);
  p->sources = static_cast<std::uint16_t>(p->sources + y->sources);
  p->constants = static_cast<std::uint16_t>(p->constants + y->constants);
  p->code[p->length++] = step(ElementInstruction::binary, static_cast<std::uint8_t>(op), result_dtype(*x),
                              result_dtype(*y), compute, result, 0);
  if (depth_of(*p) > ElementProgram::kMaxDepth) return nullptr;
  return p;
}

ProgramPtr transposed_program(const ProgramPtr& x, std::int64_t source_rows) {
  if (!x || x->sources > 0) return nullptr;
  auto p = std::make_shared<ElementProgram>(*x);
  for (int k = 0; k < p->length; ++k) {
    ElementInstruction& in = p->code[k];
    if (in.code == ElementInstruction::generate_transposed) return nullptr;
    if (in.code != ElementInstruction::generate) continue;
    // The seed again, and the source's rows after it.
    if (p->constants + 2 > ElementProgram::kMaxConstants) return nullptr;
    p->constant[p->constants] = p->constant[in.index];
    p->constant[p->constants + 1].i64 = source_rows;
    in.code = ElementInstruction::generate_transposed;
    in.index = p->constants;
    p->constants = static_cast<std::uint16_t>(p->constants + 2);
  }
  return p;
}

}  // namespace dagger::detail
