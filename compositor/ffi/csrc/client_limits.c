/* wl_shm per client, counted and limited: see client_limits.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include <wlr/render/egl.h>
#include <wlr/render/gles2.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include "internal.h"
#include "client_limits.h"

/* pixman composites only what fits its 16-bit extents (pixman.c's analyze_extent: the
 * extents expanded by one must stay within a signed 16-bit number): measured on wlroots
 * 0.15's pixman renderer, a buffer 32766 pixels wide or tall is drawn, one of 32767 is not
 * drawn at all, without a word to anyone. */
#define COMP_PIXMAN_MAX_BUFFER_SIZE 32766

/* The leading fields of libwayland's struct wl_resource as its public deprecated header
 * declares them (wayland-server.h, struct wl_resource and struct wl_object): libwayland
 * keeps them first and in this order for compositors built against that header. Read only
 * to learn a resource's implementation and destroy function, and checked first against
 * wl_resource_get_id and wl_resource_instance_of (which compares the implementation). */
struct limits_resource_head {
	struct {
		const struct wl_interface *interface;
		const void *implementation;
		uint32_t id;
	} object;
	wl_resource_destroy_func_t destroy;
};

struct comp_limits {
	struct wl_display *display;
	struct wl_listener client_created;
	struct wl_listener display_destroy;
	comp_shm_limits shm;
	comp_shm_usage total;
	uint64_t refused;
	bool broken;  /* the layout check failed: nothing is wrapped any more */
	/* 1 while the display lives, 1 for each client record: a client can be destroyed after
	 * the display's destroy signal (wlroots' Xwayland destroys its client from its own
	 * listener), its pools and buffers counting down into this until then. */
	int refs;
	bool display_gone;
	struct comp_ratelog log;
};

/* One per client, alive while the client or any pool it made is. */
struct limits_client {
	struct comp_limits *limits;
	struct wl_client *client;  /* NULL once the client is gone */
	struct wl_listener destroy;
	int refs;
	pid_t pid;
	comp_shm_limits shm;  /* the display's, or what a rule gave this client */
	comp_shm_usage now, peak;
	uint64_t refused;
};

/* One per wl_shm pool, alive while its resource or any buffer made from it is. */
struct limits_pool {
	struct limits_client *owner;
	uint64_t size;
	int refs;
	struct wl_listener destroy;
};

struct limits_buffer {
	struct limits_pool *pool;
	uint64_t bytes;
	struct wl_listener destroy;
};

/* libwayland's own implementations, learned from the first resource of each kind. */
static const struct wl_display_interface *orig_display;
static const struct wl_registry_interface *orig_registry;
static const struct wl_shm_interface *orig_shm;
static const struct wl_shm_pool_interface *orig_pool;

static void limits_client_destroyed(struct wl_listener *listener, void *data);
static void limits_pool_destroyed(struct wl_listener *listener, void *data);
static bool limits_mapping_allowed(struct limits_client *lc, uint64_t grow, char *message,
	size_t len);

/* Give `resource` (of `interface`, made by libwayland) the implementation `impl`, whose
 * functions call libwayland's own (`*orig`, learned here) around their checks. `impl_size`:
 * sizeof its struct, which must have a function for every request the running libwayland
 * knows (a newer one may have more than the headers this was built with: not wrapped). */
static bool limits_wrap(struct comp_limits *limits, struct wl_resource *resource,
		const struct wl_interface *interface, const void **orig, const void *impl,
		size_t impl_size) {
	if (resource == NULL || limits->broken) {
		return false;
	}
	if ((size_t)interface->method_count * sizeof(void (*)(void)) > impl_size) {
		if (!limits->broken) {
			limits->broken = true;
			char line[200];
			snprintf(line, sizeof(line), "client limits: this libwayland's %s has %d requests, "
				"more than the compositor was built for; wl_shm is neither counted nor "
				"limited", interface->name, interface->method_count);
			comp_py_limit_log(3, line);
		}
		return false;
	}
	const struct limits_resource_head *head = (const void *)resource;
	if (head->object.id != wl_resource_get_id(resource) ||
			!wl_resource_instance_of(resource, interface, head->object.implementation)) {
		if (strcmp(wl_resource_get_class(resource), interface->name) == 0) {
			limits->broken = true;
			comp_py_limit_log(3, "client limits: libwayland's wl_resource is not laid out "
				"as its deprecated header says; wl_shm is neither counted nor limited");
		}
		return false;
	}
	const void *current = head->object.implementation;
	if (current == impl) {
		return true;
	}
	if (*orig == NULL) {
		*orig = current;
	} else if (current != *orig) {
		return false;  /* not libwayland's: leave it alone */
	}
	wl_resource_set_implementation(resource, impl, wl_resource_get_user_data(resource),
		head->destroy);
	return true;
}

static struct limits_client *limits_client_of(struct wl_client *client) {
	struct wl_listener *listener =
		wl_client_get_destroy_listener(client, limits_client_destroyed);
	if (listener == NULL) {
		return NULL;
	}
	struct limits_client *lc = wl_container_of(listener, lc, destroy);
	return lc;
}

static void limits_unref(struct comp_limits *limits) {
	if (--limits->refs == 0) {
		free(limits);
	}
}

static void limits_client_unref(struct limits_client *lc) {
	if (--lc->refs == 0) {
		struct comp_limits *limits = lc->limits;
		free(lc);
		limits_unref(limits);
	}
}

static void limits_usage_add(struct limits_client *lc, int pools, int buffers, int64_t mapped,
		int64_t bytes) {
	comp_shm_usage *all[2] = {&lc->now, &lc->limits->total};
	for (int i = 0; i < 2; i++) {
		all[i]->pools += pools;
		all[i]->buffers += buffers;
		all[i]->mapped += mapped;
		all[i]->bytes += bytes;
	}
	comp_shm_usage *now = &lc->now, *peak = &lc->peak;
	peak->pools = now->pools > peak->pools ? now->pools : peak->pools;
	peak->buffers = now->buffers > peak->buffers ? now->buffers : peak->buffers;
	peak->mapped = now->mapped > peak->mapped ? now->mapped : peak->mapped;
	peak->bytes = now->bytes > peak->bytes ? now->bytes : peak->bytes;
}

/* Refuse a request: the error (libwayland disconnects the client after this request), a
 * line in the log at a bounded rate. */
static void limits_refuse(struct limits_client *lc, struct wl_resource *resource,
		uint32_t code, const char *message) {
	lc->refused++;
	lc->limits->refused++;
	wl_resource_post_error(resource, code, "%s", message);
	if (!lc->limits->display_gone) {  /* its log's timer goes with the display */
		ratelog(&lc->limits->log, "client pid %d disconnected: %s", (int)lc->pid, message);
	}
}

/* A quota: wl_display.error no_memory, with the message (as wl_drm's quotas). */
static void limits_refuse_quota(struct limits_client *lc, const char *message) {
	struct wl_resource *display = wl_client_get_object(lc->client, 1);
	if (display != NULL) {
		limits_refuse(lc, display, WL_DISPLAY_ERROR_NO_MEMORY, message);
	} else {
		wl_client_post_no_memory(lc->client);
	}
}

/* -- wl_shm_pool ----------------------------------------------------------------------- */

static struct limits_pool *limits_pool_of(struct wl_resource *resource) {
	struct wl_listener *listener =
		wl_resource_get_destroy_listener(resource, limits_pool_destroyed);
	if (listener == NULL) {
		return NULL;
	}
	struct limits_pool *pool = wl_container_of(listener, pool, destroy);
	return pool;
}

static void limits_pool_unref(struct limits_pool *pool) {
	if (--pool->refs > 0) {
		return;
	}
	limits_usage_add(pool->owner, -1, 0, -(int64_t)pool->size, 0);
	limits_client_unref(pool->owner);
	free(pool);
}

static void limits_pool_destroyed(struct wl_listener *listener, void *data) {
	struct limits_pool *pool = wl_container_of(listener, pool, destroy);
	wl_list_remove(&pool->destroy.link);
	limits_pool_unref(pool);
}

static void limits_buffer_destroyed(struct wl_listener *listener, void *data) {
	struct limits_buffer *buffer = wl_container_of(listener, buffer, destroy);
	wl_list_remove(&buffer->destroy.link);
	limits_usage_add(buffer->pool->owner, 0, -1, 0, -(int64_t)buffer->bytes);
	limits_pool_unref(buffer->pool);
	free(buffer);
}

static void limits_pool_create_buffer(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, int32_t offset, int32_t width, int32_t height, int32_t stride,
		uint32_t format) {
	struct limits_pool *pool = limits_pool_of(resource);
	struct limits_client *lc = pool != NULL ? pool->owner : NULL;
	uint64_t bytes = 0;
	if (lc != NULL && lc->client != NULL) {
		const comp_shm_limits *shm = &lc->shm;
		char message[128];
		if (shm->max_size > 0 && (width > shm->max_size || height > shm->max_size)) {
			snprintf(message, sizeof(message), "buffer %dx%d: the most is %d (%s)",
				width, height, shm->max_size, shm->size_by_renderer ?
				"what the renderer draws" : "--max-buffer-size");
			limits_refuse(lc, resource, WL_SHM_ERROR_INVALID_STRIDE, message);
			return;
		}
		if (lc->now.buffers + 1 > shm->max_buffers) {
			snprintf(message, sizeof(message),
				"wl_shm: %u buffers, the limit (--max-client-shm-buffers)", shm->max_buffers);
			limits_refuse_quota(lc, message);
			return;
		}
		bytes = width > 0 && height > 0 && stride > 0 ? (uint64_t)stride * height : 0;
		if (lc->now.bytes + bytes > shm->max_bytes) {
			snprintf(message, sizeof(message), "wl_shm: buffers of %llu + %llu bytes > %llu "
				"(--max-client-shm-bytes)", (unsigned long long)lc->now.bytes,
				(unsigned long long)bytes, (unsigned long long)shm->max_bytes);
			limits_refuse_quota(lc, message);
			return;
		}
	}
	orig_pool->create_buffer(client, resource, id, offset, width, height, stride, format);
	if (lc == NULL) {
		return;
	}
	struct wl_resource *made = wl_client_get_object(client, id);
	if (made == NULL || strcmp(wl_resource_get_class(made), wl_buffer_interface.name) != 0) {
		return;  /* refused by libwayland: the client is on its way out */
	}
	struct limits_buffer *buffer = calloc(1, sizeof(*buffer));
	if (buffer == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	buffer->pool = pool;
	buffer->bytes = bytes;
	pool->refs++;
	buffer->destroy.notify = limits_buffer_destroyed;
	wl_resource_add_destroy_listener(made, &buffer->destroy);
	limits_usage_add(lc, 0, 1, 0, (int64_t)bytes);
}

static void limits_pool_destroy(struct wl_client *client, struct wl_resource *resource) {
	orig_pool->destroy(client, resource);
}

static void limits_pool_resize(struct wl_client *client, struct wl_resource *resource,
		int32_t size) {
	struct limits_pool *pool = limits_pool_of(resource);
	struct limits_client *lc = pool != NULL ? pool->owner : NULL;
	if (lc == NULL || lc->client == NULL || size <= 0 || (uint64_t)size <= pool->size) {
		orig_pool->resize(client, resource, size);  /* libwayland refuses a shrink */
		return;
	}
	uint64_t grow = (uint64_t)size - pool->size;
	char message[128];
	if (!limits_mapping_allowed(lc, grow, message, sizeof(message))) {
		limits_refuse_quota(lc, message);
		return;
	}
	/* Counted at once, even where libwayland defers the mremap (the compositor holds the
	 * pool): what the client asked for is what it may get. */
	pool->size = (uint64_t)size;
	limits_usage_add(lc, 0, 0, (int64_t)grow, 0);
	orig_pool->resize(client, resource, size);
}

static const struct wl_shm_pool_interface limits_pool_impl = {
	.create_buffer = limits_pool_create_buffer,
	.destroy = limits_pool_destroy,
	.resize = limits_pool_resize,
};

/* -- wl_shm ---------------------------------------------------------------------------- */

/* Whether `grow` more bytes of mappings fit the client's and everyone's limits; why not
 * in `message`. */
static bool limits_mapping_allowed(struct limits_client *lc, uint64_t grow, char *message,
		size_t len) {
	const comp_shm_limits *shm = &lc->shm;
	if (lc->now.mapped + grow > shm->max_mapped) {
		snprintf(message, len, "wl_shm: pools of %llu + %llu bytes > %llu "
			"(--max-client-shm-mapped)", (unsigned long long)lc->now.mapped,
			(unsigned long long)grow, (unsigned long long)shm->max_mapped);
		return false;
	}
	if (shm->max_mapped_all > 0 && lc->limits->total.mapped + grow > shm->max_mapped_all) {
		snprintf(message, len, "wl_shm: all clients' pools take %llu GiB of address space, "
			"the compositor's limit", (unsigned long long)(lc->limits->total.mapped >> 30));
		return false;
	}
	return true;
}

/* Whether a pool may be made; why not in `message`, and whether a quota (or the fd). */
static bool limits_pool_allowed(struct limits_client *lc, int fd, int32_t size,
		char *message, size_t len, bool *quota) {
	const comp_shm_limits *shm = &lc->shm;
	struct comp_limits *limits = lc->limits;
	*quota = true;
	if (lc->now.pools + 1 > shm->max_pools) {
		snprintf(message, len, "wl_shm: %u pools, the limit (--max-client-shm-pools)",
			shm->max_pools);
		return false;
	}
	if (shm->max_pools_all > 0 && limits->total.pools + 1 > shm->max_pools_all) {
		snprintf(message, len, "wl_shm: all clients hold %u pools, the limit "
			"(--max-shm-pools)", limits->total.pools);
		return false;
	}
	if (!limits_mapping_allowed(lc, (uint64_t)size, message, len)) {
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < size) {
		*quota = false;
		snprintf(message, len, "wl_shm: a pool of %d bytes on a file of %lld bytes", size,
			(long long)st.st_size);
		return false;
	}
	return true;
}

static void limits_shm_create_pool(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, int32_t fd, int32_t size) {
	struct limits_client *lc = limits_client_of(client);
	if (lc != NULL && size > 0) {
		char message[128];
		bool quota;
		if (!limits_pool_allowed(lc, fd, size, message, sizeof(message), &quota)) {
			close(fd);
			if (quota) {
				limits_refuse_quota(lc, message);
			} else {
				limits_refuse(lc, resource, WL_SHM_ERROR_INVALID_FD, message);
			}
			return;
		}
	}
	orig_shm->create_pool(client, resource, id, fd, size);
	if (lc == NULL) {
		return;
	}
	struct wl_resource *made = wl_client_get_object(client, id);
	if (!limits_wrap(lc->limits, made, &wl_shm_pool_interface, (const void **)&orig_pool,
			&limits_pool_impl, sizeof(limits_pool_impl))) {
		return;  /* refused by libwayland (the client is on its way out), or not counted */
	}
	struct limits_pool *pool = calloc(1, sizeof(*pool));
	if (pool == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	pool->owner = lc;
	lc->refs++;
	pool->size = (uint64_t)size;
	pool->refs = 1;
	pool->destroy.notify = limits_pool_destroyed;
	wl_resource_add_destroy_listener(made, &pool->destroy);
	limits_usage_add(lc, 1, 0, size, 0);
}

#ifdef WL_SHM_RELEASE_SINCE_VERSION /* wl_shm version 2, libwayland 1.22 and later */
static void limits_shm_release(struct wl_client *client, struct wl_resource *resource) {
	orig_shm->release(client, resource);
}
#endif

static const struct wl_shm_interface limits_shm_impl = {
	.create_pool = limits_shm_create_pool,
#ifdef WL_SHM_RELEASE_SINCE_VERSION
	.release = limits_shm_release,
#endif
};

/* -- wl_registry and wl_display: the way to each new wl_shm ----------------------------- */

static void limits_registry_bind(struct wl_client *client, struct wl_resource *resource,
		uint32_t name, const char *interface, uint32_t version, uint32_t id) {
	orig_registry->bind(client, resource, name, interface, version, id);
	if (strcmp(interface, wl_shm_interface.name) != 0) {
		return;
	}
	struct limits_client *lc = limits_client_of(client);
	if (lc != NULL) {
		limits_wrap(lc->limits, wl_client_get_object(client, id), &wl_shm_interface,
			(const void **)&orig_shm, &limits_shm_impl, sizeof(limits_shm_impl));
	}
}

static const struct wl_registry_interface limits_registry_impl = {
	.bind = limits_registry_bind,
};

static void limits_display_sync(struct wl_client *client, struct wl_resource *resource,
		uint32_t callback) {
	orig_display->sync(client, resource, callback);
}

static void limits_display_get_registry(struct wl_client *client,
		struct wl_resource *resource, uint32_t registry) {
	orig_display->get_registry(client, resource, registry);
	struct limits_client *lc = limits_client_of(client);
	if (lc != NULL) {
		limits_wrap(lc->limits, wl_client_get_object(client, registry),
			&wl_registry_interface, (const void **)&orig_registry, &limits_registry_impl,
			sizeof(limits_registry_impl));
	}
}

static const struct wl_display_interface limits_display_impl = {
	.sync = limits_display_sync,
	.get_registry = limits_display_get_registry,
};

/* -- clients --------------------------------------------------------------------------- */

static void limits_client_destroyed(struct wl_listener *listener, void *data) {
	/* Runs before libwayland destroys the client's resources: its pools and buffers are
	 * released after this, each holding the record until then. */
	struct limits_client *lc = wl_container_of(listener, lc, destroy);
	wl_list_remove(&lc->destroy.link);
	lc->client = NULL;
	limits_client_unref(lc);
}

static void limits_client_created(struct wl_listener *listener, void *data) {
	struct comp_limits *limits = wl_container_of(listener, limits, client_created);
	struct wl_client *client = data;
	struct limits_client *lc = calloc(1, sizeof(*lc));
	if (lc == NULL) {
		wl_client_post_no_memory(client);  /* uncounted, it would be unlimited */
		return;
	}
	lc->limits = limits;
	limits->refs++;
	lc->client = client;
	lc->refs = 1;
	lc->shm = limits->shm;
	wl_client_get_credentials(client, &lc->pid, NULL, NULL);
	lc->destroy.notify = limits_client_destroyed;
	wl_client_add_destroy_listener(client, &lc->destroy);
	limits_wrap(limits, wl_client_get_object(client, 1), &wl_display_interface,
		(const void **)&orig_display, &limits_display_impl, sizeof(limits_display_impl));
}

static void limits_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_limits *limits = wl_container_of(listener, limits, display_destroy);
	wl_list_remove(&limits->client_created.link);
	wl_list_remove(&limits->display_destroy.link);
	ratelog_flush(&limits->log);
	ratelog_finish(&limits->log);
	limits->display_gone = true;
	limits_unref(limits);  /* freed now, or with the last client record */
}

struct comp_limits *comp_limits_install(struct wl_display *display) {
	struct comp_limits *limits = calloc(1, sizeof(*limits));
	if (limits == NULL) {
		return NULL;
	}
	limits->display = display;
	limits->refs = 1;
	if (!ratelog_init(&limits->log, wl_display_get_event_loop(display), 2)) {
		free(limits);
		return NULL;
	}
	limits->shm = (comp_shm_limits){
		.max_pools = UINT32_MAX, .max_buffers = UINT32_MAX, .max_mapped = UINT64_MAX,
		.max_bytes = UINT64_MAX,
	};
	limits->client_created.notify = limits_client_created;
	wl_display_add_client_created_listener(display, &limits->client_created);
	limits->display_destroy.notify = limits_display_destroyed;
	wl_display_add_destroy_listener(display, &limits->display_destroy);
	return limits;
}

void comp_limits_set_shm(struct comp_limits *limits, const comp_shm_limits *shm) {
	limits->shm = *shm;
}

bool comp_limits_client_shm(struct comp_limits *limits, struct wl_client *client,
		comp_client_shm *out) {
	struct limits_client *lc = limits_client_of(client);
	if (lc == NULL) {
		return false;
	}
	*out = (comp_client_shm){
		.pid = lc->pid, .now = lc->now, .peak = lc->peak, .refused = lc->refused,
		.limits = lc->shm,
	};
	return true;
}

void comp_limits_shm_totals(struct comp_limits *limits, comp_shm_totals *out) {
	*out = (comp_shm_totals){
		.now = limits->total, .refused = limits->refused, .active = !limits->broken,
	};
}

/* -- what the renderer draws ------------------------------------------------------------ */

typedef void (*limits_gl_get_integerv)(unsigned int pname, int *data);

int32_t comp_renderer_max_buffer_size(struct wlr_renderer *renderer) {
	if (wlr_renderer_is_gles2(renderer)) {
		struct wlr_egl *egl = wlr_gles2_renderer_get_egl(renderer);
		limits_gl_get_integerv get =
			(limits_gl_get_integerv)eglGetProcAddress("glGetIntegerv");
		if (egl == NULL || get == NULL || !wlr_egl_make_current(egl)) {
			return 0;
		}
		int size = 0;
		get(0x0D33 /* GL_MAX_TEXTURE_SIZE */, &size);
		wlr_egl_unset_current(egl);
		return size;
	}
	if (wlr_renderer_is_pixman(renderer)) {
		return COMP_PIXMAN_MAX_BUFFER_SIZE;
	}
	return 0;
}

bool comp_limits_client_set_shm(struct wl_client *client, const comp_shm_limits *shm) {
	struct limits_client *lc = limits_client_of(client);
	if (lc == NULL) {
		return false;
	}
	lc->shm.max_pools = shm->max_pools;
	lc->shm.max_buffers = shm->max_buffers;
	lc->shm.max_mapped = shm->max_mapped;
	lc->shm.max_bytes = shm->max_bytes;
	return true;
}
