/* libva glue for the recorder (see va.h and cdef/va.h). */
#include <stddef.h>
#include <string.h>
#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <va/va_enc_h264.h>
#include <va/va_vpp.h>
#include "va.h"

/* What the cdef states, checked against the installed headers at compile time. */
#define COMP_VA_SAME(a, b) _Static_assert((a) == (b), #a " differs from cdef/va.h")
COMP_VA_SAME(VA_STATUS_SUCCESS, 0x00000000);
COMP_VA_SAME(VA_INVALID_ID, 0xffffffff);
COMP_VA_SAME(VA_RT_FORMAT_YUV420, 0x00000001);
COMP_VA_SAME(VA_RT_FORMAT_RGB32, 0x00020000);
COMP_VA_SAME(VA_RC_CBR, 0x2);
COMP_VA_SAME(VA_RC_VBR, 0x4);
COMP_VA_SAME(VA_RC_CQP, 0x10);
COMP_VA_SAME(VA_ENC_PACKED_HEADER_SEQUENCE, 0x1);
COMP_VA_SAME(VA_ENC_PACKED_HEADER_PICTURE, 0x2);
COMP_VA_SAME(VA_ENC_PACKED_HEADER_SLICE, 0x4);
COMP_VA_SAME(VA_ATTRIB_NOT_SUPPORTED, 0x80000000);
COMP_VA_SAME(VA_SURFACE_ATTRIB_SETTABLE, 0x2);
COMP_VA_SAME(VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2, 0x40000000);
COMP_VA_SAME(VA_FOURCC_NV12, 0x3231564E);
COMP_VA_SAME(VA_FOURCC_BGRX, 0x58524742);
COMP_VA_SAME(VA_FOURCC_BGRA, 0x41524742);
COMP_VA_SAME(VA_FOURCC_RGBX, 0x58424752);
COMP_VA_SAME(VA_FOURCC_RGBA, 0x41424752);
COMP_VA_SAME(VA_PROGRESSIVE, 0x1);
COMP_VA_SAME(VAProfileNone, -1);
COMP_VA_SAME(VAProfileH264Main, 6);
COMP_VA_SAME(VAProfileH264High, 7);
COMP_VA_SAME(VAProfileH264ConstrainedBaseline, 13);
COMP_VA_SAME(VAEntrypointEncSlice, 6);
COMP_VA_SAME(VAEntrypointEncSliceLP, 8);
COMP_VA_SAME(VAEntrypointVideoProc, 10);
COMP_VA_SAME(VAConfigAttribRTFormat, 0);
COMP_VA_SAME(VAConfigAttribRateControl, 5);
COMP_VA_SAME(VAConfigAttribEncPackedHeaders, 10);
COMP_VA_SAME(VAConfigAttribEncMaxRefFrames, 13);
/* The descriptor Python-side code may build as declared in the cdef. */
COMP_VA_SAME(sizeof(VAConfigAttrib), 8);
COMP_VA_SAME(sizeof(VADRMPRIMESurfaceDescriptor), 312);
COMP_VA_SAME(offsetof(VADRMPRIMESurfaceDescriptor, objects), 16);
COMP_VA_SAME(offsetof(VADRMPRIMESurfaceDescriptor, objects[0].drm_format_modifier), 24);
COMP_VA_SAME(offsetof(VADRMPRIMESurfaceDescriptor, num_layers), 80);
COMP_VA_SAME(offsetof(VADRMPRIMESurfaceDescriptor, layers), 84);
COMP_VA_SAME(offsetof(VADRMPRIMESurfaceDescriptor, layers[1]), 140);



size_t comp_va_layout(const char *what) {
#define COMP_VA_LAYOUT(name, expr) if (strcmp(what, name) == 0) return (expr)
	COMP_VA_LAYOUT("sizeof VAConfigAttrib", sizeof(VAConfigAttrib));
	COMP_VA_LAYOUT("sizeof VADRMPRIMESurfaceDescriptor", sizeof(VADRMPRIMESurfaceDescriptor));
	COMP_VA_LAYOUT("offsetof VADRMPRIMESurfaceDescriptor.objects",
		offsetof(VADRMPRIMESurfaceDescriptor, objects));
	COMP_VA_LAYOUT("offsetof VADRMPRIMESurfaceDescriptor.num_layers",
		offsetof(VADRMPRIMESurfaceDescriptor, num_layers));
	COMP_VA_LAYOUT("offsetof VADRMPRIMESurfaceDescriptor.layers",
		offsetof(VADRMPRIMESurfaceDescriptor, layers));
	COMP_VA_LAYOUT("sizeof VASurfaceAttrib", sizeof(VASurfaceAttrib));
	COMP_VA_LAYOUT("sizeof VAEncSequenceParameterBufferH264",
		sizeof(VAEncSequenceParameterBufferH264));
	COMP_VA_LAYOUT("sizeof VAEncPictureParameterBufferH264",
		sizeof(VAEncPictureParameterBufferH264));
	COMP_VA_LAYOUT("sizeof VAEncSliceParameterBufferH264",
		sizeof(VAEncSliceParameterBufferH264));
	COMP_VA_LAYOUT("sizeof VAProcPipelineParameterBuffer",
		sizeof(VAProcPipelineParameterBuffer));
	return (size_t)-1;
#undef COMP_VA_LAYOUT
}

VAStatus comp_va_import_dmabuf(VADisplay dpy, const comp_rec_dmabuf *d, uint32_t va_fourcc,
		VASurfaceID *surface) {
	VADRMPRIMESurfaceDescriptor desc;
	memset(&desc, 0, sizeof(desc));
	desc.fourcc = va_fourcc;
	desc.width = (uint32_t)d->width;
	desc.height = (uint32_t)d->height;
	desc.num_objects = 1; /* wlroots' output buffers: one object, planes by offset */
	desc.objects[0].fd = d->fd[0];
	desc.objects[0].size = 0; /* let the driver query it */
	desc.objects[0].drm_format_modifier = d->modifier;
	desc.num_layers = 1;
	desc.layers[0].drm_format = d->format;
	desc.layers[0].num_planes = (uint32_t)d->n_planes;
	for (int i = 0; i < d->n_planes && i < 4; i++) {
		desc.layers[0].object_index[i] = 0;
		desc.layers[0].offset[i] = d->offset[i];
		desc.layers[0].pitch[i] = d->stride[i];
	}
	VASurfaceAttrib attribs[2] = {
		{.type = VASurfaceAttribMemoryType, .flags = VA_SURFACE_ATTRIB_SETTABLE,
			.value = {.type = VAGenericValueTypeInteger,
				.value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2}},
		{.type = VASurfaceAttribExternalBufferDescriptor,
			.flags = VA_SURFACE_ATTRIB_SETTABLE,
			.value = {.type = VAGenericValueTypePointer, .value.p = &desc}},
	};
	return vaCreateSurfaces(dpy, VA_RT_FORMAT_RGB32, desc.width, desc.height, surface, 1,
		attribs, 2);
}

static VAStatus comp_va_buffer(VADisplay dpy, VAContextID ctx, VABufferType type,
		unsigned int size, void *data, VABufferID *out) {
	return vaCreateBuffer(dpy, ctx, type, size, 1, data, out);
}

VAStatus comp_va_h264_seq_buffer(VADisplay dpy, VAContextID ctx, const comp_va_h264_seq *s,
		VABufferID *out) {
	VAEncSequenceParameterBufferH264 p;
	memset(&p, 0, sizeof(p));
	uint32_t wmbs = (s->width + 15) / 16, hmbs = (s->height + 15) / 16;
	p.seq_parameter_set_id = 0;
	p.level_idc = (uint8_t)s->level_idc;
	p.intra_period = s->intra_period;
	p.intra_idr_period = s->intra_period;
	p.ip_period = 1; /* no B frames */
	p.bits_per_second = s->bits_per_second;
	p.max_num_ref_frames = s->max_num_ref_frames;
	p.picture_width_in_mbs = (uint16_t)wmbs;
	p.picture_height_in_mbs = (uint16_t)hmbs;
	p.seq_fields.bits.chroma_format_idc = 1;
	p.seq_fields.bits.frame_mbs_only_flag = 1;
	p.seq_fields.bits.direct_8x8_inference_flag = 1;
	p.seq_fields.bits.log2_max_frame_num_minus4 = s->log2_max_frame_num - 4;
	p.seq_fields.bits.pic_order_cnt_type = 0;
	p.seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 = s->log2_max_poc_lsb - 4;
	if (wmbs * 16 != s->width || hmbs * 16 != s->height) {
		p.frame_cropping_flag = 1;
		p.frame_crop_right_offset = (wmbs * 16 - s->width) / 2;
		p.frame_crop_bottom_offset = (hmbs * 16 - s->height) / 2;
	}
	p.vui_parameters_present_flag = 0; /* the packed SPS carries the VUI */
	return comp_va_buffer(dpy, ctx, VAEncSequenceParameterBufferType, sizeof(p), &p, out);
}

VAStatus comp_va_h264_pic_buffer(VADisplay dpy, VAContextID ctx, const comp_va_h264_pic *c,
		VABufferID *out) {
	VAEncPictureParameterBufferH264 p;
	memset(&p, 0, sizeof(p));
	p.CurrPic.picture_id = c->current;
	p.CurrPic.frame_idx = c->frame_num;
	p.CurrPic.flags = 0;
	p.CurrPic.TopFieldOrderCnt = (int32_t)c->poc;
	p.CurrPic.BottomFieldOrderCnt = (int32_t)c->poc;
	for (int i = 0; i < 16; i++) {
		p.ReferenceFrames[i].picture_id = VA_INVALID_SURFACE;
		p.ReferenceFrames[i].flags = VA_PICTURE_H264_INVALID;
	}
	if (c->reference != VA_INVALID_SURFACE) {
		p.ReferenceFrames[0].picture_id = c->reference;
		p.ReferenceFrames[0].flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
	}
	p.coded_buf = c->coded_buf;
	p.frame_num = (uint16_t)c->frame_num;
	p.pic_init_qp = (uint8_t)c->pic_init_qp;
	p.pic_fields.bits.idr_pic_flag = c->idr;
	p.pic_fields.bits.reference_pic_flag = 1;
	p.pic_fields.bits.entropy_coding_mode_flag = c->cabac;
	p.pic_fields.bits.transform_8x8_mode_flag = c->transform_8x8;
	p.pic_fields.bits.deblocking_filter_control_present_flag = 1;
	return comp_va_buffer(dpy, ctx, VAEncPictureParameterBufferType, sizeof(p), &p, out);
}

VAStatus comp_va_h264_slice_buffer(VADisplay dpy, VAContextID ctx,
		const comp_va_h264_slice *s, VABufferID *out) {
	VAEncSliceParameterBufferH264 p;
	memset(&p, 0, sizeof(p));
	p.macroblock_address = 0;
	p.num_macroblocks = s->num_mbs;
	p.macroblock_info = VA_INVALID_ID;
	p.slice_type = (uint8_t)s->slice_type;
	p.idr_pic_id = (uint16_t)s->idr_pic_id;
	p.pic_order_cnt_lsb = (uint16_t)s->poc;
	for (int i = 0; i < 32; i++) {
		p.RefPicList0[i].picture_id = VA_INVALID_SURFACE;
		p.RefPicList0[i].flags = VA_PICTURE_H264_INVALID;
		p.RefPicList1[i].picture_id = VA_INVALID_SURFACE;
		p.RefPicList1[i].flags = VA_PICTURE_H264_INVALID;
	}
	if (s->slice_type == 0 && s->reference != VA_INVALID_SURFACE) {
		p.RefPicList0[0].picture_id = s->reference;
		p.RefPicList0[0].frame_idx = s->reference_frame_num;
		p.RefPicList0[0].flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
		p.RefPicList0[0].TopFieldOrderCnt = (int32_t)s->reference_poc;
		p.RefPicList0[0].BottomFieldOrderCnt = (int32_t)s->reference_poc;
	}
	p.slice_qp_delta = (int8_t)s->qp_delta;
	p.disable_deblocking_filter_idc = (uint8_t)s->disable_deblocking;
	return comp_va_buffer(dpy, ctx, VAEncSliceParameterBufferType, sizeof(p), &p, out);
}

VAStatus comp_va_packed_header(VADisplay dpy, VAContextID ctx, uint32_t type,
		const uint8_t *data, uint32_t bit_length, VABufferID out[2]) {
	VAEncPackedHeaderParameterBuffer param = {
		.type = type, .bit_length = bit_length, .has_emulation_bytes = 0};
	VAStatus st = comp_va_buffer(dpy, ctx, VAEncPackedHeaderParameterBufferType,
		sizeof(param), &param, &out[0]);
	if (st != VA_STATUS_SUCCESS) {
		return st;
	}
	st = comp_va_buffer(dpy, ctx, VAEncPackedHeaderDataBufferType, (bit_length + 7) / 8,
		(void *)data, &out[1]);
	if (st != VA_STATUS_SUCCESS) {
		vaDestroyBuffer(dpy, out[0]);
	}
	return st;
}

VAStatus comp_va_rate_control_buffer(VADisplay dpy, VAContextID ctx, uint32_t bits_per_second,
		VABufferID *out) {
	struct {
		VAEncMiscParameterBuffer header;
		VAEncMiscParameterRateControl rc;
	} misc;
	memset(&misc, 0, sizeof(misc));
	misc.header.type = VAEncMiscParameterTypeRateControl;
	misc.rc.bits_per_second = bits_per_second;
	misc.rc.target_percentage = 90;
	misc.rc.window_size = 1000;
	return comp_va_buffer(dpy, ctx, VAEncMiscParameterBufferType, sizeof(misc), &misc, out);
}

VAStatus comp_va_coded_buffer(VADisplay dpy, VAContextID ctx, uint32_t size, VABufferID *out) {
	return vaCreateBuffer(dpy, ctx, VAEncCodedBufferType, size, 1, NULL, out);
}

VAStatus comp_va_submit(VADisplay dpy, VAContextID ctx, VASurfaceID target,
		VABufferID *buffers, int count) {
	VAStatus st = vaBeginPicture(dpy, ctx, target);
	if (st != VA_STATUS_SUCCESS) {
		return st;
	}
	st = vaRenderPicture(dpy, ctx, buffers, count);
	VAStatus end = vaEndPicture(dpy, ctx);
	return st != VA_STATUS_SUCCESS ? st : end;
}

VAStatus comp_va_vpp_convert(VADisplay dpy, VAContextID ctx, VASurfaceID src, VASurfaceID dst) {
	VAProcPipelineParameterBuffer p;
	memset(&p, 0, sizeof(p));
	p.surface = src;
	p.surface_color_standard = VAProcColorStandardSRGB;
	p.output_color_standard = VAProcColorStandardBT709;
	p.input_color_properties.color_range = VA_SOURCE_RANGE_FULL;
	p.output_color_properties.color_range = VA_SOURCE_RANGE_REDUCED;
	p.output_color_properties.colour_primaries = 1;
	p.output_color_properties.transfer_characteristics = 1;
	p.output_color_properties.matrix_coefficients = 1;
	p.output_background_color = 0xff000000;
	VABufferID buf;
	VAStatus st = comp_va_buffer(dpy, ctx, VAProcPipelineParameterBufferType, sizeof(p), &p,
		&buf);
	if (st != VA_STATUS_SUCCESS) {
		return st;
	}
	st = comp_va_submit(dpy, ctx, dst, &buf, 1);
	vaDestroyBuffer(dpy, buf);
	return st;
}

VAStatus comp_va_read_coded(VADisplay dpy, VABufferID buf, uint8_t *dst, size_t cap,
		size_t *length) {
	VACodedBufferSegment *segment;
	VAStatus st = vaMapBuffer(dpy, buf, (void **)&segment);
	if (st != VA_STATUS_SUCCESS) {
		return st;
	}
	size_t total = 0;
	for (; segment != NULL; segment = segment->next) {
		if (total + segment->size <= cap) {
			memcpy(dst + total, segment->buf, segment->size);
		}
		total += segment->size;
	}
	*length = total;
	return vaUnmapBuffer(dpy, buf);
}
