/* The Redis Streams and JetStream transports through net_init's JSON, and
 * the net_redis_dedup_* filter: emit, poll, order per shard, cursor resume,
 * a live subscription, a server killed and restarted mid-stream, a
 * producer restarted with the same nonce file, a corrupt nonce file,
 * unreachable servers and refused credentials. Needs real servers: run it under
 * tests/servers/run_with_servers.py, which exports NET_REDIS_URL,
 * NET_NATS_URL, NET_SERVERS_CONTROL and NET_SERVERS_USER (mk/backends.mk
 * does). */
#define _POSIX_C_SOURCE 200809L

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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

    /* Live: a subscription started now wakes for, and sees, the next events. */
    net_subscription_t* sub = net_subscribe(node, NULL, 0, 0);
    CHECK(sub != NULL);
    for (int i = 0; i < 10; i++) {
        int n = snprintf(event, sizeof event, "{\"i\":%d}", 100 + i);
        CHECK_EQ(net_ingest_raw(node, event, (size_t)n), NET_SUCCESS);
    }
    unsigned char live[10] = {0};
    int got = 0;
    for (int tries = 0; sub != NULL && got < 10 && tries < 100; tries++) {
        int n = net_subscription_next(sub, 16, 1000, &page);
        CHECK(n >= 0);
        if (n < 0) break;
        for (int i = 0; i < n; i++) {
            int k = -1;
            if (sscanf(page.events[i].raw, "{\"i\":%d}", &k) == 1 && k >= 100 && k < 110) live[k - 100]++;
            got++;
        }
        net_free_poll_result(&page);
    }
    CHECK_EQ(got, 10);
    for (int i = 0; i < 10; i++) CHECK_EQ(live[i], 1);
    net_subscription_free(sub);

    char stats[512];
    CHECK(net_stats(node, stats, sizeof stats) > 0);
    CHECK(strstr(stats, "\"backend_errors\":0") != NULL);
    CHECK(strstr(stats, "\"reconnects\":0") != NULL);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

/* --- A server killed and restarted mid-stream, a restarted producer --- */

/* Ask run_with_servers.py (NET_SERVERS_CONTROL=host:port) to `kill`,
 * `start` or `restart` a server; 1 when it answered ok. */
static int control(const char* command) {
    const char* address = getenv("NET_SERVERS_CONTROL");
    if (address == NULL || strrchr(address, ':') == NULL) return 0;
    char host[64];
    const char* colon = strrchr(address, ':');
    size_t hlen = (size_t)(colon - address);
    if (hlen >= sizeof host) return 0;
    memcpy(host, address, hlen);
    host[hlen] = 0;
    struct addrinfo hints, *found = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &found) != 0) return 0;
    int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
    int ok = fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) == 0;
    freeaddrinfo(found);
    char line[256];
    int n = snprintf(line, sizeof line, "%s\n", command);
    ok = ok && write(fd, line, (size_t)n) == n;
    size_t got = 0;
    while (ok && got < sizeof line - 1) {
        ssize_t r = read(fd, line + got, 1);
        if (r != 1 || line[got] == '\n') break;
        got++;
    }
    line[got] = 0;
    if (fd >= 0) close(fd);
    ok = ok && strcmp(line, "ok") == 0;
    if (!ok) fprintf(stderr, "control %s: %s\n", command, line);
    return ok;
}

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static long stat_of(net_handle_t node, const char* name) {
    char stats[1024], key[64];
    if (net_stats(node, stats, sizeof stats) <= 0) return -1;
    snprintf(key, sizeof key, "\"%s\":", name);
    const char* at = strstr(stats, key);
    return at == NULL ? -1 : strtol(at + strlen(key), NULL, 10);
}

static void emit_range(net_handle_t node, int from, int to) {
    char event[64];
    for (int i = from; i < to; i++) {
        int n = snprintf(event, sizeof event, "{\"i\":%d}", i);
        CHECK_EQ(net_ingest_raw(node, event, (size_t)n), NET_SUCCESS);
    }
}

/* Each Redis stream entry's dedup_id and data, read with redis-cli --raw
 * (one field or value per line); calls `each` per entry. */
static long redis_entries(const char* url, const char* key, void (*each)(void*, const char*, const char*), void* ctx) {
    char command[512];
    snprintf(command, sizeof command, "redis-cli -u '%s' --raw XRANGE '%s' - +", url, key);
    FILE* p = popen(command, "r");
    CHECK(p != NULL);
    if (p == NULL) return -1;
    char line[256], dedup_id[256] = "", data[256] = "";
    long entries = 0;
    int next_is = 0; /* 1: the dedup id, 2: the data */
    while (fgets(line, sizeof line, p) != NULL) {
        line[strcspn(line, "\n")] = 0;
        if (next_is == 1) {
            snprintf(dedup_id, sizeof dedup_id, "%s", line);
            next_is = 0;
        } else if (next_is == 2) {
            snprintf(data, sizeof data, "%s", line);
            next_is = 0;
            /* data is each entry's last field */
            each(ctx, dedup_id, data);
            entries++;
        } else if (strcmp(line, "dedup_id") == 0) {
            next_is = 1;
        } else if (strcmp(line, "data") == 0) {
            next_is = 2;
        }
    }
    CHECK_EQ(pclose(p), 0);
    return entries;
}

typedef struct {
    net_redis_dedup_t* dedup;
    unsigned char* seen; /* per number, how many kept */
    long n;
    long last;           /* the last number kept in this stream */
    long out_of_order;
    long kept;
    const char* nonce;   /* the prefix every dedup id must have, or NULL */
    long foreign_ids;
} dedup_scan_t;

static void keep_unless_duplicate(void* ctx, const char* dedup_id, const char* data) {
    dedup_scan_t* s = (dedup_scan_t*)ctx;
    if (s->nonce != NULL && strncmp(dedup_id, s->nonce, strlen(s->nonce)) != 0) s->foreign_ids++;
    if (net_redis_dedup_is_duplicate(s->dedup, dedup_id, strlen(dedup_id)) != 0) return;
    long k = -1;
    if (sscanf(data, "{\"i\":%ld}", &k) != 1 || k < 0 || k >= s->n) {
        s->out_of_order++;
        return;
    }
    if (k <= s->last) s->out_of_order++;
    s->last = k;
    if (s->seen[k] < 255) s->seen[k]++;
    s->kept++;
}

/* Emit 0..4000 on two shards with the server killed after 2000 and
 * started again after 3000: every emit is acknowledged (the ring holds
 * what the server cannot take yet) and, once it is back, stored. */
#define CRASH_EVENTS 4000
static net_handle_t crash_the_server_mid_stream(const char* transport_json, const char* server) {
    char config[1024], command[64];
    snprintf(config, sizeof config, "{\"num_shards\":2,\"transport\":%s}", transport_json);
    net_handle_t node = net_init(config);
    CHECK(node != NULL);
    if (node == NULL) return NULL;
    emit_range(node, 0, 2000);
    snprintf(command, sizeof command, "kill %s", server);
    CHECK(control(command));
    emit_range(node, 2000, 3000);
    /* Wait (up to a minute) until the drainers have met the dead server. */
    for (int waited = 0; stat_of(node, "backend_errors") <= 0 && waited < 6000; waited++) sleep_ms(10);
    CHECK(stat_of(node, "backend_errors") > 0);
    snprintf(command, sizeof command, "start %s", server);
    CHECK(control(command));
    emit_range(node, 3000, CRASH_EVENTS);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    CHECK(stat_of(node, "reconnects") >= 1);
    CHECK_EQ(stat_of(node, "events_dropped"), 0);
    return node;
}

static void redis_killed_mid_stream(const char* url) {
    char transport[512];
    snprintf(transport, sizeof transport, "{\"type\":\"redis\",\"url\":\"%s\",\"prefix\":\"ccrash%ld\"}", url, (long)getpid());
    net_handle_t node = crash_the_server_mid_stream(transport, "redis");
    if (node == NULL) return;
    /* Poll sees every acknowledged event (a retried EXEC that had been
     * applied is there twice: the stream holds both copies). */
    unsigned char* seen = (unsigned char*)calloc(CRASH_EVENTS, 1);
    read_back_t r = read_back(node, seen, CRASH_EVENTS);
    CHECK_EQ(r.unknown, 0);
    CHECK_EQ(r.total - r.duplicates, CRASH_EVENTS);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
    /* Filtered by dedup id, the streams hold each event once, in order. */
    memset(seen, 0, CRASH_EVENTS);
    dedup_scan_t scan = {net_redis_dedup_new(100000), seen, CRASH_EVENTS, -1, 0, 0, NULL, 0};
    for (int shard = 0; shard < 2; shard++) {
        char key[128];
        snprintf(key, sizeof key, "ccrash%ld:shard:%d", (long)getpid(), shard);
        scan.last = -1;
        CHECK(redis_entries(url, key, keep_unless_duplicate, &scan) > 0);
    }
    CHECK_EQ(scan.kept, CRASH_EVENTS);
    CHECK_EQ(scan.out_of_order, 0);
    long once = 0;
    for (long i = 0; i < CRASH_EVENTS; i++) once += seen[i] == 1;
    CHECK_EQ(once, CRASH_EVENTS);
    net_redis_dedup_free(scan.dedup);
    free(seen);
}

/* Read back every event of a node: each exactly once, and (if
 * `check_order`) in order per shard. */
static void each_once(net_handle_t node, long n, int check_order) {
    unsigned char* seen = (unsigned char*)calloc((size_t)n, 1);
    long last[2] = {-1, -1}, out_of_order = 0, total = 0, duplicates = 0;
    char* cursor = NULL;
    for (;;) {
        net_poll_result_t page;
        if (net_poll_ex(node, 1000, cursor, &page) != NET_SUCCESS) {
            CHECK(0);
            break;
        }
        for (size_t i = 0; i < page.count; i++) {
            long k = -1;
            unsigned shard = page.events[i].shard_id;
            if (sscanf(page.events[i].raw, "{\"i\":%ld}", &k) != 1 || k < 0 || k >= n || shard > 1) {
                out_of_order++;
                continue;
            }
            if (check_order && k <= last[shard]) out_of_order++;
            last[shard] = k;
            duplicates += seen[k];
            seen[k] = 1;
            total++;
        }
        free(cursor);
        cursor = strdup(page.next_id);
        int more = page.has_more;
        net_free_poll_result(&page);
        if (!more) break;
    }
    free(cursor);
    free(seen);
    CHECK_EQ(total, n);
    CHECK_EQ(duplicates, 0);
    CHECK_EQ(out_of_order, 0);
}

static void jetstream_killed_mid_stream(const char* url) {
    char transport[512];
    snprintf(transport, sizeof transport, "{\"type\":\"jetstream\",\"url\":\"%s\",\"stream\":\"CCRASH%ld\",\"subject_prefix\":\"ccrash%ld\"}",
             url, (long)getpid(), (long)getpid());
    net_handle_t node = crash_the_server_mid_stream(transport, "nats");
    if (node == NULL) return;
    /* The server dropped every retried publish itself (Nats-Msg-Id): each
     * event once. Not checked: the order within a shard (publishes the
     * client still held for the dead connection are sent after it
     * reconnects, before the retry fills the gap the dead socket
     * swallowed: a known limit of the JetStream backend). */
    each_once(node, CRASH_EVENTS, 0);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

/* One producer run: events 0..count on one shard, one batch each (flushed
 * one by one, so event i is always the batch starting at sequence i). */
static void produce(const char* transport_json, const char* nonce_path, int count) {
    char config[1024];
    snprintf(config, sizeof config, "{\"num_shards\":1,\"transport\":%s,\"producer_nonce_path\":\"%s\"}", transport_json, nonce_path);
    net_handle_t node = net_init(config);
    CHECK(node != NULL);
    if (node == NULL) return;
    for (int i = 0; i < count; i++) {
        emit_range(node, i, i + 1);
        CHECK_EQ(net_flush(node), NET_SUCCESS);
    }
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void restarted_producers(const char* redis, const char* nats, const char* dir) {
    char nonce_path[256], transport[512], key[128], nonce[64] = "";
    snprintf(nonce_path, sizeof nonce_path, "%s/restart.nonce", dir);
    snprintf(transport, sizeof transport, "{\"type\":\"redis\",\"url\":\"%s\",\"prefix\":\"crestart%ld\"}", redis, (long)getpid());
    produce(transport, nonce_path, 100);
    /* Restarted, it replays its input from the start: the first 100 are
     * the same events under the same dedup ids. */
    produce(transport, nonce_path, 150);
    FILE* f = fopen(nonce_path, "r");
    CHECK(f != NULL && fgets(nonce, sizeof nonce, f) != NULL);
    if (f != NULL) fclose(f);
    nonce[strcspn(nonce, "\n")] = 0;
    strcat(nonce, ":0:");
    unsigned char* seen = (unsigned char*)calloc(150, 1);
    dedup_scan_t scan = {net_redis_dedup_new(1000), seen, 150, -1, 0, 0, nonce, 0};
    snprintf(key, sizeof key, "crestart%ld:shard:0", (long)getpid());
    CHECK_EQ(redis_entries(redis, key, keep_unless_duplicate, &scan), 250);
    CHECK_EQ(scan.kept, 150);
    CHECK_EQ(scan.out_of_order, 0);
    CHECK_EQ(scan.foreign_ids, 0);
    net_redis_dedup_free(scan.dedup);
    free(seen);

    snprintf(transport, sizeof transport, "{\"type\":\"jetstream\",\"url\":\"%s\",\"stream\":\"CRESTART%ld\",\"subject_prefix\":\"crestart%ld\"}",
             nats, (long)getpid(), (long)getpid());
    produce(transport, nonce_path, 100);
    produce(transport, nonce_path, 150);
    char config[1024];
    snprintf(config, sizeof config, "{\"num_shards\":1,\"transport\":%s}", transport);
    net_handle_t reader = net_init(config);
    CHECK(reader != NULL);
    if (reader != NULL) {
        each_once(reader, 150, 1);
        CHECK_EQ(net_shutdown(reader), NET_SUCCESS);
    }
    remove(nonce_path);
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
    /* Refused credentials: both servers know the user NET_SERVERS_USER,
     * with a password other than the one made up here. */
    const char* user = getenv("NET_SERVERS_USER");
    CHECK(user != NULL);
    if (user != NULL) {
        char config[512], shown[256];
        const char* redis_host = redis + strlen("redis://");
        const char* nats_host = nats + strlen("nats://");
        snprintf(config, sizeof config, "{\"transport\":{\"type\":\"redis\",\"url\":\"redis://%s:hunter2@%s\"}}", user, redis_host);
        snprintf(shown, sizeof shown, "redis://%s:***@%s", user, redis_host);
        refused(config, "auth_failed", shown);
        snprintf(config, sizeof config, "{\"transport\":{\"type\":\"jetstream\",\"url\":\"nats://%s:hunter2@%s\"}}", user, nats_host);
        snprintf(shown, sizeof shown, "nats://%s:***@%s", user, nats_host);
        refused(config, "auth_failed", shown);
    }
    /* A corrupt nonce file is refused and left alone. */
    FILE* f = fopen(nonce, "w");
    fputs("garbage", f);
    fclose(f);
    snprintf(transport, sizeof transport, "{\"transport\":{\"type\":\"redis\",\"url\":\"%s\"},\"producer_nonce_path\":\"%s\"}", redis, nonce);
    refused(transport, "corrupt_nonce", "producer.nonce");
    remove(nonce);

    restarted_producers(redis, nats, dir);
    rmdir(dir);
    if (getenv("NET_SERVERS_CONTROL") != NULL) {
        redis_killed_mid_stream(redis);
        jetstream_killed_mid_stream(nats);
    } else {
        fprintf(stderr, "backends_servers: NET_SERVERS_CONTROL not set, the kill/restart cases are skipped\n");
    }

    dedup_filter();
    return check_summary("backends_servers");
}
