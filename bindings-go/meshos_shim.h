/* The C side of the Go binding's MeshOS daemon surface: one shim per
 * net_meshos.h / net.h daemon call the package makes.
 *
 * Two thread-local error pairs are involved: net_meshos.h's own (the
 * net_meshos_* calls) and net.h's (the net_daemon_* calls). As in shim.h,
 * each shim copies the right pair in the SAME C call that failed, since a
 * goroutine may change OS threads between two cgo calls. Handles cross as
 * uintptr_t, and so does the daemon's cgo.Handle (user_ctx), so Go never
 * turns an integer into an unsafe.Pointer. */
#ifndef NET_GO_MESHOS_SHIM_H
#define NET_GO_MESHOS_SHIM_H

#include "net_meshos.h"
#include "shim.h"

#define NETGO_SDK(h) ((NetMeshOsSdk *)(h))
#define NETGO_DH(h) ((NetMeshOsHandle *)(h))

/* The vtable whose callbacks are the Go exports (meshos_bridge.c), with the
 * optional ones left NULL unless `mask` has their bit: a daemon that has no
 * Snapshot method is stateless to the runtime, not one with empty state. */
#define NETGO_VT_SNAPSHOT 1
#define NETGO_VT_RESTORE 2
#define NETGO_VT_CONTROL 4
#define NETGO_VT_HEALTH 8
#define NETGO_VT_SATURATION 16
NetMeshOsDaemonVtable netgo_meshos_vtable(int mask);

static inline char *netgo_meshos_error(int code) {
    if (code == NET_MESHOS_OK) return NULL;
    const char *kind = net_meshos_last_error_kind();
    const char *msg = net_meshos_last_error_message();
    return netgo_error_text(kind != NULL ? kind : "unknown", msg != NULL ? msg : "");
}

static inline netgo_status netgo_meshos_status(int code) {
    netgo_status s = {code, netgo_meshos_error(code)};
    return s;
}

/* A status plus a malloc'd string (JSON) Go frees. */
typedef struct {
    int code;
    char *json;
    char *err;
} netgo_mtext;

/* A constructor's result: the handle, or 0 plus its error. */
typedef struct {
    uintptr_t handle;
    uint64_t id;
    char *err;
} netgo_mhandle;

/* ---- SDK ---- */

static inline netgo_mhandle netgo_meshos_sdk_start(uint64_t node, uint64_t tick_ms, size_t events, size_t actions,
                                                   size_t control) {
    netgo_mhandle r = {0, 0, NULL};
    NetMeshOsSdk *sdk = NULL;
    int code = net_meshos_sdk_start(node, tick_ms, events, actions, control, &sdk);
    if (code != NET_MESHOS_OK) {
        r.err = netgo_meshos_error(code);
        return r;
    }
    r.handle = (uintptr_t)sdk;
    return r;
}

/* On a mesh: a net.h call, so net.h's error pair. */
static inline netgo_mhandle netgo_meshos_sdk_start_on_mesh(uintptr_t mesh, uint64_t tick_ms, size_t events,
                                                           size_t actions, size_t control) {
    netgo_mhandle r = {0, 0, NULL};
    NetMeshOsSdk *sdk = NULL;
    int code = net_daemon_sdk_start_on_mesh((net_mesh_t *)mesh, tick_ms, events, actions, control, &sdk);
    if (code != 0) {
        r.err = netgo_take_error(code);
        return r;
    }
    r.handle = (uintptr_t)sdk;
    return r;
}

static inline netgo_status netgo_meshos_sdk_shutdown(uintptr_t sdk) {
    return netgo_meshos_status(net_meshos_sdk_shutdown(NETGO_SDK(sdk)));
}
static inline void netgo_meshos_sdk_free(uintptr_t sdk) { net_meshos_sdk_free(NETGO_SDK(sdk)); }
static inline uint64_t netgo_meshos_dropped(uintptr_t sdk) { return net_meshos_sdk_dropped_control_events(NETGO_SDK(sdk)); }

/* ---- registration ---- */

/* Registration with options (JSON, NULL / 0 for none) through net.h's
 * net_daemon_register, which reports on net_meshos.h's pair. */
static inline netgo_mhandle netgo_meshos_register(uintptr_t sdk, const char *name, size_t name_len, const uint8_t *seed,
                                                  int mask, uintptr_t ctx, const char *opts, size_t opts_len) {
    netgo_mhandle r = {0, 0, NULL};
    NetMeshOsDaemonVtable vt = netgo_meshos_vtable(mask);
    NetMeshOsHandle *h = NULL;
    int code = net_daemon_register(NETGO_SDK(sdk), name, name_len, seed, &vt, (void *)ctx, opts, opts_len, &h);
    if (code != NET_MESHOS_OK) {
        r.err = netgo_meshos_error(code);
        return r;
    }
    r.handle = (uintptr_t)h;
    r.id = net_meshos_handle_daemon_id(h);
    return r;
}

static inline void netgo_meshos_handle_free(uintptr_t h) { net_meshos_handle_free(NETGO_DH(h)); }

/* ---- the daemon's own side ---- */

typedef struct {
    int code;
    NetMeshOsDaemonControl control;
    char *err;
} netgo_control;

static inline netgo_control netgo_meshos_next_control(uintptr_t h, uint64_t timeout_ms) {
    netgo_control r;
    memset(&r, 0, sizeof r);
    r.code = net_meshos_next_control(NETGO_DH(h), timeout_ms, &r.control);
    r.err = netgo_meshos_error(r.code);
    return r;
}

static inline netgo_control netgo_meshos_try_next_control(uintptr_t h) {
    netgo_control r;
    memset(&r, 0, sizeof r);
    r.code = net_meshos_try_next_control(NETGO_DH(h), &r.control);
    r.err = netgo_meshos_error(r.code);
    return r;
}

static inline netgo_status netgo_meshos_publish_log(uintptr_t h, int level, const char *msg, size_t len) {
    return netgo_meshos_status(net_meshos_publish_log(NETGO_DH(h), level, msg, len));
}

static inline netgo_status netgo_meshos_graceful_shutdown(uintptr_t h, uint64_t grace_ms) {
    return netgo_meshos_status(net_meshos_graceful_shutdown(NETGO_DH(h), grace_ms));
}

static inline netgo_status netgo_meshos_publish_capabilities(uintptr_t h, const char *json, size_t len) {
    return netgo_meshos_status(net_meshos_publish_capabilities(NETGO_DH(h), json, len));
}

/* Metadata JSON copied into a malloc'd string Go frees, so Go never needs
 * net_meshos_free_string in a second call. */
static inline netgo_mtext netgo_meshos_metadata(uintptr_t h, int refresh) {
    netgo_mtext r = {0, NULL, NULL};
    char *s = refresh ? net_meshos_refresh_metadata(NETGO_DH(h)) : net_meshos_metadata(NETGO_DH(h));
    if (s == NULL) {
        r.code = NET_MESHOS_ERR_CALL_FAILED;
        r.err = netgo_meshos_error(r.code);
        return r;
    }
    r.json = strdup(s);
    net_meshos_free_string(s);
    return r;
}

/* ---- the supervisor's side (net.h) ---- */

/* One delivery: the outputs handle and how many there are; the first
 * output's bytes ride along, since one output per event is the usual case
 * and Go can then copy it without another call. */
typedef struct {
    int code;
    uintptr_t outputs;
    size_t count;
    const uint8_t *first;
    size_t first_len;
    char *err;
} netgo_delivery;

static inline netgo_delivery netgo_daemon_deliver(uintptr_t sdk, uint64_t id, uint64_t origin, uint64_t seq,
                                                  const uint8_t *p, size_t len) {
    netgo_delivery r = {0, 0, 0, NULL, 0, NULL};
    net_daemon_outputs_t *out = NULL;
    r.code = net_daemon_deliver(NETGO_SDK(sdk), id, origin, seq, p, len, &out);
    if (r.code != 0) {
        r.err = netgo_take_error(r.code);
        return r;
    }
    r.outputs = (uintptr_t)out;
    r.count = net_daemon_outputs_count(out);
    if (r.count > 0) net_daemon_outputs_get(out, 0, &r.first, &r.first_len);
    return r;
}

typedef struct {
    const uint8_t *data;
    size_t len;
} netgo_slice;

static inline netgo_slice netgo_daemon_output(uintptr_t outputs, size_t i) {
    netgo_slice s = {NULL, 0};
    net_daemon_outputs_get((const net_daemon_outputs_t *)outputs, i, &s.data, &s.len);
    return s;
}

static inline void netgo_daemon_outputs_free(uintptr_t outputs) { net_daemon_outputs_free((net_daemon_outputs_t *)outputs); }

/* A batch delivery, laid out for Go to read without further calls: every
 * output's bytes (`slices`, pointing into `outputs`) and how many outputs
 * each handled event produced (`counts`). Free with netgo_batch_free. */
typedef struct {
    int code;
    uintptr_t outputs;
    size_t delivered;
    size_t total;
    netgo_slice *slices;
    size_t *counts;
    char *err;
} netgo_batch;

static inline void netgo_batch_free(netgo_batch *b) {
    free(b->slices);
    free(b->counts);
    net_daemon_outputs_free((net_daemon_outputs_t *)b->outputs);
    b->slices = NULL;
    b->counts = NULL;
    b->outputs = 0;
}

static inline netgo_batch netgo_daemon_deliver_batch(uintptr_t sdk, uint64_t id, uint64_t origin, uint64_t first_seq,
                                                     const uint8_t *data, size_t data_len, const size_t *lens,
                                                     size_t count) {
    netgo_batch r = {0, 0, 0, 0, NULL, NULL, NULL};
    net_daemon_outputs_t *out = NULL;
    r.code = net_daemon_deliver_batch(NETGO_SDK(sdk), id, origin, first_seq, data, data_len, lens, count, &out,
                                      &r.delivered);
    r.err = netgo_take_error(r.code);
    r.outputs = (uintptr_t)out;
    if (out == NULL) return r;
    r.total = net_daemon_outputs_count(out);
    /* +1: malloc(0) may return NULL, which reads as a failure below. */
    r.slices = (netgo_slice *)malloc((r.total + 1) * sizeof *r.slices);
    r.counts = (size_t *)malloc((r.delivered + 1) * sizeof *r.counts);
    if (r.slices == NULL || r.counts == NULL) abort(); /* out of memory: fatal, as cgo's C.malloc makes it */
    for (size_t i = 0; i < r.total; i++) net_daemon_outputs_get(out, i, &r.slices[i].data, &r.slices[i].len);
    for (size_t e = 0; e < r.delivered; e++) {
        size_t first = 0;
        net_daemon_outputs_event_range(out, e, &first, &r.counts[e]);
    }
    return r;
}

typedef struct {
    int code;
    uint8_t *data;
    size_t len;
    char *err;
} netgo_bytes;

static inline netgo_bytes netgo_daemon_snapshot(uintptr_t sdk, uint64_t id) {
    netgo_bytes r = {0, NULL, 0, NULL};
    r.code = net_daemon_snapshot(NETGO_SDK(sdk), id, &r.data, &r.len);
    r.err = netgo_take_error(r.code);
    return r;
}

static inline void netgo_daemon_bytes_free(uint8_t *p, size_t len) { net_daemon_bytes_free(p, len); }

static inline netgo_status netgo_daemon_restore(uintptr_t sdk, uint64_t id, const uint8_t *p, size_t len) {
    return netgo_status_of(net_daemon_restore(NETGO_SDK(sdk), id, p, len));
}

typedef struct {
    int code;
    net_daemon_stats_t stats;
    char *err;
} netgo_dstats;

static inline netgo_dstats netgo_daemon_stats(uintptr_t sdk, uint64_t id) {
    netgo_dstats r;
    memset(&r, 0, sizeof r);
    r.code = net_daemon_stats(NETGO_SDK(sdk), id, &r.stats);
    r.err = netgo_take_error(r.code);
    return r;
}

static inline netgo_status netgo_daemon_send_control(uintptr_t sdk, uint64_t id, int kind, uint64_t grace_ms,
                                                     float level) {
    return netgo_status_of(net_daemon_send_control(NETGO_SDK(sdk), id, kind, grace_ms, level));
}

static inline netgo_mtext netgo_daemon_drain_logs(uintptr_t sdk) {
    netgo_mtext r = {0, NULL, NULL};
    char *s = net_daemon_drain_logs(NETGO_SDK(sdk));
    if (s == NULL) {
        r.code = -99;
        r.err = netgo_take_error(r.code);
        return r;
    }
    r.json = strdup(s);
    net_free_string(s);
    return r;
}

#endif
