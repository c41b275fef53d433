/* ext_transient_seat_manager_v1 (wlroots 0.15 lacks it): offered so that clients can ask,
 * and each request answered `denied` (one seat here; why in csrc/transient_seat.c).
 * Freed with the display. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct wl_display;
struct comp_transient_seat_manager;
struct comp_transient_seat_manager *comp_transient_seat_manager_create(
	struct wl_display *display);
