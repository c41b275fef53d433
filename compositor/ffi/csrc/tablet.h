/* tablet v2 (pywlroots 0.15.24 has no binding): the global, whose tablet seats wlroots makes
 * for clients, the tablets announced on them, tablet tools' events, and injected pen events
 * (compositor/input/tablet.py; csrc/tablet.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct wl_signal;
struct wlr_input_device;
struct wlr_seat;
struct wlr_surface;
struct wlr_tablet_tool;
struct wlr_event_tablet_tool_proximity;
struct wlr_event_tablet_tool_tip;
struct wlr_event_tablet_tool_button;

/* wlroots' wlr_tablet_v2.h includes a generated protocol header this build does not have:
 * what the compositor calls of it, declared as libwlroots.so.10 exports it. */
struct wlr_tablet_manager_v2;
struct wlr_tablet_v2_tablet;
struct wlr_tablet_v2_tablet_tool;
struct wlr_tablet_manager_v2 *wlr_tablet_v2_create(struct wl_display *display);
/* Announces a tablet-tool device to every client's tablet seat on `seat`; wlroots removes it
 * when the device goes. */
struct wlr_tablet_v2_tablet *wlr_tablet_create(struct wlr_tablet_manager_v2 *manager,
	struct wlr_seat *wlr_seat, struct wlr_input_device *wlr_device);
/* The tool helpers; the notify_ variants go through the tool's grab (the implicit grab
 * while the tip is down). */
struct wlr_tablet_v2_tablet_tool *wlr_tablet_tool_create(struct wlr_tablet_manager_v2 *manager,
	struct wlr_seat *wlr_seat, struct wlr_tablet_tool *wlr_tool);
bool wlr_surface_accepts_tablet_v2(struct wlr_tablet_v2_tablet *tablet,
	struct wlr_surface *surface);
void wlr_tablet_v2_tablet_tool_notify_proximity_in(struct wlr_tablet_v2_tablet_tool *tool,
	struct wlr_tablet_v2_tablet *tablet, struct wlr_surface *surface);
void wlr_tablet_v2_tablet_tool_notify_proximity_out(struct wlr_tablet_v2_tablet_tool *tool);
void wlr_tablet_v2_tablet_tool_notify_motion(struct wlr_tablet_v2_tablet_tool *tool,
	double x, double y);
void wlr_tablet_v2_tablet_tool_notify_pressure(struct wlr_tablet_v2_tablet_tool *tool,
	double pressure);
void wlr_tablet_v2_tablet_tool_notify_down(struct wlr_tablet_v2_tablet_tool *tool);
void wlr_tablet_v2_tablet_tool_notify_up(struct wlr_tablet_v2_tablet_tool *tool);
/* state: enum zwp_tablet_pad_v2_button_state (0 released, 1 pressed). */
void wlr_tablet_v2_tablet_tool_notify_button(struct wlr_tablet_v2_tablet_tool *tool,
	uint32_t button, int state);
void wlr_tablet_tool_v2_start_implicit_grab(struct wlr_tablet_v2_tablet_tool *tool);
bool wlr_tablet_tool_v2_has_implicit_grab(struct wlr_tablet_v2_tablet_tool *tool);

/* 1 when the proximity event is the tool coming in, the tip event the tip going down, the
 * button event a press. */
bool comp_tablet_proximity_in(struct wlr_event_tablet_tool_proximity *event);
bool comp_tablet_tip_down(struct wlr_event_tablet_tool_tip *event);
bool comp_tablet_button_pressed(struct wlr_event_tablet_tool_button *event);
struct wl_signal *comp_tablet_tool_destroy_signal(struct wlr_tablet_tool *tool);

/* Injected pen events on a headless tablet-tool device (pydrm-ctl tablet-pen): a pen tool
 * (with pressure) for the injector, and its events; x, y from 0 to 1 over the layout.
 * Return 0, or -1 when the device is not a tablet tool. */
struct wlr_tablet_tool *comp_tablet_pen_create(void);
int comp_tablet_pen_proximity(struct wlr_input_device *dev, struct wlr_tablet_tool *tool,
	uint32_t time_msec, double x, double y, bool in);
int comp_tablet_pen_axis(struct wlr_input_device *dev, struct wlr_tablet_tool *tool,
	uint32_t time_msec, uint32_t axes, double x, double y, double pressure);
int comp_tablet_pen_tip(struct wlr_input_device *dev, struct wlr_tablet_tool *tool,
	uint32_t time_msec, double x, double y, bool down);
int comp_tablet_pen_button(struct wlr_input_device *dev, struct wlr_tablet_tool *tool,
	uint32_t time_msec, uint32_t button, bool pressed);
