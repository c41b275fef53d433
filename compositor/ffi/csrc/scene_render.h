/* The frame loop's scene commit (csrc/scene_render.c): what Python sets of it. */
#pragma once
#include <stdbool.h>

struct wlr_output;

/* A rule: frames of this output always composited, never a client's buffer on the plane;
 * false when out of memory. */
bool comp_output_set_scanout_allowed(struct wlr_output *output, bool allowed);
