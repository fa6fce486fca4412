/* meshos_daemon.c — a MeshOS daemon in C: a counter registered with a
 * vtable, fed events through net.h, snapshotted and restored, told to drain
 * by a control event, logging, then shut down gracefully.
 *
 *   make demo      (or: gcc meshos_daemon.c -I include -L target/release -lnet)
 */
#include <stdio.h>
#include <string.h>

#include "net.h"
#include "net_meshos.h"

typedef struct {
    unsigned long long count;
} counter_t;

static int process(void* ctx, NetMeshOsProcessEmitCtx* emit, uint64_t origin, uint64_t seq,
                   const uint8_t* payload, size_t len) {
    counter_t* c = (counter_t*)ctx;
    (void)origin;
    (void)seq;
    (void)payload; /* it counts bytes, whatever they are */
    c->count += len;
    char out[32];
    int n = snprintf(out, sizeof out, "%llu", c->count);
    net_meshos_process_emit(emit, (const uint8_t*)out, (size_t)n); /* copied at once */
    return 0;
}

static void snapshot(void* ctx, NetMeshOsSnapshotEmitCtx* emit) {
    net_meshos_snapshot_emit(emit, (const uint8_t*)&((counter_t*)ctx)->count, sizeof(unsigned long long));
}

static int restore(void* ctx, const uint8_t* state, size_t len) {
    if (len != sizeof(unsigned long long)) return 1;
    memcpy(&((counter_t*)ctx)->count, state, len);
    return 0;
}

static int fail_meshos(const char* what) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, net_meshos_last_error_message(), net_meshos_last_error_kind());
    return 1;
}

static int fail_net(const char* what) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, net_last_error_message(), net_last_error_kind());
    return 1;
}

static int feed(NetMeshOsSdk* sdk, uint64_t id, const char* text) {
    net_daemon_outputs_t* out = NULL;
    if (net_daemon_deliver(sdk, id, 1, 1, (const uint8_t*)text, strlen(text), &out) != NET_SUCCESS) return fail_net("deliver");
    const uint8_t* data;
    size_t len;
    if (net_daemon_outputs_get(out, 0, &data, &len) == NET_SUCCESS) printf("  %-8s -> count %.*s\n", text, (int)len, (const char*)data);
    net_daemon_outputs_free(out);
    return 0;
}

int main(void) {
    NetMeshOsSdk* sdk = NULL;
    if (net_meshos_sdk_start(0, 0, 0, 0, 0, &sdk) != NET_MESHOS_OK) return fail_meshos("sdk_start");

    counter_t counter = {0};
    NetMeshOsDaemonVtable vtable = {process, snapshot, restore, NULL, NULL, NULL};
    uint8_t seed[32] = {7};
    NetMeshOsHandle* daemon = NULL;
    if (net_meshos_register_daemon_with_vtable(sdk, "counter", 7, seed, &vtable, &counter, &daemon) != NET_MESHOS_OK)
        return fail_meshos("register");
    uint64_t id = net_meshos_handle_daemon_id(daemon);
    printf("registered %s as %016llx\n", net_meshos_handle_daemon_name(daemon), (unsigned long long)id);

    if (feed(sdk, id, "hello") || feed(sdk, id, "mesh")) return 1;
    uint8_t* snap = NULL;
    size_t snap_len = 0;
    if (net_daemon_snapshot(sdk, id, &snap, &snap_len) != NET_SUCCESS) return fail_net("snapshot");
    printf("snapshot: %zu bytes\n", snap_len);
    if (feed(sdk, id, "more")) return 1;
    if (net_daemon_restore(sdk, id, snap, snap_len) != NET_SUCCESS) return fail_net("restore");
    net_daemon_bytes_free(snap, snap_len);
    printf("restored: count %llu\n", counter.count);

    if (net_daemon_send_control(sdk, id, NET_MESHOS_CONTROL_DRAIN_START, 100, 0) != NET_SUCCESS) return fail_net("control");
    NetMeshOsDaemonControl ctl;
    if (net_meshos_next_control(daemon, 5000, &ctl) != NET_MESHOS_OK) return fail_meshos("next_control");
    printf("control: kind %d, grace %llu ms\n", ctl.kind, (unsigned long long)ctl.grace_period_ms);
    if (net_meshos_publish_log(daemon, NET_MESHOS_LOG_INFO, "drained", 7) != NET_MESHOS_OK) return fail_meshos("log");
    char* logs = net_daemon_drain_logs(sdk);
    printf("logs: %s\n", logs ? logs : "(none)");
    net_free_string(logs);

    if (net_meshos_graceful_shutdown(daemon, 10) != NET_MESHOS_OK) return fail_meshos("graceful_shutdown");
    net_meshos_handle_free(daemon);
    if (net_meshos_sdk_shutdown(sdk) != NET_MESHOS_OK) return fail_meshos("sdk_shutdown");
    net_meshos_sdk_free(sdk);
    printf("shut down\n");
    return 0;
}
