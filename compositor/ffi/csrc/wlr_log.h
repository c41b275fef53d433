/* wlroots' log, filtered by importance in C before a line is formatted and handed to
 * Python (compositor/wlr_log.py) through comp_py_log. pywlroots' own log_init hands every
 * line to Python, debug ones included, and drops them there: a Python call for each wlr_log
 * in a hot path (the seat's pointer focus changes log at debug level). verbosity: 0 silent,
 * 1 error, 2 info, 3 debug. */
#pragma once

void comp_log_init(int verbosity);
