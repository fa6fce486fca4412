/* net_prometheus_text: a node's bus, a mesh pair and its stream rendered
 * as Prometheus text, the values matching the structured statistics;
 * absent parts left out; misuse (NULL out, stale handles) reported. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mesh_pair.h"

/* The value of series `name` (un-labelled, or with its labels) in `text`, or -1. */
static long long series(const char* text, const char* name) {
    size_t n = strlen(name);
    for (const char* line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, name, n) == 0 && line[n] == ' ') return strtoll(line + n + 1, NULL, 10);
    }
    return -1;
}

int main(void) {
    net_handle_t node = net_init("{\"num_shards\": 2}");
    CHECK(node != NULL);
    const char* events[] = {"{\"a\":1}", "{\"a\":2}", "{\"a\":3}"};
    for (int i = 0; i < 3; i++) CHECK_EQ(net_ingest_raw(node, events[i], strlen(events[i])), NET_SUCCESS);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    net_stats_t stats;
    CHECK_EQ(net_stats_ex(node, &stats), NET_SUCCESS);

    /* The bus alone. */
    char* text = NULL;
    int len = net_prometheus_text(node, NULL, &text);
    CHECK(len > 0 && text != NULL);
    if (text) {
        CHECK_EQ((long long)strlen(text), len);
        CHECK_EQ(series(text, "net_bus_events_ingested_total"), (long long)stats.events_ingested);
        CHECK_EQ(series(text, "net_bus_events_ingested_total"), 3);
        CHECK_EQ(series(text, "net_bus_events_dropped_total"), (long long)stats.events_dropped);
        CHECK_EQ(series(text, "net_bus_batches_dispatched_total"), (long long)stats.batches_dispatched);
        CHECK(strstr(text, "net_mesh_") == NULL);
        CHECK(len >= 6 && strcmp(text + len - 6, "# EOF\n") == 0);
    }
    net_free_string(text);

    /* A mesh pair with one stream: the mesh and stream parts. */
    test_node_t a, b;
    test_node_new(&a, MESH_PSK_42, NULL);
    test_node_new(&b, MESH_PSK_42, NULL);
    CHECK(a.mesh != NULL && b.mesh != NULL);
    accept_job_t job;
    char kind[64];
    CHECK_EQ(test_handshake(&a, &b, b.public_key, b.node_id, 2000, &job, kind, sizeof kind), NET_SUCCESS);
    CHECK_EQ(job.status, NET_SUCCESS);
    net_mesh_stream_t* tx = net_mesh_open_stream(a.mesh, b.node_id, 7, NULL);
    net_mesh_stream_t* rx = net_mesh_open_stream(b.mesh, a.node_id, 7, NULL);
    CHECK(tx != NULL && rx != NULL);
    CHECK_EQ(net_mesh_send(tx, (const uint8_t*)"hi", 2), NET_SUCCESS);
    net_mesh_message_t msg;
    CHECK_EQ(net_mesh_recv(rx, 5000, &msg), NET_SUCCESS);
    net_mesh_free_message(&msg);

    text = NULL;
    len = net_prometheus_text(node, b.mesh, &text);
    CHECK(len > 0 && text != NULL);
    if (text) {
        net_mesh_stats_t ms;
        CHECK_EQ(net_mesh_stats(b.mesh, &ms), NET_SUCCESS);
        CHECK_EQ(series(text, "net_bus_events_ingested_total"), 3);
        CHECK_EQ(series(text, "net_mesh_sessions"), (long long)ms.sessions);
        CHECK_EQ(series(text, "net_mesh_handshakes_completed_total"), (long long)ms.handshakes_completed);
        char name[160];
        snprintf(name, sizeof name, "net_stream_messages_received_total{peer=\"0x%016llx\",stream=\"7\"}",
                 (unsigned long long)a.node_id);
        CHECK_EQ(series(text, name), 1);
    }
    net_free_string(text);

    /* Neither part: just the terminator. */
    text = NULL;
    CHECK_EQ(net_prometheus_text(NULL, NULL, &text), 6);
    CHECK(text != NULL && strcmp(text, "# EOF\n") == 0);
    net_free_string(text);

    /* Misuse. */
    CHECK(net_prometheus_text(node, NULL, NULL) < 0);
    CHECK_KIND("null_parameter");
    net_mesh_stream_free(tx);
    net_mesh_stream_free(rx);
    net_mesh_free(a.mesh);
    net_mesh_free(b.mesh);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
    text = NULL;
    CHECK(net_prometheus_text(node, NULL, &text) < 0);
    CHECK_KIND("invalid_handle");
    CHECK(text == NULL);
    CHECK(net_prometheus_text(NULL, b.mesh, &text) < 0);
    CHECK_KIND("invalid_handle");

    return check_summary("metrics_test");
}
