/* The buffer-sharing inspector (compositor/inspect/): clients, the objects each holds (which
 * globals it bound), and each surface's role, buffer and the copies its commits cost. Each
 * function fills at most `max` entries and returns how many there are (csrc/inspect.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_client;
struct wl_display;
struct wlr_surface;

typedef struct {
	struct wl_client *client;
	int32_t pid;
	uint32_t uid, gid;
} comp_inspect_client;

typedef struct {
	const char *interface;  /* e.g. "wl_compositor"; owned by libwayland/wlroots */
	uint32_t version;
	uint32_t id;
} comp_inspect_resource;

typedef struct {
	struct wlr_surface *surface;
	uintptr_t client_buffer;  /* the surface's wlr_client_buffer (compared with scan-outs) */
	uint32_t id;            /* the wl_surface's protocol id */
	const char *role;       /* wlroots' role name (xdg_toplevel, wl_subsurface, ...) or NULL */
	/* The current buffer. kind: 0 none, 1 wl_shm, 2 linux-dmabuf, 3 wl_drm PRIME dma-buf,
	 * 4 wl_drm PRIME memfd, 5 another dma-buf, 6 released (the source is gone). */
	int kind;
	int32_t width, height;
	uint32_t format;        /* DRM fourcc (0 unknown) */
	uint64_t modifier;
	int n_planes;
	uint32_t offset[4];
	uint32_t stride[4];
	bool texture_gles2;     /* a GL texture (upload or EGLImage); false: pixman wraps memory */
	uint64_t commits;       /* commits with new pixels, and bytes the CPU copied or read */
	uint64_t bytes;
	uint64_t frames_shown;  /* output frames it was on */
} comp_inspect_surface;

int comp_inspect_clients(struct wl_display *display, comp_inspect_client *out, int max);
int comp_inspect_resources(struct wl_client *client, comp_inspect_resource *out, int max);
int comp_inspect_surfaces(struct wl_client *client, comp_inspect_surface *out, int max);
