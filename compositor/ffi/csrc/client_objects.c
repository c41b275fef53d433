/* Per client: objects, dma-bufs and fds, counted and limited: see csrc/client_objects.h. */
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include "client_limits.h"
#include "client_objects.h"
#include "internal.h"

/* comp_py_client_created: the configuration's rules for a new client. */

#define OBJECTS_PARKED_CHECK_MS 1000  /* fds parked without a whole request: looked at this often */
#define OBJECTS_MAX_PLANES 4          /* linux-dmabuf's (wlroots' WLR_DMABUF_MAX_PLANES) */

enum objects_kind {
	OBJECTS_OTHER, OBJECTS_SURFACE, OBJECTS_SUBSURFACE, OBJECTS_REGION, OBJECTS_CALLBACK,
	OBJECTS_DATA_SOURCE, OBJECTS_PARAMS, OBJECTS_BUFFER,
};

/* libwayland's struct wl_connection, which it keeps private: where the fds received and
 * not yet taken by a request are. Learned per client and checked against the client's fd
 * (wl_client_get_fd) within what the allocation holds (malloc_usable_size); another layout
 * leaves the parked fds unknown (logged once), never read. */
enum objects_layout {
	OBJECTS_LAYOUT_UNKNOWN,
	OBJECTS_LAYOUT_FIXED,    /* 1.21, 1.22: four rings { char data[4096]; uint32_t head, tail; } */
	OBJECTS_LAYOUT_DYNAMIC,  /* 1.23: { char *data; size_t head, tail; uint32_t bits[2]; } */
};

struct comp_objects {
	struct wl_display *display;
	struct comp_limits *shm;
	struct wl_listener client_created;
	struct wl_listener display_destroy;
	struct wl_protocol_logger *logger;
	struct wl_event_source *timer;
	comp_objects_limits defaults;
	uint32_t max_fds_all;  /* all clients' dma-buf and parked fds together */
	comp_objects_usage total;
	uint64_t refused;
	uint32_t clients;
	struct wl_list live;  /* objects_client.link, clients still connected */
	/* 1 while the display lives, 1 for each client record: a client can be destroyed after
	 * the display's destroy signal (wlroots' Xwayland destroys its client from its own
	 * listener), and its records count down into this until then. */
	int refs;
	bool layout_logged;
	struct comp_ratelog log;
};

struct objects_client {
	struct comp_objects *objects;
	struct wl_client *client;  /* NULL once gone */
	struct wl_list link;
	struct wl_listener destroy;
	struct wl_listener resource_created;
	int refs;  /* 1 while connected, 1 for each resource counted */
	pid_t pid;
	uid_t uid;
	comp_objects_usage now, peak;
	comp_objects_limits limits;
	uint64_t refused;
	bool by_rule;
	uint32_t hidden;  /* COMP_HIDE_* */
	bool refusing;  /* an error was posted: it is on its way out */
	const char *connection;
	enum objects_layout layout;
	/* A linux-dmabuf create being dispatched: what the wl_buffer it makes holds. */
	bool pending;
	uint8_t pending_fds;
	bool pending_estimated;
	uint64_t pending_bytes;
};

struct objects_plane {
	bool set;
	bool sized;
	uint32_t offset, stride;
	uint64_t size;
	dev_t dev;
	ino_t ino;
};

struct objects_resource {
	struct objects_client *owner;
	struct wl_listener destroy;
	uint8_t kind;
	uint8_t fds;         /* params: planes added; buffer: its planes' fds */
	bool estimated;      /* buffer: bytes from stride x height */
	uint64_t bytes;      /* buffer */
	struct objects_plane *planes;  /* params, from the first add */
};

static void objects_client_destroyed(struct wl_listener *listener, void *data);
static void objects_resource_destroyed(struct wl_listener *listener, void *data);

static struct objects_client *objects_client_of(struct wl_client *client) {
	struct wl_listener *listener =
		wl_client_get_destroy_listener(client, objects_client_destroyed);
	if (listener == NULL) {
		return NULL;
	}
	struct objects_client *oc = wl_container_of(listener, oc, destroy);
	return oc;
}

static struct objects_resource *objects_resource_of(struct wl_resource *resource) {
	struct wl_listener *listener =
		wl_resource_get_destroy_listener(resource, objects_resource_destroyed);
	if (listener == NULL) {
		return NULL;
	}
	struct objects_resource *r = wl_container_of(listener, r, destroy);
	return r;
}

static void objects_unref(struct comp_objects *objects) {
	if (--objects->refs == 0) {
		free(objects);
	}
}

static void objects_client_unref(struct objects_client *oc) {
	if (--oc->refs == 0) {
		struct comp_objects *objects = oc->objects;
		free(oc);
		objects_unref(objects);
	}
}

/* The counter of `kind` in `usage`, NULL for kinds only counted as objects. */
static uint32_t *objects_kind_count(comp_objects_usage *usage, int kind) {
	switch (kind) {
	case OBJECTS_SURFACE: return &usage->surfaces;
	case OBJECTS_SUBSURFACE: return &usage->subsurfaces;
	case OBJECTS_REGION: return &usage->regions;
	case OBJECTS_CALLBACK: return &usage->callbacks;
	case OBJECTS_DATA_SOURCE: return &usage->data_sources;
	case OBJECTS_PARAMS: return &usage->dmabuf_params;
	case OBJECTS_BUFFER: return &usage->dmabuf_buffers;
	default: return NULL;
	}
}

#define OBJECTS_PEAK(field) \
	if (oc->now.field > oc->peak.field) oc->peak.field = oc->now.field

static void objects_peaks(struct objects_client *oc) {
	OBJECTS_PEAK(objects); OBJECTS_PEAK(surfaces); OBJECTS_PEAK(subsurfaces);
	OBJECTS_PEAK(regions); OBJECTS_PEAK(callbacks); OBJECTS_PEAK(data_sources);
	OBJECTS_PEAK(dmabuf_params); OBJECTS_PEAK(dmabuf_buffers); OBJECTS_PEAK(dmabuf_fds);
	OBJECTS_PEAK(dmabuf_estimated); OBJECTS_PEAK(dmabuf_bytes); OBJECTS_PEAK(parked_fds);
}

/* Add to a client's and everyone's figures (negative: take away). */
static void objects_count(struct objects_client *oc, int kind, int objects, int fds,
		int64_t bytes, int estimated) {
	comp_objects_usage *all[2] = {&oc->now, &oc->objects->total};
	for (int i = 0; i < 2; i++) {
		all[i]->objects += objects;
		uint32_t *count = objects_kind_count(all[i], kind);
		if (count != NULL) {
			*count += objects;
		}
		all[i]->dmabuf_fds += fds;
		all[i]->dmabuf_bytes += bytes;
		all[i]->dmabuf_estimated += estimated;
	}
	objects_peaks(oc);
}

/* Refuse: wl_display.error no_memory with `message` (libwayland disconnects the client once
 * the request being dispatched returns), a log line naming the client at a bounded rate. */
static void objects_refuse(struct objects_client *oc, const char *message) {
	if (oc->refusing || oc->client == NULL) {
		return;
	}
	oc->refusing = true;
	oc->refused++;
	oc->objects->refused++;
	struct wl_resource *display = wl_client_get_object(oc->client, 1);
	if (display != NULL) {
		wl_resource_post_error(display, WL_DISPLAY_ERROR_NO_MEMORY, "%s", message);
	} else {
		wl_client_post_no_memory(oc->client);
	}
	if (oc->objects->display != NULL) {  /* its log's timer goes with the display */
		ratelog(&oc->objects->log, "client pid %d disconnected: %s", (int)oc->pid, message);
	}
}

/* -- objects, as they are made ---------------------------------------------------------- */

static int objects_kind_of(const char *class) {
	if (strcmp(class, "wl_callback") == 0) return OBJECTS_CALLBACK;
	if (strcmp(class, "wl_surface") == 0) return OBJECTS_SURFACE;
	if (strcmp(class, "wl_region") == 0) return OBJECTS_REGION;
	if (strcmp(class, "wl_subsurface") == 0) return OBJECTS_SUBSURFACE;
	if (strcmp(class, "wl_data_source") == 0 ||
			strcmp(class, "zwp_primary_selection_source_v1") == 0) {
		return OBJECTS_DATA_SOURCE;
	}
	if (strcmp(class, "zwp_linux_buffer_params_v1") == 0) return OBJECTS_PARAMS;
	return OBJECTS_OTHER;
}

/* Which limit `kind` is over, if any: its words and its option. */
static bool objects_over(struct objects_client *oc, int kind, char *message, size_t len) {
	const comp_objects_limits *l = &oc->limits;
	const comp_objects_usage *u = &oc->now;
	struct { uint32_t used, limit; const char *what, *option; } checks[] = {
		{u->objects, l->max_objects, "objects", "--max-client-objects"},
		{u->surfaces, l->max_surfaces, "wl_surface objects", "--max-client-surfaces"},
		{u->subsurfaces, l->max_subsurfaces, "wl_subsurface objects",
			"--max-client-subsurfaces"},
		{u->regions, l->max_regions, "wl_region objects", "--max-client-regions"},
		{u->callbacks, l->max_callbacks, "wl_callback objects (frame callbacks not yet "
			"done)", "--max-client-callbacks"},
		{u->data_sources, l->max_data_sources, "data sources", "--max-client-data-sources"},
	};
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (i > 0 && (int)i != kind) {
			continue;  /* only the figure this object changed, and the total */
		}
		if (checks[i].used > checks[i].limit) {
			snprintf(message, len, "%u %s, over the limit of %u (%s%s)", checks[i].used,
				checks[i].what, checks[i].limit, checks[i].option,
				oc->by_rule ? ", or a client_limits rule" : "");
			return true;
		}
	}
	return false;
}

static void objects_resource_destroyed(struct wl_listener *listener, void *data) {
	struct objects_resource *r = wl_container_of(listener, r, destroy);
	wl_list_remove(&r->destroy.link);
	struct objects_client *oc = r->owner;
	objects_count(oc, r->kind, -1, -(int)r->fds, -(int64_t)r->bytes, -(int)r->estimated);
	free(r->planes);
	free(r);
	objects_client_unref(oc);
}

static void objects_resource_created(struct wl_listener *listener, void *data) {
	struct objects_client *oc = wl_container_of(listener, oc, resource_created);
	struct wl_resource *resource = data;
	struct objects_resource *r = calloc(1, sizeof(*r));
	if (r == NULL) {
		wl_client_post_no_memory(oc->client);  /* uncounted, it would be unlimited */
		return;
	}
	const char *class = wl_resource_get_class(resource);
	r->owner = oc;
	r->kind = objects_kind_of(class);
	if (oc->pending && strcmp(class, wl_buffer_interface.name) == 0) {
		/* the wl_buffer of the linux-dmabuf create being dispatched */
		r->kind = OBJECTS_BUFFER;
		r->fds = oc->pending_fds;
		r->bytes = oc->pending_bytes;
		r->estimated = oc->pending_estimated;
		oc->pending = false;
	}
	oc->refs++;
	r->destroy.notify = objects_resource_destroyed;
	wl_resource_add_destroy_listener(resource, &r->destroy);
	objects_count(oc, r->kind, 1, r->fds, (int64_t)r->bytes, r->estimated);
	char message[160];
	if (objects_over(oc, r->kind, message, sizeof(message))) {
		objects_refuse(oc, message);
	}
}

/* -- fds parked in the socket's queue ---------------------------------------------------- */

static const char *objects_connection(struct wl_client *client, enum objects_layout *layout) {
	const char *connection = *(const char *const *)client;  /* struct wl_client's first field */
	*layout = OBJECTS_LAYOUT_UNKNOWN;
	if (connection == NULL) {
		return NULL;
	}
	int fd = wl_client_get_fd(client);
	size_t usable = malloc_usable_size((void *)connection);
	if (usable >= 4 * 4104 + 8 && *(const int *)(connection + 4 * 4104) == fd) {
		*layout = OBJECTS_LAYOUT_FIXED;
		return connection;
	}
	if (usable >= 4 * 32 + 8 && *(const int *)(connection + 4 * 32) == fd) {
		const uint32_t *bits = (const uint32_t *)(connection + 2 * 32 + 24);
		if (bits[0] >= 8 && bits[0] <= 32 && bits[1] <= 32) {
			*layout = OBJECTS_LAYOUT_DYNAMIC;
			return connection;
		}
	}
	return NULL;
}

static uint32_t objects_parked(struct objects_client *oc) {
	const char *fds_in;
	switch (oc->layout) {
	case OBJECTS_LAYOUT_FIXED:
		fds_in = oc->connection + 2 * 4104;
		return (*(const uint32_t *)(fds_in + 4096) - *(const uint32_t *)(fds_in + 4100)) /
			sizeof(int);
	case OBJECTS_LAYOUT_DYNAMIC:
		fds_in = oc->connection + 2 * 32;
		return (uint32_t)((*(const size_t *)(fds_in + 8) - *(const size_t *)(fds_in + 16)) /
			sizeof(int));
	default:
		return 0;
	}
}

/* Bring the client's parked fds up to date; false when it went over its fds limit (the
 * error is posted). */
static bool objects_check_fds(struct objects_client *oc) {
	uint32_t parked = objects_parked(oc);
	oc->objects->total.parked_fds += parked - oc->now.parked_fds;
	oc->now.parked_fds = parked;
	objects_peaks(oc);
	uint64_t held = (uint64_t)oc->now.dmabuf_fds + parked;
	struct comp_objects *objects = oc->objects;
	uint64_t all = (uint64_t)objects->total.dmabuf_fds + objects->total.parked_fds;
	if (held > 0 && all > objects->max_fds_all) {
		char message[160];
		snprintf(message, sizeof(message), "all clients hold %llu fds (dma-buf planes and "
			"parked), over the compositor's limit of %u (a share of ulimit -n)",
			(unsigned long long)all, objects->max_fds_all);
		objects_refuse(oc, message);
		return false;
	}
	if (held > oc->limits.max_fds) {
		char message[160];
		snprintf(message, sizeof(message), "%llu fds held (%u dma-buf planes, %u parked in "
			"the socket's queue), over the limit of %u (--max-client-fds)",
			(unsigned long long)held, oc->now.dmabuf_fds, parked, oc->limits.max_fds);
		objects_refuse(oc, message);
		return false;
	}
	return true;
}

static int objects_timer(void *data) {
	struct comp_objects *objects = data;
	struct objects_client *oc, *tmp;
	wl_list_for_each_safe(oc, tmp, &objects->live, link) {
		if (oc->layout != OBJECTS_LAYOUT_UNKNOWN && !objects_check_fds(oc)) {
			/* Not dispatching it now: it may send nothing more, so it goes here. */
			wl_client_flush(oc->client);
			wl_client_destroy(oc->client);
		}
	}
	wl_event_source_timer_update(objects->timer, OBJECTS_PARKED_CHECK_MS);
	return 0;
}

/* -- linux-dmabuf requests, as libwayland dispatches them --------------------------------- */

static void objects_plane_add(struct objects_client *oc, struct objects_resource *r,
		const union wl_argument *args) {
	int fd = args[0].h;
	uint32_t plane = args[1].u;
	if (plane >= OBJECTS_MAX_PLANES) {
		return;  /* wlroots refuses it and closes the fd */
	}
	if (r->planes == NULL) {
		r->planes = calloc(OBJECTS_MAX_PLANES, sizeof(*r->planes));
		if (r->planes == NULL) {
			wl_client_post_no_memory(oc->client);
			return;
		}
	}
	struct objects_plane *p = &r->planes[plane];
	if (p->set) {
		return;  /* wlroots refuses it (plane_set) and closes the fd */
	}
	*p = (struct objects_plane){.set = true, .offset = args[2].u, .stride = args[3].u};
	struct stat st;
	if (fstat(fd, &st) == 0) {
		p->dev = st.st_dev;
		p->ino = st.st_ino;
		if (S_ISREG(st.st_mode)) {  /* a memfd or file: its size, without moving its offset */
			p->size = (uint64_t)st.st_size;
			p->sized = true;
		}
	}
	if (!p->sized) {
		off_t size = lseek(fd, 0, SEEK_END);  /* a dma-buf's size, where the kernel says it */
		if (size >= 0) {
			lseek(fd, 0, SEEK_SET);
			p->size = (uint64_t)size;
			p->sized = true;
		}
	}
	r->fds++;
	objects_count(oc, OBJECTS_OTHER, 0, 1, 0, 0);
	objects_check_fds(oc);
}

static void objects_params_create(struct objects_client *oc, struct objects_resource *r,
		int32_t height) {
	uint64_t bytes = 0;
	bool estimated = false;
	for (int i = 0; r->planes != NULL && i < OBJECTS_MAX_PLANES; i++) {
		struct objects_plane *p = &r->planes[i];
		if (!p->set) {
			continue;
		}
		bool again = false;  /* another plane of the same buffer: counted once */
		for (int j = 0; j < i; j++) {
			struct objects_plane *q = &r->planes[j];
			again |= q->set && q->sized && p->sized && q->dev == p->dev && q->ino == p->ino;
		}
		if (again) {
			continue;
		}
		if (p->sized) {
			bytes += p->size;
		} else {
			bytes += (uint64_t)p->stride * (uint64_t)(height > 0 ? height : 0);
			estimated = true;
		}
	}
	uint8_t fds = r->fds;
	/* The params give their fds up: to the buffer if wlroots makes one, else closed. */
	objects_count(oc, OBJECTS_OTHER, 0, -(int)fds, 0, 0);
	r->fds = 0;
	free(r->planes);
	r->planes = NULL;
	const comp_objects_limits *l = &oc->limits;
	char message[160];
	if (oc->now.dmabuf_buffers + 1 > l->max_dmabuf_buffers) {
		snprintf(message, sizeof(message), "linux-dmabuf: %u buffers, the limit "
			"(--max-client-dmabuf-buffers)", l->max_dmabuf_buffers);
		objects_refuse(oc, message);
		return;
	}
	if (oc->now.dmabuf_bytes + bytes > l->max_dmabuf_bytes) {
		snprintf(message, sizeof(message), "linux-dmabuf: buffers of %llu + %llu bytes%s > "
			"%llu (--max-client-dmabuf-bytes)", (unsigned long long)oc->now.dmabuf_bytes,
			(unsigned long long)bytes, estimated ? " (estimated)" : "",
			(unsigned long long)l->max_dmabuf_bytes);
		objects_refuse(oc, message);
		return;
	}
	oc->pending = true;
	oc->pending_fds = fds;
	oc->pending_bytes = bytes;
	oc->pending_estimated = estimated;
}

static void objects_logger(void *data, enum wl_protocol_logger_type direction,
		const struct wl_protocol_logger_message *message) {
	if (direction != WL_PROTOCOL_LOGGER_REQUEST) {
		return;
	}
	struct objects_client *oc = objects_client_of(wl_resource_get_client(message->resource));
	if (oc == NULL) {
		return;
	}
	oc->pending = false;  /* a create before this one made no buffer */
	if (oc->layout != OBJECTS_LAYOUT_UNKNOWN && !objects_check_fds(oc)) {
		return;
	}
	if (strcmp(wl_resource_get_class(message->resource), "zwp_linux_buffer_params_v1") != 0) {
		return;
	}
	struct objects_resource *r = objects_resource_of(message->resource);
	if (r == NULL) {
		return;
	}
	const char *name = message->message->name;
	if (strcmp(name, "add") == 0 && message->arguments_count >= 4) {
		objects_plane_add(oc, r, message->arguments);
	} else if (strcmp(name, "create") == 0 && message->arguments_count >= 2) {
		objects_params_create(oc, r, message->arguments[1].i);
	} else if (strcmp(name, "create_immed") == 0 && message->arguments_count >= 3) {
		objects_params_create(oc, r, message->arguments[2].i);
	}
}

/* -- clients ----------------------------------------------------------------------------- */

static void objects_client_destroyed(struct wl_listener *listener, void *data) {
	/* Before libwayland destroys the client's resources: each holds the record until then. */
	struct objects_client *oc = wl_container_of(listener, oc, destroy);
	wl_list_remove(&oc->destroy.link);
	wl_list_remove(&oc->resource_created.link);
	wl_list_remove(&oc->link);
	oc->objects->total.parked_fds -= oc->now.parked_fds;
	oc->now.parked_fds = 0;
	oc->objects->clients--;
	oc->client = NULL;
	objects_client_unref(oc);
}

static void objects_client_created(struct wl_listener *listener, void *data) {
	struct comp_objects *objects = wl_container_of(listener, objects, client_created);
	struct wl_client *client = data;
	struct objects_client *oc = calloc(1, sizeof(*oc));
	if (oc == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	oc->objects = objects;
	objects->refs++;
	oc->client = client;
	oc->refs = 1;
	oc->limits = objects->defaults;
	wl_client_get_credentials(client, &oc->pid, &oc->uid, NULL);
	oc->connection = objects_connection(client, &oc->layout);
	if (oc->layout == OBJECTS_LAYOUT_UNKNOWN && !objects->layout_logged) {
		objects->layout_logged = true;
		comp_py_limit_log(2, "client limits: this libwayland's connection is not laid out "
			"as 1.21 to 1.23 lay it out; fds parked in clients' sockets are not counted");
	}
	wl_list_insert(&objects->live, &oc->link);
	objects->clients++;
	oc->destroy.notify = objects_client_destroyed;
	wl_client_add_destroy_listener(client, &oc->destroy);
	oc->resource_created.notify = objects_resource_created;
	wl_client_add_resource_created_listener(client, &oc->resource_created);
	/* Its wl_display, made before this listener was there. */
	struct wl_resource *display = wl_client_get_object(client, 1);
	if (display != NULL) {
		objects_resource_created(&oc->resource_created, display);
	}
	comp_py_client_created(client, oc->pid, oc->uid);
}

static void objects_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_objects *objects = wl_container_of(listener, objects, display_destroy);
	wl_list_remove(&objects->client_created.link);
	wl_list_remove(&objects->display_destroy.link);
	wl_protocol_logger_destroy(objects->logger);
	wl_event_source_remove(objects->timer);
	ratelog_flush(&objects->log);
	ratelog_finish(&objects->log);
	objects->display = NULL;
	objects_unref(objects);  /* freed now, or with the last client record */
}

struct comp_objects *comp_objects_install(struct wl_display *display,
		struct comp_limits *shm_limits) {
	struct comp_objects *objects = calloc(1, sizeof(*objects));
	if (objects == NULL) {
		return NULL;
	}
	struct wl_event_loop *loop = wl_display_get_event_loop(display);
	objects->display = display;
	objects->refs = 1;
	objects->shm = shm_limits;
	wl_list_init(&objects->live);
	if (!ratelog_init(&objects->log, loop, 2)) {
		free(objects);
		return NULL;
	}
	objects->timer = wl_event_loop_add_timer(loop, objects_timer, objects);
	objects->logger = wl_display_add_protocol_logger(display, objects_logger, objects);
	if (objects->timer == NULL || objects->logger == NULL) {
		if (objects->timer != NULL) {
			wl_event_source_remove(objects->timer);
		}
		if (objects->logger != NULL) {
			wl_protocol_logger_destroy(objects->logger);
		}
		ratelog_finish(&objects->log);
		free(objects);
		return NULL;
	}
	wl_event_source_timer_update(objects->timer, OBJECTS_PARKED_CHECK_MS);
	memset(&objects->defaults, 0xff, sizeof(objects->defaults));  /* unlimited until set */
	objects->max_fds_all = UINT32_MAX;
	objects->client_created.notify = objects_client_created;
	wl_display_add_client_created_listener(display, &objects->client_created);
	objects->display_destroy.notify = objects_display_destroyed;
	wl_display_add_destroy_listener(display, &objects->display_destroy);
	return objects;
}

void comp_objects_set_defaults(struct comp_objects *objects, const comp_objects_limits *limits) {
	objects->defaults = *limits;
}

void comp_objects_set_fds_all(struct comp_objects *objects, uint32_t max_fds_all) {
	objects->max_fds_all = max_fds_all;
}

bool comp_objects_client(struct comp_objects *objects, struct wl_client *client,
		comp_client_objects *out) {
	struct objects_client *oc = objects_client_of(client);
	if (oc == NULL) {
		return false;
	}
	if (oc->layout != OBJECTS_LAYOUT_UNKNOWN) {
		uint32_t parked = objects_parked(oc);
		objects->total.parked_fds += parked - oc->now.parked_fds;
		oc->now.parked_fds = parked;
		objects_peaks(oc);
	}
	*out = (comp_client_objects){
		.pid = oc->pid, .uid = oc->uid, .now = oc->now, .peak = oc->peak,
		.limits = oc->limits, .refused = oc->refused,
		.parked_known = oc->layout != OBJECTS_LAYOUT_UNKNOWN, .by_rule = oc->by_rule,
		.hidden = oc->hidden,
	};
	return true;
}

bool comp_objects_client_set(struct comp_objects *objects, struct wl_client *client,
		const comp_objects_limits *limits, const comp_shm_limits *shm) {
	struct objects_client *oc = objects_client_of(client);
	if (oc == NULL) {
		return false;
	}
	oc->limits = *limits;
	oc->by_rule = true;
	if (shm != NULL) {
		comp_limits_client_set_shm(client, shm);
	}
	return true;
}

void comp_objects_totals_get(struct comp_objects *objects, comp_objects_totals *out) {
	*out = (comp_objects_totals){
		.now = objects->total, .refused = objects->refused, .clients = objects->clients,
		.max_fds_all = objects->max_fds_all,
	};
}

bool comp_objects_hide(struct comp_objects *objects, struct wl_client *client, uint32_t hidden) {
	struct objects_client *oc = objects_client_of(client);
	if (oc == NULL) {
		return false;
	}
	oc->hidden = hidden;
	if (hidden & (COMP_HIDE_LINUX_DMABUF | COMP_HIDE_WL_DRM)) {
		comp_global_filter_install(objects->display);  /* it asks comp_objects_global_allowed */
	}
	return true;
}

bool comp_objects_scanout_allowed(struct wl_client *client) {
	struct objects_client *oc = client != NULL ? objects_client_of(client) : NULL;
	return oc == NULL || !(oc->hidden & COMP_NO_SCANOUT);
}

bool comp_objects_global_allowed(const struct wl_client *client, const char *name) {
	struct objects_client *oc = objects_client_of((struct wl_client *)client);
	if (oc == NULL || oc->hidden == 0) {
		return true;
	}
	if ((oc->hidden & COMP_HIDE_LINUX_DMABUF) && strcmp(name, "zwp_linux_dmabuf_v1") == 0) {
		return false;
	}
	return !((oc->hidden & COMP_HIDE_WL_DRM) && strcmp(name, "wl_drm") == 0);
}
