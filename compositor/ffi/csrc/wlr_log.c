/* wlroots' log into Python's logging, filtered in C (wlr_log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <wlr/util/log.h>
#include "internal.h"
#include "wlr_log.h"

static enum wlr_log_importance comp_log_verbosity = WLR_ERROR;

static void comp_log_handler(enum wlr_log_importance importance, const char *fmt,
		va_list args) {
	if (importance > comp_log_verbosity) {
		return; /* what the level leaves out never reaches Python */
	}
	char line[2048];
	vsnprintf(line, sizeof(line), fmt, args);
	comp_py_log(importance, line);
}

void comp_log_init(int verbosity) {
	comp_log_verbosity = verbosity;
	wlr_log_init(verbosity, comp_log_handler);
}
