/* basic.c — the event bus from C: create a node, ingest, poll, read stats.
 *
 *   make demo      (or: gcc basic.c -I include -L target/release -lnet)
 */
#include <stdio.h>
#include <string.h>

#include "net.h"

static int fail(const char* what) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, net_last_error_message(), net_last_error_kind());
    return 1;
}

int main(void) {
    net_handle_t node = net_init("{\"num_shards\": 4}");
    if (!node) return fail("net_init");

    const char* event = "{\"token\": \"hello\"}";
    net_receipt_t receipt;
    if (net_ingest_raw_ex(node, event, strlen(event), &receipt) != NET_SUCCESS) return fail("ingest");
    printf("ingested into shard %u at %llu ns\n", receipt.shard_id, (unsigned long long)receipt.timestamp);

    const char* batch[] = {"{\"token\": \"a\"}", "{\"token\": \"b\"}", "{\"token\": \"c\"}"};
    size_t lens[] = {strlen(batch[0]), strlen(batch[1]), strlen(batch[2])};
    int accepted = net_ingest_raw_batch(node, batch, lens, 3);
    if (accepted < 0) return fail("batch");
    printf("batch accepted %d events\n", accepted);

    if (net_flush(node) != NET_SUCCESS) return fail("flush");

    net_poll_result_t result;
    if (net_poll_ex(node, 100, NULL, &result) != NET_SUCCESS) return fail("poll");
    for (size_t i = 0; i < result.count; i++) {
        const net_event_t* ev = &result.events[i];
        printf("  %.*s  %.*s\n", (int)ev->id_len, ev->id, (int)ev->raw_len, ev->raw);
    }
    printf("next cursor %s, more: %s\n", result.next_id, result.has_more ? "yes" : "no");
    net_free_poll_result(&result);

    net_stats_t stats;
    if (net_stats_ex(node, &stats) != NET_SUCCESS) return fail("stats");
    printf("ingested=%llu dropped=%llu batches=%llu\n", (unsigned long long)stats.events_ingested,
           (unsigned long long)stats.events_dropped, (unsigned long long)stats.batches_dispatched);

    if (net_shutdown(node) != NET_SUCCESS) return fail("shutdown");
    return 0;
}
