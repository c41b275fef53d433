/* ext_foreign_toplevel_list_v1 (wlroots 0.15 lacks it): the mapped windows, xdg and X11, each
 * with an identifier (32 hex digits, never reused), title and app id, and closed when it
 * unmaps (csrc/foreign_toplevel_list.c; shell/foreign_toplevel.py drives it). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct comp_ftl_manager;
struct comp_ftl_toplevel;

struct comp_ftl_manager *comp_ftl_manager_create(struct wl_display *display);
/* Also done when the display goes; the toplevels are then the caller's to destroy. */
void comp_ftl_manager_destroy(struct comp_ftl_manager *manager);
/* A window mapped: every bound list gets a handle (title, app_id: NULL for none). */
struct comp_ftl_toplevel *comp_ftl_toplevel_create(struct comp_ftl_manager *manager,
	const char *title, const char *app_id);
/* Sent with done to every handle when it differs from what they were told. */
void comp_ftl_toplevel_set_title(struct comp_ftl_toplevel *toplevel, const char *title);
void comp_ftl_toplevel_set_app_id(struct comp_ftl_toplevel *toplevel, const char *app_id);
const char *comp_ftl_toplevel_identifier(struct comp_ftl_toplevel *toplevel);
/* The window unmapped: closed to every handle. */
void comp_ftl_toplevel_destroy(struct comp_ftl_toplevel *toplevel);
