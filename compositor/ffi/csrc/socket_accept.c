/* The Wayland socket, accepted by the compositor: see socket_accept.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <wayland-server-core.h>
#include <wayland-server-protocol.h>
#include "internal.h"
#include "socket_accept.h"

/* -- a wl_display.error written straight to a socket that has no wl_client -------------- */

static void accept_send_error(int fd, uint32_t code, const char *message) {
	/* wl_display@1.error(object 1, code, message): header, two uints, a string. */
	uint32_t buf[64];
	size_t len = strlen(message) + 1;
	if (len > sizeof(buf) - 5 * sizeof(uint32_t)) {
		len = sizeof(buf) - 5 * sizeof(uint32_t);
	}
	size_t words = 5 + (len + 3) / 4;
	memset(buf, 0, sizeof(buf));
	buf[0] = 1;
	buf[1] = (uint32_t)(words * 4) << 16 | WL_DISPLAY_ERROR;
	buf[2] = 1;
	buf[3] = code;
	buf[4] = (uint32_t)len;
	memcpy(&buf[5], message, len - 1);
	/* Best effort: a socket that takes nothing now is closed all the same. */
	ssize_t sent = send(fd, buf, words * 4, MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)sent;
	shutdown(fd, SHUT_WR);
}

/* -- the socket ------------------------------------------------------------------------- */

struct comp_accept {
	struct wl_display *display;
	struct wl_event_loop *loop;
	struct wl_event_source *source;
	struct wl_event_source *resume;  /* accepting paused after an error it could not clear */
	struct wl_listener display_destroy;
	int fd;
	int lock_fd;
	int spare_fd;  /* /dev/null, given up to take one connection when out of fds */
	struct sockaddr_un addr;
	char lock_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
	const char *name;  /* into addr.sun_path */
	int max_clients, max_per_process;
	uint64_t accepted;
	uint64_t refused[COMP_REFUSED_REASONS];
	struct comp_ratelog logs[COMP_REFUSED_REASONS];
};

#define ACCEPT_PAUSE_MS 100

static int accept_open_spare(void) {
	return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void accept_refuse(struct comp_accept *acc, int fd, int reason, const char *message,
		pid_t pid) {
	acc->refused[reason]++;
	if (fd >= 0) {
		accept_send_error(fd, WL_DISPLAY_ERROR_NO_MEMORY, message);
		close(fd);
	}
	if (pid > 0) {
		ratelog(&acc->logs[reason], "wayland: refused a connection from pid %d: %s",
			(int)pid, message);
	} else {
		ratelog(&acc->logs[reason], "wayland: refused a connection: %s", message);
	}
}

static int accept_resume(void *data) {
	struct comp_accept *acc = data;
	wl_event_source_fd_update(acc->source, WL_EVENT_READABLE);
	return 0;
}

static void accept_pause(struct comp_accept *acc) {
	wl_event_source_fd_update(acc->source, 0);
	wl_event_source_timer_update(acc->resume, ACCEPT_PAUSE_MS);
}

/* Count the clients, and those of `pid`, walking libwayland's client list. */
static int accept_count_clients(struct comp_accept *acc, pid_t pid, int *of_pid) {
	int total = 0, same = 0;
	struct wl_list *list = wl_display_get_client_list(acc->display);
	struct wl_client *client;
	wl_client_for_each(client, list) {
		total++;
		pid_t other;
		wl_client_get_credentials(client, &other, NULL, NULL);
		same += other == pid;
	}
	*of_pid = same;
	return total;
}

struct wl_client *comp_accept_take(struct comp_accept *acc, int fd) {
	struct ucred cred = {0};
	socklen_t len = sizeof(cred);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
		cred.pid = 0;
	}
	char message[120];
	int of_pid;
	int total = accept_count_clients(acc, cred.pid, &of_pid);
	if (acc->max_clients > 0 && total >= acc->max_clients) {
		snprintf(message, sizeof(message),
			"too many clients: %d connected, the limit is %d (--max-clients)",
			total, acc->max_clients);
		accept_refuse(acc, fd, COMP_REFUSED_TOTAL, message, cred.pid);
		return NULL;
	}
	if (acc->max_per_process > 0 && cred.pid > 0 && of_pid >= acc->max_per_process) {
		snprintf(message, sizeof(message),
			"too many connections: pid %d has %d, the limit is %d "
			"(--max-client-connections)", (int)cred.pid, of_pid, acc->max_per_process);
		accept_refuse(acc, fd, COMP_REFUSED_PROCESS, message, cred.pid);
		return NULL;
	}
	/* wl_client_create duplicates the fd for its event source: two fds a client. */
	struct wl_client *client = wl_client_create(acc->display, fd);
	if (client == NULL) {
		int err = errno;
		snprintf(message, sizeof(message), "the compositor could not take the connection: %s",
			strerror(err));
		accept_refuse(acc, fd, err == EMFILE || err == ENFILE ? COMP_REFUSED_FDS :
			COMP_REFUSED_ERROR, message, cred.pid);
		return NULL;
	}
	acc->accepted++;
	return client;
}

static int accept_ready(int listen_fd, uint32_t mask, void *data) {
	struct comp_accept *acc = data;
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		comp_accept_take(acc, fd);
		return 0;
	}
	int err = errno;
	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR || err == ECONNABORTED) {
		return 0;
	}
	if ((err == EMFILE || err == ENFILE) && acc->spare_fd >= 0) {
		/* Give up the spare fd to take the connection off the queue, tell it why, close it
		 * and take the spare back: the socket stops being readable for it. */
		close(acc->spare_fd);
		acc->spare_fd = -1;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			struct ucred cred = {0};
			socklen_t len = sizeof(cred);
			getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
			accept_refuse(acc, fd, COMP_REFUSED_FDS,
				"the compositor is out of file descriptors", cred.pid);
		}
		acc->spare_fd = accept_open_spare();
		if (fd >= 0) {
			return 0;
		}
		err = errno;
	}
	/* Nothing taken off the queue (no spare fd, ENOBUFS, ENOMEM...): the socket stays
	 * readable, so wait a little instead of being called again at once. */
	acc->refused[err == EMFILE || err == ENFILE ? COMP_REFUSED_FDS : COMP_REFUSED_ERROR]++;
	ratelog(&acc->logs[COMP_REFUSED_ERROR],
		"wayland: cannot accept connections (%s); pausing %d ms", strerror(err),
		ACCEPT_PAUSE_MS);
	accept_pause(acc);
	return 0;
}

static void accept_destroy(struct comp_accept *acc) {
	for (int i = 0; i < COMP_REFUSED_REASONS; i++) {
		ratelog_flush(&acc->logs[i]);
		ratelog_finish(&acc->logs[i]);
	}
	if (acc->source != NULL) {
		wl_event_source_remove(acc->source);
	}
	if (acc->resume != NULL) {
		wl_event_source_remove(acc->resume);
	}
	/* As libwayland's wl_socket_destroy: the socket while the lock is held, then the lock. */
	if (acc->addr.sun_path[0]) {
		unlink(acc->addr.sun_path);
	}
	if (acc->fd >= 0) {
		close(acc->fd);
	}
	if (acc->lock_path[0]) {
		unlink(acc->lock_path);
	}
	if (acc->lock_fd >= 0) {
		close(acc->lock_fd);
	}
	if (acc->spare_fd >= 0) {
		close(acc->spare_fd);
	}
	free(acc);
}

static void accept_display_destroyed(struct wl_listener *listener, void *data) {
	struct comp_accept *acc = wl_container_of(listener, acc, display_destroy);
	wl_list_remove(&acc->display_destroy.link);
	accept_destroy(acc);
}

struct comp_accept *comp_accept_of_display(struct wl_display *display) {
	struct wl_listener *listener =
		wl_display_get_destroy_listener(display, accept_display_destroyed);
	if (listener == NULL) {
		return NULL;
	}
	struct comp_accept *acc = wl_container_of(listener, acc, display_destroy);
	return acc;
}

/* libwayland's wl_socket_lock: NAME.lock held with flock for as long as the socket lives;
 * a stale socket (its compositor gone, the lock free) is removed. 0, or -1 with errno. */
static int accept_lock(struct comp_accept *acc) {
	snprintf(acc->lock_path, sizeof(acc->lock_path), "%s.lock", acc->addr.sun_path);
	acc->lock_fd = open(acc->lock_path, O_CREAT | O_CLOEXEC | O_RDWR,
		S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP);
	if (acc->lock_fd < 0) {
		acc->lock_path[0] = 0;
		return -1;
	}
	if (flock(acc->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		close(acc->lock_fd);
		acc->lock_fd = -1;
		acc->lock_path[0] = 0;  /* another compositor's: never remove it */
		errno = EADDRINUSE;
		return -1;
	}
	struct stat st;
	if (lstat(acc->addr.sun_path, &st) < 0) {
		if (errno != ENOENT) {
			goto fail;
		}
	} else if (st.st_mode & (S_IWUSR | S_IWGRP)) {
		unlink(acc->addr.sun_path);
	}
	return 0;
fail:;
	int err = errno;
	unlink(acc->lock_path);
	close(acc->lock_fd);
	acc->lock_fd = -1;
	acc->lock_path[0] = 0;
	errno = err;
	return -1;
}

static int accept_set_path(struct comp_accept *acc, const char *name) {
	const char *runtime = getenv("XDG_RUNTIME_DIR");
	if (runtime == NULL || runtime[0] != '/') {
		errno = ENOENT;
		return -1;
	}
	acc->addr.sun_family = AF_UNIX;
	int n = snprintf(acc->addr.sun_path, sizeof(acc->addr.sun_path), "%s/%s", runtime, name);
	if (n < 0 || (size_t)n >= sizeof(acc->addr.sun_path)) {
		acc->addr.sun_path[0] = 0;
		errno = ENAMETOOLONG;
		return -1;
	}
	acc->name = acc->addr.sun_path + n - strlen(name);
	return 0;
}

static int accept_listen(struct comp_accept *acc) {
	acc->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (acc->fd < 0) {
		return -1;
	}
	socklen_t size = offsetof(struct sockaddr_un, sun_path) + strlen(acc->addr.sun_path);
	if (bind(acc->fd, (struct sockaddr *)&acc->addr, size) < 0) {
		return -1;
	}
	/* The same backlog as libwayland's. */
	if (listen(acc->fd, 128) < 0) {
		return -1;
	}
	return 0;
}

struct comp_accept *comp_accept_create(struct wl_display *display, const char *name) {
	struct comp_accept *acc = calloc(1, sizeof(*acc));
	if (acc == NULL) {
		return NULL;
	}
	acc->display = display;
	acc->loop = wl_display_get_event_loop(display);
	acc->fd = acc->lock_fd = acc->spare_fd = -1;
	for (int i = 0; i < COMP_REFUSED_REASONS; i++) {
		/* Refusals by limit are the limit working (warning); the rest are errors. */
		if (!ratelog_init(&acc->logs[i], acc->loop, i == COMP_REFUSED_ERROR ? 3 : 2)) {
			goto fail;
		}
	}
	char auto_name[16];
	int locked = -1;
	for (int n = 0; n <= 32 && locked < 0; n++) {
		const char *try_name = name;
		if (name == NULL) {
			snprintf(auto_name, sizeof(auto_name), "wayland-%d", n);
			try_name = auto_name;
		}
		if (accept_set_path(acc, try_name) < 0) {
			goto fail;
		}
		locked = accept_lock(acc);
		if (locked < 0 && name != NULL) {
			acc->addr.sun_path[0] = 0;  /* not ours to remove */
			goto fail;
		}
	}
	if (locked < 0) {
		acc->addr.sun_path[0] = 0;
		errno = EADDRINUSE;
		goto fail;
	}
	if (accept_listen(acc) < 0) {
		int err = errno;
		if (err == EADDRINUSE) {
			acc->addr.sun_path[0] = 0;  /* someone else's socket, not removed */
		}
		errno = err;
		goto fail;
	}
	acc->spare_fd = accept_open_spare();
	acc->source = wl_event_loop_add_fd(acc->loop, acc->fd, WL_EVENT_READABLE, accept_ready, acc);
	acc->resume = wl_event_loop_add_timer(acc->loop, accept_resume, acc);
	if (acc->source == NULL || acc->resume == NULL) {
		goto fail;
	}
	acc->display_destroy.notify = accept_display_destroyed;
	wl_display_add_destroy_listener(display, &acc->display_destroy);
	return acc;
fail:;
	int err = errno;
	accept_destroy(acc);
	errno = err;
	return NULL;
}

const char *comp_accept_name(struct comp_accept *acc) {
	return acc->name;
}

void comp_accept_set_limits(struct comp_accept *acc, int max_clients, int max_per_process) {
	acc->max_clients = max_clients;
	acc->max_per_process = max_per_process;
}

uint64_t comp_accept_accepted(struct comp_accept *acc) {
	return acc->accepted;
}

uint64_t comp_accept_refused(struct comp_accept *acc, int reason) {
	return reason >= 0 && reason < COMP_REFUSED_REASONS ? acc->refused[reason] : 0;
}
