/* wl_shm per client, counted and limited: pools (how many, bytes mapped), buffers, and the
 * size of a buffer against what the renderer can draw (csrc/client_limits.c).
 *
 * libwayland's wl_shm (wl_display_init_shm, through wlr_renderer_init_wl_shm) maps any pool
 * a client asks for and tells nobody its size. Its requests are wrapped instead: each new
 * client's wl_display resource gets an implementation that calls libwayland's and then
 * wraps the wl_registry it made; the registry's bind wraps a wl_shm; wl_shm.create_pool
 * checks the client's pools against the limits before libwayland maps the fd (and that
 * the fd's file is as large as the pool: a smaller one would SIGBUS), then wraps the pool,
 * whose create_buffer and resize are checked the same way. Buffers stay libwayland's own
 * (wlroots recognizes them by their implementation). Past a limit the request is refused
 * with wl_display.error no_memory naming the limit and its option (a buffer too large:
 * wl_shm.invalid_stride on the pool), the fd closed, and libwayland disconnects the client.
 *
 * A pool counts until its resource and every buffer made from it are gone (libwayland keeps
 * the mapping that long). Installed once per display, before any client connects. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_client;
struct wl_display;
struct wlr_renderer;

typedef struct {
	uint32_t pools;    /* mapped: a pool counts until its last buffer goes */
	uint32_t buffers;  /* live wl_shm wl_buffers */
	uint64_t mapped;   /* bytes of the pools' mappings: address space, mostly never touched
	                    * (foot maps 512 MiB pools to scroll by moving a buffer's offset) */
	uint64_t bytes;    /* bytes of the live buffers (stride x height): what the compositor
	                    * may read, the most of the client's memory its RSS can take */
} comp_shm_usage;

typedef struct {
	uint32_t max_pools;      /* per client: --max-client-shm-pools */
	uint32_t max_buffers;    /* per client: --max-client-shm-buffers */
	uint64_t max_mapped;     /* per client: --max-client-shm-mapped */
	uint64_t max_bytes;      /* per client: --max-client-shm-bytes */
	int32_t max_size;        /* width or height of a buffer: the renderer's or --max-buffer-size */
	bool size_by_renderer;   /* max_size is the renderer's limit, not the option's */
	uint32_t max_pools_all;  /* all clients together: --max-shm-pools */
	uint64_t max_mapped_all; /* all clients together: a share of the address space */
} comp_shm_limits;

typedef struct {
	int32_t pid;
	comp_shm_usage now;
	comp_shm_usage peak;  /* the most it held at once, each figure on its own */
	uint64_t refused;     /* requests refused by a limit (the client is disconnected) */
	comp_shm_limits limits;  /* its own: the display's, or what a rule gave it */
} comp_client_shm;

typedef struct {
	comp_shm_usage now;   /* all clients, those gone whose buffers linger included */
	uint64_t refused;
	bool active;          /* false: libwayland's resource layout was not the one expected,
	                       * nothing is counted or limited (logged once) */
} comp_shm_totals;

struct comp_limits;
struct comp_limits *comp_limits_install(struct wl_display *display);
void comp_limits_set_shm(struct comp_limits *limits, const comp_shm_limits *shm);
/* false: not a client this knows (connected before install, or gone). */
bool comp_limits_client_shm(struct comp_limits *limits, struct wl_client *client,
	comp_client_shm *out);
void comp_limits_shm_totals(struct comp_limits *limits, comp_shm_totals *out);
/* The largest width or height the renderer draws a buffer of (GLES2: GL_MAX_TEXTURE_SIZE;
 * pixman: 32766, what its 16-bit extents hold), 0 when unknown. */
int32_t comp_renderer_max_buffer_size(struct wlr_renderer *renderer);
