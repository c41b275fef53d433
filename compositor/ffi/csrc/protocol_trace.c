/* Protocol trace: see protocol_trace.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wayland-server-core.h>
#include <wlr/util/log.h>
#include "internal.h"
#include "protocol_trace.h"

struct comp_trace {
	struct wl_display *display;
	struct wl_protocol_logger *logger;
	int32_t pid;
	char interface[64];
	void *handle;
	bool logging;  /* inside trace_log: libwayland is walking its list of loggers */
	bool stopped;  /* stopped while logging: freed on the loop's next idle turn */
};

#define TRACE_LINE 4096

static void trace_append(char *line, size_t *len, const char *fmt, ...) {
	if (*len >= TRACE_LINE - 1) {
		return;
	}
	va_list args;
	va_start(args, fmt);
	int n = vsnprintf(line + *len, TRACE_LINE - *len, fmt, args);
	va_end(args);
	if (n > 0) {
		*len += (size_t)n;
		if (*len > TRACE_LINE - 1) {
			*len = TRACE_LINE - 1;
		}
	}
}

static void trace_object(char *line, size_t *len, struct wl_resource *object) {
	if (object == NULL) {
		trace_append(line, len, "nil");
	} else {
		trace_append(line, len, "%s@%u", wl_resource_get_class(object),
			wl_resource_get_id(object));
	}
}

static void trace_log(void *data, enum wl_protocol_logger_type direction,
		const struct wl_protocol_logger_message *msg) {
	struct comp_trace *trace = data;
	if (trace->stopped) {
		return;
	}
	struct wl_resource *resource = msg->resource;
	const char *interface = wl_resource_get_class(resource);
	if (trace->interface[0] != '\0' && strcmp(trace->interface, interface) != 0) {
		return;
	}
	struct wl_client *client = wl_resource_get_client(resource);
	pid_t pid;
	wl_client_get_credentials(client, &pid, NULL, NULL);
	if (trace->pid != 0 && trace->pid != pid) {
		return;
	}
	char line[TRACE_LINE];
	size_t len = 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	trace_append(line, &len, "[%7lu.%03lu] pid %d: %s%s@%u.%s(",
		(unsigned long)(now.tv_sec * 1000 + now.tv_nsec / 1000000) / 1000,
		(unsigned long)(now.tv_sec * 1000 + now.tv_nsec / 1000000) % 1000, pid,
		direction == WL_PROTOCOL_LOGGER_EVENT ? "-> " : "", interface,
		wl_resource_get_id(resource), msg->message->name);
	const char *signature = msg->message->signature;
	int i = 0;
	for (const char *c = signature; *c != '\0' && i < msg->arguments_count; c++) {
		if (*c == '?' || (*c >= '0' && *c <= '9')) {
			continue;
		}
		if (i > 0) {
			trace_append(line, &len, ", ");
		}
		const union wl_argument *arg = &msg->arguments[i];
		switch (*c) {
		case 'u':
			trace_append(line, &len, "%u", arg->u);
			break;
		case 'i':
			trace_append(line, &len, "%d", arg->i);
			break;
		case 'f':
			trace_append(line, &len, "%f", wl_fixed_to_double(arg->f));
			break;
		case 's':
			if (arg->s == NULL) {
				trace_append(line, &len, "nil");
			} else {
				trace_append(line, &len, "\"%s\"", arg->s);
			}
			break;
		case 'o':
			trace_object(line, &len, (struct wl_resource *)arg->o);
			break;
		case 'n': {
			/* The new object's id, in both directions: libwayland's closure holds the
			 * number (wl_closure_marshal turns an event's object into its id), never a
			 * pointer. Objects the compositor makes (data offers) have ids >= 0xff000000:
			 * read as a pointer, that id crashed the compositor. */
			const struct wl_interface *type = msg->message->types[i];
			trace_append(line, &len, "new id %s@%u", type ? type->name : "[unknown]", arg->n);
			break;
		}
		case 'a':
			trace_append(line, &len, "array[%zu]", arg->a != NULL ? arg->a->size : 0);
			break;
		case 'h':
			trace_append(line, &len, "fd %d", arg->h);
			break;
		}
		i++;
	}
	trace_append(line, &len, ")");
	trace->logging = true;
	comp_py_trace_line(trace->handle, line);
	trace->logging = false;
}

struct comp_trace *comp_trace_start(struct wl_display *display, int32_t pid,
		const char *interface, void *handle) {
	struct comp_trace *trace = calloc(1, sizeof(*trace));
	if (trace == NULL) {
		return NULL;
	}
	trace->pid = pid;
	if (interface != NULL) {
		snprintf(trace->interface, sizeof(trace->interface), "%s", interface);
	}
	trace->handle = handle;
	trace->display = display;
	trace->logger = wl_display_add_protocol_logger(display, trace_log, trace);
	if (trace->logger == NULL) {
		free(trace);
		return NULL;
	}
	return trace;
}

static void trace_free(void *data) {
	struct comp_trace *trace = data;
	wl_protocol_logger_destroy(trace->logger);
	free(trace);
}

/* Never inside trace_log: libwayland goes on to the next logger in its list through this
 * one's link, so a logger destroyed while it logs is a read of freed memory. A stop from
 * there (the reader went while its line was being sent) frees it on the next idle turn. */
void comp_trace_stop(struct comp_trace *trace) {
	if (trace == NULL) {
		return;
	}
	if (!trace->logging) {
		trace_free(trace);
		return;
	}
	trace->stopped = true;
	struct wl_event_loop *loop = wl_display_get_event_loop(trace->display);
	if (wl_event_loop_add_idle(loop, trace_free, trace) == NULL) {
		wlr_log(WLR_ERROR, "trace: no idle source to free a stopped tracer; it stays, muted");
	}
}
