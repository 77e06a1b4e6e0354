// Every scalar element function applied to x and summed: compiled by nvcc
// (host and device) in tests/cuda_element_functions_test.cu and by the C++
// compiler in tests/element_functions_reference.cpp, which must agree.
#pragma once

#include "dagger/kernels/element_functions.hpp"

namespace dagger_test {

template <class T>
DAGGER_HD T every_function(T x) {
  namespace k = dagger::kernels;
  return k::sinpi(x) + k::cospi(x) + k::sec(x) + k::csc(x) + k::cot(x) + k::sech(x) + k::csch(x) + k::coth(x) +
         k::acot(x) + k::asec(x + T(2)) + k::acsc(x + T(2)) + k::acoth(x + T(2)) + k::asech(T(1) / (x + T(2))) +
         k::acsch(x) + k::sinc(x) + k::cosc(x) + k::exponent(x) + k::significand(x) + k::power(x, 3) +
         k::power(x, T(0.5)) + k::rem(x, T(0.7)) + k::int_div(x, T(0.3)) +
         static_cast<T>(k::rem(static_cast<long long>(x * 100), 7LL) + k::int_div(static_cast<long long>(x * 100), 7LL));
}

// The C++ compiler's build of every_function.
double every_function_cpp(double x);
float every_function_cpp(float x);

}  // namespace dagger_test
