#include <errno.h>
#include <stdint.h>
#include <sys/types.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <wlr/backend/drm.h>
#include <wlr/backend/libinput.h>
#include <wlr/backend/multi.h>
#include <wlr/backend/session.h>
#include <wlr/types/wlr_output.h>
#include "drm_backend.h"

int comp_drm_is_master(int fd) {
	drmVersionPtr version = drmGetVersion(fd);
	if (version == NULL) {
		return -1;
	}
	drmFreeVersion(version);
	return drmIsMaster(fd) ? 1 : 0;
}

int comp_drm_count_connectors(int fd, int *connected, int *disconnected) {
	drmModeRes *res = drmModeGetResources(fd);
	*connected = 0;
	*disconnected = 0;
	if (res == NULL) {
		return -1;
	}
	int total = res->count_connectors;
	for (int i = 0; i < res->count_connectors; i++) {
		drmModeConnector *conn = drmModeGetConnectorCurrent(fd, res->connectors[i]);
		if (conn == NULL) {
			continue;
		}
		if (conn->connection == DRM_MODE_CONNECTED) {
			(*connected)++;
		} else if (conn->connection == DRM_MODE_DISCONNECTED) {
			(*disconnected)++;
		}
		drmModeFreeConnector(conn);
	}
	drmModeFreeResources(res);
	return total;
}

struct wl_signal *comp_session_active_signal(struct wlr_session *session) {
	return &session->events.active;
}

#include <wlr/types/wlr_output.h>

void comp_output_schedule_frame(struct wlr_output *output) {
	wlr_output_schedule_frame(output);
}
