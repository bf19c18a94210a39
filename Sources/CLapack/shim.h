#pragma once
// LAPACKE (the C interface to LAPACK) for the SVD, and CBLAS for the matrix products that rebuild a
// low-rank tensor. On Debian, libblas.so is whichever BLAS the alternatives system selects (OpenBLAS or the
// reference one); both export the cblas_* symbols.
#include <lapacke.h>
#include <cblas.h>
