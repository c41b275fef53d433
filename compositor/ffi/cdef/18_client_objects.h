/* Per client: its protocol objects (all, and surfaces, subsurfaces, regions, callbacks, data
 * sources), its linux-dmabuf params and buffers (count, bytes, plane fds) and the fds parked
 * in its socket's queue, counted and limited. Every resource a client gets is seen as it is
 * made (wl_client's resource-created signal) and counted until destroyed; linux-dmabuf
 * requests are read as libwayland dispatches them (a protocol logger, before wlroots runs
 * them). Past a limit the client gets wl_display.error no_memory naming the limit and its
 * option, a log line names the client, and libwayland disconnects it after that request.
 * Installed once per display, after comp_limits_install and before any client connects. */
#include "18_client_objects_types.h"
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
 * COMP_NO_SCANOUT bits): csrc/05_globals.c's filter and 81_scene_render.c's scan-out ask. */
bool comp_objects_hide(struct comp_objects *objects, struct wl_client *client, uint32_t hidden);
void comp_objects_totals_get(struct comp_objects *objects, comp_objects_totals *out);
/* A new client: its pid and uid; the callee may set its limits (comp_objects_client_set). */
extern "Python" void comp_py_client_created(struct wl_client *client, int32_t pid, uint32_t uid);
