/* Pointer constraints (compositor/input/constraints.py) and where a surface is drawn
 * (constraints and idle inhibitors): csrc/pointer_constraints.c. */
#pragma once
#include <stdbool.h>

struct wlr_scene_node;
struct wlr_surface;

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

/* Layout coordinates of `surface` as drawn: the topmost scene surface node showing it with
 * every ancestor enabled, and a buffer. False when it is not drawn (unmapped, minimized,
 * nowhere in the scene). */
bool comp_scene_surface_drawn(struct wlr_scene_node *root, struct wlr_surface *surface,
	int *lx, int *ly);
