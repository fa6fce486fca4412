/* The Redis Streams and JetStream transports through net_init's JSON, and
 * the net_redis_dedup_* filter. Needs real servers: run it under
 * tests/servers/run_with_servers.py, which exports NET_REDIS_URL and
 * NET_NATS_URL (mk/backends.mk does). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "read_back.h"

#define EVENTS 1000

static void emit_and_read_back(const char* transport_json, const char* nonce_path) {
    char config[1024];
    snprintf(config, sizeof config, "{\"num_shards\":2,\"transport\":%s,\"producer_nonce_path\":\"%s\"}",
             transport_json, nonce_path);
    net_handle_t node = net_init(config);
    CHECK(node != NULL);
    if (node == NULL) {
        fprintf(stderr, "net_init(%s): %s\n", config, net_last_error_message());
        return;
    }
    char event[64];
    for (int i = 0; i < EVENTS; i++) {
        int n = snprintf(event, sizeof event, "{\"i\":%d}", i);
        CHECK_EQ(net_ingest_raw(node, event, (size_t)n), NET_SUCCESS);
    }
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    unsigned char* seen = (unsigned char*)calloc(EVENTS, 1);
    read_back_t r = read_back(node, seen, EVENTS);
    CHECK_EQ(r.total, EVENTS);
    CHECK_EQ(r.unknown, 0);
    CHECK_EQ(r.duplicates, 0);
    free(seen);

    /* A cursor taken now sees only what comes after it. */
    net_poll_result_t page;
    CHECK_EQ(net_poll_ex(node, 100000, NULL, &page), NET_SUCCESS);
    char* cursor = strdup(page.next_id);
    net_free_poll_result(&page);
    CHECK_EQ(net_ingest_raw(node, "{\"i\":7}", 7), NET_SUCCESS);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    CHECK_EQ(net_poll_ex(node, 100, cursor, &page), NET_SUCCESS);
    CHECK_EQ(page.count, 1);
    if (page.count == 1) CHECK(strncmp(page.events[0].raw, "{\"i\":7}", 7) == 0);
    net_free_poll_result(&page);
    free(cursor);

    char stats[512];
    CHECK(net_stats(node, stats, sizeof stats) > 0);
    CHECK(strstr(stats, "\"backend_errors\":0") != NULL);
    CHECK(strstr(stats, "\"reconnects\":0") != NULL);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

/* net_init fails with `kind`, and its message names the URL without the password. */
static void refused(const char* config, const char* kind, const char* shown) {
    net_handle_t node = net_init(config);
    CHECK(node == NULL);
    if (node != NULL) {
        net_shutdown(node);
        return;
    }
    const char* k = net_last_error_kind();
    const char* m = net_last_error_message();
    CHECK(k != NULL && strcmp(k, kind) == 0);
    CHECK(m != NULL && strstr(m, "hunter2") == NULL);
    CHECK(m != NULL && strstr(m, shown) != NULL);
    if (k == NULL || strcmp(k, kind) != 0) fprintf(stderr, "expected %s, got %s: %s\n", kind, k ? k : "-", m ? m : "-");
}

static void dedup_filter(void) {
    net_redis_dedup_t* d = net_redis_dedup_new(2);
    CHECK(d != NULL);
    size_t n = 99;
    CHECK_EQ(net_redis_dedup_is_empty(d), 1);
    CHECK_EQ(net_redis_dedup_is_duplicate(d, "a:0:0:0", 7), 0);
    CHECK_EQ(net_redis_dedup_is_duplicate(d, "a:0:0:0", 7), 1);
    CHECK_EQ(net_redis_dedup_is_duplicate(d, "a:0:0:1", 7), 0);
    CHECK_EQ(net_redis_dedup_is_duplicate(d, "a:0:0:2", 7), 0); /* evicts a:0:0:0 */
    CHECK_EQ(net_redis_dedup_is_duplicate(d, "a:0:0:0", 7), 0);
    CHECK_EQ(net_redis_dedup_len(d, &n), NET_SUCCESS);
    CHECK_EQ(n, 2);
    CHECK_EQ(net_redis_dedup_capacity(d, &n), NET_SUCCESS);
    CHECK_EQ(n, 2);
    CHECK_EQ(net_redis_dedup_is_empty(d), 0);
    CHECK_EQ(net_redis_dedup_clear(d), NET_SUCCESS);
    CHECK_EQ(net_redis_dedup_is_empty(d), 1);
    CHECK_EQ(net_redis_dedup_is_duplicate(d, "\xff", 1), NET_ERR_INVALID_UTF8);
    CHECK_EQ(net_redis_dedup_is_duplicate(NULL, "a", 1), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");
    CHECK_EQ(net_redis_dedup_len(d, NULL), NET_ERR_NULL_POINTER);
    net_redis_dedup_free(d);
    net_redis_dedup_free(NULL);
    d = net_redis_dedup_new(0);
    CHECK_EQ(net_redis_dedup_capacity(d, &n), NET_SUCCESS);
    CHECK_EQ(n, NET_REDIS_DEDUP_DEFAULT_CAPACITY);
    net_redis_dedup_free(d);
}

int main(void) {
    const char* redis = getenv("NET_REDIS_URL");
    const char* nats = getenv("NET_NATS_URL");
    if (redis == NULL || nats == NULL) {
        fprintf(stderr, "backends_servers: run under tests/servers/run_with_servers.py (NET_REDIS_URL, NET_NATS_URL)\n");
        return 2;
    }
    char dir[] = "/tmp/net-c-backends-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char nonce[128], transport[512];
    snprintf(nonce, sizeof nonce, "%s/producer.nonce", dir);

    snprintf(transport, sizeof transport, "{\"type\":\"redis\",\"url\":\"%s\",\"prefix\":\"c%ld\"}", redis, (long)getpid());
    emit_and_read_back(transport, nonce);
    snprintf(transport, sizeof transport, "{\"type\":\"jetstream\",\"url\":\"%s\",\"stream\":\"C%ld\",\"subject_prefix\":\"c%ld\"}",
             nats, (long)getpid(), (long)getpid());
    emit_and_read_back(transport, nonce);

    /* Nothing listens on port 1. */
    refused("{\"transport\":{\"type\":\"redis\",\"url\":\"redis://:hunter2@127.0.0.1:1\"}}", "backend", "redis://:***@127.0.0.1:1");
    refused("{\"transport\":{\"type\":\"jetstream\",\"url\":\"nats://u:hunter2@127.0.0.1:1\"}}", "backend", "nats://u:***@127.0.0.1:1");
    /* A corrupt nonce file is refused and left alone. */
    FILE* f = fopen(nonce, "w");
    fputs("garbage", f);
    fclose(f);
    snprintf(transport, sizeof transport, "{\"transport\":{\"type\":\"redis\",\"url\":\"%s\"},\"producer_nonce_path\":\"%s\"}", redis, nonce);
    refused(transport, "corrupt_nonce", "producer.nonce");
    remove(nonce);
    rmdir(dir);

    dedup_filter();
    return check_summary("backends_servers");
}
