/* Inert protocol objects: wlroots 0.15 frees an xdg_surface and its toplevel or popup when
 * the client destroys the wl_surface first, and leaves their resources with NULL user data,
 * which its request handlers then dereference (a crash on the client's next request, e.g.
 * set_title). The compositor makes those resources inert instead: every request is ignored,
 * except destroy, which destroys the resource. */
#pragma once
#include <stdbool.h>

struct wl_resource;
struct wlr_surface;

void comp_resource_make_inert(struct wl_resource *resource);
/* Make `xdg` (an xdg_surface resource) and `role` (its xdg_toplevel or xdg_popup resource,
 * may be NULL) inert when `surface` is destroyed while they live; nothing happens to
 * them otherwise (a client that destroys them first reaches wlroots' own handlers). Frees
 * itself when done. false: out of memory. */
bool comp_inert_when_surface_goes(struct wlr_surface *surface, struct wl_resource *xdg,
	struct wl_resource *role);
