/* Injected input on headless devices (wlr_headless_add_input_device): the control socket
 * and the tests drive the pointer and keyboard through these. Return 0, or -1 when the
 * device is not of the right type. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wlr_input_device;

int comp_pointer_motion_absolute(struct wlr_input_device *dev, uint32_t time_msec,
	double x, double y);
int comp_pointer_button(struct wlr_input_device *dev, uint32_t time_msec, uint32_t button,
	bool pressed);
int comp_pointer_axis(struct wlr_input_device *dev, uint32_t time_msec, bool vertical,
	double delta);
int comp_pointer_frame(struct wlr_input_device *dev);
int comp_keyboard_key(struct wlr_input_device *dev, uint32_t time_msec, uint32_t keycode,
	bool pressed);
/* A touchpad gesture on a pointer device (the headless pointer has no touchpad), emitted on
 * the device like libinput's: kind 0 swipe, 1 pinch, 2 hold; phase 0 begin, 1 update,
 * 2 end. Returns -1 when the device is no pointer or kind/phase are out of range (hold has
 * no update). */
int comp_pointer_gesture(struct wlr_input_device *dev, uint32_t time_msec, int kind,
	int phase, uint32_t fingers, double dx, double dy, double scale, double rotation,
	bool cancelled);
/* Unplug a headless device as a USB keyboard or mouse goes: its destroy signal, then it is
 * freed. */
void comp_headless_input_device_unplug(struct wlr_input_device *dev);
