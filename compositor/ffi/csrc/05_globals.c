#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wayland-server-core.h>

static char **disabled_globals;
static size_t disabled_count;

/* csrc/18_client_objects.c: false for a global a configuration rule hides from the client. */
static bool comp_objects_global_allowed(const struct wl_client *client, const char *name);

/* csrc/99_security_context.c: false for a privileged global and a sandboxed client. */
static bool comp_security_context_allows(const struct wl_client *client, const char *name);

static bool global_filter(const struct wl_client *client, const struct wl_global *global,
		void *data) {
	const char *name = wl_global_get_interface(global)->name;
	if (!comp_security_context_allows(client, name)) {
		return false;
	}
	if (!comp_objects_global_allowed(client, name)) {
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
	wl_display_set_global_filter(display, global_filter, NULL);
}
