/* CPU copies of client pixels per path (csrc/51_copy_stats.c), read by render/copy_stats.py.
 * No include guard or macros: build.py inlines this file into the cdef. */
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
