/* The pointer's warp and absolute coordinates (wlroots 0.15; pywlroots 0.15.24 lacks them:
 * it declares wlr_cursor_absolute_to_layout_coords in Python but its module lacks the
 * function). */
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_seat.h>
struct wlr_seat;
void wlr_seat_pointer_warp(struct wlr_seat *wlr_seat, double sx, double sy);
/* Absolute 0..1 device coordinates -> layout coordinates. */
struct wlr_cursor;
void wlr_cursor_absolute_to_layout_coords(struct wlr_cursor *cursor,
	struct wlr_input_device *dev, double x, double y, double *lx, double *ly);
