/* The mesh's batch and blocking forms through the C ABI, used as intended:
 * net_mesh_accept_ex reporting the peer's address, net_mesh_peers,
 * net_mesh_send_blocking past a full window, net_mesh_send_block (one
 * buffer, every retry policy), and net_mesh_recv_batch into the caller's
 * buffer — including a message too large for it, which must be kept, not
 * lost or reordered. */
#define _POSIX_C_SOURCE 200809L /* nanosleep under -std=c11 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "mesh_pair.h"

/* The dialing half of a handshake, run on its own thread. */
typedef struct {
    test_node_t* from;
    test_node_t* to;
    int status;
} dial_job_t;

static void* dial_thread(void* arg) {
    dial_job_t* d = (dial_job_t*)arg;
    d->status = net_mesh_connect(d->from->mesh, d->to->addr, strlen(d->to->addr), d->to->public_key,
                                 NET_MESH_PUBLIC_KEY_LEN, d->to->node_id, 0);
    return NULL;
}

/* Read 12 messages from the stream, pausing between them so the sender's
 * window stays full for a while. */
static void* slow_drain(void* arg) {
    net_mesh_stream_t* in = (net_mesh_stream_t*)arg;
    for (int i = 0; i < 12; i++) {
        net_mesh_message_t msg;
        if (net_mesh_recv(in, 5000, &msg) != NET_SUCCESS) return NULL;
        net_mesh_free_message(&msg);
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* A numbered message "<tag> #<i>" into `out`; its length. */
static size_t numbered(char* out, size_t cap, const char* tag, int i) {
    return (size_t)snprintf(out, cap, "%s #%d", tag, i);
}

/* Read `count` numbered messages with net_mesh_recv_batch in calls of at
 * most `per_call`, checking order and content; returns how many matched. */
static int read_numbered(net_mesh_stream_t* rx, const char* tag, int count, size_t per_call) {
    uint8_t buf[4096];
    size_t lens[64];
    int matched = 0, next = 0;
    while (next < count) {
        int n = net_mesh_recv_batch(rx, buf, sizeof buf, lens, per_call, 5000, NULL);
        if (n <= 0) break;
        size_t at = 0;
        for (int i = 0; i < n; i++, next++) {
            char want[64];
            size_t len = numbered(want, sizeof want, tag, next);
            if (lens[i] == len && memcmp(buf + at, want, len) == 0) matched++;
            at += lens[i];
        }
    }
    return matched;
}

int main(void) {
    test_node_t a, b;
    test_node_new(&a, MESH_PSK_42, NULL);
    test_node_new(&b, MESH_PSK_42, NULL);
    CHECK(a.mesh != NULL && b.mesh != NULL);

    /* No peers yet. */
    CHECK_EQ(net_mesh_peers(a.mesh, NULL, 0), 0);

    /* accept_ex tells where the dialer's packets come from: a's address. */
    char peer_addr[NET_MESH_ADDR_LEN];
    dial_job_t dial = {&a, &b, 1};
    pthread_t dialer;
    pthread_create(&dialer, NULL, dial_thread, &dial);
    int addr_len = net_mesh_accept_ex(b.mesh, a.node_id, 5000, NULL, peer_addr, sizeof peer_addr);
    pthread_join(dialer, NULL);
    CHECK_EQ(dial.status, NET_SUCCESS);
    CHECK_EQ(addr_len, (long long)strlen(a.addr));
    CHECK(strcmp(peer_addr, a.addr) == 0);
    CHECK_EQ(net_mesh_start(a.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(b.mesh), NET_SUCCESS);

    /* Each side lists the other. */
    net_mesh_peer_t peers[2];
    memset(peers, 0xAB, sizeof peers);
    CHECK_EQ(net_mesh_peers(a.mesh, peers, 2), 1);
    CHECK(peers[0].node_id == b.node_id);
    CHECK(strcmp(peers[0].addr, b.addr) == 0);
    CHECK_EQ(peers[0].state, NET_MESH_PEER_ALIVE);
    uint8_t b_entity[NET_ENTITY_ID_LEN];
    CHECK_EQ(net_mesh_entity_id(b.mesh, b_entity, sizeof b_entity), NET_SUCCESS);
    CHECK(memcmp(peers[0].entity_id, b_entity, sizeof b_entity) == 0);
    CHECK_EQ(net_mesh_peers(b.mesh, NULL, 0), 1); /* counting only */

    /* send_block: one buffer, lengths adding up; an empty message too. */
    net_mesh_stream_t* ab = net_mesh_open_stream(a.mesh, b.node_id, 7, NULL);
    net_mesh_stream_t* ba = net_mesh_open_stream(b.mesh, a.node_id, 7, NULL);
    CHECK(ab != NULL && ba != NULL);
    const char block[] = "onetwothree";
    size_t block_lens[4] = {3, 3, 0, 5};
    CHECK_EQ(net_mesh_send_block(ab, (const uint8_t*)block, 11, block_lens, 4, 0, NULL), NET_SUCCESS);
    CHECK_EQ(net_mesh_send_block(ab, (const uint8_t*)block, 11, block_lens, 4, 3, NULL), NET_SUCCESS);
    CHECK_EQ(net_mesh_send_block(ab, (const uint8_t*)block, 11, block_lens, 4, NET_MESH_RETRY_BLOCKING, NULL),
             NET_SUCCESS);
    {
        uint8_t buf[64];
        size_t lens[16];
        int got = 0;
        size_t at = 0;
        char all[64];
        size_t all_len = 0;
        while (got < 12) {
            int n = net_mesh_recv_batch(ba, buf, sizeof buf, lens, 16, 5000, NULL);
            CHECK(n > 0);
            if (n <= 0) break;
            at = 0;
            for (int i = 0; i < n; i++) {
                CHECK_EQ(lens[i], block_lens[(got + i) % 4]);
                memcpy(all + all_len, buf + at, lens[i]);
                all_len += lens[i];
                at += lens[i];
            }
            got += n;
        }
        CHECK_EQ(got, 12);
        CHECK(all_len == 33 && memcmp(all, "onetwothreeonetwothreeonetwothree", 33) == 0);
    }
    /* Nothing waiting: a zero timeout returns 0 at once; a short one times out. */
    {
        uint8_t buf[8];
        size_t lens[1];
        CHECK_EQ(net_mesh_recv_batch(ba, buf, sizeof buf, lens, 1, 0, NULL), 0);
        CHECK_KIND(NULL);
        CHECK_EQ(net_mesh_recv_batch(ba, buf, sizeof buf, lens, 1, 20, NULL), NET_ERR_TIMEOUT);
        CHECK_KIND("timeout");
    }

    /* A message larger than the buffer: refused with its size, kept, and
     * handed out first (before what arrived after it). */
    {
        static uint8_t big[3000];
        for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7);
        const uint8_t* parts[3] = {(const uint8_t*)"small", big, (const uint8_t*)"after"};
        size_t lens3[3] = {5, sizeof big, 5};
        CHECK_EQ(net_mesh_send_batch(ab, parts, lens3, 3), NET_SUCCESS);
        uint8_t buf[1024];
        size_t lens[4] = {0};
        /* "small" fits; the big one does not fit what is left: kept. */
        int n = net_mesh_recv_batch(ba, buf, sizeof buf, lens, 4, 5000, NULL);
        CHECK_EQ(n, 1);
        CHECK(lens[0] == 5 && memcmp(buf, "small", 5) == 0);
        /* Alone it does not fit an empty buffer either: its size is reported. */
        CHECK_EQ(net_mesh_recv_batch(ba, buf, sizeof buf, lens, 4, 5000, NULL), NET_ERR_BUFFER_TOO_SMALL);
        CHECK_KIND("buffer_too_small");
        CHECK_EQ(lens[0], sizeof big);
        /* net_mesh_recv hands out the kept message too. */
        net_mesh_message_t msg;
        CHECK_EQ(net_mesh_recv(ba, 5000, &msg), NET_SUCCESS);
        CHECK(msg.len == sizeof big && memcmp(msg.data, big, sizeof big) == 0);
        net_mesh_free_message(&msg);
        n = net_mesh_recv_batch(ba, buf, sizeof buf, lens, 4, 5000, NULL);
        CHECK_EQ(n, 1);
        CHECK(lens[0] == 5 && memcmp(buf, "after", 5) == 0);
    }

    /* Many numbered messages both ways, read in batches of various sizes. */
    for (int i = 0; i < 300; i++) {
        char text[64];
        size_t len = numbered(text, sizeof text, "ab", i);
        const uint8_t* p = (const uint8_t*)text;
        CHECK_EQ(net_mesh_send_blocking(ab, &p, &len, 1), NET_SUCCESS);
    }
    CHECK_EQ(read_numbered(ba, "ab", 300, 64), 300);
    for (int i = 0; i < 100; i++) {
        char text[64];
        size_t len = numbered(text, sizeof text, "ba", i);
        CHECK_EQ(net_mesh_send_block(ba, (const uint8_t*)text, len, &len, 1, NET_MESH_RETRY_BLOCKING, NULL),
                 NET_SUCCESS);
    }
    CHECK_EQ(read_numbered(ab, "ba", 100, 1), 100);

    /* send_blocking waits out a full window instead of refusing. b's side
     * of stream 9 holds 2 messages before it stops acknowledging; a's
     * window is 4. A reader thread drains b slowly meanwhile. */
    {
        net_mesh_stream_config_t hold = {NET_MESH_RELIABLE, 0, 2};
        net_mesh_stream_config_t small = {NET_MESH_RELIABLE, 4, 0};
        net_mesh_stream_t* in = net_mesh_open_stream(b.mesh, a.node_id, 9, &hold);
        net_mesh_stream_t* out = net_mesh_open_stream(a.mesh, b.node_id, 9, &small);
        CHECK(in != NULL && out != NULL);
        const uint8_t* four[4] = {(const uint8_t*)"m", (const uint8_t*)"m", (const uint8_t*)"m", (const uint8_t*)"m"};
        size_t ones[4] = {1, 1, 1, 1};
        CHECK_EQ(net_mesh_send_batch(out, four, ones, 4), NET_SUCCESS);
        pthread_t reader;
        pthread_create(&reader, NULL, slow_drain, in);
        CHECK_EQ(net_mesh_send_blocking(out, four, ones, 4), NET_SUCCESS);
        CHECK_EQ(net_mesh_send_blocking(out, four, ones, 4), NET_SUCCESS);
        pthread_join(reader, NULL);
        net_mesh_stream_stats_t ss;
        CHECK_EQ(net_mesh_stream_stats(a.mesh, b.node_id, 9, &ss), NET_SUCCESS);
        CHECK_EQ(ss.messages_sent, 12);
        CHECK(ss.backpressure_events >= 1); /* it did have to wait */
        CHECK_EQ(net_mesh_stream_stats(b.mesh, a.node_id, 9, &ss), NET_SUCCESS);
        CHECK_EQ(ss.messages_received, 12);
        net_mesh_stream_free(in);
        net_mesh_stream_free(out);
    }

    /* b leaves: its own streams end, so a batch receive on one returns
     * not_connected at once instead of waiting out its timeout. */
    CHECK_EQ(net_mesh_shutdown(b.mesh), NET_SUCCESS);
    {
        uint8_t buf[16];
        size_t lens[1];
        CHECK_EQ(net_mesh_recv_batch(ba, buf, sizeof buf, lens, 1, 5000, NULL), NET_ERR_NOT_CONNECTED);
        CHECK_KIND("not_connected");
    }

    net_mesh_stream_free(ab);
    net_mesh_stream_free(ba);
    net_mesh_free(a.mesh);
    net_mesh_free(b.mesh);
    return check_summary("mesh_batch_test");
}
