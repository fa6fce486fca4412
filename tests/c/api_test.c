/* The C ABI used as intended: round trips, batches, cursors, stats, the
 * JSON forms, identities, tokens and channel hashes. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static const char* EVENTS[] = {"{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}"};

static void round_trip(void) {
    CHECK(strlen(net_version()) > 0);
    net_handle_t node = net_init("{\"num_shards\": 2, \"ring_capacity\": 1024}");
    CHECK(node != NULL);
    CHECK_EQ(net_num_shards(node), 2);

    net_receipt_t receipt;
    memset(&receipt, 0xAB, sizeof receipt);
    CHECK_EQ(net_ingest_raw_ex(node, EVENTS[0], strlen(EVENTS[0]), &receipt), NET_SUCCESS);
    CHECK(receipt.shard_id < 2);
    CHECK_EQ(receipt.sequence, 0); /* the first event of its shard */
    CHECK_EQ(receipt.dropped, 0);
    CHECK(receipt.timestamp > 1600000000000000000ULL); /* nanoseconds since the epoch */
    CHECK_EQ(net_ingest_raw(node, EVENTS[1], strlen(EVENTS[1])), NET_SUCCESS);
    CHECK_EQ(net_ingest(node, EVENTS[2], strlen(EVENTS[2])), NET_SUCCESS);
    CHECK_EQ(net_flush(node), NET_SUCCESS);

    net_poll_result_t result;
    CHECK_EQ(net_poll_ex(node, 100, NULL, &result), NET_SUCCESS);
    CHECK_EQ(result.count, 3);
    CHECK(result.next_id != NULL);
    CHECK_EQ(result.has_more, 0);
    int seen[3] = {0, 0, 0};
    for (size_t i = 0; i < result.count; i++) {
        const net_event_t* ev = &result.events[i];
        CHECK(ev->shard_id < 2);
        CHECK_EQ(ev->raw_len, 7);
        CHECK_EQ(ev->raw[ev->raw_len], '\0'); /* NUL after the payload */
        CHECK(ev->id_len > 0 && strlen(ev->id) == ev->id_len);
        CHECK(ev->insertion_ts > 0);
        for (int k = 0; k < 3; k++)
            if (memcmp(ev->raw, EVENTS[k], ev->raw_len) == 0) seen[k]++;
    }
    CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
    net_free_poll_result(&result);
    CHECK(result.events == NULL && result.next_id == NULL && result.count == 0);

    net_stats_t stats;
    CHECK_EQ(net_stats_ex(node, &stats), NET_SUCCESS);
    CHECK_EQ(stats.events_ingested, 3);
    CHECK_EQ(stats.events_dropped, 0);
    CHECK(stats.batches_dispatched >= 1);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void batches_and_cursors(void) {
    net_handle_t node = net_init("{\"num_shards\": 3}");
    CHECK(node != NULL);
    const char* raws[5];
    size_t lens[5];
    for (int i = 0; i < 5; i++) {
        raws[i] = EVENTS[i];
        lens[i] = strlen(EVENTS[i]);
    }
    CHECK_EQ(net_ingest_raw_batch(node, raws, lens, 5), 5);
    CHECK_EQ(net_ingest_batch(node, "[{\"n\":5},{\"n\":6},{\"n\":7}]"), 3);
    CHECK_EQ(net_ingest_raw_batch(node, NULL, NULL, 0), 0);
    CHECK_EQ(net_flush(node), NET_SUCCESS);

    /* Page through with limit 2: every event exactly once. */
    int seen[8] = {0};
    size_t total = 0;
    char* cursor = NULL;
    for (int page = 0; page < 20; page++) {
        net_poll_result_t result;
        CHECK_EQ(net_poll_ex(node, 2, cursor, &result), NET_SUCCESS);
        CHECK(result.count <= 2);
        for (size_t i = 0; i < result.count; i++) {
            int n = -1;
            CHECK_EQ(sscanf(result.events[i].raw, "{\"n\":%d}", &n), 1);
            if (n >= 0 && n < 8) seen[n]++;
            total++;
        }
        free(cursor);
        cursor = strdup(result.next_id);
        int more = result.has_more;
        net_free_poll_result(&result);
        if (!more) break;
    }
    CHECK_EQ(total, 8);
    for (int n = 0; n < 8; n++) CHECK_EQ(seen[n], 1);

    /* Resuming at the end yields nothing until something new arrives. */
    net_poll_result_t tail;
    CHECK_EQ(net_poll_ex(node, 10, cursor, &tail), NET_SUCCESS);
    CHECK_EQ(tail.count, 0);
    CHECK(tail.events == NULL);
    net_free_poll_result(&tail);
    CHECK_EQ(net_ingest_raw(node, "{\"n\":8}", 7), NET_SUCCESS);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    CHECK_EQ(net_poll_ex(node, 10, cursor, &tail), NET_SUCCESS);
    CHECK_EQ(tail.count, 1);
    if (tail.count == 1) CHECK(memcmp(tail.events[0].raw, "{\"n\":8}", 7) == 0);
    net_free_poll_result(&tail);
    free(cursor);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void json_forms(void) {
    net_handle_t node = net_init(NULL);
    CHECK(node != NULL);
    CHECK_EQ(net_num_shards(node), 4);
    CHECK_EQ(net_ingest_raw(node, EVENTS[0], strlen(EVENTS[0])), NET_SUCCESS);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    char buffer[1024];
    int n = net_poll(node, "{\"limit\": 10}", buffer, sizeof buffer);
    CHECK(n > 0);
    CHECK_EQ((long long)strlen(buffer), n);
    CHECK(strstr(buffer, "\"events\"") != NULL);
    CHECK(strstr(buffer, "\"has_more\":false") != NULL);
    n = net_stats(node, buffer, sizeof buffer);
    CHECK(n > 0);
    CHECK(strstr(buffer, "\"events_ingested\":1") != NULL);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void identities_and_tokens(void) {
    uint8_t seed[32];
    for (int i = 0; i < 32; i++) seed[i] = 0x42;
    net_identity_t* issuer = net_identity_from_seed(seed, sizeof seed);
    net_identity_t* again = net_identity_from_seed(seed, sizeof seed);
    net_identity_t* subject = net_identity_generate();
    CHECK(issuer != NULL && again != NULL && subject != NULL);

    uint8_t entity[32], entity_again[32], seed_out[32];
    uint64_t node_id = 0, node_id_again = 1, origin = 0, derived = 2;
    CHECK_EQ(net_identity_entity_id(issuer, entity, sizeof entity), NET_SUCCESS);
    CHECK_EQ(net_identity_entity_id(again, entity_again, sizeof entity_again), NET_SUCCESS);
    CHECK(memcmp(entity, entity_again, 32) == 0);
    CHECK_EQ(net_identity_to_seed(issuer, seed_out, sizeof seed_out), NET_SUCCESS);
    CHECK(memcmp(seed, seed_out, 32) == 0);
    CHECK_EQ(net_identity_node_id(issuer, &node_id), NET_SUCCESS);
    CHECK_EQ(net_identity_node_id(again, &node_id_again), NET_SUCCESS);
    CHECK(node_id == node_id_again);
    CHECK_EQ(net_entity_node_id(entity, sizeof entity, &derived), NET_SUCCESS);
    CHECK(derived == node_id);
    CHECK_EQ(net_identity_origin_hash(issuer, &origin), NET_SUCCESS);
    CHECK(origin != node_id);

    const char* msg = "hello";
    uint8_t sig[64];
    CHECK_EQ(net_identity_sign(issuer, (const uint8_t*)msg, 5, sig, sizeof sig), NET_SUCCESS);
    CHECK_EQ(net_verify_signature(entity, 32, (const uint8_t*)msg, 5, sig, 64), NET_SUCCESS);
    sig[0] ^= 1;
    CHECK_EQ(net_verify_signature(entity, 32, (const uint8_t*)msg, 5, sig, 64), NET_ERR_IDENTITY);
    CHECK_KIND("invalid_signature");

    uint8_t subject_id[32];
    CHECK_EQ(net_identity_entity_id(subject, subject_id, sizeof subject_id), NET_SUCCESS);
    uint8_t token[NET_TOKEN_LEN];
    const char* channel = "sensors/temp";
    CHECK_EQ(net_identity_issue_token(issuer, subject_id, 32, NET_SCOPE_SUBSCRIBE | NET_SCOPE_DELEGATE,
                                      channel, strlen(channel), 300, 1, token, sizeof token),
             NET_SUCCESS);
    CHECK_EQ(net_token_verify(token, sizeof token), NET_SUCCESS);

    net_token_info_t info;
    CHECK_EQ(net_token_parse(token, sizeof token, &info), NET_SUCCESS);
    CHECK(memcmp(info.issuer, entity, 32) == 0);
    CHECK(memcmp(info.subject, subject_id, 32) == 0);
    CHECK_EQ(info.scope, NET_SCOPE_SUBSCRIBE | NET_SCOPE_DELEGATE);
    CHECK_EQ(info.not_after - info.not_before, 300);
    CHECK_EQ(info.delegation_depth, 1);
    uint32_t hash = 0;
    uint16_t wire = 0;
    CHECK_EQ(net_channel_hash(channel, strlen(channel), &hash, &wire), NET_SUCCESS);
    CHECK_EQ(info.channel_hash, hash);
    CHECK_EQ(wire, (uint16_t)(hash & 0xffff));

    /* Validity window. */
    CHECK_EQ(net_token_verify_at(token, sizeof token, info.not_after), NET_ERR_TOKEN);
    CHECK_KIND("expired");
    CHECK_EQ(net_token_verify_at(token, sizeof token, info.not_before - 1), NET_ERR_TOKEN);
    CHECK_KIND("not_yet_valid");

    /* Delegation: the subject passes SUBSCRIBE on to a third identity. */
    net_identity_t* third = net_identity_generate();
    uint8_t third_id[32];
    CHECK_EQ(net_identity_entity_id(third, third_id, sizeof third_id), NET_SUCCESS);
    uint8_t chain[2 * NET_TOKEN_LEN];
    memcpy(chain, token, NET_TOKEN_LEN);
    CHECK_EQ(net_identity_delegate_token(subject, token, sizeof token, third_id, 32, NET_SCOPE_SUBSCRIBE, 60,
                                         chain + NET_TOKEN_LEN, NET_TOKEN_LEN),
             NET_SUCCESS);
    CHECK_EQ(net_token_verify_chain(chain, 2, info.not_before + 1), NET_SUCCESS);
    /* The child has depth 0: it cannot be delegated further. */
    uint8_t grandchild[NET_TOKEN_LEN];
    CHECK_EQ(net_identity_delegate_token(third, chain + NET_TOKEN_LEN, NET_TOKEN_LEN, subject_id, 32,
                                         NET_SCOPE_SUBSCRIBE, 60, grandchild, sizeof grandchild),
             NET_ERR_TOKEN);
    CHECK(strncmp(net_last_error_kind(), "delegation_", 11) == 0);
    /* Only the parent's subject may delegate. */
    CHECK_EQ(net_identity_delegate_token(issuer, token, sizeof token, third_id, 32, NET_SCOPE_SUBSCRIBE, 60,
                                         grandchild, sizeof grandchild),
             NET_ERR_TOKEN);
    CHECK_KIND("delegation_not_allowed");

    net_identity_free(issuer);
    net_identity_free(again);
    net_identity_free(subject);
    net_identity_free(third);
}

/* Events laid back to back in one buffer, cut by their lengths (an empty
 * event among them): one shard, in order, each with exactly its bytes. */
static void a_block_of_events(void) {
    net_handle_t node = net_init("{\"num_shards\": 3}");
    CHECK(node != NULL);
    const char block[] = "{\"b\":0}{\"b\":1}{\"b\":22}";
    size_t lens[4] = {7, 7, 0, 8};
    CHECK_EQ(net_ingest_raw_block(node, block, lens, 4), 4);
    CHECK_EQ(net_ingest_raw_block(node, NULL, NULL, 0), 0);
    size_t empty[2] = {0, 0};
    CHECK_EQ(net_ingest_raw_block(node, NULL, empty, 2), 2); /* no bytes at all: NULL is fine */
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    net_poll_result_t result;
    CHECK_EQ(net_poll_ex(node, 10, NULL, &result), NET_SUCCESS);
    CHECK_EQ(result.count, 6);
    if (result.count == 6) {
        const char* want[6] = {"{\"b\":0}", "{\"b\":1}", "", "{\"b\":22}", "", ""};
        uint32_t shards[2] = {result.events[0].shard_id, result.events[4].shard_id};
        for (size_t i = 0; i < 6; i++) {
            CHECK_EQ(result.events[i].raw_len, strlen(want[i]));
            CHECK(strcmp(result.events[i].raw, want[i]) == 0);
            CHECK_EQ(result.events[i].shard_id, shards[i < 4 ? 0 : 1]);
        }
    }
    net_free_poll_result(&result);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

int main(void) {
    round_trip();
    batches_and_cursors();
    a_block_of_events();
    json_forms();
    identities_and_tokens();
    return check_summary("api_test");
}
