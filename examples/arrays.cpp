// The array examples of Dagger.jl's documentation, in C++.
#include <dagger/array.hpp>
#include <dagger/dagger.hpp>
#include <iostream>

int main() {
  using dagger::Blocks;
  // A = rand(Blocks(4, 4), 16, 16); compute(A); collect(A)
  auto a = dagger::rand(Blocks(4, 4), 16, 16, dagger::Seed{1});
  auto b = dagger::compute(a);
  std::cout << b << "\n";
  Eigen::MatrixXd m = dagger::collect(b);

  // sum(x .^ 2) over randn
  auto x = dagger::randn(Blocks(400, 400), 1000, 1000, dagger::Seed{2});
  std::cout << "sum(x^2) = " << dagger::collect(dagger::sum(dagger::pow(x, 2))) << " (about 1e6)\n";

  // distribute an existing matrix; map; reductions
  auto d = dagger::distribute(Blocks(5, 5), m);
  std::cout << "sum(map(e -> e^2, d)) = " << dagger::collect(dagger::sum(dagger::map([](double e) { return e * e; }, d)))
            << " = " << m.squaredNorm() << "\n";
  std::cout << "maximum(d) = " << dagger::collect(dagger::maximum(d)) << ", mean = " << dagger::collect(dagger::mean(d))
            << "\n";
  std::cout << "column sums:\n" << dagger::collect(dagger::sum(d, 1)) << "\n";
  std::cout << "sum per block:\n"
            << dagger::collect(dagger::reduceblock([](const auto& block) { return block.sum(); }, d)) << "\n";

  // A * A, A + A', element-wise math
  auto p = dagger::collect(d * d + dagger::transpose(d));
  std::cout << "(A*A + A') matches Eigen: " << (p.isApprox(m * m + m.transpose()) ? "yes" : "no") << "\n";
  auto y = dagger::collect(dagger::exp(d) / 2.0 - dagger::sin(d));
  std::cout << "exp(A)/2 - sin(A) matches Eigen: "
            << (y.isApprox((m.array().exp() / 2.0 - m.array().sin()).matrix()) ? "yes" : "no") << "\n";

  // Indexing: X[20:100, 20:100], X[[20,30,40],[30,40,60]], X[[20,30,40], :]
  auto big = dagger::rand(Blocks(32, 32), 128, 128, dagger::Seed{3});
  std::cout << "X(range(20, 100), range(20, 100)) is " << dagger::collect(big(dagger::range(20, 100), dagger::range(20, 100))).rows()
            << "x80\n";
  std::cout << "X({20,30,40}, {30,40,60}):\n" << dagger::collect(big({20, 30, 40}, {30, 40, 60})) << "\n";
  std::cout << "X({20,30,40}, all) has " << dagger::collect(big({20, 30, 40}, dagger::all)).cols() << " columns\n";

  // Sparse: sprand, sparse * dense vector
  auto s = dagger::sprand(Blocks(50, 50), 200, 200, 0.01, dagger::Seed{4});
  auto v = dagger::ones(Blocks(50), 200);
  std::cout << "nonzeros of sprand: " << dagger::collect(s).nonZeros() << ", sum(S * ones) = "
            << dagger::collect(dagger::sum(s * v)) << "\n";

  // Sort
  auto sorted = dagger::collect(dagger::sort(dagger::rand(Blocks(1000), 10000, dagger::Seed{5})));
  std::cout << "sorted: " << (std::is_sorted(sorted.data(), sorted.data() + sorted.size()) ? "yes" : "no") << "\n";

  // Any rank: rand(Blocks(4, 4, 4), 16, 16, 16) (with a seed, the shape in braces), sum(c; dims=(1, 3)),
  // permutedims, A .+ v
  auto c = dagger::rand(Blocks(4, 4, 4), {16, 16, 16}, dagger::Seed{6});
  std::cout << c << "\n";
  auto planes = dagger::sum(c, {1, 3});
  std::cout << "sum(c, {1, 3}) is " << planes.layout().shape_text() << ", total " << dagger::collect(dagger::sum(planes))
            << " = " << dagger::collect(dagger::sum(c)) << "\n";
  std::cout << dagger::permutedims(c, {3, 1, 2}) << "\n";
  auto column = dagger::distribute(Blocks(4), std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
                                   {16});
  std::cout << "mean(c .+ v) - mean(c) = " << dagger::collect(dagger::mean(c + column)) - dagger::collect(dagger::mean(c))
            << " (8.5)\n";
  try {
    dagger::collect(c);  // an Eigen matrix holds 2 dimensions
  } catch (const dagger::ArrayError& e) {
    std::cout << "collect(c): " << e.what() << "; collect_flat(c) has " << dagger::collect_flat(c).size()
              << " elements\n";
  }
  return 0;
}
