/* Server-side decorations (compositor/shell/decorations.py): title bars drawn by the
 * compositor as scene nodes inside a window's tree, and the KDE server-decoration
 * protocol's pieces that pywlroots 0.15.24 does not bind (csrc/decorations.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wlr_buffer;
struct wlr_scene_node;
struct wlr_xdg_surface;
struct wlr_surface;
struct wlr_server_decoration_manager;

/* A wlr_buffer in CPU memory: a copy of `height` rows of `stride` bytes of premultiplied
 * ARGB8888 (DRM_FORMAT_ARGB8888). The renderer reads it through data-pointer access, once
 * per scene node (the texture is kept). The producer's reference is dropped with
 * wlr_buffer_drop; it is freed when the last scene node showing it is gone. NULL: out of
 * memory. */
struct wlr_buffer *comp_cpu_buffer_create(int width, int height, const void *data,
	size_t stride);
/* CPU buffers not freed yet (the endurance tests count them). */
size_t comp_cpu_buffer_live_count(void);

struct comp_decor_style {
	int height;  /* of the bar, above the window geometry */
	int button;  /* width of each button, right-aligned in the bar */
	int padding; /* left of the title */
	float focused[4], unfocused[4]; /* bar colours, premultiplied RGBA */
	float close[4], maximize[4];    /* button colours */
};

/* The window a title bar follows, filled in by Python from pywlroots' xdg structs (this
 * module cannot include wlr_xdg_shell.h: it needs a generated protocol header). Every
 * pointer lives as long as the xdg surface, which outlives the title bar. */
struct comp_decor_window {
	struct wlr_surface *surface;         /* its commits: the geometry may have changed */
	struct wlr_xdg_surface *xdg_surface; /* for wlr_xdg_surface_get_geometry */
	void *configure_signal;              /* &xdg_surface->events.configure, map, unmap */
	void *map_signal;
	void *unmap_signal;
	const bool *activated;  /* &toplevel->scheduled.activated: what a configure sends */
	const bool *fullscreen; /* &toplevel->scheduled.fullscreen */
	bool mapped;            /* xdg_surface->mapped now */
};

/* What a node of a title bar is. */
enum comp_decor_part {
	COMP_DECOR_NONE = 0,
	COMP_DECOR_BAR = 1, /* the bar or its title: moves the window */
	COMP_DECOR_CLOSE = 2,
	COMP_DECOR_MAXIMIZE = 3,
};

/* A title bar in `view_tree` (a window's tree, whose origin is the window geometry's
 * top-left), below the client's surfaces (popups open over it). It follows the window in
 * C: its width follows the window geometry at each commit, its colour the `activated`
 * state of each configure the client is sent; it is shown while the window is mapped and
 * no configure said fullscreen. Glyphs (may be NULL) are shown centred in their buttons.
 * NULL: out of memory. */
struct comp_decor;
struct comp_decor *comp_decor_create(struct wlr_scene_node *view_tree,
	const struct comp_decor_window *window, const struct comp_decor_style *style,
	struct wlr_buffer *close_glyph, struct wlr_buffer *maximize_glyph);
/* Show `title` (a buffer, NULL: none) left in the bar, cropped to the room left of the
 * buttons. `scale`: the buffer's pixels per logical pixel (2: rendered for a 2x output).
 * The bar takes its own reference. */
void comp_decor_set_title(struct comp_decor *decor, struct wlr_buffer *title, int scale);
enum comp_decor_part comp_decor_part(struct comp_decor *decor, struct wlr_scene_node *node);
bool comp_decor_focused(struct comp_decor *decor);
bool comp_decor_visible(struct comp_decor *decor);
/* Removes its nodes and listeners. Call before the window's tree is destroyed. */
void comp_decor_destroy(struct comp_decor *decor);
size_t comp_decor_live_count(void);

/* org_kde_kwin_server_decoration: the manager's new_decoration signal, and a decoration's
 * surface, mode (enum wlr_server_decoration_manager_mode) and mode/destroy signals, as
 * void * for pywayland's Signal. */
void *comp_kde_decoration_new_signal(struct wlr_server_decoration_manager *manager);
struct wlr_surface *comp_kde_decoration_surface(void *decoration);
uint32_t comp_kde_decoration_mode(void *decoration);
void *comp_kde_decoration_mode_signal(void *decoration);
void *comp_kde_decoration_destroy_signal(void *decoration);
