/* RedEX files and NetDb through net_cortex.h: appends, reads, tails,
 * persistence across reopen, torn tails, loud corruption and explicit
 * recovery, tasks and memories, queries, watches, snapshots — and every
 * misuse (NULL, stale and double-freed handles, bad JSON, bad UTF-8) as a
 * status plus a kind, never a crash or a leak (this binary runs under
 * valgrind). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "check.h"
#include "net_cortex.h"

/* The last net_cortex.h error must be `expected` (NULL: none recorded). */
#define CHECK_CKIND(expected)                                                    \
    do {                                                                         \
        const char* ck_k_ = net_cortex_last_error_kind();                        \
        const char* ck_x_ = (expected);                                          \
        int ck_ok_ = ck_x_ == NULL ? ck_k_ == NULL : (ck_k_ != NULL && strcmp(ck_k_, ck_x_) == 0); \
        if (ck_ok_) {                                                            \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: cortex kind %s (%s), expected %s\n", __FILE__, __LINE__, \
                    ck_k_ ? ck_k_ : "(none)",                                    \
                    net_cortex_last_error_message() ? net_cortex_last_error_message() : "-", \
                    ck_x_ ? ck_x_ : "(none)");                                   \
        }                                                                        \
    } while (0)

/* A call that must return NET_CORTEX_OK; prints the cortex error if not. */
#define CHECK_OK(call)                                                           \
    do {                                                                         \
        int ck_rc_ = (call);                                                     \
        if (ck_rc_ == NET_CORTEX_OK) {                                           \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: %s returned %d (%s: %s)\n", __FILE__, __LINE__, #call, ck_rc_, \
                    net_cortex_last_error_kind() ? net_cortex_last_error_kind() : "-", \
                    net_cortex_last_error_message() ? net_cortex_last_error_message() : "-"); \
        }                                                                        \
    } while (0)

#define NAME(s) (s), strlen(s)

static char* make_dir(void) {
    char tmpl[] = "/tmp/net_cortex_test_XXXXXX";
    char* dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    return dir ? strdup(dir) : NULL;
}

static void remove_dir(char* dir) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_EQ(system(cmd), 0);
    free(dir);
}

static int contains(const char* haystack, const char* needle) {
    return haystack != NULL && strstr(haystack, needle) != NULL;
}

static void memory_file_round_trip(void) {
    net_redex_t* redex = net_redex_new(NULL);
    CHECK(redex != NULL);
    net_redex_file_t* file = net_redex_open_file(redex, NAME("analytics/clicks"), NULL);
    CHECK(file != NULL);
    uint64_t seq = 99;
    CHECK_OK(net_redex_file_append(file, (const uint8_t*)"one", 3, &seq));
    CHECK_EQ(seq, 0);
    CHECK_OK(net_redex_file_append(file, NULL, 0, &seq)); /* an empty record */
    CHECK_EQ(seq, 1);
    const uint8_t* batch[] = {(const uint8_t*)"b0", (const uint8_t*)"b11", (const uint8_t*)"b222"};
    size_t lens[] = {2, 3, 4};
    uint64_t first = 99;
    CHECK_EQ(net_redex_file_append_batch(file, batch, lens, 3, &first), 3);
    CHECK_EQ(first, 2);
    first = 77;
    CHECK_EQ(net_redex_file_append_batch(file, NULL, NULL, 0, &first), 0);
    CHECK_EQ(first, 77); /* an empty batch appends nothing and reports no seq */
    CHECK_OK(net_redex_file_append_idempotent(file, (const uint8_t*)"k1", 2, (const uint8_t*)"idem", 4, &seq));
    CHECK_EQ(seq, 5);
    CHECK_OK(net_redex_file_append_idempotent(file, (const uint8_t*)"k1", 2, (const uint8_t*)"retry", 5, &seq));
    CHECK_EQ(seq, 5);

    net_redex_events_t events;
    CHECK_EQ(net_redex_file_read(file, 0, UINT64_MAX, &events), 6);
    CHECK(events.count == 6);
    CHECK(events.events[0].seq == 0 && events.events[0].payload_len == 3 && memcmp(events.events[0].payload, "one", 3) == 0);
    CHECK(events.events[1].payload_len == 0);
    CHECK(events.events[4].payload_len == 4 && memcmp(events.events[4].payload, "b222", 4) == 0);
    CHECK(events.events[5].timestamp_nanos >= events.events[0].timestamp_nanos);
    net_redex_events_free(&events);
    CHECK(events.events == NULL && events.count == 0);
    net_redex_events_free(&events); /* again: a no-op */
    CHECK_EQ(net_redex_file_read(file, 2, 4, &events), 2);
    CHECK(events.events[0].seq == 2 && events.events[1].seq == 3);
    net_redex_events_free(&events);

    net_redex_file_info_t info;
    CHECK_OK(net_redex_file_info(file, &info));
    CHECK(info.next_seq == 6 && info.first_seq == 0 && info.len == 6 && info.retained_bytes == 3 + 0 + 2 + 3 + 4 + 4);
    CHECK_EQ(info.closed, 0);
    char* report = (char*)"x";
    CHECK_EQ(net_redex_file_repair_report(file, &report), 0);
    CHECK(report == NULL);

    /* Tail: backfill from seq 4, then a live append, then nothing (timeout). */
    net_redex_tail_t* tail = net_redex_file_tail(file, 4);
    CHECK(tail != NULL);
    CHECK_EQ(net_redex_tail_next(tail, 10, 1000, &events), 2);
    CHECK(events.count == 2 && events.events[0].seq == 4 && events.events[1].seq == 5);
    net_redex_events_free(&events);
    CHECK_EQ(net_redex_tail_next(tail, 10, 5, &events), 0);
    CHECK(events.count == 0);
    CHECK_OK(net_redex_file_append(file, (const uint8_t*)"live", 4, NULL));
    CHECK_EQ(net_redex_tail_next(tail, 10, 1000, &events), 1);
    CHECK(events.events[0].seq == 6 && memcmp(events.events[0].payload, "live", 4) == 0);
    net_redex_events_free(&events);

    /* Close: appends refused, reads still work, the tail drains and ends. */
    CHECK_OK(net_redex_file_append(file, (const uint8_t*)"last", 4, NULL));
    CHECK_OK(net_redex_file_close(file));
    CHECK_OK(net_redex_file_close(file));
    CHECK_EQ(net_redex_file_append(file, (const uint8_t*)"x", 1, NULL), NET_CORTEX_ERR_CLOSED);
    CHECK_CKIND("redex:closed");
    CHECK_EQ(net_redex_file_sync(file), NET_CORTEX_ERR_CLOSED);
    CHECK_EQ(net_redex_tail_next(tail, 10, 1000, &events), 1);
    net_redex_events_free(&events);
    CHECK_EQ(net_redex_tail_next(tail, 10, 1000, &events), NET_CORTEX_ERR_CLOSED);
    CHECK_CKIND("redex:closed");
    CHECK_EQ(net_redex_file_read(file, 0, UINT64_MAX, &events), 8);
    net_redex_events_free(&events);
    CHECK_OK(net_redex_file_info(file, &info));
    CHECK_EQ(info.closed, 1);
    net_redex_tail_free(tail);
    net_redex_file_free(file);
    net_redex_free(redex);
}

static void retention_and_lagging_tails(void) {
    net_redex_t* redex = net_redex_new(NULL);
    net_redex_file_t* file = net_redex_open_file(redex, NAME("ret"), "{\"retention_max_events\": 3}");
    CHECK(file != NULL);
    for (int i = 0; i < 10; i++) CHECK_OK(net_redex_file_append(file, (const uint8_t*)"r", 1, NULL));
    net_redex_file_info_t info;
    CHECK_OK(net_redex_file_info(file, &info));
    CHECK(info.first_seq == 7 && info.len == 3);
    net_redex_tail_t* tail = net_redex_file_tail(file, 0);
    net_redex_events_t events;
    CHECK_EQ(net_redex_tail_next(tail, 10, 1000, &events), NET_CORTEX_ERR_TAIL_LAGGED);
    CHECK_CKIND("redex:tail_lagged");
    CHECK(contains(net_cortex_last_error_message(), "oldest retained is 7"));
    CHECK_EQ(net_redex_tail_next(tail, 10, 1000, &events), 3);
    CHECK(events.events[0].seq == 7);
    net_redex_events_free(&events);
    net_redex_tail_free(tail);
    net_redex_file_free(file);
    net_redex_free(redex);
}

static void bad_names_and_configs(void) {
    net_redex_t* redex = net_redex_new(NULL);
    CHECK(net_redex_open_file(redex, NAME("a//b"), NULL) == NULL);
    CHECK_CKIND("invalid_channel");
    CHECK(net_redex_open_file(redex, NAME(""), NULL) == NULL);
    CHECK_CKIND("invalid_channel");
    CHECK(net_redex_open_file(redex, "\xff\xfe", 2, NULL) == NULL);
    CHECK_CKIND("invalid_utf8");
    CHECK(net_redex_open_file(redex, NAME("ok"), "{not json") == NULL);
    CHECK_CKIND("invalid_json");
    CHECK(net_redex_open_file(redex, NAME("ok"), "{\"persistant\": true}") == NULL); /* typo */
    CHECK_CKIND("invalid_json");
    CHECK(net_redex_open_file(redex, NAME("ok"), "{\"fsync_every_n\": 0}") == NULL);
    CHECK_CKIND("redex:config");
    CHECK(net_redex_open_file(redex, NAME("ok"), "{\"fsync\": \"never\", \"fsync_interval_ms\": 5}") == NULL);
    CHECK_CKIND("redex:config");
    CHECK(net_redex_open_file(redex, NAME("ok"), "{\"persistent\": true}") == NULL); /* no directory */
    CHECK_CKIND("redex:config");
    /* A success clears the error. */
    net_redex_file_t* file = net_redex_open_file(redex, NAME("ok"), "");
    CHECK(file != NULL);
    CHECK_CKIND(NULL);
    CHECK(net_cortex_last_error_message() == NULL);
    CHECK_EQ(net_redex_file_append_idempotent(file, NULL, 0, (const uint8_t*)"x", 1, NULL), NET_CORTEX_ERR_TOO_LARGE);
    CHECK_CKIND("redex:invalid_key");
    net_redex_file_free(file);
    net_redex_free(redex);
}

static char* segment_path(const char* dir, const char* escaped_name) {
    char* path = (char*)malloc(512);
    snprintf(path, 512, "%s/%s/00000000000000000000.log", dir, escaped_name);
    return path;
}

static void persistence_torn_tails_and_corruption(void) {
    char* dir = make_dir();
    const char* cfg = "{\"persistent\": true, \"fsync_every_n\": 1}";
    net_redex_t* redex = net_redex_new(dir);
    net_redex_file_t* file = net_redex_open_file(redex, NAME("orders/audit"), cfg);
    CHECK(file != NULL);
    char payload[32];
    for (int i = 0; i < 10; i++) {
        int n = snprintf(payload, sizeof payload, "order-%d", i);
        CHECK_OK(net_redex_file_append(file, (const uint8_t*)payload, (size_t)n, NULL));
    }
    /* A second owner of the same directory is refused. */
    net_redex_t* other = net_redex_new(dir);
    CHECK(net_redex_open_file(other, NAME("orders/audit"), cfg) == NULL);
    CHECK_CKIND("redex:locked");
    net_redex_free(other);
    CHECK_OK(net_redex_file_close(file));
    net_redex_file_free(file);

    /* Reopen: every record, byte for byte. */
    file = net_redex_open_file(redex, NAME("orders/audit"), cfg);
    CHECK(file != NULL);
    net_redex_events_t events;
    CHECK_EQ(net_redex_file_read(file, 0, UINT64_MAX, &events), 10);
    for (size_t i = 0; i < events.count; i++) {
        int n = snprintf(payload, sizeof payload, "order-%d", (int)i);
        CHECK(events.events[i].seq == i && events.events[i].payload_len == (size_t)n &&
              memcmp(events.events[i].payload, payload, (size_t)n) == 0);
    }
    net_redex_events_free(&events);
    CHECK_OK(net_redex_file_close(file));
    net_redex_file_free(file);

    /* A half-written record at the end is a torn tail: cut and reported. */
    char* seg = segment_path(dir, "orders%2Faudit");
    FILE* f = fopen(seg, "ab");
    CHECK(f != NULL);
    fwrite("\x07\x00\x00\x00garbage", 1, 11, f);
    fclose(f);
    file = net_redex_open_file(redex, NAME("orders/audit"), cfg);
    CHECK(file != NULL);
    char* report = NULL;
    CHECK_EQ(net_redex_file_repair_report(file, &report), 1);
    CHECK(contains(report, "\"kind\":\"torn_tail\"") && contains(report, "\"bytes_cut\":11"));
    net_cortex_free_string(report);
    net_redex_file_info_t info;
    CHECK_OK(net_redex_file_info(file, &info));
    CHECK_EQ(info.next_seq, 10);
    CHECK_OK(net_redex_file_close(file));
    net_redex_file_free(file);

    /* A flipped byte in the middle fails loudly, naming file and offset. */
    f = fopen(seg, "r+b");
    CHECK(f != NULL);
    CHECK_EQ(fseek(f, 32 + 7 + 32 + 3, SEEK_SET), 0); /* inside record 1's payload */
    fputc('#', f);
    fclose(f);
    CHECK(net_redex_open_file(redex, NAME("orders/audit"), cfg) == NULL);
    CHECK_CKIND("redex:corrupt");
    CHECK(contains(net_cortex_last_error_message(), seg));
    CHECK(contains(net_cortex_last_error_message(), "offset 39"));
    /* Only an explicit recover repairs it. */
    file = net_redex_open_file(redex, NAME("orders/audit"), "{\"persistent\": true, \"recover\": true}");
    CHECK(file != NULL);
    CHECK_EQ(net_redex_file_repair_report(file, &report), 1);
    CHECK(contains(report, "\"kind\":\"corruption\"") && contains(report, "\"offset\":39"));
    net_cortex_free_string(report);
    CHECK_OK(net_redex_file_info(file, &info));
    CHECK(info.len == 1 && info.next_seq == 1);
    net_redex_file_free(file);
    free(seg);
    net_redex_free(redex);
    remove_dir(dir);
}

/* Both NetDbs list the same `count` tasks: the same JSON, record by record. */
static void check_same_tasks(net_netdb_t* x, net_netdb_t* y, int count) {
    char* a = NULL;
    char* b = NULL;
    CHECK_EQ(net_netdb_tasks_query(x, NULL, &a), count);
    CHECK_EQ(net_netdb_tasks_query(y, NULL, &b), count);
    CHECK(a && b && strcmp(a, b) == 0);
    net_cortex_free_string(a);
    net_cortex_free_string(b);
}

static void netdb_tasks_and_memories(void) {
    net_redex_t* redex = net_redex_new(NULL);
    net_netdb_t* db = net_netdb_open(redex, "{\"origin\": 43981, \"with_tasks\": true, \"with_memories\": true}");
    CHECK(db != NULL);
    uint64_t seq = 99;
    CHECK_OK(net_netdb_tasks_create(db, 1, NAME("write docs"), 100, &seq));
    CHECK_EQ(seq, 0);
    CHECK_OK(net_netdb_tasks_wait_for_seq(db, seq, 1000));
    CHECK_OK(net_netdb_tasks_create(db, 2, NAME("ship it"), 200, &seq));
    CHECK_OK(net_netdb_tasks_rename(db, 2, NAME("ship it now"), &seq));
    CHECK_OK(net_netdb_tasks_set_status(db, 2, "in_progress", &seq));
    CHECK_OK(net_netdb_tasks_create(db, 3, NAME("drop me"), 300, NULL));
    CHECK_OK(net_netdb_tasks_delete(db, 3, NULL));
    CHECK_OK(net_netdb_tasks_complete(db, 1, &seq));
    CHECK_EQ(seq, 6);
    CHECK_EQ(net_netdb_tasks_create(db, 1, NAME("again"), 0, NULL), NET_CORTEX_ERR_EXISTS);
    CHECK_CKIND("cortex:exists");
    CHECK_EQ(net_netdb_tasks_rename(db, 9, NAME("x"), NULL), NET_CORTEX_ERR_NOT_FOUND);
    CHECK_CKIND("cortex:not_found");
    CHECK_EQ(net_netdb_tasks_set_status(db, 1, "done", NULL), NET_CORTEX_ERR_INVALID_ARG);
    CHECK_CKIND("invalid_argument");
    CHECK_EQ(net_netdb_tasks_create(db, 5, "\xc3\x28", 2, 0, NULL), NET_CORTEX_ERR_INVALID_ARG);
    CHECK_CKIND("invalid_utf8");
    CHECK_EQ(net_netdb_tasks_wait_for_seq(db, 1000, 10), NET_CORTEX_ERR_TIMEOUT);
    CHECK_CKIND("timeout");

    char* json = NULL;
    CHECK_EQ(net_netdb_tasks_query(db, NULL, &json), 2);
    CHECK(contains(json, "\"title\":\"write docs\"") && contains(json, "\"status\":\"completed\"") &&
          contains(json, "\"origin\":43981"));
    net_cortex_free_string(json);
    CHECK_EQ(net_netdb_tasks_query(db, "{\"status\": \"in_progress\", \"title_contains\": \"ship\"}", &json), 1);
    CHECK(contains(json, "\"id\":2") && !contains(json, "\"id\":1"));
    net_cortex_free_string(json);
    CHECK_EQ(net_netdb_tasks_query(db, "{\"order\": \"created_desc\", \"limit\": 1}", &json), 1);
    CHECK(contains(json, "\"id\":2"));
    net_cortex_free_string(json);
    CHECK_EQ(net_netdb_tasks_query(db, "{\"stauts\": \"pending\"}", &json), NET_CORTEX_ERR_INVALID_ARG);
    CHECK_CKIND("invalid_json");
    CHECK_EQ(net_netdb_tasks_count(db, NULL), 2);
    CHECK_EQ(net_netdb_tasks_count(db, "{\"status\": \"pending\"}"), 0);

    CHECK_OK(net_netdb_memories_store(db, 1, NAME("the sky is blue"), "[\"fact\", \"color\"]", 1, &seq));
    CHECK_OK(net_netdb_memories_store(db, 2, NAME("call back"), NULL, 2, NULL));
    CHECK_OK(net_netdb_memories_tag(db, 2, NAME("urgent"), NULL));
    CHECK_OK(net_netdb_memories_untag(db, 1, NAME("color"), NULL));
    CHECK_OK(net_netdb_memories_pin(db, 1, 1, &seq));
    CHECK_OK(net_netdb_memories_wait_for_seq(db, seq, 1000));
    CHECK_EQ(net_netdb_memories_store(db, 3, NAME("x"), "[1, 2]", 0, NULL), NET_CORTEX_ERR_INVALID_ARG);
    CHECK_CKIND("invalid_json");
    CHECK_EQ(net_netdb_memories_query(db, "{\"tags_all\": [\"fact\"], \"pinned\": true}", &json), 1);
    CHECK(contains(json, "\"tags\":[\"fact\"]") && contains(json, "\"pinned\":true"));
    net_cortex_free_string(json);
    CHECK_EQ(net_netdb_memories_count(db, "{\"tags_any\": [\"urgent\", \"nope\"]}"), 1);
    CHECK_OK(net_netdb_memories_pin(db, 1, 0, NULL));
    CHECK_OK(net_netdb_memories_delete(db, 2, NULL));
    CHECK_EQ(net_netdb_memories_count(db, NULL), 1);

    /* Snapshot bundle, restored into a fresh in-memory manager. */
    char* bundle = NULL;
    CHECK_OK(net_netdb_snapshot(db, &bundle));
    CHECK(bundle != NULL);
    net_redex_t* fresh = net_redex_new(NULL);
    const char* both = "{\"with_tasks\": true, \"with_memories\": true}";
    net_netdb_t* restored = net_netdb_open_from_snapshot(fresh, both, (const uint8_t*)bundle, strlen(bundle));
    CHECK(restored != NULL);
    check_same_tasks(db, restored, 2);
    CHECK(net_netdb_open_from_snapshot(fresh, both, (const uint8_t*)"{}", 2) == NULL);
    CHECK_CKIND("netdb:bundle");
    CHECK(net_netdb_open_from_snapshot(fresh, both, (const uint8_t*)"{\"format\":1,\"tasks\":null,\"memories\":null}",
                                        strlen("{\"format\":1,\"tasks\":null,\"memories\":null}")) == NULL);
    CHECK_CKIND("netdb:missing_model");
    net_cortex_free_string(bundle);

    /* A model that was not enabled. */
    net_redex_t* third = net_redex_new(NULL);
    net_netdb_t* only_tasks = net_netdb_open(third, "{\"with_tasks\": true}");
    CHECK(only_tasks != NULL);
    CHECK_EQ(net_netdb_memories_count(only_tasks, NULL), NET_CORTEX_ERR_MISSING_MODEL);
    CHECK_CKIND("netdb:missing_model");
    net_netdb_free(only_tasks);
    net_redex_free(third);

    CHECK_OK(net_netdb_close(db));
    CHECK_EQ(net_netdb_tasks_create(db, 10, NAME("late"), 0, NULL), NET_CORTEX_ERR_CLOSED);
    CHECK_CKIND("cortex:closed");
    CHECK_EQ(net_netdb_tasks_count(db, NULL), 2); /* queries still answer */
    net_netdb_free(restored);
    net_netdb_free(db);
    net_redex_free(fresh);
    net_redex_free(redex);
}

/* Model-level snapshots: each model alone, restored into a NetDb that holds
 * just that model (on its own log: the events after the snapshot fold on
 * top; into a fresh manager: the snapshot is the base); the bundle carries
 * the same JSON; bad bytes, NULL and stale handles are refused. */
static void netdb_model_snapshots(void) {
    net_redex_t* redex = net_redex_new(NULL);
    net_netdb_t* db = net_netdb_open(redex, "{\"origin\": 7, \"with_tasks\": true, \"with_memories\": true}");
    CHECK(db != NULL);
    CHECK_OK(net_netdb_tasks_create(db, 1, NAME("one"), 10, NULL));
    CHECK_OK(net_netdb_tasks_create(db, 2, NAME("two"), 20, NULL));
    CHECK_OK(net_netdb_memories_store(db, 1, NAME("fact"), "[\"a\"]", 1, NULL));
    char* tasks = NULL;
    char* memories = NULL;
    char* bundle = NULL;
    CHECK_OK(net_netdb_tasks_snapshot(db, &tasks));
    CHECK_OK(net_netdb_memories_snapshot(db, &memories));
    CHECK(contains(tasks, "\"model\":\"tasks\",\"next_seq\":2,"));
    CHECK(contains(memories, "\"model\":\"memories\",\"next_seq\":1,"));
    CHECK_OK(net_netdb_snapshot(db, &bundle));
    CHECK(contains(bundle, tasks));
    CHECK(contains(bundle, memories));

    /* On its own log: the state at the snapshot, then the later events once. */
    CHECK_OK(net_netdb_tasks_rename(db, 2, NAME("two later"), NULL));
    uint64_t seq = 0;
    CHECK_OK(net_netdb_tasks_complete(db, 1, &seq));
    CHECK_EQ(seq, 3);
    net_netdb_t* restored = net_netdb_open_from_tasks_snapshot(redex, "{\"origin\": 7, \"with_memories\": true}",
                                                               (const uint8_t*)tasks, strlen(tasks));
    CHECK(restored != NULL);
    check_same_tasks(db, restored, 2);
    CHECK_EQ(net_netdb_tasks_count(restored, "{\"title_contains\": \"two later\"}"), 1);
    char* out = NULL;
    CHECK_OK(net_netdb_tasks_create(restored, 3, NAME("three"), 30, &seq));
    CHECK_EQ(seq, 4);
    CHECK_EQ(net_netdb_tasks_count(db, NULL), 3); /* one log, two readers */
    /* Only the restored model: the config's model flags are ignored. */
    CHECK_EQ(net_netdb_memories_count(restored, NULL), NET_CORTEX_ERR_MISSING_MODEL);
    CHECK_EQ(net_netdb_memories_snapshot(restored, &out), NET_CORTEX_ERR_MISSING_MODEL);
    CHECK_CKIND("netdb:missing_model");

    /* Into a fresh manager: the snapshot is the base, new events fold on it. */
    net_redex_t* fresh = net_redex_new(NULL);
    net_netdb_t* mem = net_netdb_open_from_memories_snapshot(fresh, NULL, (const uint8_t*)memories, strlen(memories));
    CHECK(mem != NULL);
    CHECK_EQ(net_netdb_memories_count(mem, "{\"tags_all\": [\"a\"]}"), 1);
    CHECK_OK(net_netdb_memories_tag(mem, 1, NAME("b"), NULL));
    CHECK_EQ(net_netdb_memories_count(mem, "{\"tags_all\": [\"a\", \"b\"]}"), 1);
    CHECK_EQ(net_netdb_tasks_count(mem, NULL), NET_CORTEX_ERR_MISSING_MODEL);

    /* Bytes that are not a snapshot of that model. */
    CHECK(net_netdb_open_from_tasks_snapshot(fresh, NULL, (const uint8_t*)memories, strlen(memories)) == NULL);
    CHECK_CKIND("netdb:bundle");
    CHECK(contains(net_cortex_last_error_message(), "a memories snapshot, not a tasks snapshot"));
    CHECK(net_netdb_open_from_memories_snapshot(fresh, NULL, (const uint8_t*)memories, strlen(memories) - 1) == NULL);
    CHECK_CKIND("netdb:bundle");
    CHECK(net_netdb_open_from_tasks_snapshot(fresh, NULL, (const uint8_t*)"\xff\x00garbage", 9) == NULL);
    CHECK_CKIND("netdb:bundle");
    CHECK(net_netdb_open_from_tasks_snapshot(fresh, NULL, (const uint8_t*)bundle, strlen(bundle)) == NULL);
    CHECK_CKIND("netdb:bundle");
    CHECK(net_netdb_open_from_memories_snapshot(fresh, NULL, NULL, 0) == NULL);
    CHECK_CKIND("netdb:bundle");
    CHECK(net_netdb_open_from_tasks_snapshot(fresh, "{\"origin\": -1}", (const uint8_t*)tasks, strlen(tasks)) == NULL);
    CHECK_CKIND("invalid_json");

    /* NULL and stale handles, NULL out pointers. */
    CHECK(net_netdb_open_from_tasks_snapshot(fresh, NULL, NULL, 4) == NULL);
    CHECK_CKIND("null_parameter");
    CHECK(net_netdb_open_from_memories_snapshot(NULL, NULL, (const uint8_t*)memories, strlen(memories)) == NULL);
    CHECK_CKIND("null_parameter");
    CHECK_EQ(net_netdb_tasks_snapshot(NULL, &out), NET_CORTEX_ERR_NULL);
    CHECK_CKIND("null_parameter");
    CHECK_EQ(net_netdb_memories_snapshot(db, NULL), NET_CORTEX_ERR_NULL);
    CHECK_CKIND("null_parameter");
    net_netdb_free(mem);
    CHECK_EQ(net_netdb_memories_snapshot(mem, &out), NET_CORTEX_ERR_NULL);
    CHECK_CKIND("invalid_handle");

    net_cortex_free_string(tasks);
    net_cortex_free_string(memories);
    net_cortex_free_string(bundle);
    net_netdb_free(restored);
    net_netdb_free(db);
    net_redex_free(fresh);
    net_redex_free(redex);
}

static void netdb_watches(void) {
    net_redex_t* redex = net_redex_new(NULL);
    net_netdb_t* db = net_netdb_open(redex, "{\"with_tasks\": true, \"with_memories\": true}");
    CHECK_OK(net_netdb_tasks_create(db, 1, NAME("ship docs"), 0, NULL));
    net_netdb_watch_t* watch = net_netdb_tasks_watch(db, "{\"status\": \"pending\"}");
    CHECK(watch != NULL);
    char* batch = NULL;
    CHECK_EQ(net_netdb_watch_next(watch, 1000, &batch), 1); /* the current result first */
    CHECK(contains(batch, "\"id\":1"));
    net_cortex_free_string(batch);
    CHECK_EQ(net_netdb_watch_next(watch, 5, &batch), 0);
    CHECK(batch == NULL);
    CHECK_OK(net_netdb_tasks_create(db, 2, NAME("more"), 0, NULL));
    CHECK_EQ(net_netdb_watch_next(watch, 1000, &batch), 1);
    CHECK(contains(batch, "\"id\":1") && contains(batch, "\"id\":2"));
    net_cortex_free_string(batch);

    char* snapshot = NULL;
    net_netdb_watch_t* saw = net_netdb_tasks_snapshot_and_watch(db, "{\"status\": \"completed\"}", &snapshot);
    CHECK(saw != NULL);
    CHECK(snapshot != NULL && strcmp(snapshot, "[]") == 0);
    net_cortex_free_string(snapshot);
    CHECK_OK(net_netdb_tasks_complete(db, 1, NULL));
    CHECK_EQ(net_netdb_watch_next(saw, 1000, &batch), 1);
    CHECK(contains(batch, "\"id\":1") && !contains(batch, "\"id\":2"));
    net_cortex_free_string(batch);

    net_netdb_watch_t* mem = net_netdb_memories_watch(db, "{\"tags_all\": [\"urgent\"]}");
    CHECK_EQ(net_netdb_watch_next(mem, 1000, &batch), 1);
    CHECK(strcmp(batch, "[]") == 0);
    net_cortex_free_string(batch);
    CHECK_OK(net_netdb_memories_store(db, 7, NAME("call"), "[\"urgent\"]", 0, NULL));
    CHECK_EQ(net_netdb_watch_next(mem, 1000, &batch), 1);
    CHECK(contains(batch, "\"id\":7"));
    net_cortex_free_string(batch);
    net_netdb_watch_t* msaw = net_netdb_memories_snapshot_and_watch(db, NULL, &snapshot);
    CHECK(contains(snapshot, "\"id\":7"));
    net_cortex_free_string(snapshot);

    /* Closing the NetDb ends every watch, after the change it had not
     * delivered yet (task 1 left the pending result). */
    CHECK_OK(net_netdb_close(db));
    CHECK_EQ(net_netdb_watch_next(watch, 1000, &batch), 1);
    CHECK(contains(batch, "\"id\":2") && !contains(batch, "\"id\":1"));
    net_cortex_free_string(batch);
    CHECK_EQ(net_netdb_watch_next(watch, 1000, &batch), NET_CORTEX_ERR_CLOSED);
    CHECK_CKIND("cortex:closed");
    CHECK_EQ(net_netdb_watch_next(watch, 1000, &batch), NET_CORTEX_ERR_CLOSED);
    CHECK_EQ(net_netdb_watch_next(msaw, 1000, &batch), NET_CORTEX_ERR_CLOSED);
    net_netdb_watch_free(watch);
    net_netdb_watch_free(saw);
    net_netdb_watch_free(mem);
    net_netdb_watch_free(msaw);
    net_netdb_free(db);
    net_redex_free(redex);
}

static void netdb_persists_across_reopen(void) {
    char* dir = make_dir();
    const char* cfg = "{\"origin\": 7, \"persistent\": true, \"with_tasks\": true, \"with_memories\": true,"
                      " \"file\": {\"fsync\": \"never\"}}";
    net_redex_t* redex = net_redex_new(dir);
    net_netdb_t* db = net_netdb_open(redex, cfg);
    CHECK(db != NULL);
    for (uint64_t id = 0; id < 20; id++) CHECK_OK(net_netdb_tasks_create(db, id, NAME("persisted"), id, NULL));
    CHECK_OK(net_netdb_tasks_complete(db, 3, NULL));
    CHECK_OK(net_netdb_memories_store(db, 1, NAME("kept"), "[\"a\"]", 0, NULL));
    char* before = NULL;
    CHECK_OK(net_netdb_snapshot(db, &before));
    CHECK_OK(net_netdb_close(db));
    net_netdb_free(db);
    db = net_netdb_open(redex, cfg);
    CHECK(db != NULL);
    char* after = NULL;
    CHECK_OK(net_netdb_snapshot(db, &after));
    CHECK(before && after && strcmp(before, after) == 0);
    net_cortex_free_string(before);
    net_cortex_free_string(after);
    CHECK_EQ(net_netdb_tasks_count(db, "{\"status\": \"completed\"}"), 1);
    net_netdb_free(db); /* without close: freeing the last handle syncs */
    net_redex_free(redex);
    remove_dir(dir);
}

static void misuse(void) {
    net_redex_events_t events;
    char* json = NULL;
    uint64_t seq;
    /* NULL handles and pointers. */
    CHECK(net_redex_open_file(NULL, NAME("x"), NULL) == NULL);
    CHECK_CKIND("null_parameter");
    CHECK_EQ(net_redex_file_append(NULL, (const uint8_t*)"x", 1, &seq), NET_CORTEX_ERR_NULL);
    CHECK_CKIND("null_parameter");
    CHECK_EQ(net_redex_file_read(NULL, 0, 1, &events), NET_CORTEX_ERR_NULL);
    CHECK(events.events == NULL && events.count == 0);
    CHECK_EQ(net_redex_tail_next(NULL, 1, 1, &events), NET_CORTEX_ERR_NULL);
    CHECK_EQ(net_netdb_tasks_create(NULL, 1, NAME("x"), 0, NULL), NET_CORTEX_ERR_NULL);
    CHECK_EQ(net_netdb_watch_next(NULL, 1, &json), NET_CORTEX_ERR_NULL);
    CHECK(net_netdb_open(NULL, NULL) == NULL);
    CHECK_CKIND("null_parameter");
    net_redex_t* redex = net_redex_new(NULL);
    net_redex_file_t* file = net_redex_open_file(redex, NAME("m"), NULL);
    CHECK_EQ(net_redex_file_append(file, NULL, 3, NULL), NET_CORTEX_ERR_NULL); /* NULL with a length */
    CHECK_EQ(net_redex_file_read(file, 0, 1, NULL), NET_CORTEX_ERR_NULL);
    CHECK_EQ(net_redex_file_info(file, NULL), NET_CORTEX_ERR_NULL);
    const uint8_t* items[] = {(const uint8_t*)"ok", NULL};
    size_t lens[] = {2, 5};
    CHECK_EQ(net_redex_file_append_batch(file, items, lens, 2, NULL), NET_CORTEX_ERR_NULL);
    CHECK(contains(net_cortex_last_error_message(), "payloads[1]"));

    /* The two headers keep separate last errors. */
    net_clear_last_error();
    CHECK_EQ(net_redex_file_append(NULL, NULL, 0, NULL), NET_CORTEX_ERR_NULL);
    CHECK(net_last_error_kind() == NULL);
    net_cortex_clear_last_error();
    CHECK_CKIND(NULL);

    /* Release functions accept NULL. */
    net_redex_free(NULL);
    net_redex_file_free(NULL);
    net_redex_tail_free(NULL);
    net_redex_events_free(NULL);
    net_netdb_free(NULL);
    net_netdb_watch_free(NULL);
    net_cortex_free_string(NULL);

    /* Use after free and double free: a status, never a crash. */
    net_redex_tail_t* tail = net_redex_file_tail(file, 0);
    net_netdb_t* db = net_netdb_open(redex, "{\"with_tasks\": true}");
    net_netdb_watch_t* watch = net_netdb_tasks_watch(db, NULL);
    net_redex_tail_free(tail);
    net_redex_tail_free(tail);
    CHECK_EQ(net_redex_tail_next(tail, 1, 1, &events), NET_CORTEX_ERR_NULL);
    CHECK_CKIND("invalid_handle");
    net_netdb_watch_free(watch);
    net_netdb_watch_free(watch);
    CHECK_EQ(net_netdb_watch_next(watch, 1, &json), NET_CORTEX_ERR_NULL);
    CHECK_CKIND("invalid_handle");
    net_netdb_free(db);
    net_netdb_free(db);
    CHECK_EQ(net_netdb_tasks_count(db, NULL), NET_CORTEX_ERR_NULL);
    CHECK_CKIND("invalid_handle");
    net_redex_file_free(file);
    net_redex_file_free(file);
    CHECK_EQ(net_redex_file_append(file, (const uint8_t*)"x", 1, NULL), NET_CORTEX_ERR_NULL);
    CHECK_CKIND("invalid_handle");
    CHECK_EQ(net_redex_file_close(file), NET_CORTEX_ERR_NULL);
    net_redex_free(redex);
    net_redex_free(redex);
    CHECK(net_redex_open_file(redex, NAME("x"), NULL) == NULL);
    CHECK_CKIND("invalid_handle");
}

int main(void) {
    memory_file_round_trip();
    retention_and_lagging_tails();
    bad_names_and_configs();
    persistence_torn_tails_and_corruption();
    netdb_tasks_and_memories();
    netdb_model_snapshots();
    netdb_watches();
    netdb_persists_across_reopen();
    misuse();
    return check_summary("cortex_test");
}
