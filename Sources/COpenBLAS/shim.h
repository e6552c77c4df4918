#ifndef SOCMAP_COPENBLAS_SHIM_H
#define SOCMAP_COPENBLAS_SHIM_H
// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, pkg-config openblas).
#include <cblas.h>
// Thread control, declared by OpenBLAS's cblas.h; repeated here for clarity.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
#endif
