/* Small reads and writes of wlroots state: see core.h. */
#include <stdbool.h>
#include <stdint.h>
#include <wayland-server-core.h>
#include <wlr/backend.h>
#include <wlr/backend/headless.h>
#include <wlr/backend/wayland.h>
#include <wlr/backend/x11.h>
#include <wlr/render/wlr_renderer.h>
#include <wlr/render/pixman.h>
#include <wlr/render/gles2.h>
#include <wlr/render/drm_format_set.h>
#include <wlr/types/wlr_linux_dmabuf_v1.h>
#include <wlr/types/wlr_presentation_time.h>
#include <wlr/types/wlr_scene.h>
#include "core.h"
#include "internal.h"

size_t comp_renderer_dmabuf_format_count(struct wlr_renderer *renderer) {
	const struct wlr_drm_format_set *formats =
		wlr_renderer_get_dmabuf_texture_formats(renderer);
	return formats == NULL ? 0 : formats->len;
}

int comp_display_client_count(struct wl_display *display) {
	return wl_list_length(wl_display_get_client_list(display));
}

#include <wlr/types/wlr_output.h>

uint32_t comp_output_commit_seq(struct wlr_output *output) {
	return output->commit_seq;
}

#include <wlr/types/wlr_surface.h>

int comp_surface_client_pid(struct wlr_surface *surface) {
	if (surface == NULL || surface->resource == NULL) {
		return -1;
	}
	pid_t pid;
	wl_client_get_credentials(wl_resource_get_client(surface->resource), &pid, NULL, NULL);
	return pid;
}

#include <time.h>
#include <wlr/interfaces/wlr_output.h>

void comp_output_send_presented(struct wlr_output *output, uint32_t seq) {
	struct timespec now;
	comp_frame_clock_now(&now);  /* CLOCK_MONOTONIC, or the manual clock's virtual time */
	struct wlr_output_event_present event = {
		.output = output,
		.commit_seq = output->commit_seq,
		.presented = true,
		.when = &now,
		.seq = seq,
		.refresh = output->refresh > 0 ? (int)(1000000000000LL / output->refresh) : 0,
		.flags = 0,
	};
	wlr_output_send_present(output, &event);
}
