/* redex_file.c — a raw RedEX file from C (net_cortex.h): append and
 * batch-append to a persistent log, tail it (backfill, then live), close,
 * reopen and find every record again, and the typed error for a bad name.
 *
 *   make demo      (or: gcc redex_file.c -I include -L target/release -lnet)
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_cortex.h"

static int fail(const char* what) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, net_cortex_last_error_message(), net_cortex_last_error_kind());
    return 1;
}

/* Print the records a tail (or a read) handed back. */
static void print_events(const net_redex_events_t* events) {
    for (size_t i = 0; i < events->count; i++) {
        const net_redex_event_t* e = &events->events[i];
        printf("%llu %.*s\n", (unsigned long long)e->seq, (int)e->payload_len, (const char*)e->payload);
    }
}

static int append_and_tail(net_redex_t* redex) {
    const char* name = "analytics/clicks";
    net_redex_file_t* file = net_redex_open_file(
        redex, name, strlen(name), "{\"persistent\": true, \"fsync_interval_ms\": 100, \"retention_max_events\": 1000000}");
    if (!file) return fail("net_redex_open_file");

    const char* home = "{\"url\":\"/home\"}";
    uint64_t seq = 0;
    if (net_redex_file_append(file, (const uint8_t*)home, strlen(home), &seq) != NET_CORTEX_OK) return fail("append");

    const char* urls[] = {"{\"url\":\"/docs\"}", "{\"url\":\"/blog\"}", "{\"url\":\"/about\"}"};
    const uint8_t* payloads[3];
    size_t lens[3];
    for (int i = 0; i < 3; i++) {
        payloads[i] = (const uint8_t*)urls[i];
        lens[i] = strlen(urls[i]);
    }
    uint64_t first = 0;
    if (net_redex_file_append_batch(file, payloads, lens, 3, &first) != 3) return fail("append_batch");

    /* The tail backfills the retained range, then streams live appends. */
    net_redex_tail_t* tail = net_redex_file_tail(file, 0);
    if (!tail) return fail("net_redex_file_tail");
    uint64_t seen = 0;
    while (seen < 4) {
        net_redex_events_t batch = {0};
        int n = net_redex_tail_next(tail, 16, 5000, &batch);
        if (n <= 0) return fail("net_redex_tail_next");
        print_events(&batch);
        seen += (uint64_t)n;
        net_redex_events_free(&batch);
    }
    net_redex_tail_free(tail);
    printf("append: %llu, append_batch: %llu\n", (unsigned long long)seq, (unsigned long long)first);

    if (net_redex_file_close(file) != NET_CORTEX_OK) return fail("close");
    net_redex_file_free(file);
    return 0;
}

int main(void) {
    char dir[] = "/tmp/net-redex-example-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    net_redex_t* redex = net_redex_new(dir);
    if (!redex) return fail("net_redex_new");
    if (append_and_tail(redex) != 0) return 1;

    /* Reopened, the file holds every record it acknowledged. */
    const char* name = "analytics/clicks";
    net_redex_file_t* again = net_redex_open_file(redex, name, strlen(name), "{\"persistent\": true}");
    if (!again) return fail("reopen");
    net_redex_events_t all = {0};
    int n = net_redex_file_read(again, 0, UINT64_MAX, &all);
    if (n < 0) return fail("read");
    printf("after reopen: %d records\n", n);
    net_redex_events_free(&all);
    net_redex_file_close(again);
    net_redex_file_free(again);

    const char* bad = "Not A Channel!";
    if (net_redex_open_file(redex, bad, strlen(bad), NULL) == NULL)
        printf("bad name: %s\n", net_cortex_last_error_kind());
    net_redex_free(redex);

    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
