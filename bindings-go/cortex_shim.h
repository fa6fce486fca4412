/* The C side of the Go binding's RedEX and NetDb surface: one shim per
 * net_cortex.h call the package makes.
 *
 * As in shim.h, a failure's kind and message are copied out of
 * net_cortex.h's thread-local pair inside the SAME C call that failed (a
 * goroutine may change OS threads between two cgo calls). Handles cross to
 * Go as integers (uintptr_t): libnet's handles are slot numbers, not
 * addresses. Go passes only byte buffers and size_t arrays, never memory
 * that holds Go pointers. */
#ifndef NET_GO_CORTEX_SHIM_H
#define NET_GO_CORTEX_SHIM_H

#include "net_cortex.h"
#include "shim.h"

static inline char *netgo_cortex_error(int code) {
    if (code >= 0) return NULL;
    const char *kind = net_cortex_last_error_kind();
    const char *msg = net_cortex_last_error_message();
    return netgo_error_text(kind != NULL ? kind : "unknown", msg != NULL ? msg : "");
}

static inline netgo_status netgo_cortex_status(int code) {
    netgo_status s = {code, netgo_cortex_error(code)};
    return s;
}

/* A constructor's result: the handle, or 0 plus its error. */
typedef struct {
    uintptr_t handle;
    char *err;
} netgo_chandle;

static inline netgo_chandle netgo_chandle_of(void *ptr) {
    netgo_chandle h = {(uintptr_t)ptr, ptr == NULL ? netgo_cortex_error(-1) : NULL};
    return h;
}

/* A status plus a seq (appends, mutations). */
typedef struct {
    int code;
    uint64_t seq;
    char *err;
} netgo_seq;

/* A status (or count) plus a library string (JSON). */
typedef struct {
    int code;
    char *json;
    char *err;
} netgo_json;

/* A status (or count) plus records. */
typedef struct {
    int code;
    net_redex_events_t events;
    char *err;
} netgo_rx_events;

#define NETGO_REDEX(h) ((net_redex_t *)(h))
#define NETGO_FILE(h) ((net_redex_file_t *)(h))
#define NETGO_TAIL(h) ((net_redex_tail_t *)(h))
#define NETGO_DB(h) ((net_netdb_t *)(h))
#define NETGO_WATCH(h) ((net_netdb_watch_t *)(h))

/* ---- RedEX ---- */

static inline netgo_chandle netgo_redex_new(const char *dir) { return netgo_chandle_of(net_redex_new(dir)); }
static inline void netgo_redex_free(uintptr_t h) { net_redex_free(NETGO_REDEX(h)); }

static inline netgo_chandle netgo_redex_open_file(uintptr_t redex, const char *name, size_t len, const char *cfg) {
    return netgo_chandle_of(net_redex_open_file(NETGO_REDEX(redex), name, len, cfg));
}

static inline netgo_seq netgo_redex_append(uintptr_t file, const uint8_t *p, size_t len) {
    netgo_seq r = {0, 0, NULL};
    r.code = net_redex_file_append(NETGO_FILE(file), p, len, &r.seq);
    r.err = netgo_cortex_error(r.code);
    return r;
}

/* The batch arrives as one buffer plus each payload's length; the pointer
 * array net_cortex.h wants is built here, in C memory. */
static inline netgo_seq netgo_redex_append_batch(uintptr_t file, const uint8_t *data, const size_t *lens, size_t count) {
    netgo_seq r = {0, 0, NULL};
    const uint8_t **ptrs = count ? malloc(count * sizeof *ptrs) : NULL;
    if (count && ptrs == NULL) {
        r.code = -7;
        r.err = netgo_error_text("out_of_memory", "could not allocate the batch's pointer array");
        return r;
    }
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        ptrs[i] = data + at;
        at += lens[i];
    }
    r.code = net_redex_file_append_batch(NETGO_FILE(file), ptrs, lens, count, &r.seq);
    r.err = netgo_cortex_error(r.code);
    free(ptrs);
    return r;
}

static inline netgo_seq netgo_redex_append_idempotent(uintptr_t file, const uint8_t *key, size_t klen, const uint8_t *p,
                                                      size_t len) {
    netgo_seq r = {0, 0, NULL};
    r.code = net_redex_file_append_idempotent(NETGO_FILE(file), key, klen, p, len, &r.seq);
    r.err = netgo_cortex_error(r.code);
    return r;
}

static inline netgo_rx_events netgo_redex_read(uintptr_t file, uint64_t from, uint64_t to) {
    netgo_rx_events r;
    r.code = net_redex_file_read(NETGO_FILE(file), from, to, &r.events);
    r.err = netgo_cortex_error(r.code);
    return r;
}

typedef struct {
    int code;
    net_redex_file_info_t info;
    char *err;
} netgo_info;

static inline netgo_info netgo_redex_info(uintptr_t file) {
    netgo_info r;
    memset(&r.info, 0, sizeof r.info);
    r.code = net_redex_file_info(NETGO_FILE(file), &r.info);
    r.err = netgo_cortex_error(r.code);
    return r;
}

static inline netgo_json netgo_redex_repair_report(uintptr_t file) {
    netgo_json r = {0, NULL, NULL};
    r.code = net_redex_file_repair_report(NETGO_FILE(file), &r.json);
    r.err = netgo_cortex_error(r.code);
    return r;
}

static inline netgo_status netgo_redex_sync(uintptr_t file) { return netgo_cortex_status(net_redex_file_sync(NETGO_FILE(file))); }
static inline netgo_status netgo_redex_close(uintptr_t file) { return netgo_cortex_status(net_redex_file_close(NETGO_FILE(file))); }
static inline void netgo_redex_file_free(uintptr_t file) { net_redex_file_free(NETGO_FILE(file)); }

static inline netgo_chandle netgo_redex_tail(uintptr_t file, uint64_t from) {
    return netgo_chandle_of(net_redex_file_tail(NETGO_FILE(file), from));
}

static inline netgo_rx_events netgo_redex_tail_next(uintptr_t tail, size_t max, uint32_t timeout_ms) {
    netgo_rx_events r;
    r.code = net_redex_tail_next(NETGO_TAIL(tail), max, timeout_ms, &r.events);
    r.err = netgo_cortex_error(r.code);
    return r;
}

static inline void netgo_redex_tail_free(uintptr_t tail) { net_redex_tail_free(NETGO_TAIL(tail)); }

/* ---- NetDb ---- */

static inline netgo_chandle netgo_netdb_open(uintptr_t redex, const char *cfg) {
    return netgo_chandle_of(net_netdb_open(NETGO_REDEX(redex), cfg));
}

/* Open on top of a snapshot: model 0 a tasks snapshot, 1 a memories
 * snapshot (a NetDb holding that model alone), anything else a bundle. */
static inline netgo_chandle netgo_netdb_open_from_snapshot(uintptr_t redex, const char *cfg, int model,
                                                           const uint8_t *bytes, size_t len) {
    net_redex_t *r = NETGO_REDEX(redex);
    return netgo_chandle_of(model == 0   ? net_netdb_open_from_tasks_snapshot(r, cfg, bytes, len)
                            : model == 1 ? net_netdb_open_from_memories_snapshot(r, cfg, bytes, len)
                                         : net_netdb_open_from_snapshot(r, cfg, bytes, len));
}

/* Model 0: the tasks snapshot, 1: the memories snapshot, anything else:
 * the bundle of every model's. */
static inline netgo_json netgo_netdb_snapshot(uintptr_t db, int model) {
    netgo_json r = {0, NULL, NULL};
    r.code = model == 0   ? net_netdb_tasks_snapshot(NETGO_DB(db), &r.json)
             : model == 1 ? net_netdb_memories_snapshot(NETGO_DB(db), &r.json)
                          : net_netdb_snapshot(NETGO_DB(db), &r.json);
    r.err = netgo_cortex_error(r.code);
    return r;
}

static inline netgo_status netgo_netdb_close(uintptr_t db) { return netgo_cortex_status(net_netdb_close(NETGO_DB(db))); }
static inline void netgo_netdb_free(uintptr_t db) { net_netdb_free(NETGO_DB(db)); }

#define NETGO_SEQ_CALL(call)                   \
    netgo_seq r = {0, 0, NULL};                \
    r.code = (call);                           \
    r.err = netgo_cortex_error(r.code);        \
    return r

static inline netgo_seq netgo_tasks_create(uintptr_t db, uint64_t id, const char *title, size_t len, uint64_t at) {
    NETGO_SEQ_CALL(net_netdb_tasks_create(NETGO_DB(db), id, title, len, at, &r.seq));
}
static inline netgo_seq netgo_tasks_rename(uintptr_t db, uint64_t id, const char *title, size_t len) {
    NETGO_SEQ_CALL(net_netdb_tasks_rename(NETGO_DB(db), id, title, len, &r.seq));
}
static inline netgo_seq netgo_tasks_set_status(uintptr_t db, uint64_t id, const char *status) {
    NETGO_SEQ_CALL(net_netdb_tasks_set_status(NETGO_DB(db), id, status, &r.seq));
}
static inline netgo_seq netgo_tasks_delete(uintptr_t db, uint64_t id) {
    NETGO_SEQ_CALL(net_netdb_tasks_delete(NETGO_DB(db), id, &r.seq));
}
static inline netgo_seq netgo_memories_store(uintptr_t db, uint64_t id, const char *content, size_t len, const char *tags,
                                             uint64_t at) {
    NETGO_SEQ_CALL(net_netdb_memories_store(NETGO_DB(db), id, content, len, tags, at, &r.seq));
}
static inline netgo_seq netgo_memories_tag(uintptr_t db, uint64_t id, const char *tag, size_t len) {
    NETGO_SEQ_CALL(net_netdb_memories_tag(NETGO_DB(db), id, tag, len, &r.seq));
}
static inline netgo_seq netgo_memories_untag(uintptr_t db, uint64_t id, const char *tag, size_t len) {
    NETGO_SEQ_CALL(net_netdb_memories_untag(NETGO_DB(db), id, tag, len, &r.seq));
}
static inline netgo_seq netgo_memories_pin(uintptr_t db, uint64_t id, int pinned) {
    NETGO_SEQ_CALL(net_netdb_memories_pin(NETGO_DB(db), id, pinned, &r.seq));
}
static inline netgo_seq netgo_memories_delete(uintptr_t db, uint64_t id) {
    NETGO_SEQ_CALL(net_netdb_memories_delete(NETGO_DB(db), id, &r.seq));
}

/* model: 0 tasks, 1 memories. */
static inline netgo_json netgo_netdb_query(uintptr_t db, int model, const char *filter) {
    netgo_json r = {0, NULL, NULL};
    r.code = model == 0 ? net_netdb_tasks_query(NETGO_DB(db), filter, &r.json)
                        : net_netdb_memories_query(NETGO_DB(db), filter, &r.json);
    r.err = netgo_cortex_error(r.code);
    return r;
}

static inline netgo_status netgo_netdb_count(uintptr_t db, int model, const char *filter) {
    return netgo_cortex_status(model == 0 ? net_netdb_tasks_count(NETGO_DB(db), filter)
                                          : net_netdb_memories_count(NETGO_DB(db), filter));
}

static inline netgo_status netgo_netdb_wait_for_seq(uintptr_t db, int model, uint64_t seq, uint32_t timeout_ms) {
    return netgo_cortex_status(model == 0 ? net_netdb_tasks_wait_for_seq(NETGO_DB(db), seq, timeout_ms)
                                          : net_netdb_memories_wait_for_seq(NETGO_DB(db), seq, timeout_ms));
}

static inline netgo_chandle netgo_netdb_watch(uintptr_t db, int model, const char *filter) {
    return netgo_chandle_of(model == 0 ? net_netdb_tasks_watch(NETGO_DB(db), filter)
                                       : net_netdb_memories_watch(NETGO_DB(db), filter));
}

typedef struct {
    uintptr_t handle;
    char *json;
    char *err;
} netgo_watch_snapshot;

static inline netgo_watch_snapshot netgo_netdb_snapshot_and_watch(uintptr_t db, int model, const char *filter) {
    netgo_watch_snapshot r = {0, NULL, NULL};
    void *w = model == 0 ? (void *)net_netdb_tasks_snapshot_and_watch(NETGO_DB(db), filter, &r.json)
                         : (void *)net_netdb_memories_snapshot_and_watch(NETGO_DB(db), filter, &r.json);
    r.handle = (uintptr_t)w;
    r.err = w == NULL ? netgo_cortex_error(-1) : NULL;
    return r;
}

static inline netgo_json netgo_netdb_watch_next(uintptr_t watch, uint32_t timeout_ms) {
    netgo_json r = {0, NULL, NULL};
    r.code = net_netdb_watch_next(NETGO_WATCH(watch), timeout_ms, &r.json);
    r.err = netgo_cortex_error(r.code);
    return r;
}

static inline void netgo_netdb_watch_free(uintptr_t watch) { net_netdb_watch_free(NETGO_WATCH(watch)); }

#endif
