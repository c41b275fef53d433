/* --disable-global: see global_filter.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>
#include "global_filter.h"
#include "internal.h"

static char **disabled_globals;
static size_t disabled_count;

static bool global_filter(const struct wl_client *client, const struct wl_global *global,
		void *data) {
	const char *name = wl_global_get_interface(global)->name;
	if (!comp_security_context_allows(client, name)) {
		return false;
	}
	if (!comp_objects_global_allowed(client, name)) {
		return false;
	}
	if (!comp_format_rules_allows(client, global)) {
		return false;
	}
	for (size_t i = 0; i < disabled_count; i++) {
		if (strcmp(disabled_globals[i], name) == 0) {
			return false;
		}
	}
	return true;
}

void comp_globals_disable(struct wl_display *display, const char *interface) {
	char **grown = realloc(disabled_globals, (disabled_count + 1) * sizeof(*grown));
	char *copy = strdup(interface);
	if (grown == NULL || copy == NULL) {
		free(copy);
		disabled_globals = grown != NULL ? grown : disabled_globals;
		return;
	}
	disabled_globals = grown;
	disabled_globals[disabled_count++] = copy;
	comp_global_filter_install(display);
}

void comp_global_filter_install(struct wl_display *display) {
	wl_display_set_global_filter(display, global_filter, NULL);
}
