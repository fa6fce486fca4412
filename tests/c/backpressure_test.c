/* The backpressure policies through the C ABI: the default (`block`) and
 * its timeout's configuration, and `drop_oldest` reporting every eviction
 * to the ingest that caused it (the receipt's `evicted`), so the receipts
 * add up to the stats' `events_dropped`. (The default's "2,000,000 events,
 * none lost" test runs outside valgrind: no_loss_load.c.) */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "read_back.h"

static void block_config(void) {
    /* "block" is a policy (both spellings), and the default. */
    const char* accepted[] = {
        "{\"backpressure\": \"block\"}",
        "{\"backpressure_mode\": \"Block\"}",
        "{\"backpressure\": \"block\", \"block_timeout_ms\": 50}",
        "{\"block_timeout_ms\": 1}",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        net_handle_t node = net_init(accepted[i]);
        CHECK(node != NULL);
        if (node == NULL) {
            fprintf(stderr, "refused: %s (%s)\n", accepted[i], net_last_error_message());
            continue;
        }
        net_receipt_t r;
        memset(&r, 0xAB, sizeof r);
        CHECK_EQ(net_ingest_raw_ex(node, "{\"a\":1}", 7, &r), NET_SUCCESS);
        CHECK_EQ(r.dropped, 0);
        CHECK_EQ(r.evicted, 0);
        CHECK_EQ(net_shutdown(node), NET_SUCCESS);
    }
    /* A wait of no time would be fail_producer under another name. */
    CHECK(net_init("{\"block_timeout_ms\": 0}") == NULL);
    CHECK_KIND("invalid_config");
    CHECK(strlen(net_last_error_message()) > 0);
    CHECK(net_init("{\"backpressure\": \"block\", \"block_timeout_ms\": 0}") == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_init("{\"block_timeout_ms\": -5}") == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_init("{\"block_timeout_ms\": \"1s\"}") == NULL);
    CHECK_KIND("invalid_config");
}

/* Ingest into `node` until its 1-shard ring has overflowed (the receipts
 * say so) or `max_events` went in. Returns the number of ingests and adds
 * the receipts' `evicted` to *evicted. */
static long ingest_until_evicted(net_handle_t node, long max_events, uint64_t* evicted, int* failures) {
    char event[32];
    long i = 0;
    while (i < max_events) {
        /* Chunks of 20,000 in a tight loop: far faster than a batcher
         * under valgrind (or anywhere) drains a ring of 64 slots. */
        for (long k = 0; k < 20000 && i < max_events; k++, i++) {
            int len = snprintf(event, sizeof event, "{\"i\":%ld}", i);
            net_receipt_t r;
            memset(&r, 0xAB, sizeof r);
            if (net_ingest_raw_ex(node, event, (size_t)len, &r) != NET_SUCCESS || r.dropped != 0) (*failures)++;
            *evicted += r.evicted;
        }
        if (*evicted > 0) break;
    }
    return i;
}

static void drop_oldest_reports_evictions(void) {
    net_handle_t node = net_init("{\"backpressure\": \"drop_oldest\", \"num_shards\": 1, \"ring_capacity\": 64}");
    CHECK(node != NULL);
    if (node == NULL) return;
    uint64_t evicted = 0;
    int failures = 0;
    long emitted = ingest_until_evicted(node, 1000000, &evicted, &failures);
    CHECK_EQ(failures, 0);
    CHECK(evicted > 0); /* the ring must have overflowed */
    CHECK_EQ(net_flush(node), NET_SUCCESS);

    net_stats_t stats;
    CHECK_EQ(net_stats_ex(node, &stats), NET_SUCCESS);
    /* Every eviction was reported to the ingest that caused it. */
    CHECK_EQ(stats.events_dropped, evicted);
    CHECK_EQ(stats.events_ingested, emitted);

    /* What was not evicted is stored, each event once. */
    unsigned char* seen = (unsigned char*)calloc((size_t)emitted, 1);
    CHECK(seen != NULL);
    if (seen == NULL) return;
    read_back_t r = read_back(node, seen, emitted);
    free(seen);
    CHECK_EQ(r.total, emitted - (long)evicted);
    CHECK_EQ(r.unknown, 0);
    CHECK_EQ(r.duplicates, 0);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void other_policies_evict_nothing(void) {
    const char* configs[] = {
        "{\"backpressure\": \"drop_newest\", \"num_shards\": 1, \"ring_capacity\": 2}",
        "{\"backpressure\": \"fail_producer\", \"num_shards\": 1, \"ring_capacity\": 2}",
        /* (a generous wait: valgrind runs one thread at a time) */
        "{\"backpressure\": \"block\", \"block_timeout_ms\": 30000, \"num_shards\": 1, \"ring_capacity\": 2}",
    };
    for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
        net_handle_t node = net_init(configs[c]);
        CHECK(node != NULL);
        if (node == NULL) continue;
        uint64_t evicted = 0;
        for (int i = 0; i < 2000; i++) {
            net_receipt_t r;
            memset(&r, 0, sizeof r);
            r.evicted = 12345;
            int rc = net_ingest_raw_ex(node, "{}", 2, &r);
            if (rc == NET_SUCCESS) evicted += r.evicted;
            else if (c == 1) CHECK_EQ(rc, NET_ERR_BACKPRESSURE); /* fail_producer refuses */
            else CHECK_EQ(rc, NET_SUCCESS); /* block waits for room; drop_newest drops */
        }
        CHECK_EQ(evicted, 0);
        if (c == 2) {
            /* block: a ring of 2 overflowed all the time, and nothing was lost. */
            net_stats_t stats;
            CHECK_EQ(net_flush(node), NET_SUCCESS);
            CHECK_EQ(net_stats_ex(node, &stats), NET_SUCCESS);
            CHECK_EQ(stats.events_ingested, 2000);
            CHECK_EQ(stats.events_dropped, 0);
        }
        CHECK_EQ(net_shutdown(node), NET_SUCCESS);
    }
}

int main(void) {
    block_config();
    drop_oldest_reports_evictions();
    other_policies_evict_nothing();
    return check_summary("backpressure_test");
}
