/* Formats and modifiers refused to a client: see format_rules.h. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include <drm_fourcc.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/render/interface.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_linux_dmabuf_v1.h>
#include <wlr/util/log.h>

#include "format_rules.h"
#include "internal.h"

/* The refused codes: formats, and modifiers. */
struct refusals {
	uint32_t *formats;
	size_t n_formats;
	uint64_t *modifiers;
	size_t n_modifiers;
};

struct comp_format_filter {
	struct wlr_renderer base;   /* first: the renderer wlr_linux_dmabuf_v1 is made on */
	struct wlr_renderer *real;
	struct wlr_drm_format_set formats;  /* real's dma-buf formats less the refused */
	struct refusals refused;
	bool for_rule;
	uint64_t pairs, refused_buffers;
	struct wlr_linux_dmabuf_v1 *linux_dmabuf;
	struct comp_ratelog log;
	struct wl_listener display_destroy;
	struct wl_listener real_destroy;
	struct wl_list link;        /* filters */
};

/* One client with refusals, forgotten when it goes. */
struct client_rules {
	struct wl_listener destroy;  /* found again with wl_client_get_destroy_listener */
	struct refusals refused;
	struct comp_format_filter *filter;  /* NULL: none (none of a rule's globals shown) */
	struct wl_list link;         /* clients */
};

static struct wl_list filters = {&filters, &filters};
static struct wl_list clients = {&clients, &clients};

static bool has_format(const struct refusals *r, uint32_t format) {
	for (size_t i = 0; i < r->n_formats; i++) {
		if (r->formats[i] == format) {
			return true;
		}
	}
	return false;
}

static bool has_modifier(const struct refusals *r, uint64_t modifier) {
	for (size_t i = 0; i < r->n_modifiers; i++) {
		if (r->modifiers[i] == modifier) {
			return true;
		}
	}
	return false;
}

static void refusals_finish(struct refusals *r) {
	free(r->formats);
	free(r->modifiers);
	memset(r, 0, sizeof(*r));
}

static bool refusals_copy(struct refusals *r, const uint32_t *formats, size_t n_formats,
		const uint64_t *modifiers, size_t n_modifiers) {
	memset(r, 0, sizeof(*r));
	if (n_formats > 0) {
		r->formats = calloc(n_formats, sizeof(*r->formats));
		if (r->formats == NULL) {
			return false;
		}
		memcpy(r->formats, formats, n_formats * sizeof(*formats));
		r->n_formats = n_formats;
	}
	if (n_modifiers > 0) {
		r->modifiers = calloc(n_modifiers, sizeof(*r->modifiers));
		if (r->modifiers == NULL) {
			refusals_finish(r);
			return false;
		}
		memcpy(r->modifiers, modifiers, n_modifiers * sizeof(*modifiers));
		r->n_modifiers = n_modifiers;
	}
	return true;
}

/* -- the renderer in front of the real one ------------------------------------------------ */

static struct comp_format_filter *filter_of(struct wlr_renderer *renderer) {
	return (struct comp_format_filter *)renderer;
}

/* What wlr_renderer_init asserts; nobody renders with this renderer. */
static void filter_begin(struct wlr_renderer *renderer, uint32_t width, uint32_t height) {
	wlr_log(WLR_ERROR, "format filter: begin called on a renderer that only checks imports");
}

static void filter_clear(struct wlr_renderer *renderer, const float color[static 4]) {
}

static void filter_scissor(struct wlr_renderer *renderer, struct wlr_box *box) {
}

static bool filter_render_subtexture(struct wlr_renderer *renderer,
		struct wlr_texture *texture, const struct wlr_fbox *box,
		const float matrix[static 9], float alpha) {
	return false;
}

static void filter_render_quad(struct wlr_renderer *renderer, const float color[static 4],
		const float matrix[static 9]) {
}

static const uint32_t *filter_shm_formats(struct wlr_renderer *renderer, size_t *len) {
	return wlr_renderer_get_shm_texture_formats(filter_of(renderer)->real, len);
}

static uint32_t filter_render_buffer_caps(struct wlr_renderer *renderer) {
	return 0;
}

static const struct wlr_drm_format_set *filter_dmabuf_formats(struct wlr_renderer *renderer) {
	return &filter_of(renderer)->formats;
}

static int filter_drm_fd(struct wlr_renderer *renderer) {
	return wlr_renderer_get_drm_fd(filter_of(renderer)->real);
}

/* wlr_linux_dmabuf_v1's check of a new buffer (wlr_texture_from_dmabuf on its renderer). */
static struct wlr_texture *filter_texture_from_buffer(struct wlr_renderer *renderer,
		struct wlr_buffer *buffer) {
	struct comp_format_filter *filter = filter_of(renderer);
	struct wlr_dmabuf_attributes attribs;
	if (!wlr_buffer_get_dmabuf(buffer, &attribs)) {
		return NULL;
	}
	bool format = has_format(&filter->refused, attribs.format);
	if (format || has_modifier(&filter->refused, attribs.modifier)) {
		filter->refused_buffers++;
		char name[5] = {0};
		for (int i = 0; i < 4; i++) {
			char c = (char)((attribs.format >> (8 * i)) & 0xff);
			name[i] = c >= ' ' && c <= '~' ? c : '?';
		}
		ratelog(&filter->log, "linux-dmabuf: a %dx%d buffer of %s, modifier 0x%016" PRIx64
			" refused %s (its %s is refused to the client)", attribs.width,
			attribs.height, name, attribs.modifier,
			filter->for_rule ? "by rule" : "by --refuse-format/--refuse-modifier",
			format ? "format" : "modifier");
		return NULL;
	}
	return wlr_texture_from_buffer(filter->real, buffer);
}

static void filter_destroy(struct wlr_renderer *renderer) {
	struct comp_format_filter *filter = filter_of(renderer);
	struct client_rules *cr;
	wl_list_for_each(cr, &clients, link) {
		if (cr->filter == filter) {
			cr->filter = NULL;  /* it sees none of a filter's globals from now on */
		}
	}
	ratelog_flush(&filter->log);
	ratelog_finish(&filter->log);
	wl_list_remove(&filter->display_destroy.link);
	wl_list_remove(&filter->real_destroy.link);
	wl_list_remove(&filter->link);
	wlr_drm_format_set_finish(&filter->formats);
	refusals_finish(&filter->refused);
	free(filter);
}

static const struct wlr_renderer_impl filter_impl = {
	.begin = filter_begin,
	.clear = filter_clear,
	.scissor = filter_scissor,
	.render_subtexture_with_matrix = filter_render_subtexture,
	.render_quad_with_matrix = filter_render_quad,
	.get_shm_texture_formats = filter_shm_formats,
	.get_dmabuf_texture_formats = filter_dmabuf_formats,
	.get_drm_fd = filter_drm_fd,
	.get_render_buffer_caps = filter_render_buffer_caps,
	.texture_from_buffer = filter_texture_from_buffer,
	.destroy = filter_destroy,
};

/* The display or the real renderer goes: the renderer's destroy signal takes the
 * wlr_linux_dmabuf_v1 (and its global) with it, then filter_destroy frees the rest. */
static void filter_handle_display_destroy(struct wl_listener *listener, void *data) {
	struct comp_format_filter *filter = wl_container_of(listener, filter, display_destroy);
	wlr_renderer_destroy(&filter->base);
}

static void filter_handle_real_destroy(struct wl_listener *listener, void *data) {
	struct comp_format_filter *filter = wl_container_of(listener, filter, real_destroy);
	wlr_renderer_destroy(&filter->base);
}

static bool filtered_set(struct wlr_drm_format_set *out, const struct wlr_drm_format_set *real,
		const struct refusals *refused, uint64_t *pairs) {
	*pairs = 0;
	for (size_t i = 0; i < real->len; i++) {
		const struct wlr_drm_format *fmt = real->formats[i];
		if (has_format(refused, fmt->format)) {
			continue;
		}
		for (size_t k = 0; k < fmt->len; k++) {
			if (has_modifier(refused, fmt->modifiers[k])) {
				continue;
			}
			if (!wlr_drm_format_set_add(out, fmt->format, fmt->modifiers[k])) {
				return false;
			}
			(*pairs)++;
		}
	}
	return true;
}

struct comp_format_filter *comp_format_filter_create(struct wl_display *display,
		struct wlr_renderer *real, const uint32_t *formats, size_t n_formats,
		const uint64_t *modifiers, size_t n_modifiers, bool for_rule, size_t *left) {
	*left = 0;
	const struct wlr_drm_format_set *real_set = wlr_renderer_get_dmabuf_texture_formats(real);
	if (real_set == NULL) {
		return NULL;
	}
	struct comp_format_filter *filter = calloc(1, sizeof(*filter));
	if (filter == NULL) {
		return NULL;
	}
	filter->real = real;
	filter->for_rule = for_rule;
	if (!refusals_copy(&filter->refused, formats, n_formats, modifiers, n_modifiers) ||
			!filtered_set(&filter->formats, real_set, &filter->refused, &filter->pairs) ||
			!ratelog_init(&filter->log, wl_display_get_event_loop(display), 1)) {
		goto fail;
	}
	*left = filter->pairs;
	if (filter->pairs == 0) {
		goto fail;  /* a linux-dmabuf global with nothing in it: the caller hides it */
	}
	wlr_renderer_init(&filter->base, &filter_impl);
	wl_list_init(&filter->link);
	wl_list_init(&filter->display_destroy.link);
	wl_list_init(&filter->real_destroy.link);
	/* The global filter must know this global is a rule's before any client sees it. */
	wl_list_insert(&filters, &filter->link);
	if (for_rule) {
		comp_global_filter_install(display);
	}
	filter->linux_dmabuf = wlr_linux_dmabuf_v1_create(display, &filter->base);
	if (filter->linux_dmabuf == NULL) {
		wlr_renderer_destroy(&filter->base);  /* filter_destroy */
		*left = 0;
		return NULL;
	}
	filter->display_destroy.notify = filter_handle_display_destroy;
	wl_display_add_destroy_listener(display, &filter->display_destroy);
	filter->real_destroy.notify = filter_handle_real_destroy;
	wl_signal_add(&real->events.destroy, &filter->real_destroy);
	return filter;
fail:
	ratelog_finish(&filter->log);
	wlr_drm_format_set_finish(&filter->formats);
	refusals_finish(&filter->refused);
	free(filter);
	return NULL;
}

struct wlr_linux_dmabuf_v1 *comp_format_filter_linux_dmabuf(struct comp_format_filter *filter) {
	return filter->linux_dmabuf;
}

void comp_format_filter_counts(struct comp_format_filter *filter, uint64_t *pairs,
		uint64_t *refused) {
	*pairs = filter->pairs;
	*refused = filter->refused_buffers;
}

/* -- clients ----------------------------------------------------------------------------- */

static void client_rules_destroy(struct client_rules *cr) {
	wl_list_remove(&cr->destroy.link);
	wl_list_remove(&cr->link);
	refusals_finish(&cr->refused);
	free(cr);
}

static void client_handle_destroy(struct wl_listener *listener, void *data) {
	struct client_rules *cr = wl_container_of(listener, cr, destroy);
	client_rules_destroy(cr);
}

static struct client_rules *rules_of(const struct wl_client *client) {
	if (wl_list_empty(&clients)) {
		return NULL;  /* the usual case: no rule refuses anything */
	}
	struct wl_listener *listener = wl_client_get_destroy_listener(
		(struct wl_client *)client, client_handle_destroy);
	if (listener == NULL) {
		return NULL;
	}
	struct client_rules *cr = wl_container_of(listener, cr, destroy);
	return cr;
}

bool comp_format_rules_client_set(struct wl_client *client, const uint32_t *formats,
		size_t n_formats, const uint64_t *modifiers, size_t n_modifiers,
		struct comp_format_filter *filter) {
	struct client_rules *cr = calloc(1, sizeof(*cr));
	if (cr == NULL) {
		return false;
	}
	if (!refusals_copy(&cr->refused, formats, n_formats, modifiers, n_modifiers)) {
		free(cr);
		return false;
	}
	struct client_rules *old = rules_of(client);
	if (old != NULL) {
		client_rules_destroy(old);
	}
	cr->filter = filter;
	cr->destroy.notify = client_handle_destroy;
	wl_client_add_destroy_listener(client, &cr->destroy);
	wl_list_insert(&clients, &cr->link);
	/* Without a filter (nothing left) it must see no zwp_linux_dmabuf_v1 at all. */
	comp_global_filter_install(wl_client_get_display(client));
	return true;
}

bool comp_format_rules_client(struct wl_client *client, comp_format_rules_info *out) {
	struct client_rules *cr = rules_of(client);
	if (cr == NULL) {
		return false;
	}
	*out = (comp_format_rules_info){
		.formats = cr->refused.formats, .n_formats = cr->refused.n_formats,
		.modifiers = cr->refused.modifiers, .n_modifiers = cr->refused.n_modifiers,
		.filtered = cr->filter != NULL,
	};
	return true;
}

void comp_format_rules_totals(uint64_t *clients_out, uint64_t *filters_out) {
	*clients_out = wl_list_length(&clients);
	*filters_out = wl_list_length(&filters);
}

bool comp_format_rules_allows(const struct wl_client *client, const struct wl_global *global) {
	if (wl_list_empty(&filters) && wl_list_empty(&clients)) {
		return true;
	}
	if (strcmp(wl_global_get_interface(global)->name, "zwp_linux_dmabuf_v1") != 0) {
		return true;
	}
	/* Which renderer the global's wlr_linux_dmabuf_v1 checks imports on: known from before
	 * wl_global_create announces it (wlroots sets it first), so a rule's new global is
	 * never announced to the clients connected already. */
	const struct wlr_linux_dmabuf_v1 *linux_dmabuf = wl_global_get_user_data(global);
	const struct wlr_renderer *renderer = linux_dmabuf->renderer;
	struct client_rules *cr = rules_of(client);
	if (cr != NULL) {
		/* Its own filter's global only; a client refused formats is never shown the
		 * compositor's full set, even when its filter could not be made or is gone. */
		return cr->filter != NULL && renderer == &cr->filter->base;
	}
	struct comp_format_filter *filter;
	wl_list_for_each(filter, &filters, link) {
		if (filter->for_rule && renderer == &filter->base) {
			return false;  /* a rule's, not this client's */
		}
	}
	return true;
}
