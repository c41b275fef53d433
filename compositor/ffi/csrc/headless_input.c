/* Injected input on headless devices: see headless_input.h. */
#include <wlr/types/wlr_input_device.h>
#include <wlr/types/wlr_pointer.h>
#include <wlr/types/wlr_keyboard.h>
#include <wlr/interfaces/wlr_keyboard.h>
#include "headless_input.h"

int comp_pointer_motion_absolute(struct wlr_input_device *dev, uint32_t time_msec,
		double x, double y) {
	if (dev->type != WLR_INPUT_DEVICE_POINTER) {
		return -1;
	}
	struct wlr_event_pointer_motion_absolute event = {
		.device = dev, .time_msec = time_msec, .x = x, .y = y,
	};
	wl_signal_emit(&dev->pointer->events.motion_absolute, &event);
	return 0;
}

int comp_pointer_button(struct wlr_input_device *dev, uint32_t time_msec, uint32_t button,
		bool pressed) {
	if (dev->type != WLR_INPUT_DEVICE_POINTER) {
		return -1;
	}
	struct wlr_event_pointer_button event = {
		.device = dev, .time_msec = time_msec, .button = button,
		.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
	};
	wl_signal_emit(&dev->pointer->events.button, &event);
	return 0;
}

int comp_pointer_axis(struct wlr_input_device *dev, uint32_t time_msec, bool vertical,
		double delta) {
	if (dev->type != WLR_INPUT_DEVICE_POINTER) {
		return -1;
	}
	struct wlr_event_pointer_axis event = {
		.device = dev, .time_msec = time_msec, .source = WLR_AXIS_SOURCE_WHEEL,
		.orientation = vertical ? WLR_AXIS_ORIENTATION_VERTICAL
			: WLR_AXIS_ORIENTATION_HORIZONTAL,
		.delta = delta, .delta_discrete = delta > 0 ? 1 : (delta < 0 ? -1 : 0),
	};
	wl_signal_emit(&dev->pointer->events.axis, &event);
	return 0;
}

int comp_pointer_frame(struct wlr_input_device *dev) {
	if (dev->type != WLR_INPUT_DEVICE_POINTER) {
		return -1;
	}
	wl_signal_emit(&dev->pointer->events.frame, dev->pointer);
	return 0;
}

int comp_keyboard_key(struct wlr_input_device *dev, uint32_t time_msec, uint32_t keycode,
		bool pressed) {
	if (dev->type != WLR_INPUT_DEVICE_KEYBOARD) {
		return -1;
	}
	struct wlr_event_keyboard_key event = {
		.time_msec = time_msec, .keycode = keycode, .update_state = true,
		.state = pressed ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED,
	};
	/* Updates the xkb state (modifiers) and emits keyboard.events.key. */
	wlr_keyboard_notify_key(dev->keyboard, &event);
	return 0;
}

#include <wlr/interfaces/wlr_input_device.h>

void comp_headless_input_device_unplug(struct wlr_input_device *dev) {
	/* The headless backend's own destroy takes it out of the backend's list. */
	wlr_input_device_destroy(dev);
}

int comp_pointer_gesture(struct wlr_input_device *dev, uint32_t time_msec, int kind,
		int phase, uint32_t fingers, double dx, double dy, double scale, double rotation,
		bool cancelled) {
	if (dev->type != WLR_INPUT_DEVICE_POINTER) {
		return -1;
	}
	struct wlr_pointer *pointer = dev->pointer;
	if (kind == 0 && phase == 0) {
		struct wlr_event_pointer_swipe_begin event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers,
		};
		wl_signal_emit(&pointer->events.swipe_begin, &event);
	} else if (kind == 0 && phase == 1) {
		struct wlr_event_pointer_swipe_update event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers, .dx = dx, .dy = dy,
		};
		wl_signal_emit(&pointer->events.swipe_update, &event);
	} else if (kind == 0 && phase == 2) {
		struct wlr_event_pointer_swipe_end event = {
			.device = dev, .time_msec = time_msec, .cancelled = cancelled,
		};
		wl_signal_emit(&pointer->events.swipe_end, &event);
	} else if (kind == 1 && phase == 0) {
		struct wlr_event_pointer_pinch_begin event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers,
		};
		wl_signal_emit(&pointer->events.pinch_begin, &event);
	} else if (kind == 1 && phase == 1) {
		struct wlr_event_pointer_pinch_update event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers, .dx = dx, .dy = dy,
			.scale = scale, .rotation = rotation,
		};
		wl_signal_emit(&pointer->events.pinch_update, &event);
	} else if (kind == 1 && phase == 2) {
		struct wlr_event_pointer_pinch_end event = {
			.device = dev, .time_msec = time_msec, .cancelled = cancelled,
		};
		wl_signal_emit(&pointer->events.pinch_end, &event);
	} else if (kind == 2 && phase == 0) {
		struct wlr_event_pointer_hold_begin event = {
			.device = dev, .time_msec = time_msec, .fingers = fingers,
		};
		wl_signal_emit(&pointer->events.hold_begin, &event);
	} else if (kind == 2 && phase == 2) {
		struct wlr_event_pointer_hold_end event = {
			.device = dev, .time_msec = time_msec, .cancelled = cancelled,
		};
		wl_signal_emit(&pointer->events.hold_end, &event);
	} else {
		return -1;
	}
	return 0;
}
