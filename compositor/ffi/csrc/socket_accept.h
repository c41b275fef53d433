/* The Wayland socket, listened on and accepted by the compositor itself instead of by
 * libwayland (whose accept loop spins at full CPU logging "failed to accept: Too many open
 * files" once the process is out of fds: the listening socket stays readable and nothing
 * takes the connection off it). Same path and lock file as wl_display_add_socket(_auto):
 * $XDG_RUNTIME_DIR/NAME and NAME.lock, both removed when the display is destroyed.
 *
 * Each connection is accepted in C, checked against the total and per-process connection
 * limits, and handed to wl_client_create(). A refused connection gets a wl_display.error
 * (no_memory) naming the limit and its option, then is closed. Out of fds (EMFILE/ENFILE)
 * the compositor closes a spare fd it keeps, accepts the connection, tells it and closes it,
 * and opens the spare again, so the pending connection never keeps the loop spinning; if
 * even that fails, accepting pauses for 100 ms. Refusals are logged at a bounded rate
 * through comp_py_limit_log (compositor/limits.py): the first at once, the rest counted in
 * one line per reason every few seconds (csrc/socket_accept.c). */
#pragma once
#include <stdint.h>

struct wl_display;
struct comp_accept;

/* Reasons a connection was refused (counters and log lines). */
#define COMP_REFUSED_TOTAL 0      /* --max-clients */
#define COMP_REFUSED_PROCESS 1    /* --max-client-connections */
#define COMP_REFUSED_FDS 2        /* the process is out of file descriptors */
#define COMP_REFUSED_ERROR 3      /* accept() or wl_client_create() failed otherwise */
#define COMP_REFUSED_REASONS 4

/* name NULL: the first free wayland-0..32, like wl_display_add_socket_auto. NULL on
 * failure, with errno set (EADDRINUSE: the lock is held by another compositor). */
struct comp_accept *comp_accept_create(struct wl_display *display, const char *name);
const char *comp_accept_name(struct comp_accept *accept);
/* 0: no limit. */
void comp_accept_set_limits(struct comp_accept *accept, int max_clients, int max_per_process);
uint64_t comp_accept_accepted(struct comp_accept *accept);
uint64_t comp_accept_refused(struct comp_accept *accept, int reason);
