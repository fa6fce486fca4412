/* Several threads drive one node at once, and each thread's last error is
 * its own (the Go binding relies on both). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define THREADS 4
#define PER_THREAD 5000

static net_handle_t shared_node;
static int thread_failures[THREADS];

static void* emitter(void* arg) {
    int index = (int)(intptr_t)arg;
    char event[64];
    for (int i = 0; i < PER_THREAD; i++) {
        int len = snprintf(event, sizeof event, "{\"t\":%d,\"i\":%d}", index, i);
        if (net_ingest_raw(shared_node, event, (size_t)len) != NET_SUCCESS) thread_failures[index]++;
        /* Interleave failures: this thread's kind must be its own. */
        if (i % 100 == 0) {
            if (net_ingest_raw(NULL, event, (size_t)len) != NET_ERR_NULL_POINTER) thread_failures[index]++;
            const char* kind = net_last_error_kind();
            if (kind == NULL || strcmp(kind, "null_parameter") != 0) thread_failures[index]++;
        }
    }
    return NULL;
}

int main(void) {
    shared_node = net_init("{\"num_shards\": 4, \"ring_capacity\": 65536}");
    CHECK(shared_node != NULL);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, emitter, (void*)(intptr_t)t);
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    for (int t = 0; t < THREADS; t++) CHECK_EQ(thread_failures[t], 0);
    CHECK_EQ(net_flush(shared_node), NET_SUCCESS);

    /* Every event arrives exactly once. */
    static unsigned char seen[THREADS][PER_THREAD];
    size_t total = 0;
    char* cursor = NULL;
    for (;;) {
        net_poll_result_t r;
        if (net_poll_ex(shared_node, 4096, cursor, &r) != NET_SUCCESS) break;
        for (size_t i = 0; i < r.count; i++) {
            int t = -1, n = -1;
            if (sscanf(r.events[i].raw, "{\"t\":%d,\"i\":%d}", &t, &n) == 2 && t >= 0 && t < THREADS && n >= 0 &&
                n < PER_THREAD)
                seen[t][n]++;
            total++;
        }
        free(cursor);
        cursor = strdup(r.next_id);
        int more = r.has_more;
        net_free_poll_result(&r);
        if (!more) break;
    }
    free(cursor);
    CHECK_EQ(total, THREADS * PER_THREAD);
    int duplicates_or_gaps = 0;
    for (int t = 0; t < THREADS; t++)
        for (int n = 0; n < PER_THREAD; n++) duplicates_or_gaps += seen[t][n] != 1;
    CHECK_EQ(duplicates_or_gaps, 0);
    CHECK_EQ(net_shutdown(shared_node), NET_SUCCESS);
    return check_summary("threads_test");
}
