/* Renderer tools: see render_tools.h. */
#include <string.h>
#include <GLES2/gl2.h>
#include <drm_fourcc.h>
#include <wlr/render/gles2.h>
#include <wlr/render/pixman.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/allocator.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_output.h>
#include <wlr/types/wlr_output_damage.h>
#include <wlr/types/wlr_scene.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/util/box.h>
#include <wlr/util/log.h>
#include <wlr/util/region.h>
#include "client_memory.h"
#include "internal.h"
#include "render_tools.h"

bool comp_surface_buffer_info(struct wlr_surface *surface, struct comp_surface_buffer *out) {
	memset(out, 0, sizeof(*out));
	out->committed = surface->current.committed;
	struct wlr_client_buffer *buffer = surface->buffer;
	if (buffer == NULL) {
		return false;
	}
	out->client_buffer = (uintptr_t)buffer;
	out->shm_format = buffer->shm_source_format == DRM_FORMAT_INVALID ?
		0 : buffer->shm_source_format;
	struct wlr_dmabuf_attributes attribs;
	out->dmabuf = buffer->source != NULL && wlr_buffer_get_dmabuf(buffer->source, &attribs);
	out->texture_gles2 = buffer->texture != NULL && wlr_texture_is_gles2(buffer->texture);
	out->width = buffer->base.width;
	out->height = buffer->base.height;
	int n;
	pixman_box32_t *rects = pixman_region32_rectangles(&surface->buffer_damage, &n);
	out->damage_rects = n;
	for (int i = 0; i < n; i++) {
		out->damage_area += (int64_t)(rects[i].x2 - rects[i].x1) * (rects[i].y2 - rects[i].y1);
	}
	return true;
}

/* Software GL (Mesa's llvmpipe, e.g. kms_swrast on virtio-gpu without 3D; softpipe;
 * SwiftShader) rasterizes on worker threads and puts no fence on the buffer it drew: a page
 * flip (or the recorder, or screencopy) could show a half-drawn frame. Such frames are
 * finished (glFinish) before they are committed (frame_loop_handle_precommit, frame_loop.c).
 * virtio-gpu without 3D also keeps a host-side copy of each buffer that a flip updates only
 * within its damage clips, which are relative to the previous frame (another buffer):
 * kernels before 6.8 then show stale regions (6.8 ignores the clips when the fb changes),
 * so these frames are committed without damage, as full updates. */
static int gl_software = -1;  /* -1: GL_RENDERER not asked yet */

/* Whether the renderer is GLES2 on a software rasterizer. The first call asks GL_RENDERER,
 * which needs the renderer's EGL context current: call it while a buffer is bound (between
 * wlr_output_attach_render and the commit). */
bool comp_gl_is_software(struct wlr_renderer *renderer) {
	if (renderer == NULL || !wlr_renderer_is_gles2(renderer)) {
		return false;
	}
	if (gl_software < 0) {
		const char *name = (const char *)glGetString(GL_RENDERER);
		if (name == NULL) {
			return false;  /* no context current: ask again next time */
		}
		gl_software = strstr(name, "llvmpipe") != NULL || strstr(name, "softpipe") != NULL ||
			strstr(name, "SwiftShader") != NULL;
		wlr_log(WLR_INFO, "GL renderer '%s': %s", name, gl_software ?
			"software: frames are finished (glFinish) and committed without damage clips" :
			"hardware: implicit sync");
	}
	return gl_software == 1;
}

/* -1 before the first GL frame, else whether GL is software (see comp_gl_is_software). */
int comp_gl_software(void) {
	return gl_software;
}

/* Same as wlroots' scene: scissor an output-local box, honouring the output transform. */
void comp_scissor_output(struct wlr_output *output, pixman_box32_t *rect) {
	struct wlr_box box = {
		.x = rect->x1, .y = rect->y1,
		.width = rect->x2 - rect->x1, .height = rect->y2 - rect->y1,
	};
	int ow, oh;
	wlr_output_transformed_resolution(output, &ow, &oh);
	enum wl_output_transform transform = wlr_output_transform_invert(output->transform);
	wlr_box_transform(&box, &box, transform, ow, oh);
	wlr_renderer_scissor(output->renderer, &box);
}

/* The background (black) over an output-local region; leaves the scissor unset. */
void comp_output_clear(struct wlr_output *output, pixman_region32_t *region) {
	int nrects;
	pixman_box32_t *rects = pixman_region32_rectangles(region, &nrects);
	for (int i = 0; i < nrects; i++) {
		comp_scissor_output(output, &rects[i]);
		wlr_renderer_clear(output->renderer, (float[4]){0.0, 0.0, 0.0, 1.0});
	}
	wlr_renderer_scissor(output->renderer, NULL);
}

/* The guard over the clients' memory the pixman renderer reads between begin and end. */
static size_t render_guard_mark;
static bool render_guarded;

int comp_output_render_begin(struct wlr_scene_output *scene_output, bool whole) {
	struct wlr_output *output = scene_output->output;
	struct wlr_renderer *renderer = output->renderer;
	if (whole) {
		wlr_output_damage_add_whole(scene_output->damage);
	}
	bool needs_frame;
	pixman_region32_t damage;
	pixman_region32_init(&damage);
	if (!wlr_output_damage_attach_render(scene_output->damage, &needs_frame, &damage)) {
		pixman_region32_fini(&damage);
		return -1;
	}
	if (!needs_frame) {
		pixman_region32_fini(&damage);
		wlr_output_rollback(output);
		return 0;
	}
	/* Textures are made before the frame begins, never inside it (wlroots asserts that the
	 * renderer is not rendering): wlr_scene_render_output would make the new ones. */
	comp_scene_import_pending(scene_output->scene, renderer);
	render_guarded = wlr_renderer_is_pixman(renderer);
	if (render_guarded) {
		render_guard_mark = comp_guard_scene(scene_output->scene);
	}
	wlr_renderer_begin(renderer, output->width, output->height);
	comp_output_clear(output, &damage);
	wlr_scene_render_output(scene_output->scene, output, scene_output->x, scene_output->y,
		&damage);
	wlr_renderer_scissor(renderer, NULL);
	wlr_output_render_software_cursors(output, &damage);
	pixman_region32_fini(&damage);
	return 1;
}

bool comp_output_render_end(struct wlr_scene_output *scene_output, bool commit,
		bool send_damage) {
	struct wlr_output *output = scene_output->output;
	wlr_renderer_end(output->renderer);
	if (render_guarded) {
		render_guarded = false;
		comp_guard_release(render_guard_mark);
	}
	if (!commit) {
		wlr_output_rollback(output);
		return true;
	}
	if (!send_damage) {
		return wlr_output_commit(output);
	}
	int width, height;
	wlr_output_transformed_resolution(output, &width, &height);
	pixman_region32_t frame_damage;
	pixman_region32_init(&frame_damage);
	wlr_region_transform(&frame_damage, &scene_output->damage->current,
		wlr_output_transform_invert(output->transform), width, height);
	wlr_output_set_damage(output, &frame_damage);
	pixman_region32_fini(&frame_damage);
	return wlr_output_commit(output);
}

void comp_output_damage_box(struct wlr_scene_output *scene_output, int x, int y, int width,
		int height) {
	struct wlr_box box = {.x = x, .y = y, .width = width, .height = height};
	wlr_output_damage_add_box(scene_output->damage, &box);
}

bool comp_read_pixels(struct wlr_renderer *renderer, uint32_t drm_format, uint32_t stride,
		uint32_t width, uint32_t height, void *data, bool *y_invert) {
	uint32_t flags = 0;
	bool ok = wlr_renderer_read_pixels(renderer, drm_format, &flags, stride, width, height,
		0, 0, 0, 0, data);
	*y_invert = (flags & WLR_RENDERER_READ_PIXELS_Y_INVERT) != 0;
	return ok;
}

void comp_render_rect(struct wlr_output *output, int x, int y, int width, int height,
		float r, float g, float b, float a) {
	struct wlr_box box = {.x = x, .y = y, .width = width, .height = height};
	wlr_render_rect(output->renderer, &box, (float[4]){r, g, b, a}, output->transform_matrix);
}
