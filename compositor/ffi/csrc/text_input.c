/* text-input v3 <-> input-method v2 relay: see text_input.h. */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_input_method_v2.h>
#include <wlr/types/wlr_seat.h>
#include <wlr/types/wlr_surface.h>
#include <wlr/types/wlr_text_input_v3.h>
#include <wlr/types/wlr_virtual_keyboard_v1.h>
#include "text_input.h"

struct comp_im_relay {
	struct wlr_seat *seat;
	struct wlr_text_input_manager_v3 *text_input_manager;
	struct wlr_input_method_manager_v2 *input_method_manager;
	struct wlr_input_method_v2 *input_method; /* the seat's one input method, or NULL */
	/* Its current commit string and preedit text at its last commit: wlroots 0.15's
	 * im_commit overwrites current with pending without freeing them (a leak per string
	 * an IME commits), so they are freed here at the next commit. */
	char *im_commit_text, *im_preedit_text;
	struct wl_list text_inputs; /* comp_text_input.link */
	uint32_t commits;

	struct wl_listener new_text_input;
	struct wl_listener new_input_method;
	struct wl_listener focus_change;
	struct wl_listener im_commit;
	struct wl_listener im_grab_keyboard;
	struct wl_listener im_destroy;
	struct wl_listener grab_destroy;
};

struct comp_text_input {
	struct comp_im_relay *relay;
	struct wlr_text_input_v3 *input;
	struct wl_list link;
	struct wl_listener enable;
	struct wl_listener commit;
	struct wl_listener disable;
	struct wl_listener destroy;
};

static struct wl_client *surface_client(struct wlr_surface *surface) {
	return wl_resource_get_client(surface->resource);
}

/* What the text input shows the input method: surrounding text, change cause, content type,
 * then done. */
static void send_im_state(struct comp_im_relay *relay, struct wlr_text_input_v3 *input) {
	struct wlr_input_method_v2 *im = relay->input_method;
	if (input->active_features & WLR_TEXT_INPUT_V3_FEATURE_SURROUNDING_TEXT) {
		wlr_input_method_v2_send_surrounding_text(im, input->current.surrounding.text,
			input->current.surrounding.cursor, input->current.surrounding.anchor);
	}
	wlr_input_method_v2_send_text_change_cause(im, input->current.text_change_cause);
	if (input->active_features & WLR_TEXT_INPUT_V3_FEATURE_CONTENT_TYPE) {
		wlr_input_method_v2_send_content_type(im, input->current.content_type.hint,
			input->current.content_type.purpose);
	}
	wlr_input_method_v2_send_done(im);
}

static void deactivate(struct comp_im_relay *relay, struct comp_text_input *text_input) {
	if (relay->input_method == NULL) {
		return;
	}
	wlr_input_method_v2_send_deactivate(relay->input_method);
	send_im_state(relay, text_input->input);
}

/* The keyboard focus moved to `surface` (NULL: nowhere): text inputs of other clients
 * leave, those of its client enter, when there is an input method to serve them. */
static void relay_set_focus(struct comp_im_relay *relay, struct wlr_surface *surface) {
	struct comp_text_input *text_input;
	wl_list_for_each(text_input, &relay->text_inputs, link) {
		struct wlr_text_input_v3 *input = text_input->input;
		if (input->focused_surface != NULL && input->focused_surface != surface) {
			if (input->current_enabled) {
				deactivate(relay, text_input);
			}
			wlr_text_input_v3_send_leave(input);
		}
		if (surface != NULL && relay->input_method != NULL &&
				input->focused_surface == NULL &&
				wl_resource_get_client(input->resource) == surface_client(surface)) {
			wlr_text_input_v3_send_enter(input, surface);
		}
	}
}

static void handle_enable(struct wl_listener *listener, void *data) {
	struct comp_text_input *text_input = wl_container_of(listener, text_input, enable);
	struct comp_im_relay *relay = text_input->relay;
	if (relay->input_method == NULL) {
		return;
	}
	wlr_input_method_v2_send_activate(relay->input_method);
	send_im_state(relay, text_input->input);
}

static void handle_commit(struct wl_listener *listener, void *data) {
	struct comp_text_input *text_input = wl_container_of(listener, text_input, commit);
	struct comp_im_relay *relay = text_input->relay;
	if (relay->input_method == NULL || !text_input->input->current_enabled) {
		return;
	}
	send_im_state(relay, text_input->input);
}

static void handle_disable(struct wl_listener *listener, void *data) {
	struct comp_text_input *text_input = wl_container_of(listener, text_input, disable);
	if (text_input->input->focused_surface != NULL) {
		deactivate(text_input->relay, text_input);
	}
}

static void text_input_free(struct comp_text_input *text_input) {
	wl_list_remove(&text_input->enable.link);
	wl_list_remove(&text_input->commit.link);
	wl_list_remove(&text_input->disable.link);
	wl_list_remove(&text_input->destroy.link);
	wl_list_remove(&text_input->link);
	free(text_input);
}

static void handle_text_input_destroy(struct wl_listener *listener, void *data) {
	struct comp_text_input *text_input = wl_container_of(listener, text_input, destroy);
	if (text_input->input->current_enabled) {
		deactivate(text_input->relay, text_input);
	}
	text_input_free(text_input);
}

static void handle_new_text_input(struct wl_listener *listener, void *data) {
	struct comp_im_relay *relay = wl_container_of(listener, relay, new_text_input);
	struct wlr_text_input_v3 *input = data;
	if (input->seat != relay->seat) {
		return;
	}
	struct comp_text_input *text_input = calloc(1, sizeof(*text_input));
	if (text_input == NULL) {
		wl_client_post_no_memory(wl_resource_get_client(input->resource));
		return;
	}
	text_input->relay = relay;
	text_input->input = input;
	wl_list_insert(&relay->text_inputs, &text_input->link);
	text_input->enable.notify = handle_enable;
	wl_signal_add(&input->events.enable, &text_input->enable);
	text_input->commit.notify = handle_commit;
	wl_signal_add(&input->events.commit, &text_input->commit);
	text_input->disable.notify = handle_disable;
	wl_signal_add(&input->events.disable, &text_input->disable);
	text_input->destroy.notify = handle_text_input_destroy;
	wl_signal_add(&input->events.destroy, &text_input->destroy);
	/* A text input made while its client has the focus enters at once. */
	relay_set_focus(relay, relay->seat->keyboard_state.focused_surface);
}

static void handle_im_commit(struct wl_listener *listener, void *data) {
	struct comp_im_relay *relay = wl_container_of(listener, relay, im_commit);
	struct wlr_input_method_v2 *im = data;
	/* The strings of the commit before this one: nothing points to them any more. */
	if (relay->im_commit_text != im->current.commit_text) {
		free(relay->im_commit_text);
	}
	if (relay->im_preedit_text != im->current.preedit.text) {
		free(relay->im_preedit_text);
	}
	relay->im_commit_text = im->current.commit_text;
	relay->im_preedit_text = im->current.preedit.text;
	struct comp_text_input *text_input;
	wl_list_for_each(text_input, &relay->text_inputs, link) {
		struct wlr_text_input_v3 *input = text_input->input;
		if (input->focused_surface == NULL || !input->current_enabled) {
			continue;
		}
		if (im->current.preedit.text != NULL) {
			wlr_text_input_v3_send_preedit_string(input, im->current.preedit.text,
				im->current.preedit.cursor_begin, im->current.preedit.cursor_end);
		}
		if (im->current.commit_text != NULL) {
			wlr_text_input_v3_send_commit_string(input, im->current.commit_text);
		}
		if (im->current.delete.before_length || im->current.delete.after_length) {
			wlr_text_input_v3_send_delete_surrounding_text(input,
				im->current.delete.before_length, im->current.delete.after_length);
		}
		wlr_text_input_v3_send_done(input);
		relay->commits++;
	}
}

static void handle_grab_destroy(struct wl_listener *listener, void *data) {
	struct comp_im_relay *relay = wl_container_of(listener, relay, grab_destroy);
	struct wlr_input_method_keyboard_grab_v2 *grab = data;
	wl_list_remove(&relay->grab_destroy.link);
	wl_list_init(&relay->grab_destroy.link);
	if (grab->keyboard != NULL) {
		/* The focused client gets the modifiers as they are now. */
		wlr_seat_keyboard_notify_modifiers(relay->seat, &grab->keyboard->modifiers);
	}
}

static void handle_im_grab_keyboard(struct wl_listener *listener, void *data) {
	struct comp_im_relay *relay = wl_container_of(listener, relay, im_grab_keyboard);
	struct wlr_input_method_keyboard_grab_v2 *grab = data;
	struct wlr_keyboard *keyboard = wlr_seat_get_keyboard(relay->seat);
	if (keyboard != NULL) {
		wlr_input_method_keyboard_grab_v2_set_keyboard(grab, keyboard);
		wlr_input_method_keyboard_grab_v2_send_modifiers(grab, &keyboard->modifiers);
	}
	wl_list_remove(&relay->grab_destroy.link);
	wl_signal_add(&grab->events.destroy, &relay->grab_destroy);
}

static void forget_input_method(struct comp_im_relay *relay) {
	wl_list_remove(&relay->im_commit.link);
	wl_list_remove(&relay->im_grab_keyboard.link);
	wl_list_remove(&relay->im_destroy.link);
	wl_list_init(&relay->im_commit.link);
	wl_list_init(&relay->im_grab_keyboard.link);
	wl_list_init(&relay->im_destroy.link);
	relay->input_method = NULL;
	relay->im_commit_text = relay->im_preedit_text = NULL; /* wlroots frees its current */
}

static void handle_im_destroy(struct wl_listener *listener, void *data) {
	struct comp_im_relay *relay = wl_container_of(listener, relay, im_destroy);
	forget_input_method(relay);
	/* No input method: text inputs leave (they enter again when one comes). */
	struct comp_text_input *text_input;
	wl_list_for_each(text_input, &relay->text_inputs, link) {
		if (text_input->input->focused_surface != NULL) {
			wlr_text_input_v3_send_leave(text_input->input);
		}
	}
}

static void handle_new_input_method(struct wl_listener *listener, void *data) {
	struct comp_im_relay *relay = wl_container_of(listener, relay, new_input_method);
	struct wlr_input_method_v2 *im = data;
	if (im->seat != relay->seat) {
		return;
	}
	if (relay->input_method != NULL) {
		wlr_input_method_v2_send_unavailable(im); /* one input method per seat */
		return;
	}
	relay->input_method = im;
	relay->im_commit.notify = handle_im_commit;
	wl_signal_add(&im->events.commit, &relay->im_commit);
	relay->im_grab_keyboard.notify = handle_im_grab_keyboard;
	wl_signal_add(&im->events.grab_keyboard, &relay->im_grab_keyboard);
	relay->im_destroy.notify = handle_im_destroy;
	wl_signal_add(&im->events.destroy, &relay->im_destroy);
	relay_set_focus(relay, relay->seat->keyboard_state.focused_surface);
}

static void handle_focus_change(struct wl_listener *listener, void *data) {
	struct comp_im_relay *relay = wl_container_of(listener, relay, focus_change);
	struct wlr_seat_keyboard_focus_change_event *event = data;
	relay_set_focus(relay, event->new_surface);
}

struct comp_im_relay *comp_im_relay_create(struct wl_display *display, struct wlr_seat *seat) {
	struct comp_im_relay *relay = calloc(1, sizeof(*relay));
	if (relay == NULL) {
		return NULL;
	}
	relay->seat = seat;
	relay->text_input_manager = wlr_text_input_manager_v3_create(display);
	relay->input_method_manager = wlr_input_method_manager_v2_create(display);
	if (relay->text_input_manager == NULL || relay->input_method_manager == NULL) {
		free(relay);
		return NULL;
	}
	wl_list_init(&relay->text_inputs);
	relay->new_text_input.notify = handle_new_text_input;
	wl_signal_add(&relay->text_input_manager->events.text_input, &relay->new_text_input);
	relay->new_input_method.notify = handle_new_input_method;
	wl_signal_add(&relay->input_method_manager->events.input_method,
		&relay->new_input_method);
	relay->focus_change.notify = handle_focus_change;
	wl_signal_add(&seat->keyboard_state.events.focus_change, &relay->focus_change);
	wl_list_init(&relay->im_commit.link);
	wl_list_init(&relay->im_grab_keyboard.link);
	wl_list_init(&relay->im_destroy.link);
	relay->grab_destroy.notify = handle_grab_destroy;
	wl_list_init(&relay->grab_destroy.link);
	return relay;
}

void comp_im_relay_destroy(struct comp_im_relay *relay) {
	if (relay == NULL) {
		return;
	}
	struct comp_text_input *text_input, *tmp;
	wl_list_for_each_safe(text_input, tmp, &relay->text_inputs, link) {
		text_input_free(text_input);
	}
	forget_input_method(relay);
	wl_list_remove(&relay->grab_destroy.link);
	wl_list_remove(&relay->new_text_input.link);
	wl_list_remove(&relay->new_input_method.link);
	wl_list_remove(&relay->focus_change.link);
	free(relay);
}

struct wlr_input_method_keyboard_grab_v2 *comp_im_relay_keyboard_grab(
		struct comp_im_relay *relay, struct wlr_input_device *device) {
	struct wlr_input_method_v2 *im = relay->input_method;
	if (im == NULL || im->keyboard_grab == NULL) {
		return NULL;
	}
	struct wlr_virtual_keyboard_v1 *virtual = wlr_input_device_get_virtual_keyboard(device);
	if (virtual != NULL && wl_resource_get_client(virtual->resource) ==
			wl_resource_get_client(im->keyboard_grab->resource)) {
		return NULL;
	}
	return im->keyboard_grab;
}

void comp_im_grab_send_key(struct wlr_input_method_keyboard_grab_v2 *grab,
		struct wlr_input_device *device, uint32_t time_msec, uint32_t keycode,
		uint32_t state) {
	wlr_input_method_keyboard_grab_v2_set_keyboard(grab, device->keyboard);
	wlr_input_method_keyboard_grab_v2_send_key(grab, time_msec, keycode, state);
}

void comp_im_grab_send_modifiers(struct wlr_input_method_keyboard_grab_v2 *grab,
		struct wlr_input_device *device) {
	wlr_input_method_keyboard_grab_v2_set_keyboard(grab, device->keyboard);
	wlr_input_method_keyboard_grab_v2_send_modifiers(grab, &device->keyboard->modifiers);
}

void comp_im_relay_get_state(struct comp_im_relay *relay, struct comp_im_relay_state *state) {
	state->text_inputs = state->enabled = 0;
	struct comp_text_input *text_input;
	wl_list_for_each(text_input, &relay->text_inputs, link) {
		state->text_inputs++;
		state->enabled += text_input->input->current_enabled;
	}
	state->input_method = relay->input_method != NULL;
	state->keyboard_grab = relay->input_method != NULL &&
		relay->input_method->keyboard_grab != NULL;
	state->commits = relay->commits;
}
