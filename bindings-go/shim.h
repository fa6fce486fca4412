/* The C side of the Go binding: one shim per net.h call that the
 * package makes.
 *
 * net.h records a failure's kind and message in thread-local storage, but
 * a goroutine can move to another OS thread between two cgo calls, so Go
 * must never read that pair in a separate call. Each shim makes the net_*
 * call and, when it fails, copies the pair into one malloc'd block inside
 * the SAME C call. Results come back by value, so Go passes no output
 * pointers and nothing escapes to the Go heap on the hot paths. */
#ifndef NET_GO_SHIM_H
#define NET_GO_SHIM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

/* NULL on success; otherwise "kind\0message\0" in one malloc block the Go
 * side frees (NULL as well if even that allocation failed). */
static inline char *netgo_take_error(int code) {
    if (code >= 0) return NULL;
    const char *kind = net_last_error_kind();
    const char *msg = net_last_error_message();
    if (kind == NULL) kind = "unknown";
    if (msg == NULL) msg = "";
    size_t kl = strlen(kind), ml = strlen(msg);
    char *block = malloc(kl + ml + 2);
    if (block != NULL) {
        memcpy(block, kind, kl + 1);
        memcpy(block + kl + 1, msg, ml + 1);
    }
    return block;
}

/* A status (0 or a count) or a negative code plus its error. */
typedef struct {
    int code;
    char *err;
} netgo_status;

static inline netgo_status netgo_status_of(int code) {
    netgo_status s = {code, netgo_take_error(code)};
    return s;
}

/* A constructor's result: the pointer, or NULL plus its error. */
typedef struct {
    void *ptr;
    char *err;
} netgo_ptr;

static inline netgo_ptr netgo_ptr_of(void *ptr) {
    netgo_ptr p = {ptr, ptr == NULL ? netgo_take_error(-1) : NULL};
    return p;
}

/* ---- node ----
 *
 * Node handles cross to Go as integers (uintptr_t), never as pointers:
 * libnet's handles are slot numbers, not addresses, and a Go variable of
 * pointer type holding a number that happens to fall inside the Go heap
 * would confuse the garbage collector. */

#define NETGO_H(h) ((net_handle_t)(h))

typedef struct {
    uintptr_t handle;
    char *err;
} netgo_node;

static inline netgo_node netgo_init(const char *config) {
    net_handle_t h = net_init(config);
    netgo_node r = {(uintptr_t)h, h == NULL ? netgo_take_error(-1) : NULL};
    return r;
}
static inline netgo_status netgo_shutdown(uintptr_t h) { return netgo_status_of(net_shutdown(NETGO_H(h))); }
static inline netgo_status netgo_flush(uintptr_t h) { return netgo_status_of(net_flush(NETGO_H(h))); }
static inline uint16_t netgo_num_shards(uintptr_t h) { return net_num_shards(NETGO_H(h)); }

static inline netgo_status netgo_stats(uintptr_t h, char *buf, size_t len) {
    return netgo_status_of(net_stats(NETGO_H(h), buf, len));
}

/* ---- ingestion ---- */

/* EmitRaw's result. Go passes a pointer to one on its stack (`#cgo
 * noescape`), and the struct holds no pointer-typed field — the error
 * block's address is an integer — so cgo neither moves it to the heap nor
 * checks it. Go then reads the fields one by one, which is cheaper than
 * copying a returned struct through cgo's frames. */
typedef struct {
    uint64_t timestamp;
    uint64_t sequence;
    uintptr_t err; /* a netgo_take_error block, or 0 */
    uint16_t shard;
    uint8_t dropped;
} netgo_receipt;

/* `raw` is the address of a Go []byte's bytes (no Go pointers inside),
 * passed as an integer so cgo neither checks nor boxes it; the Go caller
 * keeps it alive and on the heap for the call (see ingest.go). */
static inline int netgo_ingest_raw(uintptr_t h, uintptr_t raw, size_t len, netgo_receipt *out) {
    net_receipt_t r;
    int code = net_ingest_raw_ex(NETGO_H(h), (const char *)raw, len, &r);
    if (code < 0) {
        out->err = (uintptr_t)netgo_take_error(code);
        return code;
    }
    out->timestamp = r.timestamp;
    out->sequence = r.sequence;
    out->shard = r.shard_id;
    out->dropped = r.dropped;
    return code;
}

/* The error block at an address netgo_receipt carried. */
static inline char *netgo_error_block(uintptr_t err) { return (char *)err; }

static inline netgo_status netgo_ingest_json(uintptr_t h, uintptr_t raw, size_t len) {
    return netgo_status_of(net_ingest(NETGO_H(h), (const char *)raw, len));
}

/* Go's []byte header, as laid out in memory by the Go runtime. */
typedef struct {
    const char *data;
    ptrdiff_t len;
    ptrdiff_t cap;
} netgo_slice;

enum { NETGO_STACK_BATCH = 256 };

/* Ingest `count` Go slices laid out back to back at `slices` (a [][]byte's
 * backing array). net.h wants separate pointer and length arrays: small
 * batches build them on the C stack, big ones in one malloc block — C
 * memory either way, so the Go side allocates nothing. */
static inline netgo_status netgo_ingest_raw_batch(uintptr_t h, uintptr_t slices, size_t count) {
    const netgo_slice *s = (const netgo_slice *)slices;
    const char *stack_ptrs[NETGO_STACK_BATCH];
    size_t stack_lens[NETGO_STACK_BATCH];
    const char **ptrs = stack_ptrs;
    size_t *lens = stack_lens;
    void *block = NULL;
    if (count > NETGO_STACK_BATCH) {
        block = malloc(count * (sizeof *ptrs + sizeof *lens));
        if (block == NULL) {
            netgo_status s = {NET_ERR_UNKNOWN, NULL};
            return s;
        }
        ptrs = (const char **)block;
        lens = (size_t *)(ptrs + count);
    }
    for (size_t i = 0; i < count; i++) {
        ptrs[i] = s[i].data;
        lens[i] = (size_t)s[i].len;
    }
    netgo_status r = netgo_status_of(net_ingest_raw_batch(NETGO_H(h), ptrs, lens, count));
    free(block);
    return r;
}

/* ---- consumption ---- */

typedef struct {
    int code;
    net_poll_result_t result;
    char *err;
} netgo_events;

static inline netgo_events netgo_poll(uintptr_t h, size_t limit, const char *cursor) {
    netgo_events r;
    r.code = net_poll_ex(NETGO_H(h), limit, cursor, &r.result);
    r.err = netgo_take_error(r.code);
    return r;
}

static inline netgo_ptr netgo_subscribe(uintptr_t h, const char *cursor, int from_beginning, size_t batch) {
    return netgo_ptr_of(net_subscribe(NETGO_H(h), cursor, from_beginning, batch));
}

static inline netgo_events netgo_subscription_next(net_subscription_t *sub, size_t max, uint64_t timeout_ms) {
    netgo_events r;
    r.code = net_subscription_next(sub, max, timeout_ms, &r.result);
    r.err = netgo_take_error(r.code);
    return r;
}

/* ---- identities ---- */

static inline netgo_ptr netgo_identity_generate(void) { return netgo_ptr_of(net_identity_generate()); }

static inline netgo_ptr netgo_identity_from_seed(const uint8_t *seed, size_t len) {
    return netgo_ptr_of(net_identity_from_seed(seed, len));
}

/* The public parts of an identity, fetched in one call. */
typedef struct {
    int code;
    uint8_t entity_id[NET_ENTITY_ID_LEN];
    uint64_t node_id;
    uint64_t origin_hash;
    char *err;
} netgo_public;

static inline netgo_public netgo_identity_public(const net_identity_t *id) {
    netgo_public r;
    r.code = net_identity_entity_id(id, r.entity_id, sizeof r.entity_id);
    if (r.code == 0) r.code = net_identity_node_id(id, &r.node_id);
    if (r.code == 0) r.code = net_identity_origin_hash(id, &r.origin_hash);
    r.err = netgo_take_error(r.code);
    return r;
}

static inline netgo_status netgo_identity_to_seed(const net_identity_t *id, uint8_t *out, size_t len) {
    return netgo_status_of(net_identity_to_seed(id, out, len));
}

static inline netgo_status netgo_identity_sign(const net_identity_t *id, const uint8_t *msg, size_t msg_len,
                                               uint8_t *sig, size_t sig_len) {
    return netgo_status_of(net_identity_sign(id, msg, msg_len, sig, sig_len));
}

static inline netgo_status netgo_verify_signature(const uint8_t *entity, size_t entity_len, const uint8_t *msg,
                                                  size_t msg_len, const uint8_t *sig, size_t sig_len) {
    return netgo_status_of(net_verify_signature(entity, entity_len, msg, msg_len, sig, sig_len));
}

typedef struct {
    int code;
    uint64_t value;
    char *err;
} netgo_u64;

static inline netgo_u64 netgo_entity_node_id(const uint8_t *entity, size_t len) {
    netgo_u64 r;
    r.code = net_entity_node_id(entity, len, &r.value);
    r.err = netgo_take_error(r.code);
    return r;
}

/* ---- channels ---- */

typedef struct {
    int code;
    uint32_t hash;
    uint16_t wire_hash;
    char *err;
} netgo_channel;

static inline netgo_channel netgo_channel_hash(const char *name, size_t len) {
    netgo_channel r;
    r.code = net_channel_hash(name, len, &r.hash, &r.wire_hash);
    r.err = netgo_take_error(r.code);
    return r;
}

/* ---- tokens ---- */

static inline netgo_status netgo_issue_token(const net_identity_t *issuer, const uint8_t *subject, size_t subject_len,
                                             uint32_t scope, const char *channel, size_t channel_len, uint64_t ttl,
                                             uint8_t depth, uint8_t *out, size_t out_len) {
    return netgo_status_of(
        net_identity_issue_token(issuer, subject, subject_len, scope, channel, channel_len, ttl, depth, out, out_len));
}

static inline netgo_status netgo_issue_token_at(const net_identity_t *issuer, const uint8_t *subject,
                                                size_t subject_len, uint32_t scope, uint32_t channel_hash,
                                                uint64_t not_before, uint64_t not_after, uint8_t depth,
                                                uint64_t nonce, uint8_t *out, size_t out_len) {
    return netgo_status_of(net_identity_issue_token_at(issuer, subject, subject_len, scope, channel_hash, not_before,
                                                       not_after, depth, nonce, out, out_len));
}

static inline netgo_status netgo_delegate_token(const net_identity_t *holder, const uint8_t *parent,
                                                size_t parent_len, const uint8_t *subject, size_t subject_len,
                                                uint32_t scope, uint64_t ttl, uint8_t *out, size_t out_len) {
    return netgo_status_of(
        net_identity_delegate_token(holder, parent, parent_len, subject, subject_len, scope, ttl, out, out_len));
}

typedef struct {
    int code;
    net_token_info_t info;
    char *err;
} netgo_token_info;

static inline netgo_token_info netgo_token_parse(const uint8_t *token, size_t len) {
    netgo_token_info r;
    r.code = net_token_parse(token, len, &r.info);
    r.err = netgo_take_error(r.code);
    return r;
}

static inline netgo_status netgo_token_verify(const uint8_t *token, size_t len) {
    return netgo_status_of(net_token_verify(token, len));
}

static inline netgo_status netgo_token_verify_at(const uint8_t *token, size_t len, uint64_t now) {
    return netgo_status_of(net_token_verify_at(token, len, now));
}

static inline netgo_status netgo_token_verify_chain(const uint8_t *tokens, size_t count, uint64_t now) {
    return netgo_status_of(net_token_verify_chain(tokens, count, now));
}

#endif /* NET_GO_SHIM_H */
