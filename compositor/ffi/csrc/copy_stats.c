/* Copy accounting on every surface commit: see copy_stats.h. */
#include <stdlib.h>
#include <wlr/types/wlr_compositor.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/addon.h>
#include "copy_stats.h"
#include "internal.h"
#include "render_tools.h"

enum { COPY_SHM_UPLOAD, COPY_DMABUF_IMPORT, COPY_PIXMAN_READ };

/* The configuration's buffer hooks (configfile/hooks.py): only while one is registered,
 * a commit that brings a new buffer tells Python when the surface's buffer kind changed
 * (the inspector's kinds: wl_shm, linux-dmabuf, wl_drm PRIME dma-buf or memfd...). */
static bool buffer_kinds_reported;

void comp_copy_stats_report_buffer_kinds(bool on) {
	buffer_kinds_reported = on;
}

struct copy_stats {
	comp_copy_stats pub;
	struct wl_listener new_surface;
	struct wl_list surfaces;  /* copy_surface.link */
	struct wl_list link;      /* live_stats */
};

/* Every copy_stats alive (one per compositor), each the owner of its records' addons. */
static struct wl_list live_stats = {&live_stats, &live_stats};

struct copy_surface {
	struct copy_stats *stats;
	struct wlr_surface *surface;
	uintptr_t client_buffer;  /* the wlr_client_buffer of the last commit */
	int kind;                 /* its kind, kept while buffer kinds are reported */
	uint64_t commits, bytes;  /* this surface's share of the paths' counters (inspector) */
	uint64_t frames_shown;    /* output frames it was on (counted by the frame loop) */
	/* pixman: damaged bytes committed since the last composited frame it was on; the
	 * frame loop counts them as read when a frame is composited, drops them when the
	 * frame was a direct scan-out (then nothing read them). */
	uint64_t unread_bytes;
	struct wl_listener commit;
	struct wl_listener destroy;
	struct wlr_addon addon;  /* on the surface, owned by `stats`: how others find this */
	struct wl_list link;
};

static void copy_surface_free(struct copy_surface *tracked) {
	wlr_addon_finish(&tracked->addon);
	wl_list_remove(&tracked->commit.link);
	wl_list_remove(&tracked->destroy.link);
	wl_list_remove(&tracked->link);
	tracked->stats->pub.surfaces--;
	free(tracked);
}

static void copy_surface_handle_commit(struct wl_listener *listener, void *data) {
	struct copy_surface *tracked = wl_container_of(listener, tracked, commit);
	struct comp_surface_buffer info;
	if (!comp_surface_buffer_info(tracked->surface, &info)) {
		return;
	}
	bool new_texture = info.client_buffer != tracked->client_buffer;
	tracked->client_buffer = info.client_buffer;
	if (buffer_kinds_reported && new_texture) {
		int kind = comp_surface_buffer_kind(tracked->surface);
		if (kind != tracked->kind) {
			int previous = tracked->kind;
			tracked->kind = kind;
			struct wl_client *client = wl_resource_get_client(tracked->surface->resource);
			pid_t pid = 0;
			wl_client_get_credentials(client, &pid, NULL, NULL);
			comp_py_buffer_kind(tracked->surface, client, pid, previous, kind);
		}
	}
	if (!new_texture && info.damage_rects == 0) {
		return;  /* a commit without new pixels (frame callback, damage-free attach) */
	}
	uint64_t full_bytes = (uint64_t)info.width * info.height * 4;
	uint64_t damage_bytes = (uint64_t)info.damage_area * 4;
	comp_copy_path *path;
	uint64_t bytes = 0;
	if (!info.texture_gles2) {
		/* pixman reads the client's mapping: at least the damaged area, when it composites
		 * a frame with it (copy_surface_frame_shown counts it then). */
		path = &tracked->stats->pub.paths[COPY_PIXMAN_READ];
		tracked->unread_bytes += damage_bytes;
	} else if (info.dmabuf) {
		path = &tracked->stats->pub.paths[COPY_DMABUF_IMPORT];  /* EGLImage: no copy */
	} else {
		path = &tracked->stats->pub.paths[COPY_SHM_UPLOAD];
		path->copies += new_texture ? 1 : info.damage_rects;
		bytes = new_texture ? full_bytes : damage_bytes;
	}
	path->commits++;
	path->full += new_texture;
	path->bytes += bytes;
	tracked->commits++;
	tracked->bytes += bytes;
}

/* Freed with the surface's destroy signal, before wlroots finishes its addons; should the
 * addons go first, the record goes with them. */
static void copy_surface_addon_destroy(struct wlr_addon *addon) {
	struct copy_surface *tracked = wl_container_of(addon, tracked, addon);
	copy_surface_free(tracked);
}

static const struct wlr_addon_interface copy_surface_addon_impl = {
	.name = "comp_copy_surface",
	.destroy = copy_surface_addon_destroy,
};

/* A surface's record, NULL when no copy counters track it. */
static struct copy_surface *copy_surface_find(struct wlr_surface *surface) {
	struct copy_stats *stats;
	wl_list_for_each(stats, &live_stats, link) {
		struct wlr_addon *addon =
			wlr_addon_find(&surface->addons, stats, &copy_surface_addon_impl);
		if (addon != NULL) {
			struct copy_surface *tracked = wl_container_of(addon, tracked, addon);
			return tracked;
		}
	}
	return NULL;
}

void comp_copy_surface_frame_shown(struct wlr_surface *surface, bool composited) {
	struct copy_surface *tracked = copy_surface_find(surface);
	if (tracked == NULL) {
		return;
	}
	tracked->frames_shown++;
	if (composited && tracked->unread_bytes > 0) {
		tracked->stats->pub.paths[COPY_PIXMAN_READ].bytes += tracked->unread_bytes;
		tracked->bytes += tracked->unread_bytes;
	}
	tracked->unread_bytes = 0;
}

bool comp_copy_surface_counts(struct wlr_surface *surface, uint64_t *commits, uint64_t *bytes,
		uint64_t *frames_shown) {
	struct copy_surface *tracked = copy_surface_find(surface);
	if (tracked == NULL) {
		return false;
	}
	*commits = tracked->commits;
	*bytes = tracked->bytes;
	*frames_shown = tracked->frames_shown;
	return true;
}

static void copy_surface_handle_destroy(struct wl_listener *listener, void *data) {
	struct copy_surface *tracked = wl_container_of(listener, tracked, destroy);
	copy_surface_free(tracked);
}

static void copy_stats_handle_new_surface(struct wl_listener *listener, void *data) {
	struct copy_stats *stats = wl_container_of(listener, stats, new_surface);
	struct copy_surface *tracked = calloc(1, sizeof(*tracked));
	if (tracked == NULL) {
		return;
	}
	tracked->stats = stats;
	tracked->surface = data;
	tracked->commit.notify = copy_surface_handle_commit;
	wl_signal_add(&tracked->surface->events.commit, &tracked->commit);
	tracked->destroy.notify = copy_surface_handle_destroy;
	wl_signal_add(&tracked->surface->events.destroy, &tracked->destroy);
	wlr_addon_init(&tracked->addon, &tracked->surface->addons, stats, &copy_surface_addon_impl);
	wl_list_insert(&stats->surfaces, &tracked->link);
	stats->pub.surfaces++;
}

comp_copy_stats *comp_copy_stats_create(struct wlr_compositor *compositor) {
	struct copy_stats *stats = calloc(1, sizeof(*stats));
	if (stats == NULL) {
		return NULL;
	}
	wl_list_init(&stats->surfaces);
	wl_list_insert(&live_stats, &stats->link);
	stats->new_surface.notify = copy_stats_handle_new_surface;
	wl_signal_add(&compositor->events.new_surface, &stats->new_surface);
	return &stats->pub;
}

void comp_copy_stats_destroy(comp_copy_stats *pub) {
	if (pub == NULL) {
		return;
	}
	struct copy_stats *stats = wl_container_of(pub, stats, pub);
	struct copy_surface *tracked, *tmp;
	wl_list_for_each_safe(tracked, tmp, &stats->surfaces, link) {
		copy_surface_free(tracked);
	}
	wl_list_remove(&stats->new_surface.link);
	wl_list_remove(&stats->link);
	free(stats);
}
