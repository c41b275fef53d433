/* libva glue for the recorder's zero-copy H.264 encoder (csrc/va.c): the H.264/VPP
 * parameter buffers are filled in C from the flat comp_va_* structs below, so the compiler
 * checks every field name of libva's bit-field unions. What Python calls of libva itself is
 * declared in cdef/va.h. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <va/va.h>
#include "recorder.h"

typedef struct {
	uint32_t width, height;          /* in pixels */
	uint32_t level_idc;
	uint32_t intra_period;           /* IDR every this many frames */
	uint32_t bits_per_second;        /* 0 with CQP */
	uint32_t log2_max_frame_num, log2_max_poc_lsb;
	uint32_t max_num_ref_frames;
} comp_va_h264_seq;

typedef struct {
	VASurfaceID current, reference;  /* reference: VA_INVALID_ID for none */
	VABufferID coded_buf;
	uint32_t frame_num, poc;
	bool idr, cabac, transform_8x8;
	uint32_t pic_init_qp;
} comp_va_h264_pic;

typedef struct {
	uint32_t num_mbs;
	uint32_t slice_type;             /* 0 P, 2 I */
	VASurfaceID reference;
	uint32_t reference_frame_num, reference_poc;
	uint32_t idr_pic_id, poc;
	int32_t qp_delta;
	uint32_t disable_deblocking;
} comp_va_h264_slice;

/* Import a dma-buf (comp_rec_dmabuf from recorder.h) as a VA surface with
 * VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2, modifier included. */
VAStatus comp_va_import_dmabuf(VADisplay dpy, const comp_rec_dmabuf *dmabuf,
	uint32_t va_fourcc, VASurfaceID *surface);
/* Each creates a buffer of the context; the caller renders and destroys it. */
VAStatus comp_va_h264_seq_buffer(VADisplay dpy, VAContextID ctx, const comp_va_h264_seq *seq,
	VABufferID *out);
VAStatus comp_va_h264_pic_buffer(VADisplay dpy, VAContextID ctx, const comp_va_h264_pic *pic,
	VABufferID *out);
VAStatus comp_va_h264_slice_buffer(VADisplay dpy, VAContextID ctx,
	const comp_va_h264_slice *slice, VABufferID *out);
/* A packed header: two buffers (parameters, data); bit_length excludes padding. */
VAStatus comp_va_packed_header(VADisplay dpy, VAContextID ctx, uint32_t type,
	const uint8_t *data, uint32_t bit_length, VABufferID out[2]);
VAStatus comp_va_rate_control_buffer(VADisplay dpy, VAContextID ctx, uint32_t bits_per_second,
	VABufferID *out);
VAStatus comp_va_coded_buffer(VADisplay dpy, VAContextID ctx, uint32_t size, VABufferID *out);
/* One picture: begin, render the buffers, end (asynchronous until vaSyncSurface). */
VAStatus comp_va_submit(VADisplay dpy, VAContextID ctx, VASurfaceID target,
	VABufferID *buffers, int count);
/* VPP: src (RGB) -> dst (NV12), BT.709 limited range, whole frame. */
VAStatus comp_va_vpp_convert(VADisplay dpy, VAContextID ctx, VASurfaceID src, VASurfaceID dst);
/* Copy the coded buffer's segments to dst; *length gets the size (may exceed cap: retry). */
VAStatus comp_va_read_coded(VADisplay dpy, VABufferID buf, uint8_t *dst, size_t cap,
	size_t *length);
/* sizeof / offsetof of libva's structs as this module was compiled (tests compare). */
size_t comp_va_layout(const char *what);
