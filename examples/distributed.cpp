// The seed's sum(pow(x, 2)) and a matrix product on worker processes, with
// the results checked against the same computation in this process alone.
//
//   ./dagger_distributed                      # starts 2 local workers
//   mpirun -n 3 ./dagger_distributed          # rank 0 drives ranks 1 and 2
//   DAGGER_LISTEN=0.0.0.0:7001 DAGGER_COOKIE=secret DAGGER_WAIT_FOR_WORKERS=1 ./dagger_distributed
//   DAGGER_COOKIE=secret ./dagger_distributed --dagger-worker HOST:7001    # on another host
#include <cstdio>
#include <cstdlib>

#include "dagger/array.hpp"
#include "dagger/dagger.hpp"
#include "dagger/distributed.hpp"

int main(int argc, char** argv) {
  dagger::init(argc, argv);  // workers serve inside and never return
  if (const char* wait = std::getenv("DAGGER_WAIT_FOR_WORKERS"); wait && *wait) {
    dagger::wait_for_workers(std::atoi(wait));
  } else if (dagger::workers().empty()) {
    dagger::add_local_workers(2);  // not under mpirun, whose other ranks are workers already
  }
  std::vector<dagger::Processor*> remote;
  for (dagger::WorkerProc* w : dagger::workers()) {
    std::printf("worker %u: pid %lld on %s, %d threads\n", w->index(), static_cast<long long>(w->pid()),
                w->host().c_str(), w->threads());
    remote.push_back(w);
  }
  const dagger::Context on_workers(remote);
  const dagger::Context here(std::vector<dagger::Processor*>{&dagger::this_process()});

  auto x = dagger::randn(dagger::Blocks(500, 500), 2000, 2000, dagger::Seed{42});
  const double s = dagger::collect(on_workers, dagger::sum(dagger::pow(x, 2)));
  const double s_here = dagger::collect(here, dagger::sum(dagger::pow(x, 2)));
  std::printf("sum(x .^ 2) on the workers: %.6f (about n = 4e6), in this process: %.6f\n", s, s_here);

  auto a = dagger::rand(dagger::Blocks(250, 250), 600, 500, dagger::Seed{1});
  auto b = dagger::rand(dagger::Blocks(250, 250), 500, 400, dagger::Seed{2});
  const Eigen::MatrixXd c = dagger::collect(on_workers, dagger::matmul(a, b));
  const Eigen::MatrixXd c_here = dagger::collect(here, dagger::matmul(a, b));
  const bool same = s == s_here && c == c_here;
  std::printf("matmul 600x500 * 500x400 on the workers, sum %.6f\n", c.sum());
  std::printf("same as in one process: %s\n", same ? "yes" : "NO");
  return same ? 0 : 1;
}
