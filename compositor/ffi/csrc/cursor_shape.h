/* wp_cursor_shape_manager_v1 (wlroots 0.15 lacks it; protocols/cursor-shape-v1.xml, newer
 * than Debian 12's wayland-protocols): a client names a cursor shape instead of drawing a
 * cursor surface (GTK 4.16, Qt 6.6, foot). A pointer's set_shape from the client under the
 * pointer, with the serial of its latest enter, shows that shape of the cursor theme (the
 * CSS name, else the X11 one), through the pointer's C motion path and its xcursor
 * manager (pointer_motion.h). Tablet tools' shapes are accepted and not shown, like
 * their cursor surfaces (csrc/cursor_shape.c). */
#pragma once
#include <stdint.h>
#include "pointer_motion.h"

struct wl_display;

struct comp_cursor_shape_manager;
struct comp_cursor_shape_manager *comp_cursor_shape_manager_create(struct wl_display *display,
	comp_pointer_motion *pointer);
void comp_cursor_shape_manager_destroy(struct comp_cursor_shape_manager *manager);
/* wp_cursor_shape_v1's counters. */
typedef struct {
	uint64_t shapes_set; /* set_shape requests shown */
	uint64_t shapes_ignored; /* not the client under the pointer, a stale serial, a tool */
	uint32_t last_shape; /* the enum value of the last one shown (0: none yet) */
} comp_cursor_shape_stats;
void comp_cursor_shape_get_stats(struct comp_cursor_shape_manager *manager,
	comp_cursor_shape_stats *stats);
/* The CSS name of a shape (wp_cursor_shape_device_v1.shape), NULL when unknown. */
const char *comp_cursor_shape_name(uint32_t shape);
