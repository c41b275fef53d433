/* wp_cursor_shape_v1's counters (csrc/99_cursor_shape.c), shared with cffi
 * (cdef/99_cursor_shape.h). No include guard or macros: build.py inlines this file. */
typedef struct {
	uint64_t shapes_set; /* set_shape requests shown */
	uint64_t shapes_ignored; /* not the client under the pointer, a stale serial, a tool */
	uint32_t last_shape; /* the enum value of the last one shown (0: none yet) */
} comp_cursor_shape_stats;
