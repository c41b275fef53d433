/* The pointer's C motion path (csrc/97_pointer_motion.c), shared with cffi
 * (cdef/97_pointer_motion.h). No include guard or macros: build.py inlines this file. */
struct wlr_cursor;
struct wlr_seat;
struct wlr_scene_node;
struct wlr_idle;
struct wlr_xcursor_manager;
struct wlr_relative_pointer_manager_v1;

/* What comp_py_pointer_motion is called for. */
enum comp_pointer_call {
	COMP_POINTER_MOTION = 0, /* a struct wlr_event_pointer_motion * for Python */
	COMP_POINTER_MOTION_ABSOLUTE = 1, /* a struct wlr_event_pointer_motion_absolute * */
	COMP_POINTER_NEED_XCURSOR = 2, /* make the xcursor manager and set `xcursor` */
};

typedef struct {
	struct wlr_cursor *cursor;
	struct wlr_seat *seat;
	struct wlr_scene_node *root;
	void *handle;
	/* Set from Python: */
	struct wlr_relative_pointer_manager_v1 *relative; /* NULL: no relative motion */
	struct wlr_idle *idle; /* NULL: no activity to report */
	struct wlr_xcursor_manager *xcursor; /* NULL until Python made it (on first need) */
	bool python; /* Python takes every motion (grab, kept press, constraint, inhibitor) */
	bool has_pointers; /* a pointer device is plugged in */
	/* State, read and written by both sides: */
	bool over_client; /* the last hit test found a client's surface */
	/* Counters: */
	uint64_t motions_c; /* motion events handled in C, no Python */
	uint64_t motions_python; /* motion events handed to Python */
	uint64_t relative_events; /* relative motion events offered to clients from C */
	uint64_t cursor_images; /* clients' cursor images set (wl_pointer.set_cursor) */
} comp_pointer_motion;
