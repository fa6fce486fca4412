/* net_init with a mesh transport: a responder (in a thread, since net_init
 * returns only once its peer has arrived) and an initiator in one process
 * exchange bus events over an encrypted link; each event arrives once, and
 * every bad transport is refused with a clear kind. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "read_back.h"

#define EVENTS 5000
#define PSK "4242424242424242424242424242424242424242424242424242424242424242"
#define SEED "1111111111111111111111111111111111111111111111111111111111111111"

static char responder_config[512];
static net_handle_t responder;

static void* start_responder(void* arg) {
    (void)arg;
    responder = net_init(responder_config);
    return NULL;
}

static void hex(const uint8_t* bytes, size_t n, char* out) {
    for (size_t i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* A free UDP port on loopback: bind port 0 with a throwaway mesh node. */
static int free_port(void) {
    net_mesh_t* probe = net_mesh_new("{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"" PSK "\"}", NULL);
    char addr[64] = {0};
    int port = -1;
    if (probe != NULL && net_mesh_local_addr(probe, addr, sizeof addr) > 0) {
        const char* colon = strrchr(addr, ':');
        port = colon ? atoi(colon + 1) : -1;
    }
    net_mesh_free(probe);
    return port;
}

static void the_bus_crosses_the_link(void) {
    uint8_t seed[32], key[32];
    memset(seed, 0x11, sizeof seed);
    net_identity_t* them = net_identity_from_seed(seed, sizeof seed);
    CHECK(them != NULL);
    CHECK_EQ(net_identity_mesh_public_key(them, key, sizeof key), NET_SUCCESS);
    char key_hex[65];
    hex(key, sizeof key, key_hex);
    net_identity_free(them);

    int port = free_port();
    CHECK(port > 0);
    snprintf(responder_config, sizeof responder_config,
             "{\"num_shards\":2,\"transport\":{\"type\":\"mesh\",\"bind\":\"127.0.0.1:%d\",\"psk\":\"" PSK
             "\",\"identity_seed\":\"" SEED "\",\"handshake_timeout_ms\":30000}}",
             port);
    pthread_t thread;
    pthread_create(&thread, NULL, start_responder, NULL);
    char config[512];
    snprintf(config, sizeof config,
             "{\"num_shards\":2,\"transport\":{\"type\":\"mesh\",\"bind\":\"127.0.0.1:0\",\"peer\":\"127.0.0.1:%d\","
             "\"psk\":\"" PSK "\",\"peer_public_key\":\"%s\",\"handshake_timeout_ms\":30000}}",
             port, key_hex);
    net_handle_t initiator = net_init(config);
    CHECK(initiator != NULL);
    pthread_join(thread, NULL);
    CHECK(responder != NULL);
    if (initiator == NULL || responder == NULL) {
        net_shutdown(initiator);
        net_shutdown(responder);
        return;
    }
    char event[32];
    for (int i = 0; i < EVENTS; i++) {
        int len = snprintf(event, sizeof event, "{\"i\":%d}", i);
        CHECK_EQ(net_ingest_raw(initiator, event, (size_t)len), NET_SUCCESS);
    }
    /* Shutting the emitter down drains it and waits for the peer's acks. */
    CHECK_EQ(net_shutdown(initiator), NET_SUCCESS);
    unsigned char* seen = (unsigned char*)calloc(EVENTS, 1);
    read_back_t r = {0, 0, 0};
    for (int attempt = 0; attempt < 3000 && r.total < EVENTS; attempt++) {
        memset(seen, 0, EVENTS);
        r = read_back(responder, seen, EVENTS);
        if (r.total < EVENTS) {
            struct timespec ms = {0, 10 * 1000 * 1000};
            nanosleep(&ms, NULL);
        }
    }
    CHECK_EQ(r.total, EVENTS);
    CHECK_EQ(r.duplicates, 0);
    CHECK_EQ(r.unknown, 0);
    free(seen);
    /* The responder counts every event it stored from its peer. */
    char stats[512];
    CHECK(net_stats(responder, stats, sizeof stats) > 0);
    char want[64];
    snprintf(want, sizeof want, "\"remote_events\":%d", EVENTS);
    CHECK(strstr(stats, want) != NULL);
    CHECK(strstr(stats, "\"forward_failures\":0") != NULL);
    CHECK_EQ(net_shutdown(responder), NET_SUCCESS);
}

/* A responder pinned to one node refuses any other at once. */
static void a_pinned_responder_refuses_a_stranger(void) {
    uint8_t seed[32], key[32];
    memset(seed, 0x11, sizeof seed);
    net_identity_t* them = net_identity_from_seed(seed, sizeof seed);
    CHECK_EQ(net_identity_mesh_public_key(them, key, sizeof key), NET_SUCCESS);
    net_identity_free(them);
    char key_hex[65];
    hex(key, sizeof key, key_hex);
    int port = free_port();
    snprintf(responder_config, sizeof responder_config,
             "{\"transport\":{\"type\":\"mesh\",\"bind\":\"127.0.0.1:%d\",\"psk\":\"" PSK
             "\",\"identity_seed\":\"" SEED "\",\"peer_node_id\":\"12345\",\"handshake_timeout_ms\":1500}}",
             port);
    pthread_t thread;
    pthread_create(&thread, NULL, start_responder, NULL);
    char config[512];
    snprintf(config, sizeof config,
             "{\"transport\":{\"type\":\"mesh\",\"bind\":\"127.0.0.1:0\",\"peer\":\"127.0.0.1:%d\","
             "\"psk\":\"" PSK "\",\"peer_public_key\":\"%s\",\"handshake_timeout_ms\":10000}}",
             port, key_hex);
    CHECK(net_init(config) == NULL);
    CHECK_KIND("handshake_refused");
    pthread_join(thread, NULL);
    CHECK(responder == NULL); /* its peer never came */
}

static void bad_transports_are_refused(void) {
    /* A Redis transport needs its url. */
    CHECK(net_init("{\"transport\":{\"type\":\"redis\"}}") == NULL);
    CHECK_KIND("invalid_config");
    CHECK(strstr(net_last_error_message(), "url") != NULL);
    CHECK(net_init("{\"transport\":{\"type\":\"mesh\",\"bind\":\"127.0.0.1:0\",\"psk\":\"42\"}}") == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_init("{\"transport\":{\"type\":\"mesh\",\"bind\":\"127.0.0.1:0\",\"psk\":\"" PSK "\",\"peer\":\"127.0.0.1:9\"}}") == NULL);
    CHECK(strstr(net_last_error_message(), "peer_public_key") != NULL);
    /* Nobody answers: the initiator gives up after its timeout. */
    CHECK(net_init("{\"transport\":{\"type\":\"mesh\",\"bind\":\"127.0.0.1:0\",\"psk\":\"" PSK
                   "\",\"peer\":\"127.0.0.1:9\",\"peer_public_key\":\"" PSK "\",\"handshake_timeout_ms\":200}}") == NULL);
    CHECK_KIND("timeout");

    uint8_t key[32];
    CHECK_EQ(net_identity_mesh_public_key(NULL, key, sizeof key), NET_ERR_NULL_POINTER);
    uint8_t seed[32] = {0};
    net_identity_t* id = net_identity_from_seed(seed, sizeof seed);
    CHECK_EQ(net_identity_mesh_public_key(id, key, 31), NET_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(net_identity_mesh_public_key(id, NULL, 32), NET_ERR_NULL_POINTER);
    net_identity_free(id);
}

int main(void) {
    the_bus_crosses_the_link();
    a_pinned_responder_refuses_a_stranger();
    bad_transports_are_refused();
    return check_summary("mesh_bus_test");
}
