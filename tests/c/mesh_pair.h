/* Helpers shared by the mesh C tests: two nodes on loopback and the
 * connect/accept race between them (the initiator only gets a reply once
 * the responder is in accept, so accept runs on its own thread). */
#ifndef NET_TEST_MESH_PAIR_H
#define NET_TEST_MESH_PAIR_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "net.h"

#define MESH_PSK_42 "4242424242424242424242424242424242424242424242424242424242424242"

typedef struct {
    net_mesh_t* mesh;
    uint64_t node_id;
    uint8_t public_key[NET_MESH_PUBLIC_KEY_LEN];
    char addr[64];
} test_node_t;

/* A node on 127.0.0.1, any port, with `psk_hex`; node->mesh is NULL on failure. */
static inline void test_node_new(test_node_t* node, const char* psk_hex, const net_identity_t* identity) {
    char config[256];
    snprintf(config, sizeof config,
             "{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"%s\",\"handshake_timeout_ms\":2000,"
             "\"heartbeat_interval_ms\":100,\"suspect_after_ms\":400,\"dead_after_ms\":1200}",
             psk_hex);
    memset(node, 0, sizeof *node);
    node->mesh = net_mesh_new(config, identity);
    if (node->mesh == NULL) return;
    net_mesh_node_id(node->mesh, &node->node_id);
    net_mesh_public_key(node->mesh, node->public_key, sizeof node->public_key);
    net_mesh_local_addr(node->mesh, node->addr, sizeof node->addr);
}

typedef struct {
    net_mesh_t* mesh;
    uint64_t peer;
    uint32_t timeout_ms;
    int status;
    char kind[64];
} accept_job_t;

static inline void* accept_thread(void* arg) {
    accept_job_t* job = (accept_job_t*)arg;
    job->status = net_mesh_accept(job->mesh, job->peer, job->timeout_ms);
    const char* kind = net_last_error_kind();
    snprintf(job->kind, sizeof job->kind, "%s", kind ? kind : "");
    return NULL;
}

/* `dialer` connects to `listener` (which accepts on a thread) using
 * `key` and `node_id` as the listener's claimed key and id. Returns the
 * connect status; the accept side's outcome is left in *job. The
 * connect's error kind is copied to `connect_kind`. */
static inline int test_handshake(test_node_t* dialer, test_node_t* listener, const uint8_t* key, uint64_t node_id,
                          uint32_t accept_timeout_ms, accept_job_t* job, char* connect_kind, size_t kind_len) {
    pthread_t thread;
    job->mesh = listener->mesh;
    job->peer = dialer->node_id;
    job->timeout_ms = accept_timeout_ms;
    job->status = 1;
    job->kind[0] = '\0';
    pthread_create(&thread, NULL, accept_thread, job);
    int status = net_mesh_connect(dialer->mesh, listener->addr, strlen(listener->addr), key,
                                  NET_MESH_PUBLIC_KEY_LEN, node_id, 0);
    const char* kind = net_last_error_kind();
    snprintf(connect_kind, kind_len, "%s", kind ? kind : "");
    pthread_join(thread, NULL);
    return status;
}

#endif
