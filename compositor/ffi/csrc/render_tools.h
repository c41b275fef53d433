/* Renderer tools (compositor/render/): the per-commit buffer facts behind the copy
 * counters, a scene render that leaves the renderer bound (for the GL overlay and
 * screenshots), whether GL rasterizes in software, and read_pixels (csrc/render_tools.c).
 * wlroots' own allocator and frame scheduling are in cdef/render_tools.h. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wlr_allocator;
struct wlr_output;
struct wlr_renderer;
struct wlr_scene_output;
struct wlr_surface;

/* wlroots' GBM allocator, for Python's own choice of allocator (render/allocator.py); its
 * header is private to wlroots. Takes ownership of drm_fd. */
struct wlr_allocator *wlr_gbm_allocator_create(int drm_fd);

/* What a surface's last commit did to its texture (see render/copy_stats.py). */
struct comp_surface_buffer {
	uintptr_t client_buffer;  /* identity of the wlr_client_buffer, 0 when none */
	uint32_t shm_format;      /* DRM fourcc when made from wl_shm, 0 otherwise */
	bool dmabuf;              /* its source buffer is a dma-buf */
	bool texture_gles2;       /* the texture is a GL texture */
	int width, height;
	int damage_rects;         /* buffer damage of this commit, buffer coordinates */
	int64_t damage_area;      /* pixels */
	uint32_t committed;       /* enum wlr_surface_state_field of this commit */
};
bool comp_surface_buffer_info(struct wlr_surface *surface, struct comp_surface_buffer *out);

/* Render the scene into the output's next buffer and leave the renderer bound (between
 * wlr_renderer_begin and _end) so that the caller can draw on top or read pixels.
 * whole: repaint the whole output. Returns 1 when bound, 0 when nothing was damaged
 * (nothing bound), -1 on error (nothing bound). */
int comp_output_render_begin(struct wlr_scene_output *scene_output, bool whole);
/* wlr_renderer_end, then commit the frame (commit=true) or roll it back. send_damage=false
 * commits without FB_DAMAGE_CLIPS, i.e. as a full update (software GL always is: see
 * comp_gl_is_software in csrc/render_tools.c). */
bool comp_output_render_end(struct wlr_scene_output *scene_output, bool commit,
	bool send_damage);
/* -1 before the first GLES2 frame, then 1 when GL rasterizes in software (llvmpipe...:
 * its frames are finished with glFinish and committed without damage clips), else 0. */
int comp_gl_software(void);
void comp_output_damage_box(struct wlr_scene_output *scene_output, int x, int y, int width,
	int height);
/* wlr_renderer_read_pixels of the bound buffer; *y_invert set when rows come bottom-up. */
bool comp_read_pixels(struct wlr_renderer *renderer, uint32_t drm_format, uint32_t stride,
	uint32_t width, uint32_t height, void *data, bool *y_invert);
/* Fill a box of the bound buffer through wlroots (the pixman overlay path). */
void comp_render_rect(struct wlr_output *output, int x, int y, int width, int height,
	float r, float g, float b, float a);
