/* Memory given back when clients go: see memory_trim.h. */
#include <malloc.h>
#include <stdlib.h>
#include <wayland-server-core.h>
#include "memory_trim.h"

#define TRIM_DELAY_MS 2000

struct comp_memory_trim {
	struct wl_event_source *timer;
	struct wl_listener client_created;
	struct wl_listener display_destroy;
	uint64_t trims;
};

struct trim_client {
	struct comp_memory_trim *trim;
	struct wl_listener destroy;
};

static int trim_now(void *data) {
	struct comp_memory_trim *trim = data;
	malloc_trim(0);
	trim->trims++;
	return 0;
}

static void trim_client_destroyed(struct wl_listener *listener, void *data) {
	struct trim_client *client = wl_container_of(listener, client, destroy);
	/* Debounced: the last client of a burst arms it, once the session is calm. */
	wl_event_source_timer_update(client->trim->timer, TRIM_DELAY_MS);
	wl_list_remove(&client->destroy.link);
	free(client);
}

static void trim_client_created(struct wl_listener *listener, void *data) {
	struct comp_memory_trim *trim = wl_container_of(listener, trim, client_created);
	struct trim_client *client = calloc(1, sizeof(*client));
	if (client == NULL) {
		return; /* that client's going will not trim: nothing else is lost */
	}
	client->trim = trim;
	client->destroy.notify = trim_client_destroyed;
	wl_client_add_destroy_listener(data, &client->destroy);
}

static void trim_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_memory_trim *trim = wl_container_of(listener, trim, display_destroy);
	wl_list_remove(&trim->client_created.link);
	wl_list_remove(&trim->display_destroy.link);
	wl_event_source_remove(trim->timer);
	free(trim);
}

struct comp_memory_trim *comp_memory_trim_install(struct wl_display *display) {
	struct comp_memory_trim *trim = calloc(1, sizeof(*trim));
	if (trim == NULL) {
		return NULL;
	}
	trim->timer = wl_event_loop_add_timer(wl_display_get_event_loop(display), trim_now, trim);
	if (trim->timer == NULL) {
		free(trim);
		return NULL;
	}
	trim->client_created.notify = trim_client_created;
	wl_display_add_client_created_listener(display, &trim->client_created);
	trim->display_destroy.notify = trim_display_destroyed;
	wl_display_add_destroy_listener(display, &trim->display_destroy);
	return trim;
}

uint64_t comp_memory_trims(struct comp_memory_trim *trim) {
	return trim != NULL ? trim->trims : 0;
}
