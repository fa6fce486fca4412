/* The C side of the Go binding's capabilities: one shim per net_predicate_*,
 * net_capabilities_* and net_mesh_* capability call, under the rules of
 * shim.h — each shim copies a failure's kind and message in the SAME C call,
 * and node handles cross to Go as integers.
 *
 * Go pointers reach these shims only as call arguments (JSON text, id
 * buffers, stats structs, raw bytes); C keeps none of them after returning. */
#ifndef NET_GO_CAPABILITIES_SHIM_H
#define NET_GO_CAPABILITIES_SHIM_H

#include "shim.h"

#define NETGO_CAP_MESH(h) ((net_mesh_t *)(h))

/* A status (or count, or verdict) plus a library string released with
 * net_free_string. */
typedef struct {
    int code;
    char *text;
    char *err;
} netgo_cap_text;

static inline netgo_cap_text netgo_cap_text_of(int code, char *text) {
    netgo_cap_text r = {code, text, netgo_take_error(code)};
    return r;
}

/* ---- caller-local: predicates, validation, diff, normalization ---- */

static inline netgo_status netgo_predicate_evaluate(const char *pred, size_t pred_len, const char *caps,
                                                    size_t caps_len) {
    return netgo_status_of(net_predicate_evaluate(pred, pred_len, caps, caps_len));
}

static inline netgo_cap_text netgo_predicate_evaluate_with_trace(const char *pred, size_t pred_len, const char *caps,
                                                                 size_t caps_len) {
    char *out = NULL;
    int code = net_predicate_evaluate_with_trace(pred, pred_len, caps, caps_len, &out);
    return netgo_cap_text_of(code, out);
}

static inline netgo_cap_text netgo_predicate_to_header(const char *pred, size_t pred_len) {
    char *out = NULL;
    int code = net_predicate_to_header(pred, pred_len, &out);
    return netgo_cap_text_of(code, out);
}

static inline netgo_cap_text netgo_predicate_from_header(const uint8_t *value, size_t len) {
    char *out = NULL;
    int code = net_predicate_from_header(value, len, &out);
    return netgo_cap_text_of(code, out);
}

static inline netgo_cap_text netgo_capabilities_validate(const char *caps, size_t len) {
    char *out = NULL;
    int code = net_capabilities_validate(caps, len, &out);
    return netgo_cap_text_of(code, out);
}

static inline netgo_cap_text netgo_capabilities_diff(const char *prev, size_t prev_len, const char *next,
                                                     size_t next_len) {
    char *out = NULL;
    int code = net_capabilities_diff(prev, prev_len, next, next_len, &out);
    return netgo_cap_text_of(code, out);
}

static inline netgo_cap_text netgo_capabilities_normalize(const char *caps, size_t len) {
    char *out = NULL;
    int code = net_capabilities_normalize(caps, len, &out);
    return netgo_cap_text_of(code, out);
}

/* ---- on a mesh node ---- */

static inline netgo_status netgo_mesh_announce_capabilities(uintptr_t m, const char *caps, size_t len) {
    return netgo_status_of(net_mesh_announce_capabilities(NETGO_CAP_MESH(m), caps, len));
}

/* Matching ids into out (room for cap); the code is how many match in all. */
static inline netgo_status netgo_mesh_find_nodes(uintptr_t m, const char *filter, size_t filter_len,
                                                 const char *scope, size_t scope_len, uint64_t *out, size_t cap) {
    if (scope == NULL) {
        return netgo_status_of(net_mesh_find_nodes(NETGO_CAP_MESH(m), filter, filter_len, out, cap));
    }
    return netgo_status_of(
        net_mesh_find_nodes_scoped(NETGO_CAP_MESH(m), filter, filter_len, scope, scope_len, out, cap));
}

static inline netgo_status netgo_mesh_find_best_node_scoped(uintptr_t m, const char *filter, size_t filter_len,
                                                            const char *scope, size_t scope_len, uint64_t *out) {
    return netgo_status_of(
        net_mesh_find_best_node_scoped(NETGO_CAP_MESH(m), filter, filter_len, scope, scope_len, out));
}

static inline netgo_cap_text netgo_mesh_capabilities_of(uintptr_t m, uint64_t node) {
    char *out = NULL;
    int code = net_mesh_capabilities_of(NETGO_CAP_MESH(m), node, &out);
    return netgo_cap_text_of(code, out);
}

static inline netgo_status netgo_mesh_capability_stats(uintptr_t m, net_capability_stats_t *out) {
    return netgo_status_of(net_mesh_capability_stats(NETGO_CAP_MESH(m), out));
}

static inline netgo_status netgo_mesh_send_capability_bytes(uintptr_t m, uint64_t peer, const uint8_t *bytes,
                                                            size_t len) {
    return netgo_status_of(net_mesh_send_capability_bytes(NETGO_CAP_MESH(m), peer, bytes, len));
}

#endif
