/* Keys without Python on the steady path: each keyboard's key and modifiers events are
 * handled in C (idle activity, the keys held, the seat's keyboard, the key to the focused
 * client) unless Python must decide (comp_py_keyboard): the key is bound (the table below,
 * written by input/bindings.py), Escape during a drag and drop, an input method grabs the
 * keyboard, a release whose press Python took, or `python` set (the window switcher is
 * open, bindings are restricted): csrc/keyboard_keys.c. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wlr_seat;
struct wlr_input_device;
struct wlr_idle;
struct comp_im_relay;

/* What comp_py_keyboard is called for. */
enum comp_keyboard_call {
	COMP_KEYBOARD_KEY = 0, /* a struct wlr_event_keyboard_key * for Python */
	COMP_KEYBOARD_MODIFIERS = 1, /* the modifiers changed; Python sends them */
};

typedef struct {
	struct wlr_seat *seat;
	struct wlr_input_device *device;
	void *handle;
	/* Set from Python: */
	struct wlr_idle *idle; /* NULL: no activity to report */
	struct comp_im_relay *im_relay; /* an input method's keyboard grab takes the keys */
	bool python; /* Python takes every key and modifier (window switcher open, bindings
	              * restricted by an inhibitor) */
	/* Keycodes held whose press went to the seat (a client saw it), oldest first. */
	uint32_t sent[32];
	uint32_t n_sent;
	/* Counters: */
	uint64_t keys_c; /* key events handled in C, no Python */
	uint64_t keys_python; /* key events handed to Python */
} comp_keyboard_keys;

comp_keyboard_keys *comp_keyboard_keys_create(struct wlr_seat *seat,
	struct wlr_input_device *device, void *handle);
void comp_keyboard_keys_destroy(comp_keyboard_keys *keys);
/* The keys held whose press a client saw: add one (false when 32 are held already) or
 * remove one (false when it was not there). */
bool comp_keyboard_keys_sent_add(comp_keyboard_keys *keys, uint32_t keycode);
bool comp_keyboard_keys_sent_remove(comp_keyboard_keys *keys, uint32_t keycode);

/* The bound keys, for every keyboard: (modifiers, keysym) pairs; modifiers are wlroots'
 * WLR_MODIFIER_* bits among shift, ctrl, alt and logo. Replaced whole. */
void comp_key_bindings_set(const uint32_t *modifiers, const uint32_t *keysyms, size_t count);
