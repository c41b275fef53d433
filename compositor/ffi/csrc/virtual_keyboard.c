/* A virtual keyboard's wlr_keyboard freed once it is gone: see virtual_keyboard.h. */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include "virtual_keyboard.h"

struct keyboard_reaper {
	struct wl_event_loop *loop;
	struct wl_listener destroy;
	struct wl_listener display_destroy;
	struct wlr_keyboard *keyboard;
	struct wl_event_source *idle;
};

static void reap(void *data) {
	struct keyboard_reaper *reaper = data;
	wl_list_remove(&reaper->display_destroy.link);
	free(reaper->keyboard);
	free(reaper);
}

static void keyboard_gone(struct wl_listener *listener, void *data) {
	/* Emitted by virtual_keyboard_destroy_resource before wlr_input_device_destroy, which
	 * reads and unrefs the keyboard's keymap and state: it is freed after all that. */
	struct keyboard_reaper *reaper = wl_container_of(listener, reaper, destroy);
	struct wlr_virtual_keyboard_v1 *virtual_keyboard = data;
	wl_list_remove(&reaper->destroy.link);
	wl_list_init(&reaper->destroy.link);
	reaper->keyboard = virtual_keyboard->input_device.keyboard;
	reaper->idle = wl_event_loop_add_idle(reaper->loop, reap, reaper);
	if (reaper->idle == NULL) {
		reaper->keyboard = NULL; /* leaked, as without this */
		wl_list_remove(&reaper->display_destroy.link);
		free(reaper);
	}
}

static void display_gone(struct wl_listener *listener, void *data) {
	/* The display goes first: its virtual keyboards were destroyed with their clients
	 * (their idle callbacks may not have run): free what is left, without the loop. */
	struct keyboard_reaper *reaper = wl_container_of(listener, reaper, display_destroy);
	wl_list_remove(&reaper->display_destroy.link);
	wl_list_remove(&reaper->destroy.link);
	if (reaper->idle != NULL) {
		wl_event_source_remove(reaper->idle);
		free(reaper->keyboard);
	}
	/* Still live (its client is still there): its keyboard stays wlroots' to leak. */
	free(reaper);
}

bool comp_virtual_keyboard_free_when_gone(struct wl_display *display,
		struct wlr_virtual_keyboard_v1 *keyboard) {
	struct keyboard_reaper *reaper = calloc(1, sizeof(*reaper));
	if (reaper == NULL) {
		return false;
	}
	reaper->loop = wl_display_get_event_loop(display);
	reaper->destroy.notify = keyboard_gone;
	wl_signal_add(&keyboard->events.destroy, &reaper->destroy);
	reaper->display_destroy.notify = display_gone;
	wl_display_add_destroy_listener(display, &reaper->display_destroy);
	return true;
}
