// ScaLAPACK's pdpotrf on the MPI ranks it is started on (mpirun -np 2):
// the peer of bench_linalg --workers. Each rank fills its block-cyclic part
// of the same generated SPD matrix as bench_linalg's out-of-core case (the
// entries are a hash of their position), then the ranks factor it,
// `repetitions` times; rank 0 prints the median seconds.
//
//   scalapack_cholesky N TILE REPETITIONS
#include <mpi.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "generated_spd.hpp"

extern "C" {
void Cblacs_pinfo(int* rank, int* processes);
void Cblacs_get(int context, int what, int* value);
void Cblacs_gridinit(int* context, const char* order, int rows, int cols);
void Cblacs_gridinfo(int context, int* rows, int* cols, int* row, int* col);
void Cblacs_gridexit(int context);
int numroc_(const int* n, const int* nb, const int* proc, const int* first_proc, const int* procs);
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb, const int* first_row,
               const int* first_col, const int* context, const int* lld, int* info);
void pdpotrf_(const char* uplo, const int* n, double* a, const int* ia, const int* ja, const int* desc, int* info);
}

namespace {

// The global index of local index `local` of a block-cyclic dimension.
std::int64_t global_of(int local, int nb, int proc, int procs) {
  return (static_cast<std::int64_t>(local / nb) * procs + proc) * nb + local % nb;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  if (argc != 4) {
    std::fprintf(stderr, "usage: scalapack_cholesky N TILE REPETITIONS\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const int n = std::atoi(argv[1]), nb = std::atoi(argv[2]), repetitions = std::atoi(argv[3]);
  int rank = 0, processes = 0;
  Cblacs_pinfo(&rank, &processes);
  // One row of processes, as many columns as ranks: each holds whole
  // columns of tiles, cyclically.
  int context = 0;
  Cblacs_get(-1, 0, &context);
  Cblacs_gridinit(&context, "Row", 1, processes);
  int grid_rows = 0, grid_cols = 0, row = 0, col = 0;
  Cblacs_gridinfo(context, &grid_rows, &grid_cols, &row, &col);
  const int zero = 0, one = 1;
  const int local_rows = numroc_(&n, &nb, &row, &zero, &grid_rows);
  const int local_cols = numroc_(&n, &nb, &col, &zero, &grid_cols);
  const int lld = std::max(1, local_rows);
  int desc[9], info = 0;
  descinit_(desc, &n, &n, &nb, &nb, &zero, &zero, &context, &lld, &info);
  std::vector<double> a(static_cast<std::size_t>(lld) * static_cast<std::size_t>(local_cols));
  std::vector<double> seconds;
  for (int r = 0; r < repetitions; ++r) {
    for (int lc = 0; lc < local_cols; ++lc) {
      const std::int64_t j = global_of(lc, nb, col, grid_cols);
      for (int lr = 0; lr < local_rows; ++lr) {
        a[static_cast<std::size_t>(lr) + static_cast<std::size_t>(lc) * static_cast<std::size_t>(lld)] =
            dagger_bench::generated_spd_entry(global_of(lr, nb, row, grid_rows), j, n);
      }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    const double start = MPI_Wtime();
    pdpotrf_("L", &n, a.data(), &one, &one, desc, &info);
    MPI_Barrier(MPI_COMM_WORLD);
    seconds.push_back(MPI_Wtime() - start);
    if (info != 0) {
      std::fprintf(stderr, "pdpotrf failed: info %d\n", info);
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
  }
  if (rank == 0) {
    std::sort(seconds.begin(), seconds.end());
    std::printf("pdpotrf n=%d nb=%d ranks=%d median %.3f s\n", n, nb, processes, seconds[seconds.size() / 2]);
  }
  Cblacs_gridexit(context);
  MPI_Finalize();
  return 0;
}
