/* The C peer of tests/cross (protocol: tests/cross/README.md).
 *
 *   peer_c dial|accept STREAM_ID COUNT PSK_HEX [--bad-psk]
 *
 * Built by `make test-cross` into target/cross/peer_c with the flags of
 * tests/c (strict C11, -Werror, linked to libnet.so).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"

#define HANDSHAKE_MS 10000u /* connect / accept: the other process is already up */
#define RECV_TIMEOUT_MS 30000u /* one message; the driver's deadline is the real bound */
#define LAST_SIZE 12000

typedef struct {
    int ok;
    char kind[64];
    char error[256];
} result_t;

/* The failed net_* call's kind and message; copied at once, because the
 * next net_* call on this thread replaces them. */
static void fail_from_net(result_t* r, const char* what) {
    const char* kind = net_last_error_kind();
    const char* msg = net_last_error_message();
    r->ok = 0;
    snprintf(r->kind, sizeof r->kind, "%s", kind ? kind : "unknown");
    snprintf(r->error, sizeof r->error, "%s: %s", what, msg ? msg : "");
}

/* Message i: i as 8 bytes little-endian, then filler that depends on i, so
 * a message under the wrong index cannot pass. The last one is 12,000
 * bytes, larger than one default datagram. Returns the length. */
static size_t payload(uint8_t* buf, uint64_t i, uint64_t count) {
    size_t size = i == count - 1 ? LAST_SIZE : 8 + (size_t)(i % 200);
    for (int k = 0; k < 8; k++) buf[k] = (uint8_t)(i >> (8 * k));
    for (size_t j = 8; j < size; j++) buf[j] = (uint8_t)(i * 7 + j);
    return size;
}

static int hex_decode(const char* hex, uint8_t* out, size_t len) {
    if (strlen(hex) != 2 * len) return -1;
    for (size_t k = 0; k < len; k++) {
        unsigned v;
        if (sscanf(hex + 2 * k, "%2x", &v) != 1) return -1;
        out[k] = (uint8_t)v;
    }
    return 0;
}

/* The string value of "key" in the driver's one-line JSON object (it
 * writes plain strings without escapes). */
static int json_string(const char* line, const char* key, char* out, size_t cap) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", key);
    const char* p = strstr(line, pattern);
    if (!p) return -1;
    p = strchr(p + strlen(pattern), '"');
    if (!p) return -1;
    const char* end = strchr(++p, '"');
    if (!end || (size_t)(end - p) >= cap) return -1;
    memcpy(out, p, (size_t)(end - p));
    out[end - p] = '\0';
    return 0;
}

/* JSON text of `s` into `out`: quotes, backslashes and control bytes escaped. */
static void json_escape(const char* s, char* out, size_t cap) {
    size_t n = 0;
    for (; *s && n + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { out[n++] = '\\'; out[n++] = (char)c; }
        else if (c < 0x20) n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
        else out[n++] = (char)c;
    }
    out[n] = '\0';
}

static void emit_result(const result_t* r, uint64_t count) {
    if (r->ok) {
        printf("{\"ok\":true,\"received\":%llu}\n", (unsigned long long)count);
    } else {
        char kind[160], error[800];
        json_escape(r->kind, kind, sizeof kind);
        json_escape(r->error, error, sizeof error);
        printf("{\"ok\":false,\"kind\":\"%s\",\"error\":\"%s\"}\n", kind, error);
    }
    fflush(stdout);
}

typedef struct {
    net_mesh_stream_t* stream;
    uint64_t count;
    result_t result;
} receiver_t;

static void* receive(void* arg) {
    receiver_t* rx = (receiver_t*)arg;
    uint8_t expected[LAST_SIZE];
    for (uint64_t i = 0; i < rx->count; i++) {
        net_mesh_message_t msg;
        if (net_mesh_recv(rx->stream, RECV_TIMEOUT_MS, &msg) != NET_SUCCESS) {
            fail_from_net(&rx->result, "net_mesh_recv");
            return NULL;
        }
        size_t len = payload(expected, i, rx->count);
        int same = msg.len == len && memcmp(msg.data, expected, len) == 0;
        if (!same) {
            unsigned long long head = 0;
            for (int k = 0; k < 8 && (size_t)k < msg.len; k++) head |= (unsigned long long)msg.data[k] << (8 * k);
            rx->result.ok = 0;
            snprintf(rx->result.kind, sizeof rx->result.kind, "mismatch");
            snprintf(rx->result.error, sizeof rx->result.error, "message %llu: got %zu bytes with index %llu",
                     (unsigned long long)i, msg.len, head);
        }
        net_mesh_free_message(&msg);
        if (!same) return NULL;
    }
    rx->result.ok = 1;
    return NULL;
}

static void exchange(net_mesh_t* mesh, int dial, const char* line, uint64_t stream_id, uint64_t count, result_t* r) {
    char addr[NET_MESH_ADDR_LEN], key_hex[2 * NET_MESH_PUBLIC_KEY_LEN + 1], id_text[32];
    uint8_t key[NET_MESH_PUBLIC_KEY_LEN];
    if (json_string(line, "addr", addr, sizeof addr) || json_string(line, "public_key", key_hex, sizeof key_hex) ||
        json_string(line, "node_id", id_text, sizeof id_text) || hex_decode(key_hex, key, sizeof key)) {
        snprintf(r->kind, sizeof r->kind, "bad_hello");
        snprintf(r->error, sizeof r->error, "cannot read the peer's hello");
        return;
    }
    uint64_t peer_id = strtoull(id_text, NULL, 10);
    int rc = dial ? net_mesh_connect(mesh, addr, strlen(addr), key, sizeof key, peer_id, HANDSHAKE_MS)
                  : net_mesh_accept(mesh, peer_id, HANDSHAKE_MS);
    if (rc != NET_SUCCESS) {
        fail_from_net(r, dial ? "net_mesh_connect" : "net_mesh_accept");
        return;
    }
    if (net_mesh_start(mesh) != NET_SUCCESS) {
        fail_from_net(r, "net_mesh_start");
        return;
    }
    net_mesh_stream_config_t config = {NET_MESH_RELIABLE, 0, 0};
    net_mesh_stream_t* stream = net_mesh_open_stream(mesh, peer_id, stream_id, &config);
    if (!stream) {
        fail_from_net(r, "net_mesh_open_stream");
        return;
    }

    /* Send and receive at once: a side that only sent would fill the
     * other's receive queue and stall both (flow control). */
    receiver_t rx = {stream, count, {0, "", ""}};
    pthread_t thread;
    if (pthread_create(&thread, NULL, receive, &rx) != 0) {
        snprintf(r->kind, sizeof r->kind, "io");
        snprintf(r->error, sizeof r->error, "pthread_create failed");
        net_mesh_stream_free(stream);
        return;
    }
    static uint8_t buf[LAST_SIZE];
    int sent_all = 1;
    for (uint64_t i = 0; i < count; i++) {
        size_t len = payload(buf, i, count);
        const uint8_t* messages[1] = {buf};
        if (net_mesh_send_blocking(stream, messages, &len, 1) != NET_SUCCESS) {
            fail_from_net(r, "net_mesh_send_blocking");
            sent_all = 0;
            /* Ends the receiver's wait too: it would otherwise sit out its timeout. */
            net_mesh_stream_close(stream);
            break;
        }
    }
    pthread_join(thread, NULL);
    if (sent_all) *r = rx.result;
    /* Only the handle: the stream stays open until net_mesh_free, after the
     * driver's go, so retransmissions the peer waits for still happen. */
    net_mesh_stream_free(stream);
}

int main(int argc, char** argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: peer_c dial|accept STREAM_ID COUNT PSK_HEX [--bad-psk]\n");
        return 2;
    }
    int dial = strcmp(argv[1], "dial") == 0;
    uint64_t stream_id = strtoull(argv[2], NULL, 10), count = strtoull(argv[3], NULL, 10);
    uint8_t psk[32];
    if (hex_decode(argv[4], psk, sizeof psk)) {
        fprintf(stderr, "the psk must be 64 hex digits\n");
        return 2;
    }
    int bad = argc > 5 && strcmp(argv[5], "--bad-psk") == 0;
    char config[160];
    int n = snprintf(config, sizeof config, "{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"");
    for (size_t k = 0; k < sizeof psk; k++) n += snprintf(config + n, sizeof config - (size_t)n, "%02x", bad ? psk[k] ^ 0xffu : psk[k]);
    snprintf(config + n, sizeof config - (size_t)n, "\"}");

    result_t r = {0, "", ""};
    net_mesh_t* mesh = net_mesh_new(config, NULL);
    if (!mesh) {
        fail_from_net(&r, "net_mesh_new");
        emit_result(&r, count);
        return 1;
    }
    char addr[NET_MESH_ADDR_LEN];
    uint8_t key[NET_MESH_PUBLIC_KEY_LEN];
    uint64_t id = 0;
    net_mesh_local_addr(mesh, addr, sizeof addr);
    net_mesh_public_key(mesh, key, sizeof key);
    net_mesh_node_id(mesh, &id);
    printf("{\"addr\":\"%s\",\"public_key\":\"", addr);
    for (size_t k = 0; k < sizeof key; k++) printf("%02x", key[k]);
    printf("\",\"node_id\":\"%llu\"}\n", (unsigned long long)id);
    fflush(stdout);

    char line[1024];
    if (fgets(line, sizeof line, stdin)) {
        exchange(mesh, dial, line, stream_id, count, &r);
    } else {
        snprintf(r.kind, sizeof r.kind, "bad_hello");
        snprintf(r.error, sizeof r.error, "stdin ended before the peer's hello");
    }
    emit_result(&r, count);
    /* Stay up until the driver closes stdin: shutting down early would close
     * the session under a peer that is still receiving. */
    while (fgets(line, sizeof line, stdin)) {}
    net_mesh_free(mesh);
    return r.ok ? 0 : 1;
}
