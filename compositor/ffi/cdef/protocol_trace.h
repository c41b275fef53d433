/* One line of the protocol trace (csrc/protocol_trace.h), with the trace's handle. */
extern "Python+C" void comp_py_trace_line(void *handle, const char *line);
