/* ext_idle_notifier_v1 (csrc/idle_notify.h). */
#include <stdlib.h>
#include <wayland-server-core.h>
#include <wlr/types/wlr_idle.h>

#include "ext-idle-notify-v1-protocol.h"
#include "internal.h"
#include "idle_notify.h"

#define IDLE_NOTIFY_VERSION 1

struct comp_idle_notifier {
	struct wl_global *global;
	struct wl_event_loop *loop;
	bool inhibited;
	struct wl_list resources; /* bound notifiers: inert once the global goes */
	struct wl_list notifications; /* struct in_notification.link */
	struct wl_listener activity, idle_destroy;
};

struct in_notification {
	struct wl_resource *resource;
	struct comp_idle_notifier *notifier; /* NULL: inert */
	struct wl_event_source *timer;
	uint32_t timeout_ms;
	bool idle;
	struct wl_list link;
};

static void in_arm(struct in_notification *notification) {
	bool run = !notification->notifier->inhibited && !notification->idle;
	/* A timeout of 0 fires at once (1 ms: 0 disarms a timerfd). */
	uint32_t ms = notification->timeout_ms > 0 ? notification->timeout_ms : 1;
	wl_event_source_timer_update(notification->timer, run ? (int)ms : 0);
}

static int in_handle_timer(void *data) {
	struct in_notification *notification = data;
	if (notification->notifier != NULL && !notification->notifier->inhibited &&
			!notification->idle) {
		notification->idle = true;
		ext_idle_notification_v1_send_idled(notification->resource);
	}
	return 0;
}

/* Input, or the end of inhibition: a fired notification resumes, the timer starts again. */
static void in_reset(struct in_notification *notification) {
	if (notification->idle) {
		notification->idle = false;
		ext_idle_notification_v1_send_resumed(notification->resource);
	}
	in_arm(notification);
}

static void in_notification_detach(struct in_notification *notification) {
	if (notification->notifier == NULL) {
		return;
	}
	notification->notifier = NULL;
	wl_event_source_remove(notification->timer);
	notification->timer = NULL;
	wl_list_remove(&notification->link);
	wl_list_init(&notification->link);
}

static void in_notification_resource_destroy(struct wl_resource *resource) {
	struct in_notification *notification = wl_resource_get_user_data(resource);
	in_notification_detach(notification);
	free(notification);
}

static void in_notification_handle_destroy(struct wl_client *client,
		struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_idle_notification_v1_interface in_notification_impl = {
	.destroy = in_notification_handle_destroy,
};

static void in_notifier_get(struct wl_client *client, struct wl_resource *resource, uint32_t id,
		uint32_t timeout, struct wl_resource *seat) {
	struct comp_idle_notifier *notifier = wl_resource_get_user_data(resource);
	struct in_notification *notification = calloc(1, sizeof(*notification));
	if (notification == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	notification->resource = wl_resource_create(client, &ext_idle_notification_v1_interface,
		wl_resource_get_version(resource), id);
	if (notification->resource == NULL) {
		free(notification);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(notification->resource, &in_notification_impl,
		notification, in_notification_resource_destroy);
	wl_list_init(&notification->link);
	if (notifier == NULL) {
		return; /* the compositor is going: inert, never fires */
	}
	notification->timer = wl_event_loop_add_timer(notifier->loop, in_handle_timer,
		notification);
	if (notification->timer == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	notification->notifier = notifier;
	notification->timeout_ms = timeout;
	wl_list_insert(notifier->notifications.prev, &notification->link);
	in_arm(notification);
}

static void in_notifier_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static const struct ext_idle_notifier_v1_interface in_notifier_impl = {
	.destroy = in_notifier_handle_destroy,
	.get_idle_notification = in_notifier_get,
};

static void in_notifier_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_idle_notifier *notifier = data;
	comp_bind_listed(client, &ext_idle_notifier_v1_interface, &in_notifier_impl, notifier, version, id, &notifier->resources);
}

static void in_handle_activity(struct wl_listener *listener, void *data) {
	struct comp_idle_notifier *notifier = wl_container_of(listener, notifier, activity);
	struct in_notification *notification;
	wl_list_for_each(notification, &notifier->notifications, link) {
		in_reset(notification);
	}
}

static void in_handle_idle_destroy(struct wl_listener *listener, void *data) {
	struct comp_idle_notifier *notifier = wl_container_of(listener, notifier, idle_destroy);
	wl_list_remove(&notifier->activity.link);
	wl_list_init(&notifier->activity.link);
	wl_list_remove(&notifier->idle_destroy.link);
	wl_list_init(&notifier->idle_destroy.link);
}

struct comp_idle_notifier *comp_idle_notifier_create(struct wl_display *display,
		struct wlr_idle *idle) {
	struct comp_idle_notifier *notifier = calloc(1, sizeof(*notifier));
	if (notifier == NULL) {
		return NULL;
	}
	notifier->loop = wl_display_get_event_loop(display);
	wl_list_init(&notifier->resources);
	wl_list_init(&notifier->notifications);
	notifier->global = wl_global_create(display, &ext_idle_notifier_v1_interface,
		IDLE_NOTIFY_VERSION, notifier, in_notifier_bind);
	if (notifier->global == NULL) {
		free(notifier);
		return NULL;
	}
	notifier->activity.notify = in_handle_activity;
	wl_signal_add(&idle->events.activity_notify, &notifier->activity);
	notifier->idle_destroy.notify = in_handle_idle_destroy;
	wl_signal_add(&idle->events.destroy, &notifier->idle_destroy);
	return notifier;
}

void comp_idle_notifier_destroy(struct comp_idle_notifier *notifier) {
	if (notifier == NULL) {
		return;
	}
	wl_list_remove(&notifier->activity.link);
	wl_list_remove(&notifier->idle_destroy.link);
	struct in_notification *notification, *ntmp;
	wl_list_for_each_safe(notification, ntmp, &notifier->notifications, link) {
		in_notification_detach(notification);
	}
	comp_bound_resources_orphan(&notifier->resources);
	wl_global_destroy(notifier->global);
	free(notifier);
}

void comp_idle_notifier_set_inhibited(struct comp_idle_notifier *notifier, bool inhibited) {
	if (notifier->inhibited == inhibited) {
		return;
	}
	notifier->inhibited = inhibited;
	struct in_notification *notification;
	wl_list_for_each(notification, &notifier->notifications, link) {
		in_reset(notification);
	}
}

int comp_idle_notifications(struct comp_idle_notifier *notifier, uint32_t *timeouts,
		bool *idle_state, bool *running, int cap) {
	int n = 0;
	struct in_notification *notification;
	wl_list_for_each(notification, &notifier->notifications, link) {
		if (n < cap) {
			timeouts[n] = notification->timeout_ms;
			idle_state[n] = notification->idle;
			running[n] = !notifier->inhibited;
		}
		n++;
	}
	return n;
}
