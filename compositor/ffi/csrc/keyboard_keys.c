/* Keys without Python on the steady path (keyboard_keys.h). */
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_idle.h>
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/types/wlr_seat.h>
#include <xkbcommon/xkbcommon.h>
#include "internal.h"
#include "keyboard_keys.h"
#include "text_input.h"

#define XKB_KEY_ESCAPE_SYM 0xff1b
#define RELEVANT_MODIFIERS (WLR_MODIFIER_SHIFT | WLR_MODIFIER_CTRL | WLR_MODIFIER_ALT | \
	WLR_MODIFIER_LOGO)
#define MAX_BINDINGS 1024

static struct {
	uint32_t modifiers, keysym;
} bindings[MAX_BINDINGS];
static size_t n_bindings;

void comp_key_bindings_set(const uint32_t *modifiers, const uint32_t *keysyms, size_t count) {
	n_bindings = count < MAX_BINDINGS ? count : MAX_BINDINGS;
	for (size_t i = 0; i < n_bindings; i++) {
		bindings[i].modifiers = modifiers[i];
		bindings[i].keysym = keysyms[i];
	}
}

static bool is_bound(uint32_t modifiers, xkb_keysym_t keysym) {
	for (size_t i = 0; i < n_bindings; i++) {
		if (bindings[i].modifiers == modifiers && bindings[i].keysym == keysym) {
			return true;
		}
	}
	return false;
}

struct keyboard_keys {
	comp_keyboard_keys pub;
	struct wl_listener key, modifiers;
};

bool comp_keyboard_keys_sent_add(comp_keyboard_keys *keys, uint32_t keycode) {
	for (uint32_t i = 0; i < keys->n_sent; i++) {
		if (keys->sent[i] == keycode) {
			return true;
		}
	}
	if (keys->n_sent >= sizeof(keys->sent) / sizeof(keys->sent[0])) {
		return false;
	}
	keys->sent[keys->n_sent++] = keycode;
	return true;
}

bool comp_keyboard_keys_sent_remove(comp_keyboard_keys *keys, uint32_t keycode) {
	for (uint32_t i = 0; i < keys->n_sent; i++) {
		if (keys->sent[i] == keycode) {
			memmove(&keys->sent[i], &keys->sent[i + 1],
				(keys->n_sent - i - 1) * sizeof(keys->sent[0]));
			keys->n_sent--;
			return true;
		}
	}
	return false;
}

/* Python decides this press: a binding may take it, Escape may cancel a drag. */
static bool press_for_python(comp_keyboard_keys *keys, uint32_t keycode) {
	struct wlr_keyboard *keyboard = keys->device->keyboard;
	const xkb_keysym_t *syms;
	int count = xkb_state_key_get_syms(keyboard->xkb_state, keycode + 8, &syms);
	uint32_t modifiers = wlr_keyboard_get_modifiers(keyboard) & RELEVANT_MODIFIERS;
	for (int i = 0; i < count; i++) {
		if (syms[i] == XKB_KEY_ESCAPE_SYM && keys->seat->drag != NULL) {
			return true;
		}
		if (is_bound(modifiers, syms[i])) {
			return true;
		}
	}
	return false;
}

static void handle_key(struct wl_listener *listener, void *data) {
	struct keyboard_keys *self = wl_container_of(listener, self, key);
	comp_keyboard_keys *keys = &self->pub;
	struct wlr_event_keyboard_key *event = data;
	bool pressed = event->state == WL_KEYBOARD_KEY_STATE_PRESSED;
	bool python = keys->python ||
		(keys->im_relay != NULL &&
			comp_im_relay_keyboard_grab(keys->im_relay, keys->device) != NULL);
	if (!python) {
		python = pressed ? press_for_python(keys, event->keycode)
			: !comp_keyboard_keys_sent_remove(keys, event->keycode);
	}
	if (python) {
		keys->keys_python++;
		comp_py_keyboard(keys->handle, COMP_KEYBOARD_KEY, event);
		return;
	}
	keys->keys_c++;
	if (keys->idle != NULL) {
		wlr_idle_notify_activity(keys->idle, keys->seat);
	}
	if (pressed) {
		comp_keyboard_keys_sent_add(keys, event->keycode);
	}
	wlr_seat_set_keyboard(keys->seat, keys->device);
	wlr_seat_keyboard_notify_key(keys->seat, event->time_msec, event->keycode, event->state);
}

static void handle_modifiers(struct wl_listener *listener, void *data) {
	struct keyboard_keys *self = wl_container_of(listener, self, modifiers);
	comp_keyboard_keys *keys = &self->pub;
	if (keys->python || (keys->im_relay != NULL &&
			comp_im_relay_keyboard_grab(keys->im_relay, keys->device) != NULL)) {
		comp_py_keyboard(keys->handle, COMP_KEYBOARD_MODIFIERS, NULL);
		return;
	}
	wlr_seat_set_keyboard(keys->seat, keys->device);
	wlr_seat_keyboard_notify_modifiers(keys->seat, &keys->device->keyboard->modifiers);
}

comp_keyboard_keys *comp_keyboard_keys_create(struct wlr_seat *seat,
		struct wlr_input_device *device, void *handle) {
	struct keyboard_keys *self = calloc(1, sizeof(*self));
	if (self == NULL) {
		return NULL;
	}
	comp_keyboard_keys *keys = &self->pub;
	keys->seat = seat;
	keys->device = device;
	keys->handle = handle;
	self->key.notify = handle_key;
	wl_signal_add(&device->keyboard->events.key, &self->key);
	self->modifiers.notify = handle_modifiers;
	wl_signal_add(&device->keyboard->events.modifiers, &self->modifiers);
	return keys;
}

void comp_keyboard_keys_destroy(comp_keyboard_keys *keys) {
	if (keys == NULL) {
		return;
	}
	struct keyboard_keys *self = wl_container_of(keys, self, pub);
	wl_list_remove(&self->key.link);
	wl_list_remove(&self->modifiers.link);
	free(self);
}
