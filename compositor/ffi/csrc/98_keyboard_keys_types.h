/* A keyboard's C key path (csrc/98_keyboard_keys.c), shared with cffi
 * (cdef/98_keyboard_keys.h). No include guard or macros: build.py inlines this file. */
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
