/* Protocol trace (pydrm-ctl trace): libwayland's protocol logger, formatted in C as
 * WAYLAND_DEBUG does, filtered by client pid and interface before Python sees a line
 * (comp_py_trace_line). A logger exists only while someone traces (csrc/protocol_trace.c). */
#pragma once
#include <stdint.h>

struct wl_display;
struct comp_trace;

/* pid 0: every client; interface "" or NULL: every interface. */
struct comp_trace *comp_trace_start(struct wl_display *display, int32_t pid,
	const char *interface, void *handle);
void comp_trace_stop(struct comp_trace *trace);
