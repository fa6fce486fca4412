/* The C side of the Go binding's mesh: one shim per net_mesh_* / net_cancel_*
 * call the package makes, under the rules of shim.h — each shim copies a
 * failure's kind and message in the SAME C call, and handles cross to Go
 * as integers (libnet's handles are slot numbers, not addresses).
 *
 * Go pointers reach these shims only as call arguments pointing to memory
 * without Go pointers (message bytes, length arrays, stats structs); C
 * keeps none of them after returning. */
#ifndef NET_GO_MESH_SHIM_H
#define NET_GO_MESH_SHIM_H

#include "shim.h"

#define NETGO_MESH(h) ((net_mesh_t *)(h))
#define NETGO_STREAM(h) ((net_mesh_stream_t *)(h))
#define NETGO_CANCEL(h) ((const net_cancel_t *)(h))

/* ---- cancellation tokens ---- */

static inline uintptr_t netgo_cancel_new(void) { return (uintptr_t)net_cancel_new(); }
static inline void netgo_cancel_trigger(uintptr_t t) { net_cancel_trigger((net_cancel_t *)t); }
static inline void netgo_cancel_free(uintptr_t t) { net_cancel_free((net_cancel_t *)t); }

/* ---- nodes ---- */

/* A new node and the facts about it that never change, in one call. */
typedef struct {
    uintptr_t handle;
    uint64_t node_id;
    uint8_t public_key[NET_MESH_PUBLIC_KEY_LEN];
    uint8_t entity_id[NET_ENTITY_ID_LEN];
    char addr[NET_MESH_ADDR_LEN];
    char *err;
} netgo_mesh;

static inline netgo_mesh netgo_mesh_new(const char *config, const net_identity_t *identity) {
    netgo_mesh r;
    memset(&r, 0, sizeof r);
    net_mesh_t *m = net_mesh_new(config, identity);
    if (m == NULL) {
        r.err = netgo_take_error(-1);
        return r;
    }
    int code = net_mesh_node_id(m, &r.node_id);
    if (code == 0) code = net_mesh_public_key(m, r.public_key, sizeof r.public_key);
    if (code == 0) code = net_mesh_entity_id(m, r.entity_id, sizeof r.entity_id);
    if (code == 0) code = net_mesh_local_addr(m, r.addr, sizeof r.addr);
    if (code < 0) {
        r.err = netgo_take_error(code);
        net_mesh_free(m);
        return r;
    }
    r.handle = (uintptr_t)m;
    return r;
}

static inline netgo_status netgo_mesh_start(uintptr_t m) { return netgo_status_of(net_mesh_start(NETGO_MESH(m))); }
static inline netgo_status netgo_mesh_shutdown(uintptr_t m) { return netgo_status_of(net_mesh_shutdown(NETGO_MESH(m))); }
static inline void netgo_mesh_free(uintptr_t m) { net_mesh_free(NETGO_MESH(m)); }

static inline netgo_status netgo_mesh_stats(uintptr_t m, net_mesh_stats_t *out) {
    return netgo_status_of(net_mesh_stats(NETGO_MESH(m), out));
}

typedef struct {
    int code;
    int state;
    char *err;
} netgo_peer_state;

static inline netgo_peer_state netgo_mesh_peer_state(uintptr_t m, uint64_t peer) {
    netgo_peer_state r;
    r.state = 0;
    r.code = net_mesh_peer_state(NETGO_MESH(m), peer, &r.state);
    r.err = netgo_take_error(r.code);
    return r;
}

static inline netgo_status netgo_mesh_peers(uintptr_t m, net_mesh_peer_t *out, size_t cap) {
    return netgo_status_of(net_mesh_peers(NETGO_MESH(m), out, cap));
}

/* ---- handshakes ---- */

static inline netgo_status netgo_mesh_connect(uintptr_t m, const char *addr, size_t addr_len, const uint8_t *key,
                                              size_t key_len, uint64_t peer, uint32_t timeout_ms, uintptr_t cancel) {
    return netgo_status_of(
        net_mesh_connect_ex(NETGO_MESH(m), addr, addr_len, key, key_len, peer, timeout_ms, NETGO_CANCEL(cancel)));
}

/* accept's result: the peer's address in C memory that Go copies out. */
typedef struct {
    int code;
    char addr[NET_MESH_ADDR_LEN];
    char *err;
} netgo_accepted;

static inline netgo_accepted netgo_mesh_accept(uintptr_t m, uint64_t peer, uint32_t timeout_ms, uintptr_t cancel) {
    netgo_accepted r;
    r.addr[0] = '\0';
    r.code = net_mesh_accept_ex(NETGO_MESH(m), peer, timeout_ms, NETGO_CANCEL(cancel), r.addr, sizeof r.addr);
    r.err = netgo_take_error(r.code);
    return r;
}

/* ---- streams ---- */

typedef struct {
    uintptr_t handle;
    char *err;
} netgo_handle;

static inline netgo_handle netgo_mesh_open_stream(uintptr_t m, uint64_t peer, uint64_t id, int reliability,
                                                  uint32_t window, uint32_t receive_capacity) {
    net_mesh_stream_config_t config = {reliability, window, receive_capacity};
    net_mesh_stream_t *s = net_mesh_open_stream(NETGO_MESH(m), peer, id, &config);
    netgo_handle r = {(uintptr_t)s, s == NULL ? netgo_take_error(-1) : NULL};
    return r;
}

static inline netgo_status netgo_mesh_stream_stats(uintptr_t m, uint64_t peer, uint64_t id,
                                                   net_mesh_stream_stats_t *out) {
    return netgo_status_of(net_mesh_stream_stats(NETGO_MESH(m), peer, id, out));
}

static inline netgo_status netgo_mesh_stream_close(uintptr_t s) {
    return netgo_status_of(net_mesh_stream_close(NETGO_STREAM(s)));
}

static inline void netgo_mesh_stream_free(uintptr_t s) { net_mesh_stream_free(NETGO_STREAM(s)); }

/* ---- sending and receiving ----
 *
 * The hot paths report a failure's error block through `*err` (an integer
 * in a Go variable on the caller's stack) and return the code, so that
 * with `#cgo noescape` nothing of the call moves to the Go heap. */

static inline int netgo_mesh_send(uintptr_t s, const uint8_t *data, size_t len, uintptr_t *err) {
    int code = net_mesh_send(NETGO_STREAM(s), data, len);
    *err = (uintptr_t)netgo_take_error(code);
    return code;
}

static inline int netgo_mesh_send_block(uintptr_t s, const uint8_t *data, size_t data_len, const size_t *lens,
                                        size_t count, uint32_t retries, uintptr_t cancel, uintptr_t *err) {
    int code = net_mesh_send_block(NETGO_STREAM(s), data, data_len, lens, count, retries, NETGO_CANCEL(cancel));
    *err = (uintptr_t)netgo_take_error(code);
    return code;
}

static inline int netgo_mesh_recv_batch(uintptr_t s, uint8_t *buf, size_t buf_len, size_t *lens, size_t max_count,
                                        uint32_t timeout_ms, uintptr_t cancel, uintptr_t *err) {
    int code = net_mesh_recv_batch(NETGO_STREAM(s), buf, buf_len, lens, max_count, timeout_ms, NETGO_CANCEL(cancel));
    *err = (uintptr_t)netgo_take_error(code);
    return code;
}

/* ---- metrics ---- */

/* net_prometheus_text's text (malloc'd, the Go side frees it) or its error. */
typedef struct {
    int code;
    char *text;
    char *err;
} netgo_text;

static inline netgo_text netgo_prometheus_text(uintptr_t node, uintptr_t m) {
    netgo_text r = {0, NULL, NULL};
    r.code = net_prometheus_text(NETGO_H(node), NETGO_MESH(m), &r.text);
    r.err = netgo_take_error(r.code);
    return r;
}

#endif /* NET_GO_MESH_SHIM_H */
