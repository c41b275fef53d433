/* Injected input on headless devices (wlr_headless_add_input_device): the control socket
 * and the tests drive the pointer and keyboard through these. Return 0, or -1 when the
 * device is not of the right type. */
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
int comp_pointer_motion_absolute(struct wlr_input_device *dev, uint32_t time_msec,
	double x, double y);
int comp_pointer_button(struct wlr_input_device *dev, uint32_t time_msec, uint32_t button,
	bool pressed);
int comp_pointer_axis(struct wlr_input_device *dev, uint32_t time_msec, bool vertical,
	double delta);
int comp_pointer_frame(struct wlr_input_device *dev);
int comp_keyboard_key(struct wlr_input_device *dev, uint32_t time_msec, uint32_t keycode,
	bool pressed);
/* Unplug a headless device as a USB keyboard or mouse goes: its destroy signal, then it is
 * freed. */
void comp_headless_input_device_unplug(struct wlr_input_device *dev);
