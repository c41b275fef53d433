/* DRM/KMS backend (compositor/drm_backend): what the compositor reads of KMS devices and
 * the session while it assembles the backend (csrc/drm_backend.c; wlroots' own entry
 * points are in cdef/drm_backend.h). */
#pragma once

struct wl_signal;
struct wlr_output;
struct wlr_session;

/* 1 when fd is the DRM master of its device, 0 when not, -1 when fd is not a DRM fd. */
int comp_drm_is_master(int fd);
/* Connectors of a KMS device in each state (connected, disconnected, unknown); -1 on error. */
int comp_drm_count_connectors(int fd, int *connected, int *disconnected);
/* The session's "active" signal (emitted on VT switch away and back). */
struct wl_signal *comp_session_active_signal(struct wlr_session *session);
/* wlr_output_schedule_frame: ask for a frame event (retry after a failed DRM commit). */
void comp_output_schedule_frame(struct wlr_output *output);
