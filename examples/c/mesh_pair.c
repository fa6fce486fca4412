/* Two mesh nodes on loopback: handshake, a reliable stream, statistics.
 *
 * In real use the two nodes are two processes (or hosts) that learn each
 * other's address, public key and node id out of band; here one program
 * plays both sides, so the responder's accept runs on a thread while the
 * initiator connects.
 *
 *   gcc -o mesh_pair mesh_pair.c -Iinclude -Ltarget/release -lnet -lpthread
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "net.h"

static const char* CONFIG =
    "{\"bind_addr\":\"127.0.0.1:0\","
    "\"psk\":\"4242424242424242424242424242424242424242424242424242424242424242\"}";

struct accept_args {
    net_mesh_t* mesh;
    uint64_t peer;
    int status;
};

static void* accept_peer(void* p) {
    struct accept_args* a = (struct accept_args*)p;
    a->status = net_mesh_accept(a->mesh, a->peer, 5000);
    return NULL;
}

static int fail(const char* what) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, net_last_error_message(), net_last_error_kind());
    return 1;
}

int main(void) {
    net_mesh_t* alice = net_mesh_new(CONFIG, NULL);
    net_mesh_t* bob = net_mesh_new(CONFIG, NULL);
    if (!alice || !bob) return fail("net_mesh_new");

    /* What alice needs to dial bob: his address, public key and node id. */
    char bob_addr[64];
    uint8_t bob_key[NET_MESH_PUBLIC_KEY_LEN];
    uint64_t alice_id = 0, bob_id = 0;
    net_mesh_local_addr(bob, bob_addr, sizeof bob_addr);
    net_mesh_public_key(bob, bob_key, sizeof bob_key);
    net_mesh_node_id(bob, &bob_id);
    net_mesh_node_id(alice, &alice_id);

    struct accept_args accepting = {bob, alice_id, -1};
    pthread_t thread;
    pthread_create(&thread, NULL, accept_peer, &accepting);
    int rc = net_mesh_connect(alice, bob_addr, strlen(bob_addr), bob_key, sizeof bob_key, bob_id, 5000);
    pthread_join(thread, NULL);
    if (rc != NET_SUCCESS) return fail("net_mesh_connect");
    if (accepting.status != NET_SUCCESS) return fail("net_mesh_accept");
    net_mesh_start(alice);
    net_mesh_start(bob);
    printf("handshake: %016llx <-> %016llx at %s\n", (unsigned long long)alice_id, (unsigned long long)bob_id, bob_addr);

    net_mesh_stream_config_t config = {NET_MESH_RELIABLE, 64, 0};
    net_mesh_stream_t* out = net_mesh_open_stream(alice, bob_id, 0x42, &config);
    net_mesh_stream_t* in = net_mesh_open_stream(bob, alice_id, 0x42, &config);
    if (!out || !in) return fail("net_mesh_open_stream");

    for (int i = 0; i < 10; i++) {
        char text[32];
        int len = snprintf(text, sizeof text, "{\"n\":%d}", i);
        if (net_mesh_send(out, (const uint8_t*)text, (size_t)len) != NET_SUCCESS) return fail("net_mesh_send");
    }
    for (int i = 0; i < 10; i++) {
        net_mesh_message_t msg;
        if (net_mesh_recv(in, 5000, &msg) != NET_SUCCESS) return fail("net_mesh_recv");
        printf("bob received %.*s\n", (int)msg.len, (const char*)msg.data);
        net_mesh_free_message(&msg);
    }

    net_mesh_stream_stats_t s;
    net_mesh_stream_stats(alice, bob_id, 0x42, &s);
    printf("alice stream: tx_seq=%llu in_flight=%llu window=%u backpressure=%llu srtt=%lluus\n",
           (unsigned long long)s.tx_seq, (unsigned long long)s.in_flight, s.window,
           (unsigned long long)s.backpressure_events, (unsigned long long)s.srtt_us);

    net_mesh_stream_free(out);
    net_mesh_stream_free(in);
    net_mesh_free(alice);
    net_mesh_free(bob);
    return 0;
}
