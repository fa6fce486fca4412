/* The mesh through the C ABI, used as intended: two nodes on loopback,
 * a handshake, a reliable stream both ways, back-pressure, statistics,
 * liveness after a peer leaves, and every handle released. */
#define _POSIX_C_SOURCE 200809L /* nanosleep under -std=c11 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "mesh_pair.h"

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Send `count` numbered messages from `tx` and read them back in order on `rx`. */
static void exchange(net_mesh_stream_t* tx, net_mesh_stream_t* rx, int count, const char* tag) {
    for (int i = 0; i < count; i++) {
        char text[64];
        int len = snprintf(text, sizeof text, "%s #%d", tag, i);
        CHECK_EQ(net_mesh_send(tx, (const uint8_t*)text, (size_t)len), NET_SUCCESS);
    }
    int in_order = 0;
    for (int i = 0; i < count; i++) {
        char want[64];
        int len = snprintf(want, sizeof want, "%s #%d", tag, i);
        net_mesh_message_t msg;
        if (net_mesh_recv(rx, 5000, &msg) != NET_SUCCESS) break;
        if (msg.len == (size_t)len && memcmp(msg.data, want, msg.len) == 0) in_order++;
        net_mesh_free_message(&msg);
    }
    CHECK_EQ(in_order, count);
}

int main(void) {
    /* A seeded identity names its node: the mesh's ids are the identity's. */
    uint8_t seed[NET_SEED_LEN];
    memset(seed, 7, sizeof seed);
    net_identity_t* id = net_identity_from_seed(seed, sizeof seed);
    uint64_t identity_node = 0;
    uint8_t identity_entity[NET_ENTITY_ID_LEN], mesh_entity[NET_ENTITY_ID_LEN];
    net_identity_node_id(id, &identity_node);
    net_identity_entity_id(id, identity_entity, sizeof identity_entity);

    test_node_t a, b;
    test_node_new(&a, MESH_PSK_42, id);
    test_node_new(&b, MESH_PSK_42, NULL);
    net_identity_free(id); /* the mesh keeps its own copy */
    CHECK(a.mesh != NULL && b.mesh != NULL);
    CHECK(a.node_id == identity_node);
    CHECK_EQ(net_mesh_entity_id(a.mesh, mesh_entity, sizeof mesh_entity), NET_SUCCESS);
    CHECK(memcmp(mesh_entity, identity_entity, sizeof mesh_entity) == 0);
    CHECK(a.node_id != b.node_id);
    CHECK(strncmp(a.addr, "127.0.0.1:", 10) == 0);
    CHECK_EQ(net_mesh_local_addr(a.mesh, a.addr, sizeof a.addr), (long long)strlen(a.addr));

    /* Handshake: b accepts on a thread while a dials. */
    accept_job_t job;
    char kind[64];
    CHECK_EQ(test_handshake(&a, &b, b.public_key, b.node_id, 5000, &job, kind, sizeof kind), NET_SUCCESS);
    CHECK_EQ(job.status, NET_SUCCESS);
    CHECK_EQ(net_mesh_start(a.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(b.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(b.mesh), NET_SUCCESS); /* idempotent */

    int state = -1;
    CHECK_EQ(net_mesh_peer_state(a.mesh, b.node_id, &state), NET_SUCCESS);
    CHECK_EQ(state, NET_MESH_PEER_ALIVE);
    net_mesh_stats_t stats;
    CHECK_EQ(net_mesh_stats(a.mesh, &stats), NET_SUCCESS);
    CHECK_EQ(stats.sessions, 1);
    CHECK(stats.handshakes_completed >= 1);
    CHECK_EQ(stats.receive_panics, 0);
    CHECK_EQ(stats.maintenance_panics, 0);
    CHECK_EQ(stats.datagrams_refused, 0);

    /* A reliable stream both ways: everything arrives once, in order. */
    net_mesh_stream_t* ab = net_mesh_open_stream(a.mesh, b.node_id, 0x42, NULL);
    net_mesh_stream_t* ba = net_mesh_open_stream(b.mesh, a.node_id, 0x42, NULL);
    CHECK(ab != NULL && ba != NULL);
    exchange(ab, ba, 200, "a->b");
    exchange(ba, ab, 50, "b->a");

    /* A batch, including an empty message and a multi-datagram one. */
    static uint8_t big[20000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 31);
    const uint8_t* parts[3] = {(const uint8_t*)"x", (const uint8_t*)"", big};
    size_t lens[3] = {1, 0, sizeof big};
    CHECK_EQ(net_mesh_send_batch(ab, parts, lens, 3), NET_SUCCESS);
    for (int i = 0; i < 3; i++) {
        net_mesh_message_t msg;
        CHECK_EQ(net_mesh_recv(ba, 5000, &msg), NET_SUCCESS);
        CHECK_EQ(msg.len, lens[i]);
        CHECK(msg.data != NULL && memcmp(msg.data, parts[i], lens[i]) == 0);
        net_mesh_free_message(&msg);
        net_mesh_free_message(&msg); /* zeroed: harmless */
    }

    /* Nothing waiting: a zero timeout returns at once. */
    net_mesh_message_t none;
    CHECK_EQ(net_mesh_recv(ba, 0, &none), NET_ERR_TIMEOUT);
    CHECK_KIND("timeout");
    CHECK(none.data == NULL && none.len == 0);

    /* Stream statistics on both sides. */
    net_mesh_stream_stats_t ss;
    CHECK_EQ(net_mesh_stream_stats(a.mesh, b.node_id, 0x42, &ss), NET_SUCCESS);
    CHECK_EQ(ss.messages_sent, 203);
    CHECK_EQ(ss.messages_received, 50);
    CHECK_EQ(ss.window, 256);
    CHECK_EQ(net_mesh_stream_stats(b.mesh, a.node_id, 0x42, &ss), NET_SUCCESS);
    CHECK_EQ(ss.messages_received, 203);

    /* Back-pressure. b's side of stream 9 queues at most 2 messages, so
     * once its inbox is full it stops acknowledging and a's window of 4
     * stays partly in flight until b reads. */
    net_mesh_stream_config_t hold = {NET_MESH_RELIABLE, 0, 2};
    net_mesh_stream_t* narrow_in = net_mesh_open_stream(b.mesh, a.node_id, 9, &hold);
    net_mesh_stream_config_t small = {NET_MESH_RELIABLE, 4, 0};
    net_mesh_stream_t* narrow = net_mesh_open_stream(a.mesh, b.node_id, 9, &small);
    CHECK(narrow != NULL && narrow_in != NULL);
    const uint8_t* five[5] = {big, big, big, big, big};
    size_t five_lens[5] = {8, 8, 8, 8, 8};
    /* A batch that could never fit the window is a usage error. */
    CHECK_EQ(net_mesh_send_batch(narrow, five, five_lens, 5), NET_ERR_INVALID_ARGUMENT);
    CHECK_KIND("invalid_argument");
    CHECK_EQ(net_mesh_send_batch(narrow, five, five_lens, 4), NET_SUCCESS);
    int full = 0;
    for (int i = 0; i < 200 && !full; i++) {
        full = net_mesh_stream_stats(b.mesh, a.node_id, 9, &ss) == NET_SUCCESS && ss.inbox == 2;
        if (!full) sleep_ms(10);
    }
    CHECK(full);
    /* The window is not free: refused at once, whole, and counted. */
    CHECK_EQ(net_mesh_send_batch(narrow, five, five_lens, 4), NET_ERR_BACKPRESSURE);
    CHECK_KIND("backpressure");
    CHECK_EQ(net_mesh_stream_stats(a.mesh, b.node_id, 9, &ss), NET_SUCCESS);
    CHECK_EQ(ss.backpressure_events, 1);
    CHECK_EQ(ss.messages_sent, 4);
    CHECK_EQ(ss.window, 4);
    CHECK(ss.in_flight >= 1);
    /* Once b reads, the retrying form gets through. */
    for (int i = 0; i < 2; i++) {
        net_mesh_message_t msg;
        CHECK_EQ(net_mesh_recv(narrow_in, 5000, &msg), NET_SUCCESS);
        net_mesh_free_message(&msg);
    }
    CHECK_EQ(net_mesh_send_with_retry(narrow, five, five_lens, 4, 50), NET_SUCCESS);
    CHECK_EQ(net_mesh_stream_stats(a.mesh, b.node_id, 9, &ss), NET_SUCCESS);
    CHECK_EQ(ss.messages_sent, 8);

    /* Fire-and-forget: sent once, counted. */
    net_mesh_stream_config_t ff = {NET_MESH_FIRE_AND_FORGET, 0, 0};
    net_mesh_stream_t* lossy = net_mesh_open_stream(a.mesh, b.node_id, 11, &ff);
    CHECK(lossy != NULL);
    CHECK_EQ(net_mesh_send(lossy, (const uint8_t*)"ping", 4), NET_SUCCESS);
    CHECK_EQ(net_mesh_stream_stats(a.mesh, b.node_id, 11, &ss), NET_SUCCESS);
    CHECK_EQ(ss.messages_sent, 1);
    CHECK_EQ(ss.retransmits, 0);

    /* Too large for any stream. */
    uint8_t* huge = (uint8_t*)calloc(65537, 1);
    CHECK_EQ(net_mesh_send(ab, huge, 65537), NET_ERR_MESSAGE_TOO_LARGE);
    CHECK_KIND("message_too_large");
    free(huge);

    /* Closing a stream on this side ends its sends. */
    CHECK_EQ(net_mesh_stream_close(lossy), NET_SUCCESS);
    CHECK_EQ(net_mesh_send(lossy, (const uint8_t*)"late", 4), NET_ERR_NOT_CONNECTED);
    CHECK_KIND("not_connected");
    CHECK_EQ(net_mesh_stream_stats(a.mesh, b.node_id, 11, &ss), NET_ERR_NOT_CONNECTED);

    /* b leaves: a sees it dead and its sends fail with not_connected. */
    CHECK_EQ(net_mesh_shutdown(b.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_shutdown(b.mesh), NET_SUCCESS); /* twice is fine */
    int dead = 0;
    for (int i = 0; i < 100 && !dead; i++) {
        dead = net_mesh_peer_state(a.mesh, b.node_id, &state) == NET_SUCCESS && state == NET_MESH_PEER_DEAD;
        if (!dead) sleep_ms(50);
    }
    CHECK(dead);
    CHECK_EQ(net_mesh_send(ab, (const uint8_t*)"gone", 4), NET_ERR_NOT_CONNECTED);
    CHECK_KIND("not_connected");
    /* A shut-down node refuses further work. */
    CHECK_EQ(net_mesh_start(b.mesh), NET_ERR_SHUTTING_DOWN);
    CHECK_KIND("closed");

    net_mesh_stream_free(ab);
    net_mesh_stream_free(ba);
    net_mesh_stream_free(narrow);
    net_mesh_stream_free(narrow_in);
    net_mesh_stream_free(lossy);
    net_mesh_free(a.mesh);
    net_mesh_free(b.mesh);
    return check_summary("mesh_api_test");
}
