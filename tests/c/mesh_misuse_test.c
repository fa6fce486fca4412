/* The mesh C ABI under misuse: NULL and dead handles, bad configs, bad
 * arguments, impostors and wrong keys, timeouts, double frees and use
 * after shutdown. Every failure must be a typed error, never a crash, a
 * leak or a half-open session. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mesh_pair.h"

#define MESH_PSK_01 "0101010101010101010101010101010101010101010101010101010101010101"

static void bad_configs(void) {
    CHECK(net_mesh_new(NULL, NULL) == NULL);
    CHECK_KIND("null_parameter");
    CHECK(net_mesh_new("{", NULL) == NULL);
    CHECK_KIND("invalid_json");
    CHECK(net_mesh_new("{\"psk\":\"" MESH_PSK_01 "\"}", NULL) == NULL); /* no bind_addr */
    CHECK_KIND("invalid_config");
    CHECK(net_mesh_new("{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"" MESH_PSK_01 "\",\"colour\":1}", NULL) == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_mesh_new("{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"0101\"}", NULL) == NULL); /* short psk */
    CHECK_KIND("invalid_config");
    CHECK(net_mesh_new("{\"bind_addr\":\"nowhere\",\"psk\":\"" MESH_PSK_01 "\"}", NULL) == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_mesh_new("{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"" MESH_PSK_01 "\",\"max_datagram\":3}", NULL) == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_mesh_new("{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"\xff\xfe\"}", NULL) == NULL);
    CHECK_KIND("invalid_utf8");

    /* A port that is taken cannot be bound twice. */
    test_node_t first;
    test_node_new(&first, MESH_PSK_01, NULL);
    CHECK(first.mesh != NULL);
    char config[160];
    snprintf(config, sizeof config, "{\"bind_addr\":\"%s\",\"psk\":\"%s\"}", first.addr, MESH_PSK_01);
    CHECK(net_mesh_new(config, NULL) == NULL);
    CHECK_KIND("io");
    net_mesh_free(first.mesh);
}

static void null_and_dead_handles(void) {
    uint64_t id = 0;
    uint8_t key[NET_MESH_PUBLIC_KEY_LEN];
    memset(key, 9, sizeof key); /* a well-formed key that no node holds */
    char addr[8];
    int state = 0;
    net_mesh_stats_t stats;
    net_mesh_stream_stats_t ss;
    net_mesh_message_t msg;

    CHECK_EQ(net_mesh_node_id(NULL, &id), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");
    CHECK_EQ(net_mesh_public_key(NULL, key, sizeof key), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_connect(NULL, "127.0.0.1:1", 11, key, sizeof key, 1, 10), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_accept(NULL, 1, 10), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_start(NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_stats(NULL, &stats), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_shutdown(NULL), NET_ERR_NULL_POINTER);
    CHECK(net_mesh_open_stream(NULL, 1, 1, NULL) == NULL);
    CHECK_KIND("null_parameter");
    CHECK_EQ(net_mesh_send(NULL, key, 1), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_recv(NULL, 0, &msg), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_stream_close(NULL), NET_ERR_NULL_POINTER);
    net_mesh_free(NULL);        /* no-op */
    net_mesh_stream_free(NULL); /* no-op */
    net_mesh_free_message(NULL);

    test_node_t n;
    test_node_new(&n, MESH_PSK_01, NULL);
    CHECK(n.mesh != NULL);
    /* NULL outputs and short buffers. */
    CHECK_EQ(net_mesh_node_id(n.mesh, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_public_key(n.mesh, key, 31), NET_ERR_BUFFER_TOO_SMALL);
    CHECK_KIND("buffer_too_small");
    CHECK_EQ(net_mesh_local_addr(n.mesh, addr, sizeof addr), NET_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(net_mesh_peer_state(n.mesh, 1, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_stream_stats(n.mesh, 1, 1, NULL), NET_ERR_NULL_POINTER);
    /* Peers and streams that do not exist. */
    CHECK_EQ(net_mesh_peer_state(n.mesh, 12345, &state), NET_ERR_NOT_CONNECTED);
    CHECK_KIND("not_connected");
    CHECK_EQ(net_mesh_stream_stats(n.mesh, 12345, 1, &ss), NET_ERR_NOT_CONNECTED);
    CHECK(net_mesh_open_stream(n.mesh, 12345, 1, NULL) == NULL);
    CHECK_KIND("not_connected");
    /* Bad connect arguments never reach the network. */
    CHECK_EQ(net_mesh_connect(n.mesh, "127.0.0.1:1", 11, key, 31, 1, 10), NET_ERR_IDENTITY);
    CHECK_KIND("invalid_length");
    CHECK_EQ(net_mesh_connect(n.mesh, "\xff\xfe", 2, key, sizeof key, 1, 10), NET_ERR_INVALID_UTF8);
    CHECK_EQ(net_mesh_connect(n.mesh, "not an address", 14, key, sizeof key, 1, 10), NET_ERR_INVALID_ARGUMENT);
    CHECK_EQ(net_mesh_connect(n.mesh, NULL, 5, key, sizeof key, 1, 10), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_connect(n.mesh, n.addr, strlen(n.addr), n.public_key, sizeof key, n.node_id, 10),
             NET_ERR_INVALID_ARGUMENT); /* itself */
    /* Nobody answers: the dial times out. */
    CHECK_EQ(net_mesh_connect(n.mesh, "127.0.0.1:9", 11, key, sizeof key, 77, 200), NET_ERR_TIMEOUT);
    CHECK_KIND("timeout");
    CHECK_EQ(net_mesh_accept(n.mesh, 77, 100), NET_ERR_TIMEOUT);
    CHECK_KIND("timeout");

    /* After shutdown: typed errors, then free; a second free is reported, not a crash. */
    CHECK_EQ(net_mesh_shutdown(n.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_accept(n.mesh, 77, 100), NET_ERR_SHUTTING_DOWN);
    CHECK_KIND("closed");
    net_mesh_free(n.mesh);
    CHECK_KIND(NULL);
    net_mesh_free(n.mesh);
    CHECK_KIND("invalid_handle");
    CHECK_EQ(net_mesh_node_id(n.mesh, &id), NET_ERR_NULL_POINTER);
    CHECK_KIND("invalid_handle");
}

static void impostors_and_wrong_keys(void) {
    test_node_t a, b, c, stranger;
    test_node_new(&a, MESH_PSK_42, NULL);
    test_node_new(&b, MESH_PSK_42, NULL);
    test_node_new(&c, MESH_PSK_42, NULL);
    test_node_new(&stranger, MESH_PSK_01, NULL);
    CHECK(a.mesh && b.mesh && c.mesh && stranger.mesh);
    accept_job_t job;
    char kind[64];

    /* Another PSK. */
    CHECK_EQ(test_handshake(&stranger, &a, a.public_key, a.node_id, 1500, &job, kind, sizeof kind), NET_ERR_HANDSHAKE);
    CHECK(strcmp(kind, "wrong_psk") == 0);
    CHECK_EQ(job.status, NET_ERR_TIMEOUT);
    /* The key of another node. */
    CHECK_EQ(test_handshake(&b, &a, c.public_key, a.node_id, 1500, &job, kind, sizeof kind), NET_ERR_HANDSHAKE);
    CHECK(strcmp(kind, "unknown_static_key") == 0);
    /* The right key but another node's id. */
    CHECK_EQ(test_handshake(&b, &a, a.public_key, c.node_id, 1500, &job, kind, sizeof kind), NET_ERR_HANDSHAKE);
    CHECK(strcmp(kind, "identity_mismatch") == 0);

    /* None of it left a session or a pending half behind. */
    CHECK_EQ(net_mesh_start(a.mesh), NET_SUCCESS);
    net_mesh_stats_t stats;
    int settled = 0;
    for (int i = 0; i < 100 && !settled; i++) {
        settled = net_mesh_stats(a.mesh, &stats) == NET_SUCCESS && stats.pending_handshakes == 0;
        if (!settled) {
            accept_job_t wait = {a.mesh, 1, 50, 0, {0}};
            accept_thread(&wait); /* a 50 ms pause that exercises accept's timeout */
        }
    }
    CHECK(settled);
    CHECK_EQ(stats.sessions, 0);
    CHECK(stats.handshakes_failed >= 1);
    int state = 0;
    CHECK_EQ(net_mesh_peer_state(a.mesh, b.node_id, &state), NET_ERR_NOT_CONNECTED);

    /* A bad stream config is refused. */
    CHECK_EQ(test_handshake(&b, &a, a.public_key, a.node_id, 3000, &job, kind, sizeof kind), NET_SUCCESS);
    net_mesh_stream_config_t weird = {7, 0, 0};
    CHECK(net_mesh_open_stream(b.mesh, a.node_id, 1, &weird) == NULL);
    CHECK_KIND("invalid_argument");
    /* A stream handle outlives its node's handle safely. */
    net_mesh_stream_t* s = net_mesh_open_stream(b.mesh, a.node_id, 1, NULL);
    CHECK(s != NULL);
    CHECK_EQ(net_mesh_send_batch(s, NULL, NULL, 0), NET_SUCCESS);
    CHECK_EQ(net_mesh_send(s, NULL, 3), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_recv(s, 0, NULL), NET_ERR_NULL_POINTER);
    net_mesh_free(b.mesh);
    CHECK_EQ(net_mesh_send(s, (const uint8_t*)"hi", 2), NET_ERR_SHUTTING_DOWN);
    CHECK_KIND("closed");
    net_mesh_stream_free(s);
    net_mesh_stream_free(s);
    CHECK_KIND("invalid_handle");

    net_mesh_free(a.mesh);
    net_mesh_free(c.mesh);
    net_mesh_free(stranger.mesh);
}

/* The batch, blocking, cancellable and listing calls: NULL and dead
 * handles, bad lengths, and a node shut down or freed under its streams. */
static void batch_calls_misuse(void) {
    uint8_t buf[32];
    size_t lens[4] = {1, 1, 1, 1};
    const uint8_t* ptrs[1] = {buf};
    char addr[NET_MESH_ADDR_LEN];
    net_mesh_peer_t peers[2];
    memset(buf, 1, sizeof buf);

    /* NULL handles. */
    CHECK_EQ(net_mesh_peers(NULL, peers, 2), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");
    CHECK_EQ(net_mesh_send_blocking(NULL, ptrs, lens, 1), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_send_block(NULL, buf, 1, lens, 1, 0, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_recv_batch(NULL, buf, sizeof buf, lens, 4, 0, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_connect_ex(NULL, "127.0.0.1:1", 11, buf, 32, 1, 10, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_accept_ex(NULL, 1, 10, NULL, NULL, 0), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");

    test_node_t a, b;
    test_node_new(&a, MESH_PSK_42, NULL);
    test_node_new(&b, MESH_PSK_42, NULL);
    CHECK(a.mesh && b.mesh);
    /* Output buffers: a short address buffer is refused before waiting. */
    CHECK_EQ(net_mesh_accept_ex(a.mesh, b.node_id, 10, NULL, addr, 8), NET_ERR_BUFFER_TOO_SMALL);
    CHECK_KIND("buffer_too_small");
    CHECK_EQ(net_mesh_peers(a.mesh, NULL, 2), NET_ERR_NULL_POINTER); /* NULL only with cap 0 */
    CHECK_EQ(net_mesh_peers(a.mesh, NULL, 0), 0);
    accept_job_t job;
    char kind[64];
    CHECK_EQ(test_handshake(&a, &b, b.public_key, b.node_id, 3000, &job, kind, sizeof kind), NET_SUCCESS);
    CHECK_EQ(net_mesh_peers(a.mesh, peers, 0), 1);                  /* counting only */

    net_mesh_stream_t* s = net_mesh_open_stream(a.mesh, b.node_id, 5, NULL);
    net_mesh_stream_t* r = net_mesh_open_stream(b.mesh, a.node_id, 5, NULL);
    CHECK(s != NULL && r != NULL);
    /* Lengths that do not add up to the block, NULL arrays with a count. */
    CHECK_EQ(net_mesh_send_block(s, buf, 3, lens, 2, 0, NULL), NET_ERR_INVALID_ARGUMENT);
    CHECK_KIND("invalid_argument");
    CHECK_EQ(net_mesh_send_block(s, buf, 1, lens, 2, 0, NULL), NET_ERR_INVALID_ARGUMENT);
    size_t huge[2] = {SIZE_MAX, 2};
    CHECK_EQ(net_mesh_send_block(s, buf, 1, huge, 2, 0, NULL), NET_ERR_INVALID_ARGUMENT);
    CHECK_EQ(net_mesh_send_block(s, buf, 2, NULL, 2, 0, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_send_block(s, NULL, 2, lens, 2, 0, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_send_blocking(s, NULL, lens, 1), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_send_blocking(s, ptrs, NULL, 1), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_send_block(s, NULL, 0, NULL, 0, NET_MESH_RETRY_BLOCKING, NULL), NET_SUCCESS); /* empty */
    /* Too large, through every form. */
    uint8_t* big = (uint8_t*)calloc(65537, 1);
    size_t big_len = 65537;
    const uint8_t* big_ptr = big;
    CHECK_EQ(net_mesh_send_blocking(s, &big_ptr, &big_len, 1), NET_ERR_MESSAGE_TOO_LARGE);
    CHECK_KIND("message_too_large");
    CHECK_EQ(net_mesh_send_block(s, big, big_len, &big_len, 1, NET_MESH_RETRY_BLOCKING, NULL),
             NET_ERR_MESSAGE_TOO_LARGE);
    free(big);
    /* Receive arguments. */
    CHECK_EQ(net_mesh_recv_batch(r, buf, sizeof buf, lens, 0, 0, NULL), NET_ERR_INVALID_ARGUMENT);
    CHECK_KIND("invalid_argument");
    CHECK_EQ(net_mesh_recv_batch(r, buf, sizeof buf, NULL, 4, 0, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_recv_batch(r, NULL, 8, lens, 4, 0, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_mesh_recv_batch(r, NULL, 0, lens, 4, 0, NULL), 0); /* nothing waiting */
    /* An empty message fits an empty buffer. */
    size_t zero = 0;
    CHECK_EQ(net_mesh_send_block(s, NULL, 0, &zero, 1, 0, NULL), NET_SUCCESS);
    CHECK_EQ(net_mesh_recv_batch(r, NULL, 0, lens, 4, 5000, NULL), 1);
    CHECK_EQ(lens[0], 0);

    /* A closed stream: sends refused, receives end. */
    lens[0] = 1;
    CHECK_EQ(net_mesh_stream_close(r), NET_SUCCESS);
    CHECK_EQ(net_mesh_recv_batch(r, buf, sizeof buf, lens, 4, NET_MESH_WAIT_FOREVER, NULL), NET_ERR_NOT_CONNECTED);
    CHECK_KIND("not_connected");
    CHECK_EQ(net_mesh_send_block(r, buf, 1, lens, 1, NET_MESH_RETRY_BLOCKING, NULL), NET_ERR_NOT_CONNECTED);

    /* A node shut down under its streams and calls: typed errors. */
    CHECK_EQ(net_mesh_shutdown(a.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_send_blocking(s, ptrs, lens, 1), NET_ERR_SHUTTING_DOWN);
    CHECK_KIND("closed");
    CHECK_EQ(net_mesh_send_block(s, buf, 1, lens, 1, NET_MESH_RETRY_BLOCKING, NULL), NET_ERR_SHUTTING_DOWN);
    CHECK_EQ(net_mesh_recv_batch(s, buf, sizeof buf, lens, 4, NET_MESH_WAIT_FOREVER, NULL), NET_ERR_NOT_CONNECTED);
    CHECK_EQ(net_mesh_accept_ex(a.mesh, b.node_id, 10, NULL, addr, sizeof addr), NET_ERR_SHUTTING_DOWN);
    CHECK_EQ(net_mesh_connect_ex(a.mesh, b.addr, strlen(b.addr), b.public_key, 32, b.node_id, 10, NULL),
             NET_ERR_SHUTTING_DOWN);
    CHECK_KIND("closed");
    /* ... and freed: the node's handle is dead, its streams' calls still typed. */
    net_mesh_free(a.mesh);
    CHECK_EQ(net_mesh_peers(a.mesh, peers, 2), NET_ERR_NULL_POINTER);
    CHECK_KIND("invalid_handle");
    CHECK_EQ(net_mesh_accept_ex(a.mesh, 1, 10, NULL, NULL, 0), NET_ERR_NULL_POINTER);
    CHECK_KIND("invalid_handle");
    CHECK_EQ(net_mesh_send_block(s, buf, 1, lens, 1, 0, NULL), NET_ERR_SHUTTING_DOWN);
    net_mesh_stream_free(s);
    CHECK_EQ(net_mesh_recv_batch(s, buf, sizeof buf, lens, 4, 0, NULL), NET_ERR_NULL_POINTER);
    CHECK_KIND("invalid_handle");
    CHECK_EQ(net_mesh_send_blocking(s, ptrs, lens, 1), NET_ERR_NULL_POINTER);
    CHECK_KIND("invalid_handle");
    net_mesh_stream_free(r);
    net_mesh_free(b.mesh);
}

int main(void) {
    bad_configs();
    null_and_dead_handles();
    impostors_and_wrong_keys();
    batch_calls_misuse();
    return check_summary("mesh_misuse_test");
}
