/* Reads back every `{"i":N}` event a node holds, page by page with
 * net_poll_ex, marking each N in `seen` (n bytes, zeroed by the caller).
 * Shared by the tests that check "each event exactly once". The includer
 * defines _POSIX_C_SOURCE (strdup) before any include. */
#ifndef NET_TEST_READ_BACK_H
#define NET_TEST_READ_BACK_H

#include <stdlib.h>

#include "check.h"

typedef struct {
    long total;      /* events read */
    long unknown;    /* events that were not {"i":N} with 0 <= N < n */
    long duplicates; /* events whose N had been seen already */
} read_back_t;

static read_back_t read_back(net_handle_t node, unsigned char* seen, long n) {
    read_back_t r = {0, 0, 0};
    char* cursor = NULL;
    for (;;) {
        net_poll_result_t page;
        if (net_poll_ex(node, 65536, cursor, &page) != NET_SUCCESS) {
            CHECK(0);
            break;
        }
        for (size_t i = 0; i < page.count; i++) {
            long k = -1;
            char tail = 0;
            if (sscanf(page.events[i].raw, "{\"i\":%ld%c", &k, &tail) == 2 && tail == '}' && k >= 0 && k < n) {
                r.duplicates += seen[k] != 0;
                seen[k] = 1;
            } else {
                r.unknown++;
            }
            r.total++;
        }
        free(cursor);
        cursor = strdup(page.next_id);
        int more = page.has_more;
        net_free_poll_result(&page);
        if (!more) break;
    }
    free(cursor);
    return r;
}

#endif
