/* The vtable libnet calls for a Go daemon: C functions with exactly the
 * types net_meshos.h declares, each passing straight on to its Go export
 * (meshos_callbacks.go). They exist because a Go export cannot spell
 * `const` or take user_ctx as the integer it is (a cgo.Handle): here
 * user_ctx becomes a uintptr_t and Go never converts an integer to a
 * pointer. */
#include "_cgo_export.h"
#include "meshos_shim.h"

static int netgo_vt_process(void *ctx, NetMeshOsProcessEmitCtx *emit, uint64_t origin, uint64_t seq,
                            const uint8_t *p, size_t len) {
    return netgoMeshosProcess((uintptr_t)ctx, emit, origin, seq, (uint8_t *)p, len);
}

static void netgo_vt_snapshot(void *ctx, NetMeshOsSnapshotEmitCtx *emit) { netgoMeshosSnapshot((uintptr_t)ctx, emit); }

static int netgo_vt_restore(void *ctx, const uint8_t *p, size_t len) {
    return netgoMeshosRestore((uintptr_t)ctx, (uint8_t *)p, len);
}

static void netgo_vt_control(void *ctx, int kind, uint64_t grace_ms, float level) {
    netgoMeshosControl((uintptr_t)ctx, kind, grace_ms, level);
}

static int netgo_vt_health(void *ctx) { return netgoMeshosHealth((uintptr_t)ctx); }

static float netgo_vt_saturation(void *ctx) { return netgoMeshosSaturation((uintptr_t)ctx); }

NetMeshOsDaemonVtable netgo_meshos_vtable(int mask) {
    NetMeshOsDaemonVtable vt;
    memset(&vt, 0, sizeof vt);
    vt.process = netgo_vt_process;
    if (mask & NETGO_VT_SNAPSHOT) vt.snapshot = netgo_vt_snapshot;
    if (mask & NETGO_VT_RESTORE) vt.restore = netgo_vt_restore;
    if (mask & NETGO_VT_CONTROL) vt.on_control = netgo_vt_control;
    if (mask & NETGO_VT_HEALTH) vt.health = netgo_vt_health;
    if (mask & NETGO_VT_SATURATION) vt.saturation = netgo_vt_saturation;
    return vt;
}
