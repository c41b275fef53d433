/* xdg-activation-v1's events: see xdg_activation.h. */
#include <wlr/types/wlr_xdg_activation_v1.h>
#include "xdg_activation.h"

void *comp_activation_request_signal(struct wlr_xdg_activation_v1 *activation) {
	return &activation->events.request_activate;
}

struct wlr_surface *comp_activation_event_surface(void *data) {
	struct wlr_xdg_activation_v1_request_activate_event *event = data;
	return event->surface;
}

bool comp_activation_event_from_input(void *data) {
	struct wlr_xdg_activation_v1_request_activate_event *event = data;
	return event->token != NULL && event->token->seat != NULL;
}
