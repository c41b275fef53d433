/* Headless input devices, which the control socket and the tests drive through
 * csrc/headless_input.h. */
#include <wlr/backend/headless.h>
#include <wlr/types/wlr_input_device.h>
enum wlr_input_device_type {
	WLR_INPUT_DEVICE_KEYBOARD,
	WLR_INPUT_DEVICE_POINTER,
	WLR_INPUT_DEVICE_TOUCH,
	WLR_INPUT_DEVICE_TABLET_TOOL,
	WLR_INPUT_DEVICE_TABLET_PAD,
	WLR_INPUT_DEVICE_SWITCH,
};
struct wlr_input_device *wlr_headless_add_input_device(struct wlr_backend *backend,
	enum wlr_input_device_type type);
