/* wlroots' log lines for Python (csrc/wlr_log.h). */
extern "Python+C" void comp_py_log(int importance, const char *line);
