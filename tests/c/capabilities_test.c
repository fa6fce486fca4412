/* Capabilities through the C ABI: predicates (evaluate, trace, net-where
 * header both ways), validation, diff, and two mesh nodes announcing and
 * finding each other by hardware, tag and scope, with a subnet policy from
 * net_mesh_new's JSON, plus malformed announcement bytes refused and counted.
 * Every failure path checked: NULL arguments, malformed JSON, bad headers. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "mesh_pair.h"

#define S(lit) lit, strlen(lit)

static const char* PRED =
    "{\"op\":\"and\",\"clauses\":[{\"op\":\"exists\",\"path\":\"hardware.gpu\"},"
    "{\"op\":\"num_at_least\",\"path\":\"hardware.memory_gb\",\"value\":64},"
    "{\"op\":\"metadata_equals\",\"key\":\"intent\",\"value\":\"ml-training\"}]}";

static const char* GPU_CAPS =
    "{\"hardware\":{\"cpu_cores\":16,\"cpu_threads\":32,\"memory_gb\":64,"
    "\"gpu\":{\"vendor\":\"nvidia\",\"model\":\"h100\",\"vram_gb\":80}},"
    "\"tags\":[\"gpu\",\"region:us\"],\"metadata\":{\"intent\":\"ml-training\"}}";

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_predicates(void) {
    CHECK_EQ(net_predicate_evaluate(S(PRED), S(GPU_CAPS)), 1);
    CHECK_KIND(NULL);
    CHECK_EQ(net_predicate_evaluate(S(PRED), S("{\"tags\":[\"gpu\"]}")), 0);
    CHECK_EQ(net_predicate_evaluate(NULL, 4, S(GPU_CAPS)), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");
    CHECK_EQ(net_predicate_evaluate(S("{\"op\":"), S(GPU_CAPS)), NET_ERR_CAPABILITY);
    CHECK_KIND("invalid_predicate");
    CHECK_EQ(net_predicate_evaluate(S(PRED), S("{\"tags\":")), NET_ERR_INVALID_JSON);
    CHECK_KIND("invalid_json");
    CHECK_EQ(net_predicate_evaluate(S(PRED), "\xff\xfe", 2), NET_ERR_INVALID_UTF8);

    char* trace = NULL;
    CHECK_EQ(net_predicate_evaluate_with_trace(S(PRED), S("{\"tags\":[]}"), &trace), NET_SUCCESS);
    CHECK(trace != NULL && strstr(trace, "\"result\":false") != NULL && strstr(trace, "\"skipped\"") != NULL);
    net_free_string(trace);

    char* header = NULL;
    CHECK_EQ(net_predicate_to_header(S(PRED), &header), NET_SUCCESS);
    CHECK(header != NULL && strchr(header, '=') == NULL && strchr(header, '+') == NULL);
    char* back = NULL;
    CHECK_EQ(net_predicate_from_header((const uint8_t*)header, header ? strlen(header) : 0, &back), NET_SUCCESS);
    CHECK(back != NULL && strcmp(back, PRED) == 0);
    net_free_string(back);
    net_free_string(header);
    back = NULL;
    CHECK_EQ(net_predicate_from_header((const uint8_t*)"!!", 2, &back), NET_ERR_CAPABILITY);
    CHECK_KIND("invalid_header");
    CHECK(back == NULL);
    CHECK_EQ(net_predicate_from_header((const uint8_t*)"e30", 3, &back), NET_ERR_CAPABILITY);
    CHECK_KIND("invalid_header");
    CHECK_EQ(net_predicate_to_header(S(PRED), NULL), NET_ERR_NULL_POINTER);
    net_free_string(NULL);
}

static void test_validate_and_diff(void) {
    char* report = NULL;
    CHECK_EQ(net_capabilities_validate(S(GPU_CAPS), &report), 1);
    CHECK(report != NULL && strstr(report, "\"valid\":true") != NULL);
    net_free_string(report);
    CHECK_EQ(net_capabilities_validate(S("{\"tags\":[\"hardwre.gpu\",\"hardware.memory_gb=lots\"]}"), &report), 0);
    CHECK(report != NULL && strstr(report, "unknown_axis") != NULL && strstr(report, "type_mismatch") != NULL);
    net_free_string(report);
    CHECK_EQ(net_capabilities_validate(S("[]"), &report), NET_ERR_INVALID_JSON);
    CHECK_KIND("invalid_json");

    char* diff = NULL;
    CHECK_EQ(net_capabilities_diff(S("{\"tags\":[\"a\"],\"metadata\":{\"k\":\"1\"}}"),
                                   S("{\"tags\":[\"b\"],\"metadata\":{\"k\":\"2\"}}"), &diff), NET_SUCCESS);
    CHECK(diff != NULL && strcmp(diff, "{\"added_tags\":[\"b\"],\"removed_tags\":[\"a\"],"
                                       "\"metadata\":[{\"kind\":\"changed\",\"key\":\"k\",\"old\":\"1\",\"new\":\"2\"}]}") == 0);
    net_free_string(diff);
    CHECK_EQ(net_capabilities_diff(NULL, 1, S("{}"), &diff), NET_ERR_NULL_POINTER);

    char* norm = NULL;
    CHECK_EQ(net_capabilities_normalize(S("{\"software\":{\"os\":\"linux\"},\"tags\":[\"x\"]}"), &norm), NET_SUCCESS);
    CHECK(norm != NULL && strcmp(norm, "{\"tags\":[\"software.os=linux\",\"x\"],\"metadata\":{}}") == 0);
    net_free_string(norm);
}

static net_mesh_t* new_node(const char* subnet_levels, test_node_t* node, const net_identity_t* id) {
    char config[768];
    snprintf(config, sizeof config,
             "{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"%s\",\"handshake_timeout_ms\":2000,"
             "\"subnet\":{\"levels\":%s},\"min_announce_interval_ms\":0,\"capability_gc_interval_ms\":100,"
             "\"subnet_policy\":{\"rules\":[{\"tag_prefix\":\"region:\",\"level\":0,\"values\":{\"us\":3,\"eu\":4}}]}}",
             MESH_PSK_42, subnet_levels);
    memset(node, 0, sizeof *node);
    node->mesh = net_mesh_new(config, id);
    if (node->mesh != NULL) {
        net_mesh_node_id(node->mesh, &node->node_id);
        net_mesh_public_key(node->mesh, node->public_key, sizeof node->public_key);
        net_mesh_local_addr(node->mesh, node->addr, sizeof node->addr);
    }
    return node->mesh;
}

/* Poll find_nodes until it returns `want` ids (or ~20 s pass). */
static int wait_count(net_mesh_t* m, const char* filter, int want) {
    uint64_t ids[8];
    for (int i = 0; i < 2000; i++) {
        int n = net_mesh_find_nodes(m, filter, strlen(filter), ids, 8);
        if (n == want) return n;
        sleep_ms(10);
    }
    return net_mesh_find_nodes(m, filter, strlen(filter), ids, 8);
}

static void test_mesh(void) {
    test_node_t a, b;
    CHECK(new_node("[3]", &a, NULL) != NULL);
    CHECK(new_node("[4]", &b, NULL) != NULL);
    if (a.mesh == NULL || b.mesh == NULL) return;
    CHECK(net_mesh_new("{\"bind_addr\":\"127.0.0.1:0\",\"psk\":\"" MESH_PSK_42 "\",\"subnet\":{\"levels\":[1,2,3,4,5]}}", NULL) == NULL);
    CHECK_KIND("invalid_config");
    accept_job_t job;
    char kind[64];
    CHECK_EQ(test_handshake(&a, &b, b.public_key, b.node_id, 5000, &job, kind, sizeof kind), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(a.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(b.mesh), NET_SUCCESS);

    CHECK_EQ(net_mesh_announce_capabilities(a.mesh, S(GPU_CAPS)), NET_SUCCESS);
    CHECK_EQ(net_mesh_announce_capabilities(b.mesh, S("{\"tags\":[\"region:eu\",\"scope:tenant:oem\"]}")), NET_SUCCESS);
    CHECK_EQ(net_mesh_announce_capabilities(a.mesh, S("{\"tags\":[\"hardwre.gpu\"]}")), NET_ERR_CAPABILITY);
    CHECK_KIND("invalid_capabilities");
    CHECK_EQ(net_mesh_announce_capabilities(a.mesh, S("{nope")), NET_ERR_INVALID_JSON);
    CHECK_EQ(net_mesh_announce_capabilities(NULL, S(GPU_CAPS)), NET_ERR_NULL_POINTER);

    const char* gpu = "{\"require_gpu\":true,\"gpu_vendor\":\"nvidia\",\"min_vram_mb\":40000}";
    CHECK_EQ(wait_count(b.mesh, gpu, 1), 1);
    uint64_t ids[4] = {0};
    CHECK_EQ(net_mesh_find_nodes(b.mesh, S(gpu), ids, 4), 1);
    CHECK(ids[0] == a.node_id);
    CHECK_EQ(net_mesh_find_nodes(a.mesh, S(gpu), ids, 4), 1); /* self-match */
    CHECK(ids[0] == a.node_id);
    CHECK_EQ(wait_count(a.mesh, "{}", 2), 2);
    CHECK_EQ(net_mesh_find_nodes(a.mesh, S("{}"), NULL, 0), 2); /* count only */
    CHECK_EQ(net_mesh_find_nodes(a.mesh, S("{\"require_gpus\":true}"), ids, 4), NET_ERR_INVALID_JSON);
    CHECK_EQ(net_mesh_find_nodes(a.mesh, S("{}"), NULL, 4), NET_ERR_NULL_POINTER);

    /* Scopes: B is tenant-scoped to "oem". */
    CHECK_EQ(net_mesh_find_nodes_scoped(a.mesh, S("{}"), S("{\"kind\":\"globalOnly\"}"), ids, 4), 1);
    CHECK_EQ(net_mesh_find_nodes_scoped(a.mesh, S("{}"), S("{\"kind\":\"tenant\",\"tenant\":\"oem\"}"), ids, 4), 2);
    CHECK_EQ(net_mesh_find_nodes_scoped(a.mesh, S("{}"), S("{\"kind\":\"tenant\",\"tenant\":\"x\"}"), ids, 4), 1);
    CHECK_EQ(net_mesh_find_nodes_scoped(a.mesh, S("{}"), S("{\"kind\":\"sameSubnet\"}"), ids, 4), 1);
    CHECK_EQ(net_mesh_find_nodes_scoped(a.mesh, S("{}"), S("{\"kind\":\"galaxy\"}"), ids, 4), NET_ERR_INVALID_JSON);
    uint64_t best = 0;
    CHECK_EQ(net_mesh_find_best_node_scoped(b.mesh, S("{}"), S("{\"kind\":\"any\"}"), &best), 1);
    CHECK(best == a.node_id);
    CHECK_EQ(net_mesh_find_best_node_scoped(b.mesh, S("{\"require_tags\":[\"none\"]}"), S("{\"kind\":\"any\"}"), &best), 0);

    /* Subnets derived from announced tags by the policy in the config. */
    char* info = NULL;
    CHECK_EQ(net_mesh_capabilities_of(a.mesh, b.node_id, &info), 1);
    CHECK(info != NULL && strstr(info, "\"subnet\":{\"levels\":[4]}") != NULL && strstr(info, "\"kind\":\"tenants\"") != NULL);
    net_free_string(info);
    CHECK_EQ(net_mesh_capabilities_of(a.mesh, 12345, &info), 0);
    CHECK(info == NULL);

    /* Malformed bytes a peer puts on the capability stream are refused and counted. */
    static const uint8_t junk[] = {1, 0, 4, 0, 0, 0, 1, 2, 3, 4};
    CHECK_EQ(net_mesh_send_capability_bytes(b.mesh, a.node_id, junk, sizeof junk), NET_SUCCESS);
    net_capability_stats_t stats;
    memset(&stats, 0, sizeof stats);
    for (int i = 0; i < 2000 && stats.rejected_malformed == 0; i++) {
        sleep_ms(10);
        CHECK_EQ(net_mesh_capability_stats(a.mesh, &stats), NET_SUCCESS);
    }
    CHECK(stats.rejected_malformed == 1);
    CHECK(stats.accepted >= 1);
    CHECK_EQ(net_mesh_capability_stats(a.mesh, NULL), NET_ERR_NULL_POINTER);

    net_mesh_free(a.mesh);
    net_mesh_free(b.mesh);
    net_mesh_free(NULL);
}

int main(void) {
    test_predicates();
    test_validate_and_diff();
    test_mesh();
    return check_summary("capabilities_test");
}
