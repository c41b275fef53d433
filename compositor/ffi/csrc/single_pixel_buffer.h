/* wp_single_pixel_buffer_manager_v1 (wlroots 0.15 lacks it): a wl_buffer of one colour,
 * which a client scales with wp_viewport (mpv, GTK 4 backgrounds). wlroots 0.15 imports
 * only wl_shm, dma-buf and wl_drm buffers; each of these is a 1x1 ARGB8888 wlr_buffer of
 * its own that renderers read through a data pointer (csrc/single_pixel_buffer.c),
 * registered as a buffer resource type like wl_drm's bridge (wl_drm_buffer.h). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_display;
struct wlr_surface;
struct comp_single_pixel_manager;
struct wlr_compositor;
/* `compositor`: on pixman, its surfaces' stretched single-pixel textures repeat their edge. */
struct comp_single_pixel_manager *comp_single_pixel_manager_create(struct wl_display *display,
	struct wlr_compositor *compositor);
void comp_single_pixel_manager_destroy(struct comp_single_pixel_manager *manager);
/* Buffers made so far, and those alive now (the client's or a renderer's). */
uint64_t comp_single_pixel_buffers_made(struct comp_single_pixel_manager *manager);
size_t comp_single_pixel_buffers_live(void);
