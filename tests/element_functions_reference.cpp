// every_function as the C++ compiler builds it.
#include "element_functions_sum.hpp"

namespace dagger_test {

double every_function_cpp(double x) { return every_function(x); }
float every_function_cpp(float x) { return every_function(x); }

}  // namespace dagger_test
