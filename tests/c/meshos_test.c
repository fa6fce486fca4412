/* The MeshOS daemon SDK through the C ABI, compiled against the seed header
 * itself (seed/net_meshos.h, byte for byte the promised contract) and
 * linked with -lnet: a vtable daemon's whole lifecycle (register, deliver
 * through net.h, one by one and in batches, snapshot, restore), control events of every kind in order
 * at on_control and on the channel, a next_control timeout, backpressure
 * from saturation, logs, metadata, published capabilities reaching a peer
 * across two mesh nodes, and misuse: NULL everywhere, garbage from
 * callbacks, double shutdown, calls after shutdown, free after shutdown. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "seed/net_meshos.h"
#include "check.h"
#include "mesh_pair.h"

#define S(lit) lit, strlen(lit)

/* The last net_meshos.h error's kind must be `expected`. */
#define CHECK_MKIND(expected)                                                    \
    do {                                                                         \
        const char* k_ = net_meshos_last_error_kind();                           \
        if (k_ != NULL && strcmp(k_, (expected)) == 0) {                         \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: meshos kind %s, expected %s (%s)\n", __FILE__, __LINE__, \
                    k_ ? k_ : "(none)", (expected),                              \
                    net_meshos_last_error_message() ? net_meshos_last_error_message() : "-"); \
        }                                                                        \
    } while (0)

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const uint8_t SEED_A[32] = {1, 2, 3};
static const uint8_t SEED_B[32] = {4, 5, 6};

/* A counter daemon: what its callbacks do is steered by the payload and
 * by fields the test sets. */
typedef struct {
    uint64_t count;
    int refuse_restore;
    int controls[32];
    uint64_t graces[32];
    float levels[32];
    int ncontrols;
    volatile int health;
    volatile float saturation;
    NetMeshOsSdk* sdk;
    uint64_t self_id;
    int reenter_status;
    char reenter_kind[64];
} counter_t;

static int counter_process(void* ctx, NetMeshOsProcessEmitCtx* emit, uint64_t origin, uint64_t seq,
                           const uint8_t* payload, size_t len) {
    counter_t* c = (counter_t*)ctx;
    (void)origin;
    (void)seq;
    if (len == 4 && memcmp(payload, "fail", 4) == 0) return 7;
    if (len == 4 && memcmp(payload, "null", 4) == 0) {
        net_meshos_process_emit(emit, NULL, 3); /* garbage: a NULL buffer with a length */
        return 0;
    }
    if (len == 5 && memcmp(payload, "stall", 5) == 0) {
        sleep_ms(600); /* a callback stuck for longer than the daemon's bound */
        return 0;
    }
    if (len == 6 && memcmp(payload, "reflux", 6) == 0) {
        /* A delivery to itself from inside its own process: refused, no deadlock. */
        net_daemon_outputs_t* out = NULL;
        c->reenter_status = net_daemon_deliver(c->sdk, c->self_id, 1, 1, payload, len, &out);
        const char* k = net_last_error_kind();
        snprintf(c->reenter_kind, sizeof c->reenter_kind, "%s", k ? k : "");
        net_daemon_outputs_free(out);
        return 0;
    }
    c->count++;
    uint8_t le[8];
    for (int i = 0; i < 8; i++) le[i] = (uint8_t)(c->count >> (8 * i));
    net_meshos_process_emit(emit, le, sizeof le);
    net_meshos_process_emit(emit, payload, len);
    net_meshos_process_emit(NULL, payload, len); /* a NULL context is ignored */
    return 0;
}

static void counter_snapshot(void* ctx, NetMeshOsSnapshotEmitCtx* emit) {
    counter_t* c = (counter_t*)ctx;
    uint8_t le[8];
    for (int i = 0; i < 8; i++) le[i] = (uint8_t)(c->count >> (8 * i));
    net_meshos_snapshot_emit(emit, le, sizeof le);
    net_meshos_snapshot_emit(emit, (const uint8_t*)"ignored", 7); /* only the first counts */
}

static int counter_restore(void* ctx, const uint8_t* state, size_t len) {
    counter_t* c = (counter_t*)ctx;
    if (c->refuse_restore || len != 8) return 1;
    c->count = 0;
    for (int i = 0; i < 8; i++) c->count |= (uint64_t)state[i] << (8 * i);
    return 0;
}

static void counter_on_control(void* ctx, int kind, uint64_t grace, float level) {
    counter_t* c = (counter_t*)ctx;
    if (c->ncontrols < 32) {
        c->controls[c->ncontrols] = kind;
        c->graces[c->ncontrols] = grace;
        c->levels[c->ncontrols] = level;
        c->ncontrols++;
    }
}

static int counter_health(void* ctx) { return ((counter_t*)ctx)->health; }
static float counter_saturation(void* ctx) { return ((counter_t*)ctx)->saturation; }

static const NetMeshOsDaemonVtable COUNTER = {
    counter_process, counter_snapshot, counter_restore, counter_on_control, counter_health, counter_saturation,
};

static uint64_t first_output_count(net_daemon_outputs_t* out) {
    const uint8_t* data = NULL;
    size_t len = 0;
    if (net_daemon_outputs_get(out, 0, &data, &len) != NET_SUCCESS || len != 8) return UINT64_MAX;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)data[i] << (8 * i);
    return v;
}

/* Deliver `payload`; the count the daemon answered, or UINT64_MAX. */
static uint64_t deliver(NetMeshOsSdk* sdk, uint64_t id, const char* payload) {
    net_daemon_outputs_t* out = NULL;
    int rc = net_daemon_deliver(sdk, id, 0xfeed, 1, (const uint8_t*)payload, strlen(payload), &out);
    uint64_t v = rc == NET_SUCCESS ? first_output_count(out) : UINT64_MAX;
    net_daemon_outputs_free(out);
    return v;
}

static void test_null_everywhere(void) {
    NetMeshOsDaemonControl c;
    CHECK_EQ(net_meshos_sdk_start(0, 0, 0, 0, 0, NULL), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_MKIND("null_parameter");
    net_meshos_sdk_free(NULL);
    CHECK_EQ(net_meshos_sdk_shutdown(NULL), NET_MESHOS_ERR_NULL);
    CHECK(net_meshos_sdk_dropped_control_events(NULL) == UINT64_MAX);
    NetMeshOsHandle* h = NULL;
    CHECK_EQ(net_meshos_register_daemon(NULL, S("x"), SEED_A, &h), NET_MESHOS_ERR_NULL);
    CHECK_EQ(net_meshos_register_daemon_with_vtable(NULL, S("x"), SEED_A, &COUNTER, NULL, &h), NET_MESHOS_ERR_NULL);
    net_meshos_handle_free(NULL);
    CHECK(net_meshos_handle_daemon_id(NULL) == 0);
    CHECK(net_meshos_handle_daemon_name(NULL) == NULL);
    CHECK_EQ(net_meshos_try_next_control(NULL, &c), NET_MESHOS_ERR_NULL);
    CHECK_EQ(net_meshos_next_control(NULL, 1, &c), NET_MESHOS_ERR_NULL);
    CHECK_EQ(net_meshos_publish_log(NULL, NET_MESHOS_LOG_INFO, S("x")), NET_MESHOS_ERR_NULL);
    CHECK_EQ(net_meshos_graceful_shutdown(NULL, 1), NET_MESHOS_ERR_NULL);
    CHECK(net_meshos_metadata(NULL) == NULL);
    CHECK_MKIND("null_handle");
    CHECK(net_meshos_refresh_metadata(NULL) == NULL);
    net_meshos_free_string(NULL);
    CHECK_EQ(net_meshos_publish_capabilities(NULL, S("[]")), NET_MESHOS_ERR_NULL);
    net_meshos_clear_last_error();
    CHECK(net_meshos_last_error_kind() == NULL && net_meshos_last_error_message() == NULL);
    net_daemon_outputs_t* out = NULL;
    CHECK_EQ(net_daemon_deliver(NULL, 1, 1, 1, NULL, 0, &out), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_daemon_restore(NULL, 1, NULL, 0), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_daemon_send_control(NULL, 1, NET_MESHOS_CONTROL_DRAIN_FINISH, 0, 0), NET_ERR_NULL_POINTER);
    CHECK(net_daemon_drain_logs(NULL) == NULL);
    CHECK(net_daemon_outputs_count(NULL) == 0);
    net_daemon_outputs_free(NULL);
    net_daemon_bytes_free(NULL, 0);
}

static void test_registration_refusals(NetMeshOsSdk* sdk) {
    NetMeshOsHandle* h = NULL;
    counter_t c;
    memset(&c, 0, sizeof c);
    NetMeshOsDaemonVtable no_process = COUNTER;
    no_process.process = NULL;
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("x"), SEED_A, NULL, &c, &h), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("x"), SEED_A, &no_process, &c, &h), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, "\xff\xfe", 2, SEED_A, &COUNTER, &c, &h), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_MKIND("invalid_utf8");
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("x"), NULL, &COUNTER, &c, &h), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("x"), SEED_A, &COUNTER, &c, NULL), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, "", 0, SEED_A, &COUNTER, &c, &h), NET_MESHOS_ERR_CALL_FAILED);
    CHECK_MKIND("register_failed");
    CHECK(h == NULL);
}

static void test_lifecycle(NetMeshOsSdk* sdk) {
    counter_t c;
    memset(&c, 0, sizeof c);
    c.sdk = sdk;
    NetMeshOsDaemonVtable vt = COUNTER; /* copied at registration: the local may go */
    NetMeshOsHandle* h = NULL;
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("counter"), SEED_A, &vt, &c, &h), NET_MESHOS_OK);
    memset(&vt, 0, sizeof vt);
    if (h == NULL) return;
    uint64_t id = net_meshos_handle_daemon_id(h);
    c.self_id = id;
    CHECK(id != 0);
    CHECK(strcmp(net_meshos_handle_daemon_name(h), "counter") == 0);
    NetMeshOsHandle* twin = NULL;
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("counter"), SEED_A, &COUNTER, &c, &twin), NET_MESHOS_ERR_CALL_FAILED);
    CHECK_MKIND("register_failed"); /* the same identity twice */

    /* Deliveries reach process; outputs are copied out. */
    for (uint64_t n = 1; n <= 3; n++) CHECK(deliver(sdk, id, "x") == n);
    net_daemon_outputs_t* out = NULL;
    CHECK_EQ(net_daemon_deliver(sdk, id, 9, 9, (const uint8_t*)"abc", 3, &out), NET_SUCCESS);
    CHECK(net_daemon_outputs_count(out) == 2);
    const uint8_t* data = NULL;
    size_t len = 0;
    CHECK_EQ(net_daemon_outputs_get(out, 1, &data, &len), NET_SUCCESS);
    CHECK(len == 3 && memcmp(data, "abc", 3) == 0);
    CHECK_EQ(net_daemon_outputs_get(out, 2, &data, &len), NET_ERR_INVALID_ARGUMENT);
    CHECK_EQ(net_daemon_outputs_get(out, 0, NULL, &len), NET_ERR_NULL_POINTER);
    net_daemon_outputs_free(out);

    /* Failures and garbage are typed errors, counted. */
    CHECK(deliver(sdk, id, "fail") == UINT64_MAX);
    CHECK_KIND("process-failed");
    CHECK(deliver(sdk, id, "null") == UINT64_MAX);
    CHECK_KIND("callback-failed");
    out = NULL;
    CHECK_EQ(net_daemon_deliver(sdk, id, 1, 1, (const uint8_t*)"reflux", 6, &out), NET_SUCCESS);
    net_daemon_outputs_free(out);
    CHECK_EQ(c.reenter_status, NET_ERR_DAEMON);
    CHECK(strcmp(c.reenter_kind, "reentrant-call") == 0);
    CHECK(deliver(sdk, 12345, "x") == UINT64_MAX);
    CHECK_KIND("daemon-not-found");
    CHECK_EQ(net_daemon_deliver(sdk, id, 1, 1, NULL, 4, &out), NET_ERR_NULL_POINTER);
    net_daemon_stats_t st;
    CHECK_EQ(net_daemon_stats(sdk, id, &st), NET_SUCCESS);
    CHECK(st.events_processed == 7 && st.errors == 2 && st.events_emitted == 8);

    /* Snapshot, move on, restore: the state is what it was. */
    uint8_t* snap = NULL;
    size_t snap_len = 0;
    CHECK_EQ(net_daemon_snapshot(sdk, id, &snap, &snap_len), NET_SUCCESS);
    CHECK(snap != NULL && snap_len > 8);
    CHECK(deliver(sdk, id, "x") == 5);
    CHECK(deliver(sdk, id, "x") == 6);
    CHECK_EQ(net_daemon_restore(sdk, id, snap, snap_len), NET_SUCCESS);
    CHECK(c.count == 4);
    CHECK(deliver(sdk, id, "x") == 5);
    CHECK_EQ(net_daemon_restore(sdk, id, (const uint8_t*)"garbage", 7), NET_ERR_DAEMON);
    CHECK_KIND("snapshot-decode");
    c.refuse_restore = 1;
    CHECK_EQ(net_daemon_restore(sdk, id, snap, snap_len), NET_ERR_DAEMON);
    CHECK_KIND("state-failed");
    c.refuse_restore = 0;
    CHECK(c.count == 5);

    /* A lifecycle-only daemon: its snapshot is someone else's state. */
    NetMeshOsHandle* plain = NULL;
    CHECK_EQ(net_meshos_register_daemon(sdk, S("plain"), SEED_B, &plain), NET_MESHOS_OK);
    uint64_t plain_id = net_meshos_handle_daemon_id(plain);
    out = NULL;
    CHECK_EQ(net_daemon_deliver(sdk, plain_id, 1, 1, (const uint8_t*)"x", 1, &out), NET_SUCCESS);
    CHECK(net_daemon_outputs_count(out) == 0);
    net_daemon_outputs_free(out);
    CHECK_EQ(net_daemon_restore(sdk, plain_id, snap, snap_len), NET_ERR_DAEMON);
    CHECK_KIND("snapshot-mismatch");
    uint8_t* none = (uint8_t*)1;
    size_t none_len = 99;
    CHECK_EQ(net_daemon_snapshot(sdk, plain_id, &none, &none_len), NET_SUCCESS);
    CHECK(none == NULL && none_len == 0); /* stateless */
    net_meshos_handle_free(plain); /* freed without shutdown: unregistered */
    CHECK(deliver(sdk, plain_id, "x") == UINT64_MAX);
    CHECK_KIND("daemon-not-found");
    net_daemon_bytes_free(snap, snap_len);

    /* Control events of every kind, in order, at on_control and on the channel. */
    NetMeshOsDaemonControl ctl;
    CHECK_EQ(net_meshos_try_next_control(h, &ctl), NET_MESHOS_OK);
    CHECK_EQ(ctl.kind, NET_MESHOS_CONTROL_NONE);
    const int kinds[] = {NET_MESHOS_CONTROL_DRAIN_START, NET_MESHOS_CONTROL_BACKPRESSURE_ON,
                         NET_MESHOS_CONTROL_BACKPRESSURE_OFF, NET_MESHOS_CONTROL_DRAIN_FINISH,
                         NET_MESHOS_CONTROL_UNKNOWN, NET_MESHOS_CONTROL_SHUTDOWN, 12345};
    const int expect[] = {NET_MESHOS_CONTROL_DRAIN_START, NET_MESHOS_CONTROL_BACKPRESSURE_ON,
                          NET_MESHOS_CONTROL_BACKPRESSURE_OFF, NET_MESHOS_CONTROL_DRAIN_FINISH,
                          NET_MESHOS_CONTROL_UNKNOWN, NET_MESHOS_CONTROL_SHUTDOWN, NET_MESHOS_CONTROL_UNKNOWN};
    for (int i = 0; i < 7; i++) {
        CHECK_EQ(net_daemon_send_control(sdk, id, kinds[i], 250 + (uint64_t)i, 0.5f), NET_SUCCESS);
    }
    for (int i = 0; i < 7; i++) {
        CHECK_EQ(net_meshos_next_control(h, 10000, &ctl), NET_MESHOS_OK);
        CHECK_EQ(ctl.kind, expect[i]);
        if (expect[i] == NET_MESHOS_CONTROL_DRAIN_START || expect[i] == NET_MESHOS_CONTROL_SHUTDOWN) {
            CHECK(ctl.grace_period_ms == 250 + (uint64_t)i);
        }
        if (expect[i] == NET_MESHOS_CONTROL_BACKPRESSURE_ON) CHECK(ctl.level == 0.5f);
    }
    CHECK_EQ(c.ncontrols, 7);
    for (int i = 0; i < 7 && i < c.ncontrols; i++) CHECK_EQ(c.controls[i], expect[i]);
    CHECK_EQ(net_meshos_next_control(h, 30, &ctl), NET_MESHOS_OK); /* a timeout */
    CHECK_EQ(ctl.kind, NET_MESHOS_CONTROL_NONE);
    CHECK_EQ(net_meshos_next_control(h, 30, NULL), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_EQ(net_daemon_send_control(sdk, id, NET_MESHOS_CONTROL_NONE, 0, 0), NET_ERR_INVALID_ARGUMENT);
    CHECK_EQ(net_daemon_send_control(sdk, id, NET_MESHOS_CONTROL_BACKPRESSURE_ON, 0, 1.5f), NET_ERR_INVALID_ARGUMENT);
    CHECK_EQ(net_daemon_send_control(sdk, 12345, NET_MESHOS_CONTROL_DRAIN_FINISH, 0, 0), NET_ERR_INVALID_ARGUMENT);
    CHECK(net_meshos_sdk_dropped_control_events(sdk) == 0);

    /* Saturation becomes backpressure; garbage health counts as unhealthy. */
    c.saturation = NAN;
    c.health = 42;
    sleep_ms(40);
    CHECK_EQ(net_meshos_try_next_control(h, &ctl), NET_MESHOS_OK);
    CHECK_EQ(ctl.kind, NET_MESHOS_CONTROL_NONE); /* NaN is no saturation */
    c.saturation = 0.95f;
    CHECK_EQ(net_meshos_next_control(h, 10000, &ctl), NET_MESHOS_OK);
    CHECK_EQ(ctl.kind, NET_MESHOS_CONTROL_BACKPRESSURE_ON);
    CHECK(fabsf(ctl.level - 0.95f) < 1e-6f);
    c.saturation = 0.1f;
    CHECK_EQ(net_meshos_next_control(h, 10000, &ctl), NET_MESHOS_OK);
    CHECK_EQ(ctl.kind, NET_MESHOS_CONTROL_BACKPRESSURE_OFF);
    char* meta = net_meshos_refresh_metadata(h);
    CHECK(meta != NULL && strstr(meta, "\"health\":\"unhealthy\"") != NULL);
    CHECK(meta != NULL && strstr(meta, "\"node_id\":42") != NULL);
    CHECK(meta != NULL && strstr(meta, "\"daemon_name\":\"counter\"") != NULL);
    CHECK(meta != NULL && strstr(meta, "\"maintenance_state\":{\"kind\":\"active\"}") != NULL);
    net_meshos_free_string(meta);

    /* Logs at every level, in order; bad levels and text refused. */
    for (int level = NET_MESHOS_LOG_TRACE; level <= NET_MESHOS_LOG_ERROR; level++) {
        CHECK_EQ(net_meshos_publish_log(h, level, S("line")), NET_MESHOS_OK);
    }
    CHECK_EQ(net_meshos_publish_log(h, 5, S("x")), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_MKIND("invalid_log_level");
    CHECK_EQ(net_meshos_publish_log(h, -1, S("x")), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_MKIND("invalid_log_level");
    CHECK_EQ(net_meshos_publish_log(h, NET_MESHOS_LOG_INFO, "\xc3", 1), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_MKIND("invalid_utf8");
    char* logs = net_daemon_drain_logs(sdk);
    CHECK(logs != NULL && strstr(logs, "\"level\":\"trace\"") != NULL && strstr(logs, "\"level\":\"error\"") != NULL);
    CHECK(logs != NULL && strstr(logs, "\"level\":\"trace\"") < strstr(logs, "\"level\":\"debug\""));
    net_free_string(logs);

    /* Capabilities: committed, bad JSON and bad tags refused, NULL clears. */
    CHECK_EQ(net_meshos_publish_capabilities(h, S("[\"model:llama3\"]")), NET_MESHOS_OK);
    meta = net_meshos_metadata(h);
    CHECK(meta != NULL && strstr(meta, "\"capabilities\":[\"model:llama3\"]") != NULL);
    net_meshos_free_string(meta);
    CHECK_EQ(net_meshos_publish_capabilities(h, S("{")), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_MKIND("invalid_json");
    CHECK_EQ(net_meshos_publish_capabilities(h, S("[\"software.nonsense=1\"]")), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_MKIND("invalid_argument");
    CHECK_EQ(net_meshos_publish_capabilities(h, NULL, 0), NET_MESHOS_OK);

    /* Graceful shutdown: Shutdown reaches on_control, then everything is refused. */
    uint8_t* last = NULL;
    size_t last_len = 0;
    CHECK_EQ(net_daemon_snapshot(sdk, id, &last, &last_len), NET_SUCCESS);
    uint64_t count_at_snapshot = c.count;
    int before = c.ncontrols;
    CHECK_EQ(net_meshos_graceful_shutdown(h, 20), NET_MESHOS_OK);
    CHECK(c.ncontrols == before + 1 && c.controls[before] == NET_MESHOS_CONTROL_SHUTDOWN && c.graces[before] == 20);
    CHECK_EQ(net_meshos_graceful_shutdown(h, 20), NET_MESHOS_ERR_ALREADY_SHUTDOWN);
    CHECK_MKIND("already_shutdown");
    CHECK_EQ(net_meshos_try_next_control(h, &ctl), NET_MESHOS_ERR_ALREADY_SHUTDOWN);
    CHECK_EQ(net_meshos_next_control(h, 1, &ctl), NET_MESHOS_ERR_ALREADY_SHUTDOWN);
    CHECK_EQ(net_meshos_publish_log(h, NET_MESHOS_LOG_INFO, S("late")), NET_MESHOS_ERR_ALREADY_SHUTDOWN);
    CHECK_EQ(net_meshos_publish_capabilities(h, S("[]")), NET_MESHOS_ERR_ALREADY_SHUTDOWN);
    CHECK(net_meshos_metadata(h) == NULL);
    CHECK_MKIND("already_shutdown");
    CHECK(net_meshos_handle_daemon_id(h) == id); /* stable after shutdown */
    CHECK(strcmp(net_meshos_handle_daemon_name(h), "counter") == 0);
    CHECK(deliver(sdk, id, "x") == UINT64_MAX);
    CHECK_KIND("daemon-not-found");
    net_meshos_handle_free(h);

    /* Spawn from the snapshot: the same identity registered anew takes the
     * state back, and its chain goes on from the snapshot point. */
    counter_t fresh;
    memset(&fresh, 0, sizeof fresh);
    NetMeshOsHandle* again = NULL;
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("counter"), SEED_A, &COUNTER, &fresh, &again), NET_MESHOS_OK);
    CHECK(net_meshos_handle_daemon_id(again) == id);
    CHECK_EQ(net_daemon_restore(sdk, id, last, last_len), NET_SUCCESS);
    CHECK(fresh.count == count_at_snapshot);
    CHECK(deliver(sdk, id, "x") == count_at_snapshot + 1);
    net_daemon_bytes_free(last, last_len);
    CHECK_EQ(net_meshos_graceful_shutdown(again, 1), NET_MESHOS_OK);
    net_meshos_handle_free(again);
}

/* Batches: many events in one call, outputs grouped per event; a failure
 * stops the batch and keeps what came before it; bad packing is refused. */
static void test_batch_delivery(NetMeshOsSdk* sdk) {
    static const uint8_t SEED_C[32] = {7, 8, 9};
    counter_t c;
    memset(&c, 0, sizeof c);
    NetMeshOsHandle* h = NULL;
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("batcher"), SEED_C, &COUNTER, &c, &h), NET_MESHOS_OK);
    if (h == NULL) return;
    uint64_t id = net_meshos_handle_daemon_id(h);

    const char data[] = "abbfailx"; /* "a", "bb", "", "fail", "x" */
    const size_t lens[] = {1, 2, 0, 4, 1};
    net_daemon_outputs_t* out = NULL;
    size_t delivered = 99;
    CHECK_EQ(net_daemon_deliver_batch(sdk, id, 0xfeed, 10, (const uint8_t*)data, 8, lens, 5, &out, &delivered),
             NET_ERR_DAEMON);
    CHECK_KIND("process-failed");
    CHECK(delivered == 3);
    CHECK(out != NULL && net_daemon_outputs_count(out) == 6); /* two per handled event */
    size_t first = 0, count = 0;
    CHECK_EQ(net_daemon_outputs_event_range(out, 1, &first, &count), NET_SUCCESS);
    CHECK(first == 2 && count == 2);
    const uint8_t* p = NULL;
    size_t len = 0;
    CHECK_EQ(net_daemon_outputs_get(out, first + 1, &p, &len), NET_SUCCESS);
    CHECK(len == 2 && memcmp(p, "bb", 2) == 0);
    CHECK_EQ(net_daemon_outputs_event_range(out, 2, &first, &count), NET_SUCCESS);
    CHECK(first == 4 && count == 2);
    CHECK_EQ(net_daemon_outputs_event_range(out, 3, &first, &count), NET_ERR_INVALID_ARGUMENT);
    CHECK_EQ(net_daemon_outputs_event_range(out, 0, NULL, &count), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_daemon_outputs_event_range(NULL, 0, &first, &count), NET_ERR_NULL_POINTER);
    net_daemon_outputs_free(out);
    CHECK(first_output_count(NULL) == UINT64_MAX);

    /* The batch went on from where the daemon stood: the next count is 4. */
    out = NULL;
    CHECK_EQ(net_daemon_deliver_batch(sdk, id, 0xfeed, 20, (const uint8_t*)"x", 1, lens, 1, &out, &delivered),
             NET_SUCCESS);
    CHECK(delivered == 1 && first_output_count(out) == 4);
    net_daemon_outputs_free(out);

    /* An empty batch succeeds with nothing in it. */
    out = NULL;
    CHECK_EQ(net_daemon_deliver_batch(sdk, id, 1, 1, NULL, 0, NULL, 0, &out, &delivered), NET_SUCCESS);
    CHECK(delivered == 0 && out != NULL && net_daemon_outputs_count(out) == 0);
    net_daemon_outputs_free(out);

    /* Refusals before any event: out NULL, delivered 0, nothing counted. */
    const size_t short_lens[] = {1, 2};
    out = NULL;
    CHECK_EQ(net_daemon_deliver_batch(sdk, id, 1, 1, (const uint8_t*)"abcd", 4, short_lens, 2, &out, &delivered),
             NET_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL && delivered == 0);
    CHECK_EQ(net_daemon_deliver_batch(sdk, id, 1, 1, (const uint8_t*)"ab", 2, NULL, 2, &out, &delivered),
             NET_ERR_NULL_POINTER);
    CHECK_EQ(net_daemon_deliver_batch(sdk, id, 1, 1, (const uint8_t*)"ab", 2, short_lens, 1, NULL, &delivered),
             NET_ERR_NULL_POINTER);
    CHECK_EQ(net_daemon_deliver_batch(sdk, id, 1, 1, (const uint8_t*)"ab", 2, short_lens, 1, &out, NULL),
             NET_ERR_NULL_POINTER);
    CHECK_EQ(net_daemon_deliver_batch(NULL, id, 1, 1, (const uint8_t*)"a", 1, short_lens, 1, &out, &delivered),
             NET_ERR_NULL_POINTER);
    CHECK_EQ(net_daemon_deliver_batch(sdk, 12345, 1, 1, (const uint8_t*)"a", 1, short_lens, 1, &out, &delivered),
             NET_ERR_DAEMON);
    CHECK_KIND("daemon-not-found");
    CHECK(out == NULL && delivered == 0);
    net_daemon_stats_t st;
    CHECK_EQ(net_daemon_stats(sdk, id, &st), NET_SUCCESS);
    CHECK(st.events_processed == 5 && st.errors == 1 && st.events_emitted == 8);
    net_meshos_handle_free(h);
}

static void test_bounded_queues(void) {
    NetMeshOsSdk* sdk = NULL;
    CHECK_EQ(net_meshos_sdk_start(1, 0, 2, 0, 1, &sdk), NET_MESHOS_OK);
    counter_t c;
    memset(&c, 0, sizeof c);
    NetMeshOsHandle* h = NULL;
    CHECK_EQ(net_meshos_register_daemon_with_vtable(sdk, S("small"), SEED_A, &COUNTER, &c, &h), NET_MESHOS_OK);
    uint64_t id = net_meshos_handle_daemon_id(h);
    for (int i = 0; i < 3; i++) CHECK_EQ(net_daemon_send_control(sdk, id, NET_MESHOS_CONTROL_DRAIN_FINISH, 0, 0), NET_SUCCESS);
    for (int i = 0; i < 1000 && c.ncontrols < 3; i++) sleep_ms(5);
    CHECK_EQ(c.ncontrols, 3);
    CHECK(net_meshos_sdk_dropped_control_events(sdk) == 2);
    NetMeshOsDaemonControl ctl;
    CHECK_EQ(net_meshos_try_next_control(h, &ctl), NET_MESHOS_OK); /* the one that fit */
    CHECK_EQ(ctl.kind, NET_MESHOS_CONTROL_DRAIN_FINISH);
    CHECK_EQ(net_meshos_publish_log(h, NET_MESHOS_LOG_INFO, S("1")), NET_MESHOS_OK);
    CHECK_EQ(net_meshos_publish_log(h, NET_MESHOS_LOG_INFO, S("2")), NET_MESHOS_OK);
    CHECK_EQ(net_meshos_publish_log(h, NET_MESHOS_LOG_INFO, S("3")), NET_MESHOS_ERR_CALL_FAILED);
    CHECK_MKIND("queue_full");

    /* Shut the SDK down under a live handle: the handle sees a closed loop. */
    CHECK_EQ(net_meshos_sdk_shutdown(sdk), NET_MESHOS_OK);
    CHECK_EQ(net_meshos_sdk_shutdown(sdk), NET_MESHOS_ERR_ALREADY_SHUTDOWN);
    CHECK_MKIND("already_shutdown");
    CHECK(net_meshos_sdk_dropped_control_events(sdk) == UINT64_MAX);
    NetMeshOsHandle* late = NULL;
    CHECK_EQ(net_meshos_register_daemon(sdk, S("late"), SEED_B, &late), NET_MESHOS_ERR_ALREADY_SHUTDOWN);
    CHECK_EQ(net_meshos_publish_log(h, NET_MESHOS_LOG_INFO, S("x")), NET_MESHOS_ERR_CALL_FAILED);
    CHECK_MKIND("loop_closed");
    CHECK_EQ(net_meshos_next_control(h, 0, &ctl), NET_MESHOS_OK); /* unbounded, yet returns: closed */
    CHECK_EQ(ctl.kind, NET_MESHOS_CONTROL_NONE);
    net_daemon_outputs_t* out = NULL;
    CHECK_EQ(net_daemon_deliver(sdk, id, 1, 1, (const uint8_t*)"x", 1, &out), NET_ERR_SHUTTING_DOWN);
    net_meshos_handle_free(h); /* free after shutdown */
    net_meshos_sdk_free(sdk);
}

typedef struct {
    NetMeshOsSdk* sdk;
    uint64_t id;
    int status;
} stall_job_t;

static void* stall_thread(void* arg) {
    stall_job_t* job = (stall_job_t*)arg;
    net_daemon_outputs_t* out = NULL;
    job->status = net_daemon_deliver(job->sdk, job->id, 1, 1, (const uint8_t*)"stall", 5, &out);
    net_daemon_outputs_free(out);
    return NULL;
}

/* net.h's registration with options: required tags and the callback bound. */
static void test_register_with_options(void) {
    NetMeshOsSdk* sdk = NULL;
    CHECK_EQ(net_meshos_sdk_start(1, 0, 0, 0, 0, &sdk), NET_MESHOS_OK);
    counter_t c;
    memset(&c, 0, sizeof c);
    NetMeshOsHandle* h = NULL;
    CHECK_EQ(net_daemon_register(sdk, S("needy"), SEED_A, &COUNTER, &c,
                                 S("{\"required_capabilities\":[\"hardware.gpu\"]}"), &h), NET_MESHOS_ERR_CALL_FAILED);
    CHECK_MKIND("register_failed");
    CHECK(net_meshos_last_error_message() != NULL && strstr(net_meshos_last_error_message(), "hardware.gpu") != NULL);
    CHECK(h == NULL);
    CHECK_EQ(net_daemon_register(sdk, S("x"), SEED_A, &COUNTER, &c, S("{\"callback_timeout\":1}"), &h),
             NET_MESHOS_ERR_INVALID_ARG);
    CHECK_MKIND("invalid_json");
    CHECK_EQ(net_daemon_register(sdk, S("x"), SEED_A, NULL, &c, NULL, 0, &h), NET_MESHOS_ERR_INVALID_ARG);
    CHECK_EQ(net_daemon_register(NULL, S("x"), SEED_A, &COUNTER, &c, NULL, 0, &h), NET_MESHOS_ERR_NULL);
    CHECK_EQ(net_daemon_register(sdk, S("bounded"), SEED_A, &COUNTER, &c,
                                 S("{\"callback_timeout_ms\":100,\"optional_capabilities\":[\"hardware.gpu\"]}"), &h),
             NET_MESHOS_OK);
    if (h == NULL) {
        net_meshos_sdk_free(sdk);
        return;
    }
    /* One delivery stalls inside process; a second waits at most 100 ms. */
    stall_job_t job = {sdk, net_meshos_handle_daemon_id(h), 1};
    pthread_t thread;
    pthread_create(&thread, NULL, stall_thread, &job);
    sleep_ms(100);
    CHECK(deliver(sdk, job.id, "x") == UINT64_MAX);
    CHECK_KIND("callback-timeout");
    pthread_join(thread, NULL);
    CHECK_EQ(job.status, NET_SUCCESS);
    CHECK(deliver(sdk, job.id, "x") == 1); /* usable again once the stall ends */
    net_meshos_handle_free(h);
    net_meshos_sdk_free(sdk); /* free without shutdown */
}

static void test_capabilities_across_two_nodes(void) {
    test_node_t a, b;
    test_node_new(&a, MESH_PSK_42, NULL);
    test_node_new(&b, MESH_PSK_42, NULL);
    CHECK(a.mesh != NULL && b.mesh != NULL);
    if (a.mesh == NULL || b.mesh == NULL) return;
    accept_job_t job;
    char kind[64];
    CHECK_EQ(test_handshake(&a, &b, b.public_key, b.node_id, 5000, &job, kind, sizeof kind), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(a.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(b.mesh), NET_SUCCESS);
    NetMeshOsSdk* sdk = NULL;
    CHECK_EQ(net_daemon_sdk_start_on_mesh(NULL, 0, 0, 0, 0, &sdk), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_daemon_sdk_start_on_mesh(a.mesh, 0, 0, 0, 0, &sdk), NET_SUCCESS);
    NetMeshOsHandle* h = NULL;
    CHECK_EQ(net_meshos_register_daemon(sdk, S("gpu-agent"), SEED_A, &h), NET_MESHOS_OK);
    CHECK_EQ(net_meshos_publish_capabilities(h, S("[\"hardware.gpu\", \"model:llama3\"]")), NET_MESHOS_OK);
    const char* filter = "{\"require_tags\":[\"model:llama3\"]}";
    uint64_t ids[4] = {0};
    int n = 0;
    for (int i = 0; i < 2000 && n != 1; i++) {
        n = net_mesh_find_nodes(b.mesh, filter, strlen(filter), ids, 4);
        if (n != 1) sleep_ms(10);
    }
    CHECK_EQ(n, 1);
    CHECK(ids[0] == a.node_id);
    char* meta = net_meshos_refresh_metadata(h);
    char peer[64];
    snprintf(peer, sizeof peer, "\"node_id\":%llu", (unsigned long long)b.node_id);
    CHECK(meta != NULL && strstr(meta, peer) != NULL);
    net_meshos_free_string(meta);
    CHECK_EQ(net_meshos_graceful_shutdown(h, 1), NET_MESHOS_OK);
    for (int i = 0; i < 2000 && n != 0; i++) {
        n = net_mesh_find_nodes(b.mesh, filter, strlen(filter), ids, 4);
        if (n != 0) sleep_ms(10);
    }
    CHECK_EQ(n, 0); /* withdrawn at the daemon's shutdown */
    net_meshos_handle_free(h);
    CHECK_EQ(net_meshos_sdk_shutdown(sdk), NET_MESHOS_OK);
    net_meshos_sdk_free(sdk);
    net_mesh_free(a.mesh);
    net_mesh_free(b.mesh);
}

int main(void) {
    test_null_everywhere();
    NetMeshOsSdk* sdk = NULL;
    CHECK_EQ(net_meshos_sdk_start(42, 10, 0, 0, 16, &sdk), NET_MESHOS_OK);
    if (sdk != NULL) {
        test_registration_refusals(sdk);
        test_lifecycle(sdk);
        test_batch_delivery(sdk);
        CHECK_EQ(net_meshos_sdk_shutdown(sdk), NET_MESHOS_OK);
        net_meshos_sdk_free(sdk);
    }
    test_bounded_queues();
    test_register_with_options();
    test_capabilities_across_two_nodes();
    return check_summary("meshos_test");
}
