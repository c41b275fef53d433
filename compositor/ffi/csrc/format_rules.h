/* Formats and modifiers refused to a client (--refuse-format, --refuse-modifier, the
 * configuration's client_limits(refuse_formats=..., refuse_modifiers=...)), so that its
 * fall-back paths can be exercised. csrc/format_rules.c.
 *
 * linux-dmabuf: wlroots 0.15's wlr_linux_dmabuf_v1 sends the formats of its renderer at bind
 * (format/modifier events, or v4's feedback table, compiled when it is created) and checks
 * each buffer by importing it on that renderer. A format filter is a second
 * zwp_linux_dmabuf_v1 global made on a small wlr_renderer of ours in front of the real one:
 * its dma-buf format set is the real one less the refused formats and modifiers, its
 * texture_from_buffer refuses a buffer of a refused format or modifier (the client gets the
 * protocol's answer: params.failed, or create_immed's invalid_wl_buffer error) and hands
 * every other to the real renderer; its DRM fd is the real one's (v4's main device). The
 * display's global filter shows a client given a filter that global and no other
 * zwp_linux_dmabuf_v1; other clients never see a rule's global. wl_drm (Python) asks
 * comp_format_rules_client for the formats it must not offer or accept. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct wl_client;
struct wl_display;
struct wlr_renderer;
struct wlr_linux_dmabuf_v1;
struct comp_format_filter;

/* A linux-dmabuf global on `real`'s formats less the refused ones. for_rule: only clients
 * given it (comp_format_rules_client_set) see it; else it is the compositor's own (the
 * options: every client not given another sees it). NULL when nothing would be left (*left
 * is then 0) or out of memory. Freed with the display or the real renderer, whichever goes
 * first; the wlr_linux_dmabuf_v1 with it. */
struct comp_format_filter *comp_format_filter_create(struct wl_display *display,
	struct wlr_renderer *real, const uint32_t *formats, size_t n_formats,
	const uint64_t *modifiers, size_t n_modifiers, bool for_rule, size_t *left);
struct wlr_linux_dmabuf_v1 *comp_format_filter_linux_dmabuf(struct comp_format_filter *filter);
/* Format and modifier pairs it offers; buffers it refused since it was made. */
void comp_format_filter_counts(struct comp_format_filter *filter, uint64_t *pairs,
	uint64_t *refused);

/* What is refused to one client, valid while it is connected. */
typedef struct {
	const uint32_t *formats;
	size_t n_formats;
	const uint64_t *modifiers;
	size_t n_modifiers;
	bool filtered;        /* it is shown a format filter's linux-dmabuf global */
} comp_format_rules_info;

/* Refuse these to a client (a rule's, at connection): `filter`, when not NULL, is the only
 * linux-dmabuf global it sees; when NULL it sees none of a filter's. Replaces what it had.
 * false: out of memory (nothing refused). */
bool comp_format_rules_client_set(struct wl_client *client, const uint32_t *formats,
	size_t n_formats, const uint64_t *modifiers, size_t n_modifiers,
	struct comp_format_filter *filter);
/* false: nothing refused to it by rule. */
bool comp_format_rules_client(struct wl_client *client, comp_format_rules_info *out);
/* Clients with refusals and filters alive (nothing held past a client or the display). */
void comp_format_rules_totals(uint64_t *clients, uint64_t *filters);
