/* Copy accounting on every surface commit, in C (render/copy_stats.py explains the paths;
 * csrc/copy_stats.c). CPU copies of client pixels per path, read by render/copy_stats.py. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wlr_compositor;

typedef struct {
	uint64_t commits;  /* surface commits that went through this path */
	uint64_t copies;   /* CPU copy operations (texture uploads, rectangle by rectangle) */
	uint64_t bytes;    /* bytes copied (or, for pixman_read, read) by the CPU */
	uint64_t full;     /* commits that (re)created the texture */
} comp_copy_path;

typedef struct {
	/* Indexed by path: 0 shm_upload, 1 dmabuf_import, 2 pixman_read, 3 readback. */
	comp_copy_path paths[4];
	uint64_t surfaces;  /* live wl_surfaces (each tracked from creation to destruction) */
} comp_copy_stats;

comp_copy_stats *comp_copy_stats_create(struct wlr_compositor *compositor);
void comp_copy_stats_destroy(comp_copy_stats *stats);
/* Buffer-kind changes to Python (comp_py_buffer_kind), only while the configuration has a
 * buffer hook. */
void comp_copy_stats_report_buffer_kinds(bool on);
