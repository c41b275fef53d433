#include <string.h>
#include <wayland-server-core.h>

static int inert_dispatcher(const void *implementation, void *target, uint32_t opcode,
		const struct wl_message *message, union wl_argument *args) {
	if (strcmp(message->name, "destroy") == 0) {
		wl_resource_destroy(target);
	}
	return 0;
}

void comp_resource_make_inert(struct wl_resource *resource) {
	if (resource != NULL) {
		/* No destroy callback either: the object behind it is gone. */
		wl_resource_set_dispatcher(resource, inert_dispatcher, NULL, NULL, NULL);
	}
}
