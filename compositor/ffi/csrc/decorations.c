/* Server-side decorations: see decorations.h. */
#include <stdlib.h>
#include <string.h>
#include <drm_fourcc.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_server_decoration.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/box.h>
#include "decorations.h"

/* From wlr/types/wlr_xdg_shell.h, which includes a generated xdg-shell-protocol.h. */
struct wlr_xdg_surface;
void wlr_xdg_surface_get_geometry(struct wlr_xdg_surface *surface, struct wlr_box *box);

/* ---- a wlr_buffer in CPU memory ---- */

struct comp_cpu_buffer {
	struct wlr_buffer base;
	void *data;
	size_t stride;
};

static size_t cpu_buffers_live;

static void cpu_buffer_destroy(struct wlr_buffer *wlr_buffer) {
	struct comp_cpu_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	free(buffer->data);
	free(buffer);
	cpu_buffers_live--;
}

static bool cpu_buffer_begin_data_ptr_access(struct wlr_buffer *wlr_buffer, uint32_t flags,
		void **data, uint32_t *format, size_t *stride) {
	struct comp_cpu_buffer *buffer = wl_container_of(wlr_buffer, buffer, base);
	if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) {
		return false; /* what was rendered once stays as it is */
	}
	*data = buffer->data;
	*format = DRM_FORMAT_ARGB8888;
	*stride = buffer->stride;
	return true;
}

static void cpu_buffer_end_data_ptr_access(struct wlr_buffer *wlr_buffer) {
}

static const struct wlr_buffer_impl cpu_buffer_impl = {
	.destroy = cpu_buffer_destroy,
	.begin_data_ptr_access = cpu_buffer_begin_data_ptr_access,
	.end_data_ptr_access = cpu_buffer_end_data_ptr_access,
};

struct wlr_buffer *comp_cpu_buffer_create(int width, int height, const void *data,
		size_t stride) {
	if (width <= 0 || height <= 0 || stride < (size_t)width * 4) {
		return NULL;
	}
	struct comp_cpu_buffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL) {
		return NULL;
	}
	buffer->data = malloc(stride * (size_t)height);
	if (buffer->data == NULL) {
		free(buffer);
		return NULL;
	}
	memcpy(buffer->data, data, stride * (size_t)height);
	buffer->stride = stride;
	wlr_buffer_init(&buffer->base, &cpu_buffer_impl, width, height);
	cpu_buffers_live++;
	return &buffer->base;
}

size_t comp_cpu_buffer_live_count(void) {
	return cpu_buffers_live;
}

/* ---- title bars ---- */

struct comp_decor {
	struct comp_decor_style style;
	struct comp_decor_window window;
	struct wlr_scene_tree *tree;
	struct wlr_scene_rect *bar, *close, *maximize;
	struct wlr_scene_buffer *close_glyph, *maximize_glyph;
	struct wlr_scene_buffer *title; /* NULL: no title */
	int title_scale;                /* buffer pixels per logical pixel of the title */
	int width; /* of the window geometry the bar was laid out for; -1: not yet */
	bool focused, fullscreen, mapped, visible;
	struct wl_listener commit;
	struct wl_listener configure;
	struct wl_listener map, unmap;
};

static size_t decors_live;

static void decor_place_glyph(struct wlr_scene_buffer *glyph, int x, int button, int height) {
	if (glyph == NULL || glyph->buffer == NULL) {
		return;
	}
	wlr_scene_node_set_position(&glyph->node, x + (button - glyph->buffer->width) / 2,
		(height - glyph->buffer->height) / 2);
}

static void decor_layout_title(struct comp_decor *decor) {
	if (decor->title == NULL || decor->title->buffer == NULL) {
		return;
	}
	const struct comp_decor_style *s = &decor->style;
	/* A title rendered for a scaled output has `title_scale` buffer pixels per logical
	 * pixel: its node is its logical size, which the output shows at full resolution. */
	int scale = decor->title_scale > 0 ? decor->title_scale : 1;
	int title_width = decor->title->buffer->width / scale;
	int title_height = decor->title->buffer->height / scale;
	int room = decor->width - 2 * s->button - 2 * s->padding;
	wlr_scene_node_set_position(&decor->title->node, s->padding,
		(s->height - title_height) / 2);
	wlr_scene_node_set_enabled(&decor->title->node, room > 0);
	if (room <= 0) {
		return;
	}
	if (title_width > room) {
		struct wlr_fbox crop = {.x = 0, .y = 0, .width = room * scale,
			.height = decor->title->buffer->height};
		wlr_scene_buffer_set_source_box(decor->title, &crop);
		wlr_scene_buffer_set_dest_size(decor->title, room, title_height);
	} else {
		wlr_scene_buffer_set_source_box(decor->title, NULL);
		wlr_scene_buffer_set_dest_size(decor->title, scale > 1 ? title_width : 0,
			scale > 1 ? title_height : 0);
	}
}

static void decor_layout(struct comp_decor *decor, int width) {
	if (width == decor->width) {
		return;
	}
	decor->width = width;
	const struct comp_decor_style *s = &decor->style;
	int close_x = width - s->button;
	int maximize_x = width - 2 * s->button;
	wlr_scene_rect_set_size(decor->bar, width, s->height);
	wlr_scene_node_set_position(&decor->close->node, close_x, 0);
	wlr_scene_node_set_position(&decor->maximize->node, maximize_x, 0);
	decor_place_glyph(decor->close_glyph, close_x, s->button, s->height);
	decor_place_glyph(decor->maximize_glyph, maximize_x, s->button, s->height);
	decor_layout_title(decor);
}

static void decor_handle_commit(struct wl_listener *listener, void *data) {
	struct comp_decor *decor = wl_container_of(listener, decor, commit);
	struct wlr_box box;
	wlr_xdg_surface_get_geometry(decor->window.xdg_surface, &box);
	decor_layout(decor, box.width);
}

/* Shown while the window is mapped and not fullscreen (a minimized window hides its whole
 * tree). */
static void decor_update_visible(struct comp_decor *decor) {
	decor->visible = decor->mapped && !decor->fullscreen;
	wlr_scene_node_set_enabled(&decor->tree->node, decor->visible);
}

static void decor_show_state(struct comp_decor *decor, bool activated, bool fullscreen) {
	decor->focused = activated;
	decor->fullscreen = fullscreen;
	wlr_scene_rect_set_color(decor->bar,
		activated ? decor->style.focused : decor->style.unfocused);
	decor_update_visible(decor);
}

static void decor_handle_map(struct wl_listener *listener, void *data) {
	struct comp_decor *decor = wl_container_of(listener, decor, map);
	decor->mapped = true;
	decor_update_visible(decor);
}

static void decor_handle_unmap(struct wl_listener *listener, void *data) {
	struct comp_decor *decor = wl_container_of(listener, decor, unmap);
	decor->mapped = false;
	decor_update_visible(decor);
}

/* A configure is made of the toplevel's scheduled state as it is sent. */
static void decor_handle_configure(struct wl_listener *listener, void *data) {
	struct comp_decor *decor = wl_container_of(listener, decor, configure);
	decor_show_state(decor, *decor->window.activated, *decor->window.fullscreen);
}

struct comp_decor *comp_decor_create(struct wlr_scene_node *view_tree,
		const struct comp_decor_window *window, const struct comp_decor_style *style,
		struct wlr_buffer *close_glyph, struct wlr_buffer *maximize_glyph) {
	struct comp_decor *decor = calloc(1, sizeof(*decor));
	if (decor == NULL) {
		return NULL;
	}
	decor->style = *style;
	decor->window = *window;
	decor->mapped = window->mapped;
	decor->width = -1;
	decor->tree = wlr_scene_tree_create(view_tree);
	if (decor->tree == NULL) {
		free(decor);
		return NULL;
	}
	/* Below the client's surfaces: its popups open over the bar. */
	wlr_scene_node_lower_to_bottom(&decor->tree->node);
	wlr_scene_node_set_position(&decor->tree->node, 0, -style->height);
	struct wlr_scene_node *parent = &decor->tree->node;
	decor->bar = wlr_scene_rect_create(parent, 0, style->height, style->unfocused);
	decor->maximize = wlr_scene_rect_create(parent, style->button, style->height,
		style->maximize);
	decor->close = wlr_scene_rect_create(parent, style->button, style->height, style->close);
	if (decor->bar == NULL || decor->maximize == NULL || decor->close == NULL) {
		wlr_scene_node_destroy(&decor->tree->node);
		free(decor);
		return NULL;
	}
	if (maximize_glyph != NULL) {
		decor->maximize_glyph = wlr_scene_buffer_create(parent, maximize_glyph);
	}
	if (close_glyph != NULL) {
		decor->close_glyph = wlr_scene_buffer_create(parent, close_glyph);
	}
	decor->commit.notify = decor_handle_commit;
	wl_signal_add(&window->surface->events.commit, &decor->commit);
	decor->configure.notify = decor_handle_configure;
	wl_signal_add(window->configure_signal, &decor->configure);
	decor->map.notify = decor_handle_map;
	wl_signal_add(window->map_signal, &decor->map);
	decor->unmap.notify = decor_handle_unmap;
	wl_signal_add(window->unmap_signal, &decor->unmap);
	decor_show_state(decor, *window->activated, *window->fullscreen);
	struct wlr_box box;
	wlr_xdg_surface_get_geometry(window->xdg_surface, &box);
	decor_layout(decor, box.width);
	decors_live++;
	return decor;
}

void comp_decor_set_title(struct comp_decor *decor, struct wlr_buffer *title, int scale) {
	decor->title_scale = scale;
	if (decor->title != NULL) {
		wlr_scene_node_destroy(&decor->title->node);
		decor->title = NULL;
	}
	if (title == NULL) {
		return;
	}
	decor->title = wlr_scene_buffer_create(&decor->tree->node, title);
	if (decor->title == NULL) {
		return;
	}
	/* Over the bar, under the buttons. */
	wlr_scene_node_place_above(&decor->title->node, &decor->bar->node);
	decor_layout_title(decor);
}

enum comp_decor_part comp_decor_part(struct comp_decor *decor, struct wlr_scene_node *node) {
	if (node == NULL) {
		return COMP_DECOR_NONE;
	}
	if (node == &decor->close->node ||
			(decor->close_glyph != NULL && node == &decor->close_glyph->node)) {
		return COMP_DECOR_CLOSE;
	}
	if (node == &decor->maximize->node ||
			(decor->maximize_glyph != NULL && node == &decor->maximize_glyph->node)) {
		return COMP_DECOR_MAXIMIZE;
	}
	if (node == &decor->bar->node || (decor->title != NULL && node == &decor->title->node)) {
		return COMP_DECOR_BAR;
	}
	return COMP_DECOR_NONE;
}

bool comp_decor_focused(struct comp_decor *decor) {
	return decor->focused;
}

bool comp_decor_visible(struct comp_decor *decor) {
	return decor->visible;
}

void comp_decor_destroy(struct comp_decor *decor) {
	if (decor == NULL) {
		return;
	}
	wl_list_remove(&decor->commit.link);
	wl_list_remove(&decor->configure.link);
	wl_list_remove(&decor->map.link);
	wl_list_remove(&decor->unmap.link);
	wlr_scene_node_destroy(&decor->tree->node); /* its children, the title's buffer too */
	free(decor);
	decors_live--;
}

size_t comp_decor_live_count(void) {
	return decors_live;
}

/* ---- org_kde_kwin_server_decoration ---- */

void *comp_kde_decoration_new_signal(struct wlr_server_decoration_manager *manager) {
	return &manager->events.new_decoration;
}

struct wlr_surface *comp_kde_decoration_surface(void *data) {
	struct wlr_server_decoration *decoration = data;
	return decoration->surface;
}

uint32_t comp_kde_decoration_mode(void *data) {
	struct wlr_server_decoration *decoration = data;
	return decoration->mode;
}

void *comp_kde_decoration_mode_signal(void *data) {
	struct wlr_server_decoration *decoration = data;
	return &decoration->events.mode;
}

void *comp_kde_decoration_destroy_signal(void *data) {
	struct wlr_server_decoration *decoration = data;
	return &decoration->events.destroy;
}
