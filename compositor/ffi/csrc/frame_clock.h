/* The frame clock (csrc/frame_clock.c): free-running, or manual (frames only when
 * stepped, on a virtual CLOCK_MONOTONIC). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "frame_loop.h"

void comp_frame_clock_set_manual(bool manual, int64_t start_ns);
bool comp_frame_clock_is_manual(void);
int64_t comp_frame_clock_time_ns(void);
uint64_t comp_frame_clock_steps(void);
int64_t comp_frame_clock_period_ns(comp_frame_loop **loops, int n);
bool comp_frame_clock_step(comp_frame_loop **loops, int n, int64_t period_ns);
int comp_frame_clock_awaiting(void);
