// The peers of bench_gpu: the same work done by calling cuBLAS, cuSPARSE
// and Thrust directly on device buffers, with no runtime in between. Each
// returns seconds (median of `repeats`), measured with the device
// synchronized around every run.
#pragma once

namespace bench {

double direct_gemm_seconds(long long n, int repeats);
// y = exp(-x*x) * 2 + sin(x) over n doubles, one Thrust transform.
double direct_chain_seconds(long long n, int repeats);
// sum of n doubles, thrust::reduce.
double direct_sum_seconds(long long n, int repeats);
// y = S x, S n x n with nnz_per_column entries per column (CSC), cuSPARSE SpMV.
double direct_spmv_seconds(long long n, int nnz_per_column, int repeats);

}  // namespace bench
