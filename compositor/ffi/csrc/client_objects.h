/* Per client: its protocol objects (all, and surfaces, subsurfaces, regions, callbacks, data
 * sources), its linux-dmabuf params and buffers (count, bytes, plane fds) and the fds parked
 * in its socket's queue, counted and limited. Every resource a client gets is seen as it is
 * made (wl_client's resource-created signal) and counted until destroyed; linux-dmabuf
 * requests are read as libwayland dispatches them (a protocol logger, before wlroots runs
 * them). Past a limit the client gets wl_display.error no_memory naming the limit and its
 * option, a log line names the client, and libwayland disconnects it after that request.
 * Installed once per display, after comp_limits_install and before any client connects
 * (csrc/client_objects.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "client_limits.h"

struct wl_client;
struct wl_display;
struct comp_limits;

typedef struct {
	uint32_t objects;          /* all of its resources (protocol objects) */
	uint32_t surfaces;         /* wl_surface */
	uint32_t subsurfaces;      /* wl_subsurface */
	uint32_t regions;          /* wl_region */
	uint32_t callbacks;        /* wl_callback: frame callbacks not yet done, syncs */
	uint32_t data_sources;     /* wl_data_source, zwp_primary_selection_source_v1 */
	uint32_t dmabuf_params;    /* zwp_linux_buffer_params_v1 not yet used or destroyed */
	uint32_t dmabuf_buffers;   /* live linux-dmabuf wl_buffers */
	uint32_t dmabuf_fds;       /* plane fds the compositor holds for it: params' and buffers' */
	uint32_t dmabuf_estimated; /* buffers whose bytes are stride x height: the fd had no size */
	uint64_t dmabuf_bytes;     /* the live buffers' planes: each fd's size (lseek SEEK_END) */
	uint32_t parked_fds;       /* fds received on its socket, not yet taken by a request */
} comp_objects_usage;

typedef struct {
	uint32_t max_objects;      /* --max-client-objects */
	uint32_t max_surfaces;     /* --max-client-surfaces */
	uint32_t max_subsurfaces;  /* --max-client-subsurfaces */
	uint32_t max_regions;      /* --max-client-regions */
	uint32_t max_callbacks;    /* --max-client-callbacks */
	uint32_t max_data_sources; /* --max-client-data-sources */
	uint32_t max_dmabuf_buffers; /* --max-client-dmabuf-buffers */
	uint64_t max_dmabuf_bytes;   /* --max-client-dmabuf-bytes */
	uint32_t max_fds;          /* --max-client-fds: dma-buf fds held + fds parked */
} comp_objects_limits;

typedef struct {
	int32_t pid;
	uint32_t uid;
	comp_objects_usage now;
	comp_objects_usage peak;   /* the most it held at once, each figure on its own */
	comp_objects_limits limits;  /* its own: the defaults, or what a rule gave it */
	uint64_t refused;
	bool parked_known;         /* false: this libwayland's connection layout is not known */
	bool by_rule;              /* a configuration rule set its limits */
	uint32_t hidden;           /* globals a rule hides from it: COMP_HIDE_* bits */
} comp_client_objects;

enum {
	COMP_HIDE_LINUX_DMABUF = 1,  /* zwp_linux_dmabuf_v1 */
	COMP_HIDE_WL_DRM = 2,        /* wl_drm */
	COMP_NO_SCANOUT = 4,         /* its buffers composited, never scanned out directly */
};

typedef struct {
	comp_objects_usage now;    /* all clients */
	uint64_t refused;
	uint32_t clients;
	uint32_t max_fds_all;
} comp_objects_totals;

struct comp_objects;
struct comp_objects *comp_objects_install(struct wl_display *display,
	struct comp_limits *shm_limits);
void comp_objects_set_defaults(struct comp_objects *objects, const comp_objects_limits *limits);
/* All clients' dma-buf and parked fds together: past it the client adding one is refused. */
void comp_objects_set_fds_all(struct comp_objects *objects, uint32_t max_fds_all);
/* false: not a client this knows. */
bool comp_objects_client(struct comp_objects *objects, struct wl_client *client,
	comp_client_objects *out);
/* Give one client other limits (a rule); shm NULL leaves its wl_shm limits alone. */
bool comp_objects_client_set(struct comp_objects *objects, struct wl_client *client,
	const comp_objects_limits *limits, const comp_shm_limits *shm);
/* Hide globals from one client, or keep its buffers off the planes (COMP_HIDE_*,
 * COMP_NO_SCANOUT bits): csrc/global_filter.c's filter and scene_render.c's scan-out ask. */
bool comp_objects_hide(struct comp_objects *objects, struct wl_client *client, uint32_t hidden);
void comp_objects_totals_get(struct comp_objects *objects, comp_objects_totals *out);
