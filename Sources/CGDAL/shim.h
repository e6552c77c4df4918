#ifndef SOCMAP_CGDAL_SHIM_H
#define SOCMAP_CGDAL_SHIM_H
// struct stat64, which GDAL's VSIStatBufL names on Linux.
#ifndef _LARGEFILE64_SOURCE
#define _LARGEFILE64_SOURCE 1
#endif
#include <sys/stat.h>
// GDAL, OGR vector layers and spatial references (PROJ underneath), warping and utilities.
#include <gdal.h>
#include <gdal_alg.h>
#include <gdal_utils.h>
#include <gdalwarper.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>

// VSIStatL's buffer is a macro for the platform's stat structure, which Swift does not import: the size and
// modification time of a file on GDAL's (virtual) file systems, 0 on success.
static inline int socmap_vsi_stat(const char *path, long long *bytes, long long *modified_ns) {
    VSIStatBufL info;
    if (VSIStatL(path, &info) != 0) return -1;
    *bytes = (long long)info.st_size;
    *modified_ns = (long long)info.st_mtime * 1000000000LL;
    return 0;
}
#endif
