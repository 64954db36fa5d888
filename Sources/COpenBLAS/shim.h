// CBLAS from Debian's libopenblas-dev (the blas alternative points at OpenBLAS).
#include <cblas.h>
