// Poisson's equation -(u_xx + u_yy) = 1 on the unit square with u = 0 on
// its edges, by Jacobi iteration on an n x n grid of interior points: each
// sweep replaces every point by the mean of its four neighbours plus h^2/4,
// the edges being the stencil's boundary (Pad(0)). It stops when 50 sweeps
// move no point by more than 1e-7, and compares the centre with the exact
// solution's 0.0736713...
//
//   dagger_jacobi [n]      (default 63; blocks of a quarter of the grid)
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <iostream>

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 63;
  const std::int64_t b = std::max<std::int64_t>((n + 3) / 4, 1);
  const double h = 1.0 / static_cast<double>(n + 1);
  const double source = h * h / 4;
  const auto sweep = [source](const dagger::Neighbors<double>& x) {
    return 0.25 * (x(-1, 0) + x(1, 0) + x(0, -1) + x(0, 1)) + source;
  };
  auto u = dagger::zeros<double>(dagger::Blocks(b, b), n, n);
  double moved = 1;
  int sweeps = 0;
  while (moved > 1e-7 && sweeps < 100000) {
    const auto before = u;
    // 50 sweeps as one graph of stencils, then one look at what moved.
    for (int i = 0; i < 50; ++i) u = dagger::stencil(u, 1, dagger::Pad(0.0), sweep);
    u = dagger::compute(u);
    moved = dagger::collect(dagger::maximum(dagger::map([](double d) { return std::fabs(d); }, u - before)));
    sweeps += 50;
  }
  const Eigen::MatrixXd field = dagger::collect(u);
  const double centre = field(n / 2, n / 2);
  std::cout << "Jacobi on a " << n << " x " << n << " grid: " << sweeps << " sweeps, last change " << moved
            << ", u at the centre " << centre << " (exact 0.0736713)\n";
  return std::fabs(centre - 0.0736713) < 1e-3 ? 0 : 1;
}
