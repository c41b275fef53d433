/* Tablet tools' events (wlr/types/wlr_tablet_tool.h), which the wlr_cursor re-emits
 * (cursor.events.tablet_tool_*) for the devices attached to it, as Python reads them; the
 * rest of tablet v2 is in csrc/tablet.h. */
#include <wlr/types/wlr_cursor.h>
#include <wlr/types/wlr_tablet_tool.h>
#define WLR_TABLET_TOOL_AXIS_X ...
#define WLR_TABLET_TOOL_AXIS_Y ...
#define WLR_TABLET_TOOL_AXIS_PRESSURE ...
struct wlr_event_tablet_tool_axis {
	struct wlr_input_device *device;
	struct wlr_tablet_tool *tool;
	uint32_t time_msec;
	uint32_t updated_axes;
	double x, y;
	double pressure;
	...;
};
struct wlr_event_tablet_tool_proximity {
	struct wlr_input_device *device;
	struct wlr_tablet_tool *tool;
	uint32_t time_msec;
	double x, y;
	...;
};
struct wlr_event_tablet_tool_tip {
	struct wlr_input_device *device;
	struct wlr_tablet_tool *tool;
	uint32_t time_msec;
	double x, y;
	...;
};
struct wlr_event_tablet_tool_button {
	struct wlr_input_device *device;
	struct wlr_tablet_tool *tool;
	uint32_t time_msec;
	uint32_t button;
	...;
};
struct wlr_cursor;
void wlr_cursor_warp_absolute(struct wlr_cursor *cur, struct wlr_input_device *dev,
	double x, double y);
