/* netdb.c — NetDb from C (net_cortex.h): create a task, wait for the fold,
 * take a snapshot and a watch atomically, see another write arrive, query
 * to JSON, and bundle the state into a snapshot that a new NetDb restores.
 *
 *   make demo      (or: gcc netdb.c -I include -L target/release -lnet)
 */
#include <stdio.h>
#include <string.h>

#include "net_cortex.h"

static int fail(const char* what) {
    fprintf(stderr, "%s failed: %s (%s)\n", what, net_cortex_last_error_message(), net_cortex_last_error_kind());
    return 1;
}

static int create_task(net_netdb_t* db, uint64_t id, const char* title, uint64_t created_at) {
    uint64_t seq = 0;
    if (net_netdb_tasks_create(db, id, title, strlen(title), created_at, &seq) != NET_CORTEX_OK) return fail("create");
    if (net_netdb_tasks_wait_for_seq(db, seq, 5000) != NET_CORTEX_OK) return fail("wait_for_seq");
    return 0;
}

int main(void) {
    net_redex_t* redex = net_redex_new(NULL); /* memory only */
    if (!redex) return fail("net_redex_new");
    net_netdb_t* db = net_netdb_open(redex, "{\"origin\": 2882400001, \"with_tasks\": true, \"with_memories\": true}");
    if (!db) return fail("net_netdb_open");
    if (create_task(db, 1, "write docs", 100) != 0) return 1;

    /* Snapshot + watch: one atomic call, no race. */
    char* snapshot = NULL;
    net_netdb_watch_t* watch = net_netdb_tasks_snapshot_and_watch(db, "{\"status\": \"pending\"}", &snapshot);
    if (!watch) return fail("snapshot_and_watch");
    printf("snapshot: %s\n", snapshot);
    net_cortex_free_string(snapshot);

    if (create_task(db, 2, "ship it", 200) != 0) return 1; /* another write */
    char* batch = NULL;
    int got = net_netdb_watch_next(watch, 5000, &batch);
    if (got != 1) return fail("watch_next");
    printf("update: %d tasks pending\n", net_netdb_tasks_count(db, "{\"status\": \"pending\"}"));
    net_cortex_free_string(batch);
    net_netdb_watch_free(watch);

    char* found = NULL;
    if (net_netdb_tasks_query(db, "{\"title_contains\": \"ship\"}", &found) < 0) return fail("query");
    printf("query: %s\n", found);
    net_cortex_free_string(found);

    /* The whole state as a bundle, restored into a new NetDb. */
    char* bundle = NULL;
    if (net_netdb_snapshot(db, &bundle) != NET_CORTEX_OK) return fail("snapshot");
    net_netdb_t* restored = net_netdb_open_from_snapshot(
        redex, "{\"origin\": 2882400001, \"with_tasks\": true, \"with_memories\": true}", (const uint8_t*)bundle, strlen(bundle));
    net_cortex_free_string(bundle);
    if (!restored) return fail("open_from_snapshot");
    printf("restored: %d tasks\n", net_netdb_tasks_count(restored, NULL));

    /* A typed error: creating an id twice. */
    uint64_t seq = 0;
    if (net_netdb_tasks_create(db, 1, "again", 5, 0, &seq) == NET_CORTEX_ERR_EXISTS)
        printf("create twice: %s\n", net_cortex_last_error_kind());

    net_netdb_close(restored);
    net_netdb_free(restored);
    net_netdb_close(db);
    net_netdb_free(db);
    net_redex_free(redex);
    return 0;
}
