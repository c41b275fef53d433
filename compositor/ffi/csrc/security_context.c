/* wp_security_context_manager_v1 (csrc/security_context.h): a sandbox engine hands the
 * compositor a listening socket; connections accepted on it carry the engine, app id and
 * instance id, and the global filter (csrc/global_filter.c) hides the privileged globals from
 * them. Connections go through the Wayland socket's own accept path (csrc/socket_accept.c:
 * accept_one), so the connection limits apply to them as to any other. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wayland-server-core.h>

#include "security-context-v1-protocol.h"
#include "internal.h"
#include "security_context.h"

#define SECURITY_CONTEXT_VERSION 1
/* Each listener holds two of the compositor's fds for as long as its close_fd is open,
 * whoever made it: bounded, all together and per process that made them. */
#define SC_MAX_LISTENERS 256
#define SC_MAX_LISTENERS_PER_PROCESS 32
#define SC_MAX_METADATA 1024 /* bytes of one engine name, app id or instance id */
#define SC_PAUSE_MS 100

struct sc_metadata {
	char *engine, *app_id, *instance_id; /* NULL: not set */
};

struct comp_security_context_manager {
	struct wl_display *display;
	struct wl_global *global;
	struct wl_list resources; /* bound managers: inert once the global goes */
	struct wl_list contexts; /* struct sc_context.link, not committed yet */
	struct wl_list listeners; /* struct sc_listener.link */
	struct wl_list clients; /* struct sc_client.link */
	struct wl_listener display_destroy;
	char **hidden; /* interfaces sandboxed clients do not see */
	size_t hidden_count;
	uint64_t accepted;
};

struct sc_context {
	struct wl_resource *resource;
	struct comp_security_context_manager *manager; /* NULL: inert */
	int listen_fd, close_fd;
	pid_t creator;
	bool committed;
	struct sc_metadata meta;
	struct wl_list link;
};

struct sc_listener {
	struct comp_security_context_manager *manager;
	int listen_fd, close_fd;
	pid_t creator;
	struct wl_event_source *listen_source, *close_source, *resume;
	struct sc_metadata meta;
	struct wl_list link;
};

struct sc_client {
	struct wl_client *client;
	struct wl_listener destroy;
	struct sc_metadata meta;
	struct wl_list link;
};

/* The one manager (one display a process): the global filter and the inspector ask it. */
static struct comp_security_context_manager *sc_manager;

static void sc_metadata_free(struct sc_metadata *meta) {
	free(meta->engine);
	free(meta->app_id);
	free(meta->instance_id);
	memset(meta, 0, sizeof(*meta));
}

static bool sc_metadata_copy(struct sc_metadata *to, const struct sc_metadata *from) {
	memset(to, 0, sizeof(*to));
	const char *src[3] = {from->engine, from->app_id, from->instance_id};
	char **dst[3] = {&to->engine, &to->app_id, &to->instance_id};
	for (int i = 0; i < 3; i++) {
		if (src[i] != NULL && (*dst[i] = strdup(src[i])) == NULL) {
			sc_metadata_free(to);
			return false;
		}
	}
	return true;
}

/* -- clients accepted on a listener ---------------------------------------------------- */

static void sc_client_destroyed(struct wl_listener *listener, void *data) {
	struct sc_client *sc = wl_container_of(listener, sc, destroy);
	wl_list_remove(&sc->destroy.link);
	wl_list_remove(&sc->link);
	sc_metadata_free(&sc->meta);
	free(sc);
}

static struct sc_client *sc_client_of(const struct wl_client *client) {
	struct wl_listener *listener = wl_client_get_destroy_listener(
		(struct wl_client *)client, sc_client_destroyed);
	if (listener == NULL) {
		return NULL;
	}
	struct sc_client *sc = wl_container_of(listener, sc, destroy);
	return sc;
}

bool comp_security_context_allows(const struct wl_client *client, const char *name) {
	if (sc_manager == NULL || sc_client_of(client) == NULL) {
		return true;
	}
	for (size_t i = 0; i < sc_manager->hidden_count; i++) {
		if (strcmp(sc_manager->hidden[i], name) == 0) {
			return false;
		}
	}
	return true;
}

/* -- listeners ------------------------------------------------------------------------- */

static void sc_listener_destroy(struct sc_listener *listener) {
	wl_list_remove(&listener->link);
	if (listener->listen_source != NULL) {
		wl_event_source_remove(listener->listen_source);
	}
	if (listener->close_source != NULL) {
		wl_event_source_remove(listener->close_source);
	}
	if (listener->resume != NULL) {
		wl_event_source_remove(listener->resume);
	}
	close(listener->listen_fd);
	close(listener->close_fd);
	sc_metadata_free(&listener->meta);
	free(listener);
}

static void sc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sc_log(int level, const char *fmt, ...) {
	char line[400];
	va_list args;
	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	comp_py_limit_log(level, line);
}

static void sc_listener_take(struct sc_listener *listener, int fd) {
	struct comp_security_context_manager *manager = listener->manager;
	struct sc_client *sc = calloc(1, sizeof(*sc));
	if (sc == NULL || !sc_metadata_copy(&sc->meta, &listener->meta)) {
		free(sc);
		close(fd);
		sc_log(3, "security context: out of memory, a connection was closed");
		return;
	}
	/* The Wayland socket's own path: its limits, its counters, its refusals told to the
	 * client. */
	struct comp_accept *acc = comp_accept_of_display(manager->display);
	struct wl_client *client = acc != NULL ? comp_accept_take(acc, fd) :
		wl_client_create(manager->display, fd);
	if (client == NULL) {
		if (acc == NULL) {
			close(fd);
		}
		sc_metadata_free(&sc->meta);
		free(sc);
		return;
	}
	sc->client = client;
	sc->destroy.notify = sc_client_destroyed;
	wl_client_add_destroy_listener(client, &sc->destroy);
	wl_list_insert(&manager->clients, &sc->link);
	manager->accepted++;
}

static int sc_listener_resume(void *data) {
	struct sc_listener *listener = data;
	wl_event_source_fd_update(listener->listen_source, WL_EVENT_READABLE);
	return 0;
}

static int sc_listener_ready(int fd, uint32_t mask, void *data) {
	struct sc_listener *listener = data;
	if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) {
		sc_log(2, "security context: the listening socket of %s failed; it accepts no more",
			listener->meta.engine != NULL ? listener->meta.engine : "a sandbox");
		sc_listener_destroy(listener);
		return 0;
	}
	int client_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (client_fd >= 0) {
		sc_listener_take(listener, client_fd);
		return 0;
	}
	int err = errno;
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED) {
		return 0;
	}
	/* Out of fds or memory: the socket stays readable; wait instead of spinning. */
	sc_log(3, "security context: cannot accept connections (%s); pausing %d ms",
		strerror(err), SC_PAUSE_MS);
	wl_event_source_fd_update(listener->listen_source, 0);
	wl_event_source_timer_update(listener->resume, SC_PAUSE_MS);
	return 0;
}

static int sc_listener_closed(int fd, uint32_t mask, void *data) {
	struct sc_listener *listener = data;
	if (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) {
		sc_listener_destroy(listener); /* the clients it accepted stay */
	}
	return 0;
}

static size_t sc_listeners_of(struct comp_security_context_manager *manager, pid_t pid,
		size_t *all) {
	size_t same = 0;
	*all = 0;
	struct sc_listener *listener;
	wl_list_for_each(listener, &manager->listeners, link) {
		(*all)++;
		same += listener->creator == pid;
	}
	return same;
}

/* -- wp_security_context_v1 ------------------------------------------------------------ */

static void sc_context_free_fds(struct sc_context *context) {
	if (context->listen_fd >= 0) {
		close(context->listen_fd);
		context->listen_fd = -1;
	}
	if (context->close_fd >= 0) {
		close(context->close_fd);
		context->close_fd = -1;
	}
}

static void sc_context_resource_destroy(struct wl_resource *resource) {
	struct sc_context *context = wl_resource_get_user_data(resource);
	sc_context_free_fds(context);
	sc_metadata_free(&context->meta);
	wl_list_remove(&context->link);
	free(context);
}

static void sc_context_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void sc_context_set(struct wl_resource *resource, char **field, const char *value,
		const char *what) {
	struct sc_context *context = wl_resource_get_user_data(resource);
	if (context->committed) {
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_USED,
			"the security context was committed: only destroy may follow");
		return;
	}
	if (*field != NULL) {
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_SET,
			"the %s was set already", what);
		return;
	}
	size_t len = strlen(value);
	if (len == 0 || len > SC_MAX_METADATA) {
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_V1_ERROR_INVALID_METADATA,
			"the %s is %zu bytes: it takes 1 to %d", what, len, SC_MAX_METADATA);
		return;
	}
	*field = strdup(value);
	if (*field == NULL) {
		wl_resource_post_no_memory(resource);
	}
}

static void sc_context_set_engine(struct wl_client *client, struct wl_resource *resource,
		const char *name) {
	struct sc_context *context = wl_resource_get_user_data(resource);
	sc_context_set(resource, &context->meta.engine, name, "sandbox engine");
}

static void sc_context_set_app_id(struct wl_client *client, struct wl_resource *resource,
		const char *app_id) {
	struct sc_context *context = wl_resource_get_user_data(resource);
	sc_context_set(resource, &context->meta.app_id, app_id, "app id");
}

static void sc_context_set_instance_id(struct wl_client *client,
		struct wl_resource *resource, const char *instance_id) {
	struct sc_context *context = wl_resource_get_user_data(resource);
	sc_context_set(resource, &context->meta.instance_id, instance_id, "instance id");
}

static void sc_context_commit(struct wl_client *client, struct wl_resource *resource) {
	struct sc_context *context = wl_resource_get_user_data(resource);
	if (context->committed) {
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_V1_ERROR_ALREADY_USED,
			"the security context was committed already");
		return;
	}
	context->committed = true;
	struct comp_security_context_manager *manager = context->manager;
	if (manager == NULL) {
		sc_context_free_fds(context); /* the compositor is going */
		return;
	}
	size_t all;
	size_t same = sc_listeners_of(manager, context->creator, &all);
	if (all >= SC_MAX_LISTENERS || same >= SC_MAX_LISTENERS_PER_PROCESS) {
		wl_client_post_implementation_error(client,
			"too many security context listeners: %zu open (%zu of this process), the "
			"limits are %d and %d a process; close the close_fd of those not needed",
			all, same, SC_MAX_LISTENERS, SC_MAX_LISTENERS_PER_PROCESS);
		return;
	}
	struct sc_listener *listener = calloc(1, sizeof(*listener));
	if (listener == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	struct wl_event_loop *loop = wl_display_get_event_loop(manager->display);
	listener->manager = manager;
	listener->creator = context->creator;
	listener->listen_fd = context->listen_fd;
	listener->close_fd = context->close_fd;
	listener->meta = context->meta; /* taken over */
	memset(&context->meta, 0, sizeof(context->meta));
	context->listen_fd = context->close_fd = -1;
	wl_list_insert(&manager->listeners, &listener->link);
	/* close_fd: only hang-up and errors matter (mask 0: epoll reports them anyway). */
	listener->listen_source = wl_event_loop_add_fd(loop, listener->listen_fd,
		WL_EVENT_READABLE, sc_listener_ready, listener);
	listener->close_source = wl_event_loop_add_fd(loop, listener->close_fd, 0,
		sc_listener_closed, listener);
	listener->resume = wl_event_loop_add_timer(loop, sc_listener_resume, listener);
	if (listener->listen_source == NULL || listener->close_source == NULL ||
			listener->resume == NULL) {
		sc_listener_destroy(listener);
		wl_client_post_no_memory(client);
	}
}

static const struct wp_security_context_v1_interface sc_context_impl = {
	.destroy = sc_context_handle_destroy,
	.set_sandbox_engine = sc_context_set_engine,
	.set_app_id = sc_context_set_app_id,
	.set_instance_id = sc_context_set_instance_id,
	.commit = sc_context_commit,
};

/* -- wp_security_context_manager_v1 ---------------------------------------------------- */

static void sc_manager_handle_destroy(struct wl_client *client, struct wl_resource *resource) {
	wl_resource_destroy(resource);
}

static void sc_manager_create_listener(struct wl_client *client, struct wl_resource *resource,
		uint32_t id, int32_t listen_fd, int32_t close_fd) {
	struct comp_security_context_manager *manager = wl_resource_get_user_data(resource);
	int accepting = 0;
	socklen_t len = sizeof(accepting);
	if (getsockopt(listen_fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) < 0 ||
			!accepting) {
		close(listen_fd);
		close(close_fd);
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_MANAGER_V1_ERROR_INVALID_LISTEN_FD,
			"listen_fd is not a listening socket: bind(2) and listen(2) it first");
		return;
	}
	if (sc_client_of(client) != NULL) {
		close(listen_fd);
		close(close_fd);
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_MANAGER_V1_ERROR_NESTED,
			"a sandboxed connection cannot make a security context");
		return;
	}
	/* accept4 must never block the compositor (the peer may be gone by then). After this
	 * request the client may only close its copies, so its flags are ours to set. */
	int flags = fcntl(listen_fd, F_GETFL);
	if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		close(listen_fd);
		close(close_fd);
		wl_resource_post_error(resource, WP_SECURITY_CONTEXT_MANAGER_V1_ERROR_INVALID_LISTEN_FD,
			"listen_fd cannot be made non-blocking: %s", strerror(errno));
		return;
	}
	struct sc_context *context = calloc(1, sizeof(*context));
	if (context == NULL) {
		close(listen_fd);
		close(close_fd);
		wl_client_post_no_memory(client);
		return;
	}
	context->listen_fd = listen_fd;
	context->close_fd = close_fd;
	context->manager = manager;
	wl_client_get_credentials(client, &context->creator, NULL, NULL);
	context->resource = wl_resource_create(client, &wp_security_context_v1_interface,
		wl_resource_get_version(resource), id);
	if (context->resource == NULL) {
		sc_context_free_fds(context);
		free(context);
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(context->resource, &sc_context_impl, context,
		sc_context_resource_destroy);
	if (manager != NULL) {
		wl_list_insert(&manager->contexts, &context->link);
	} else {
		wl_list_init(&context->link);
	}
}

static const struct wp_security_context_manager_v1_interface sc_manager_impl = {
	.destroy = sc_manager_handle_destroy,
	.create_listener = sc_manager_create_listener,
};

static void sc_manager_resource_destroy(struct wl_resource *resource) {
	wl_list_remove(wl_resource_get_link(resource));
}

static void sc_manager_bind(struct wl_client *client, void *data, uint32_t version,
		uint32_t id) {
	struct comp_security_context_manager *manager = data;
	struct wl_resource *resource = wl_resource_create(client,
		&wp_security_context_manager_v1_interface, version, id);
	if (resource == NULL) {
		wl_client_post_no_memory(client);
		return;
	}
	wl_resource_set_implementation(resource, &sc_manager_impl, manager,
		sc_manager_resource_destroy);
	wl_list_insert(&manager->resources, wl_resource_get_link(resource));
}

void comp_security_context_manager_destroy(struct comp_security_context_manager *manager);

static void sc_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_security_context_manager *manager =
		wl_container_of(listener, manager, display_destroy);
	comp_security_context_manager_destroy(manager);
}

struct comp_security_context_manager *comp_security_context_manager_create(
		struct wl_display *display) {
	if (sc_manager != NULL) {
		return NULL; /* one display a process */
	}
	struct comp_security_context_manager *manager = calloc(1, sizeof(*manager));
	if (manager == NULL) {
		return NULL;
	}
	manager->display = display;
	wl_list_init(&manager->resources);
	wl_list_init(&manager->contexts);
	wl_list_init(&manager->listeners);
	wl_list_init(&manager->clients);
	manager->global = wl_global_create(display, &wp_security_context_manager_v1_interface,
		SECURITY_CONTEXT_VERSION, manager, sc_manager_bind);
	if (manager->global == NULL) {
		free(manager);
		return NULL;
	}
	sc_manager = manager;
	manager->display_destroy.notify = sc_display_destroyed;
	wl_display_add_destroy_listener(display, &manager->display_destroy);
	comp_global_filter_install(display);  /* it asks comp_security_context_allows */
	return manager;
}

static void sc_hidden_clear(struct comp_security_context_manager *manager) {
	for (size_t i = 0; i < manager->hidden_count; i++) {
		free(manager->hidden[i]);
	}
	free(manager->hidden);
	manager->hidden = NULL;
	manager->hidden_count = 0;
}

void comp_security_context_manager_destroy(struct comp_security_context_manager *manager) {
	if (manager == NULL) {
		return;
	}
	struct sc_listener *listener, *ltmp;
	wl_list_for_each_safe(listener, ltmp, &manager->listeners, link) {
		sc_listener_destroy(listener);
	}
	struct sc_context *context, *ctmp;
	wl_list_for_each_safe(context, ctmp, &manager->contexts, link) {
		context->manager = NULL;
		wl_list_remove(&context->link);
		wl_list_init(&context->link);
	}
	struct sc_client *sc, *stmp;
	wl_list_for_each_safe(sc, stmp, &manager->clients, link) {
		sc_client_destroyed(&sc->destroy, NULL);
	}
	struct wl_resource *resource, *tmp;
	wl_resource_for_each_safe(resource, tmp, &manager->resources) {
		wl_resource_set_user_data(resource, NULL);
		wl_list_remove(wl_resource_get_link(resource));
		wl_list_init(wl_resource_get_link(resource));
	}
	sc_hidden_clear(manager);
	wl_list_remove(&manager->display_destroy.link);
	wl_global_destroy(manager->global);
	if (sc_manager == manager) {
		sc_manager = NULL;
	}
	free(manager);
}

bool comp_security_context_set_hidden(struct comp_security_context_manager *manager,
		const char *const *names, size_t count) {
	char **hidden = calloc(count + 1, sizeof(*hidden));
	if (hidden == NULL) {
		return false;
	}
	for (size_t i = 0; i < count; i++) {
		if ((hidden[i] = strdup(names[i])) == NULL) {
			for (size_t j = 0; j < i; j++) {
				free(hidden[j]);
			}
			free(hidden);
			return false;
		}
	}
	sc_hidden_clear(manager);
	manager->hidden = hidden;
	manager->hidden_count = count;
	return true;
}

bool comp_security_context_of(struct wl_client *client, comp_security_context_info *out) {
	struct sc_client *sc = sc_client_of(client);
	if (sc == NULL) {
		return false;
	}
	out->engine = sc->meta.engine;
	out->app_id = sc->meta.app_id;
	out->instance_id = sc->meta.instance_id;
	return true;
}

void comp_security_context_counts(struct comp_security_context_manager *manager,
		uint64_t *listeners, uint64_t *clients, uint64_t *accepted) {
	size_t all;
	sc_listeners_of(manager, 0, &all);
	*listeners = all;
	*clients = wl_list_length(&manager->clients);
	*accepted = manager->accepted;
}
