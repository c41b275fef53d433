/* Textures for the scene's buffer nodes (title bars, the recording indicator's text, any
 * wlr_scene_buffer), made before a frame begins: wlroots makes them on first use, inside
 * the frame (wlr_scene_render_output), and its renderers must not make textures while
 * rendering. Every path that renders calls comp_scene_import_pending first. */
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/wlr_texture.h>
#include <wlr/types/wlr_buffer.h>
#include <wlr/types/wlr_scene.h>
#include "internal.h"

/* wlroots' scene_buffer_get_texture: a client buffer's texture, else one made once. */
struct wlr_texture *comp_scene_buffer_texture(struct wlr_scene_buffer *scene_buffer,
		struct wlr_renderer *renderer) {
	if (scene_buffer->buffer == NULL) {
		return NULL;
	}
	struct wlr_client_buffer *client_buffer = wlr_client_buffer_get(scene_buffer->buffer);
	if (client_buffer != NULL) {
		return client_buffer->texture;
	}
	if (scene_buffer->texture == NULL) {
		scene_buffer->texture = wlr_texture_from_buffer(renderer, scene_buffer->buffer);
	}
	return scene_buffer->texture;
}

/* As wlroots 0.15.1 does before it renders: every scene buffer goes on the scene's pending
 * list when it is made (wlr_scene_buffer_create; 0.15 has no set_buffer), so importing that
 * list before each frame covers them all, with no walk of the scene. */
void comp_scene_import_pending(struct wlr_scene *scene, struct wlr_renderer *renderer) {
	struct wlr_scene_buffer *scene_buffer, *tmp;
	wl_list_for_each_safe(scene_buffer, tmp, &scene->pending_buffers, pending_link) {
		comp_scene_buffer_texture(scene_buffer, renderer);
		wl_list_remove(&scene_buffer->pending_link);
		wl_list_init(&scene_buffer->pending_link);
	}
}
