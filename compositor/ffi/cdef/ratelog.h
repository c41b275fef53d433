/* One line for the log, at `level` (0 debug, 1 info, 2 warning, 3 error), from the C side
 * of the limits (connections, client buffers: csrc/ratelog.c). */
extern "Python+C" void comp_py_limit_log(int level, const char *line);
