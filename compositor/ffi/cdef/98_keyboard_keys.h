/* Keys without Python on the steady path: each keyboard's key and modifiers events are
 * handled in C (idle activity, the keys held, the seat's keyboard, the key to the focused
 * client) unless Python must decide: the key is bound (the table below, written by
 * input/bindings.py), Escape during a drag and drop, an input method grabs the keyboard, a
 * release whose press Python took, or `python` set (the window switcher is open, bindings
 * are restricted). */
#include "98_keyboard_keys_types.h"

extern "Python" void comp_py_keyboard(void *handle, int kind, void *event);

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
