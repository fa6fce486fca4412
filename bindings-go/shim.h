/* The C side of the Go binding: one shim per net.h call that the
 * package makes.
 *
 * net.h records a failure's kind and message in thread-local storage, but
 * a goroutine can move to another OS thread between two cgo calls, so Go
 * must never read that pair in a separate call. Each shim makes the net_*
 * call and, when it fails, copies the pair into one malloc'd block inside
 * the SAME C call. Results mostly come back by value; the few output
 * pointers Go passes point to structs without Go pointers, under
 * `#cgo noescape` (cgo.go), so nothing escapes to the Go heap on the hot
 * paths. */
#ifndef NET_GO_SHIM_H
#define NET_GO_SHIM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

/* An error as "kind\0message\0" in one malloc block the Go side frees
 * (NULL if even that allocation failed). */
static inline char *netgo_error_text(const char *kind, const char *msg) {
    size_t kl = strlen(kind), ml = strlen(msg);
    char *block = malloc(kl + ml + 2);
    if (block != NULL) {
        memcpy(block, kind, kl + 1);
        memcpy(block + kl + 1, msg, ml + 1);
    }
    return block;
}

/* The same for the failure net.h just recorded on this thread. */
static inline char *netgo_take_error(int code) {
    if (code >= 0) return NULL;
    const char *kind = net_last_error_kind();
    const char *msg = net_last_error_message();
    return netgo_error_text(kind != NULL ? kind : "unknown", msg != NULL ? msg : "");
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

/* ---- ingestion ----
 *
 * Every Go pointer reaches C as a call ARGUMENT of type uint8_t* / char*,
 * which cgo pins for the call and does not need to check (the bytes hold
 * no pointers). The Go side declares these functions `#cgo noescape` (C
 * keeps no pointer after returning, so the caller's bytes may stay on its
 * stack) and `#cgo nocallback`. C never reads a Go pointer out of Go
 * memory and never stores one beyond the call. */

/* EmitRaw's result. Go passes a pointer to one on its stack, and the
 * struct holds no pointer-typed field — the error block's address is an
 * integer — so cgo neither moves it to the heap nor checks it. Go then
 * reads the fields one by one, which is cheaper than copying a returned
 * struct through cgo's frames. */
typedef struct {
    uint64_t timestamp;
    uint64_t sequence;
    uintptr_t err; /* a netgo_take_error block, or 0 */
    uint32_t evicted;
    uint16_t shard;
    uint8_t dropped;
} netgo_receipt;

static inline int netgo_ingest_raw(uintptr_t h, const uint8_t *raw, size_t len, netgo_receipt *out) {
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
    out->evicted = r.evicted;
    return code;
}

/* The error block at an address netgo_receipt carried. */
static inline char *netgo_error_block(uintptr_t err) { return (char *)err; }

static inline netgo_status netgo_ingest_json(uintptr_t h, const uint8_t *raw, size_t len) {
    return netgo_status_of(net_ingest(NETGO_H(h), (const char *)raw, len));
}

/* ---- batches ----
 *
 * A [][]byte cannot be handed to C: its backing array is Go memory full of
 * Go pointers. So Go passes a batch NETGO_CHUNK elements per call, each
 * element's address as its own argument (NULL for an empty one) and the
 * lengths in a small Go array (no pointers in it). A batch of at most
 * NETGO_CHUNK goes to net.h straight from the arguments. A longer one is
 * staged: each call copies its chunk's bytes into a stager (C memory),
 * and the call carrying the last chunk hands the whole staged block to
 * net_ingest_raw_block once — so it stays one batch: one shard, in order,
 * checked as a whole (a bad element anywhere stores nothing and is named
 * by its index in the batch, `events[i]`; `raws[i]` for a batch that fits
 * one chunk). libnet copies the block with one memcpy and checks it in one
 * pass, so staging costs about what net_ingest_raw_batch's per-event
 * gathering would have. */

enum {
    NETGO_CHUNK = 32,
    /* A stager left holding more than this after a batch gives it back. */
    NETGO_STAGE_KEEP = 4 << 20,
};

/* A batch being staged: its events back to back in `bytes` and their
 * lengths — net_ingest_raw_block's form. Sized for the whole batch by its
 * first chunk, so the bytes never move while the batch is staged. */
typedef struct {
    uint8_t *bytes;
    size_t used, cap; /* bytes */
    size_t *lens;
    size_t count, slots; /* events */
} netgo_stager;

static inline uintptr_t netgo_stager_new(void) { return (uintptr_t)calloc(1, sizeof(netgo_stager)); }

static inline void netgo_stager_release(netgo_stager *st) {
    free(st->bytes);
    free(st->lens);
    memset(st, 0, sizeof *st);
}

static inline void netgo_stager_free(uintptr_t s) {
    netgo_stager *st = (netgo_stager *)s;
    if (st == NULL) return;
    netgo_stager_release(st);
    free(st);
}

/* The C memory a stager holds. */
static inline size_t netgo_stager_held(uintptr_t s) {
    const netgo_stager *st = (const netgo_stager *)s;
    return st == NULL ? 0 : st->cap + st->slots * sizeof *st->lens;
}

static inline netgo_status netgo_stage_error(int code, const char *kind, const char *msg) {
    netgo_status s = {code, netgo_error_text(kind, msg)};
    return s;
}

/* Room for a batch of `count` events and `bytes` bytes, contents dropped
 * (the buffers are replaced, never copied). 0, or the size refused. */
static inline size_t netgo_stager_reserve(netgo_stager *st, size_t count, size_t bytes) {
    st->used = 0;
    st->count = 0;
    if (bytes > st->cap || st->bytes == NULL) {
        size_t cap = bytes > 2 * st->cap ? bytes : 2 * st->cap;
        if (cap < 4096) cap = 4096;
        free(st->bytes);
        st->bytes = malloc(cap);
        st->cap = st->bytes != NULL ? cap : 0;
        if (st->bytes == NULL) return cap;
    }
    if (count > st->slots) {
        size_t slots = count > 2 * st->slots ? count : 2 * st->slots;
        if (slots > SIZE_MAX / sizeof(size_t)) return SIZE_MAX;
        free(st->lens);
        st->lens = malloc(slots * sizeof *st->lens);
        st->slots = st->lens != NULL ? slots : 0;
        if (st->slots == 0) return slots * sizeof *st->lens;
    }
    return 0;
}

/* memcpy for the short events that batches are mostly made of, without a
 * libc call each: two overlapping loads cover 4..16 bytes and never read
 * outside the source. */
static inline void netgo_copy(uint8_t *dst, const uint8_t *src, size_t n) {
    if (n > 16) {
        memcpy(dst, src, n);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
    } else {
        for (size_t i = 0; i < n; i++) dst[i] = src[i];
    }
}

#define NETGO_CHUNK_PARAMS                                                                                         \
    const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3, const uint8_t *p4,                 \
        const uint8_t *p5, const uint8_t *p6, const uint8_t *p7, const uint8_t *p8, const uint8_t *p9,             \
        const uint8_t *p10, const uint8_t *p11, const uint8_t *p12, const uint8_t *p13, const uint8_t *p14,        \
        const uint8_t *p15, const uint8_t *p16, const uint8_t *p17, const uint8_t *p18, const uint8_t *p19,        \
        const uint8_t *p20, const uint8_t *p21, const uint8_t *p22, const uint8_t *p23, const uint8_t *p24,        \
        const uint8_t *p25, const uint8_t *p26, const uint8_t *p27, const uint8_t *p28, const uint8_t *p29,        \
        const uint8_t *p30, const uint8_t *p31
#define NETGO_CHUNK_ARGS                                                                                           \
    {p0,  p1,  p2,  p3,  p4,  p5,  p6,  p7,  p8,  p9,  p10, p11, p12, p13, p14, p15,                               \
     p16, p17, p18, p19, p20, p21, p22, p23, p24, p25, p26, p27, p28, p29, p30, p31}

/* A whole batch of `n` (<= NETGO_CHUNK) events at p0.., lengths in
 * `lens`, ingested at once. The Go pointers sit in this frame only for
 * the call. Returns the count stored or a negative code and its error. */
static inline netgo_status netgo_ingest_small(uintptr_t h, NETGO_CHUNK_PARAMS, const size_t *lens, size_t n) {
    const uint8_t *const p[NETGO_CHUNK] = NETGO_CHUNK_ARGS;
    if (n > NETGO_CHUNK) return netgo_stage_error(NET_ERR_INVALID_ARGUMENT, "invalid_argument", "more events than one chunk");
    return netgo_status_of(net_ingest_raw_batch(NETGO_H(h), (const char *const *)p, lens, n));
}

/* One chunk of a longer batch: `n` (<= NETGO_CHUNK) events at p0..,
 * lengths in `lens`. The first chunk (`total` > 0) sizes the stager for
 * the whole batch, `total` events of `total_bytes`; the last (`last`)
 * ingests it. Returns the count stored, 0 for a chunk only staged, or a
 * negative code and its error. */
static inline netgo_status netgo_ingest_chunk(uintptr_t h, uintptr_t stager, size_t total, size_t total_bytes,
                                              int last, NETGO_CHUNK_PARAMS, const size_t *lens, size_t n) {
    const uint8_t *const p[NETGO_CHUNK] = NETGO_CHUNK_ARGS;
    netgo_stager *st = (netgo_stager *)stager;
    if (total > 0) {
        size_t refused = netgo_stager_reserve(st, total, total_bytes);
        if (refused != 0) {
            char msg[96];
            snprintf(msg, sizeof msg, "could not allocate %zu bytes to stage the batch", refused);
            return netgo_stage_error(NET_ERR_UNKNOWN, "out_of_memory", msg);
        }
    }
    if (n > NETGO_CHUNK || n > st->slots - st->count)
        return netgo_stage_error(NET_ERR_INVALID_ARGUMENT, "invalid_argument", "more events than the batch announced");
    /* Locals, not st->..., in the loop: stores through uint8_t* may alias
     * anything, which would make the compiler reload every field. */
    uint8_t *dst = st->bytes + st->used;
    size_t room = st->cap - st->used;
    size_t *out_lens = st->lens + st->count;
    for (size_t i = 0; i < n; i++) {
        size_t len = lens[i];
        if (len > room) return netgo_stage_error(NET_ERR_INVALID_ARGUMENT, "invalid_argument", "more bytes than the batch announced");
        netgo_copy(dst, p[i], len);
        out_lens[i] = len;
        dst += len;
        room -= len;
    }
    st->used = st->cap - room;
    st->count += n;
    if (!last) {
        netgo_status s = {0, NULL};
        return s;
    }
    netgo_status r = netgo_status_of(net_ingest_raw_block(NETGO_H(h), (const char *)st->bytes, st->lens, st->count));
    if (netgo_stager_held(stager) > NETGO_STAGE_KEEP) netgo_stager_release(st);
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

static inline netgo_status netgo_identity_mesh_public_key(const net_identity_t *id, uint8_t *out, size_t len) {
    return netgo_status_of(net_identity_mesh_public_key(id, out, len));
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

/* ---- RedisStreamDedup (redis_dedup.go) ---- */

static inline netgo_ptr netgo_redis_dedup_new(size_t capacity) {
    return netgo_ptr_of(net_redis_dedup_new(capacity));
}

static inline netgo_status netgo_redis_dedup_is_duplicate(net_redis_dedup_t *d, const char *id, size_t len) {
    return netgo_status_of(net_redis_dedup_is_duplicate(d, id, len));
}

static inline size_t netgo_redis_dedup_len(net_redis_dedup_t *d) {
    size_t n = 0;
    net_redis_dedup_len(d, &n);
    return n;
}

static inline size_t netgo_redis_dedup_capacity(net_redis_dedup_t *d) {
    size_t n = 0;
    net_redis_dedup_capacity(d, &n);
    return n;
}

#endif /* NET_GO_SHIM_H */
