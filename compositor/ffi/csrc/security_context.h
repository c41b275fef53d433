/* wp_security_context_manager_v1 (security-context-v1, wlroots 0.15 lacks it): a sandbox
 * engine (Flatpak >= 1.15.6) gives a listening socket, a close fd and its metadata; the
 * compositor accepts on that socket until the close fd hangs up (the clients it accepted
 * stay). Its connections go through the Wayland socket's accept path (csrc/socket_accept.c:
 * limits, counters) and carry the engine, app id and instance id; the privileged globals
 * set with comp_security_context_set_hidden are hidden from them (the libwayland global
 * filter of csrc/global_filter.c). csrc/security_context.c. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_client;
struct wl_display;
struct comp_security_context_manager;

/* What a sandboxed connection carries: each NULL where the sandbox engine did not set it.
 * Valid until the client goes. */
typedef struct {
	const char *engine;
	const char *app_id;
	const char *instance_id;
} comp_security_context_info;

/* One a process: NULL on a second call or when out of memory. */
struct comp_security_context_manager *comp_security_context_manager_create(
	struct wl_display *display);
void comp_security_context_manager_destroy(struct comp_security_context_manager *manager);
/* Replaces the interface names hidden from sandboxed clients (a global already bound stays
 * bound). false: out of memory, the old list kept. */
bool comp_security_context_set_hidden(struct comp_security_context_manager *manager,
	const char *const *names, size_t count);
/* false: the client is not sandboxed. */
bool comp_security_context_of(struct wl_client *client, comp_security_context_info *out);
void comp_security_context_counts(struct comp_security_context_manager *manager,
	uint64_t *listeners, uint64_t *clients, uint64_t *accepted);
