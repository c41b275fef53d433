/* tablet v2: see tablet.h. */
#include <stdlib.h>
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_tablet_tool.h>
#include "tablet.h"

bool comp_tablet_proximity_in(struct wlr_event_tablet_tool_proximity *event) {
	return event->state == WLR_TABLET_TOOL_PROXIMITY_IN;
}

bool comp_tablet_tip_down(struct wlr_event_tablet_tool_tip *event) {
	return event->state == WLR_TABLET_TOOL_TIP_DOWN;
}

bool comp_tablet_button_pressed(struct wlr_event_tablet_tool_button *event) {
	return event->state == WLR_BUTTON_PRESSED;
}

struct wl_signal *comp_tablet_tool_destroy_signal(struct wlr_tablet_tool *tool) {
	return &tool->events.destroy;
}

struct wlr_tablet_tool *comp_tablet_pen_create(void) {
	/* Lives as long as the compositor: never destroyed, so its destroy signal never fires. */
	struct wlr_tablet_tool *tool = calloc(1, sizeof(*tool));
	if (tool == NULL) {
		return NULL;
	}
	tool->type = WLR_TABLET_TOOL_TYPE_PEN;
	tool->pressure = true;
	wl_signal_init(&tool->events.destroy);
	return tool;
}

int comp_tablet_pen_proximity(struct wlr_input_device *dev, struct wlr_tablet_tool *tool,
		uint32_t time_msec, double x, double y, bool in) {
	if (dev->type != WLR_INPUT_DEVICE_TABLET_TOOL) {
		return -1;
	}
	struct wlr_event_tablet_tool_proximity event = {
		.device = dev, .tool = tool, .time_msec = time_msec, .x = x, .y = y,
		.state = in ? WLR_TABLET_TOOL_PROXIMITY_IN : WLR_TABLET_TOOL_PROXIMITY_OUT,
	};
	wl_signal_emit(&dev->tablet->events.proximity, &event);
	return 0;
}

int comp_tablet_pen_axis(struct wlr_input_device *dev, struct wlr_tablet_tool *tool,
		uint32_t time_msec, uint32_t axes, double x, double y, double pressure) {
	if (dev->type != WLR_INPUT_DEVICE_TABLET_TOOL) {
		return -1;
	}
	struct wlr_event_tablet_tool_axis event = {
		.device = dev, .tool = tool, .time_msec = time_msec, .updated_axes = axes,
		.x = x, .y = y, .pressure = pressure,
	};
	wl_signal_emit(&dev->tablet->events.axis, &event);
	return 0;
}

int comp_tablet_pen_tip(struct wlr_input_device *dev, struct wlr_tablet_tool *tool,
		uint32_t time_msec, double x, double y, bool down) {
	if (dev->type != WLR_INPUT_DEVICE_TABLET_TOOL) {
		return -1;
	}
	struct wlr_event_tablet_tool_tip event = {
		.device = dev, .tool = tool, .time_msec = time_msec, .x = x, .y = y,
		.state = down ? WLR_TABLET_TOOL_TIP_DOWN : WLR_TABLET_TOOL_TIP_UP,
	};
	wl_signal_emit(&dev->tablet->events.tip, &event);
	return 0;
}

int comp_tablet_pen_button(struct wlr_input_device *dev, struct wlr_tablet_tool *tool,
		uint32_t time_msec, uint32_t button, bool pressed) {
	if (dev->type != WLR_INPUT_DEVICE_TABLET_TOOL) {
		return -1;
	}
	struct wlr_event_tablet_tool_button event = {
		.device = dev, .tool = tool, .time_msec = time_msec, .button = button,
		.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED,
	};
	wl_signal_emit(&dev->tablet->events.button, &event);
	return 0;
}
