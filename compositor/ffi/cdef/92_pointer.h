/* Pointer constraints (compositor/input/constraints.py), where a surface is drawn (constraints
 * and idle inhibitors), and injected gestures (the headless pointer has no touchpad). */
struct wlr_seat;

/* Pointer constraints work on the constraint's region (a pixman_region32_t *, surface-local,
 * read through pywlroots: wlroots' constraint header needs a generated protocol header).
 * Where a motion by (dx, dy) from (sx, sy) ends inside the region (wlr_region_confine: it
 * stops at the region's edge); false when (sx, sy) is outside it (the pointer must not
 * move). */
bool comp_region_confine(void *region, double sx, double sy, double dx, double dy,
	double *x, double *y);
/* A point inside the region (the centre of its first rectangle) when (sx, sy) is outside
 * it: true and *x, *y set; false when it is inside or the region is empty. */
bool comp_region_point_inside(void *region, double sx, double sy, double *x, double *y);
void wlr_seat_pointer_warp(struct wlr_seat *wlr_seat, double sx, double sy);

/* Layout coordinates of `surface` as drawn: the topmost scene surface node showing it with
 * every ancestor enabled, and a buffer. False when it is not drawn (unmapped, minimized,
 * nowhere in the scene). */
bool comp_scene_surface_drawn(struct wlr_scene_node *root, struct wlr_surface *surface,
	int *lx, int *ly);

/* A touchpad gesture on a (headless) pointer device, emitted on the device like libinput's:
 * kind 0 swipe, 1 pinch, 2 hold; phase 0 begin, 1 update, 2 end. Returns -1 when the
 * device is no pointer or kind/phase are out of range (hold has no update). */
int comp_pointer_gesture(struct wlr_input_device *dev, uint32_t time_msec, int kind,
	int phase, uint32_t fingers, double dx, double dy, double scale, double rotation,
	bool cancelled);

/* Absolute 0..1 device coordinates -> layout coordinates (pywlroots 0.15.24 declares it in
 * Python but its module lacks the function). */
struct wlr_cursor;
void wlr_cursor_absolute_to_layout_coords(struct wlr_cursor *cursor,
	struct wlr_input_device *dev, double x, double y, double *lx, double *ly);
