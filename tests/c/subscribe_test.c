/* Subscriptions, receipts with positions, and deterministic tokens:
 * the C ABI the Go binding added, used as intended and misused. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static void receipts_carry_positions(void) {
    net_handle_t node = net_init("{\"num_shards\": 1, \"ring_capacity\": 2, \"backpressure\": \"drop_newest\","
                                 " \"batch\": {\"max_size\": 1, \"max_delay_ms\": 1000}}");
    CHECK(node != NULL);
    net_receipt_t r;
    for (uint64_t i = 0; i < 2; i++) {
        CHECK_EQ(net_ingest_raw_ex(node, "{}", 2, &r), NET_SUCCESS);
        CHECK_EQ(r.sequence, i);
        CHECK_EQ(r.dropped, 0);
    }
    /* Keep emitting until the ring is full: the dropped event gets no position. */
    int dropped = 0;
    for (int i = 0; i < 100000 && !dropped; i++) {
        CHECK_EQ(net_ingest_raw_ex(node, "{}", 2, &r), NET_SUCCESS);
        dropped = r.dropped;
    }
    CHECK(dropped);
    CHECK(r.sequence == UINT64_MAX);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void subscription_round_trip(void) {
    net_handle_t node = net_init("{\"num_shards\": 2}");
    CHECK(node != NULL);
    CHECK_EQ(net_ingest_raw(node, "{\"n\":1}", 7), NET_SUCCESS);
    CHECK_EQ(net_flush(node), NET_SUCCESS); /* live starts after what is stored */
    net_subscription_t* from_start = net_subscribe(node, NULL, 1, 0);
    net_subscription_t* live = net_subscribe(node, NULL, 0, 16);
    CHECK(from_start != NULL && live != NULL);

    net_poll_result_t out;
    int n = net_subscription_next(from_start, 10, 1000, &out);
    CHECK_EQ(n, 1);
    CHECK(out.count == 1 && out.events[0].raw_len == 7 && memcmp(out.events[0].raw, "{\"n\":1}", 7) == 0);
    CHECK(out.next_id == NULL);
    net_free_poll_result(&out);

    /* Nothing new yet: the wait times out with 0 events. */
    CHECK_EQ(net_subscription_next(live, 10, 10, &out), 0);
    CHECK_EQ(out.count, 0);
    net_free_poll_result(&out);
    CHECK_EQ(net_ingest_raw(node, "{\"n\":2}", 7), NET_SUCCESS);
    CHECK_EQ(net_subscription_next(live, 10, 1000, &out), 1);
    CHECK(out.count == 1 && memcmp(out.events[0].raw, "{\"n\":2}", 7) == 0);
    net_free_poll_result(&out);

    /* After shutdown, everything stored is delivered, then the stream ends. */
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
    CHECK_EQ(net_subscription_next(from_start, 10, 1000, &out), 1);
    net_free_poll_result(&out);
    CHECK_EQ(net_subscription_next(from_start, 10, 1000, &out), NET_ERR_SHUTTING_DOWN);
    CHECK_KIND("closed");
    CHECK_EQ(net_subscription_next(from_start, 10, 1000, &out), NET_ERR_SHUTTING_DOWN);
    CHECK(out.events == NULL && out.count == 0);
    net_subscription_free(from_start);
    net_subscription_free(live);
}

static void subscription_misuse(void) {
    net_poll_result_t out;
    CHECK(net_subscribe(NULL, NULL, 0, 0) == NULL);
    CHECK_KIND("null_parameter");
    CHECK_EQ(net_subscription_next(NULL, 1, 0, &out), NET_ERR_NULL_POINTER);
    net_subscription_free(NULL);

    net_handle_t node = net_init("");
    CHECK(node != NULL);
    net_subscription_t* sub = net_subscribe(node, "not a cursor", 0, 0);
    CHECK(sub != NULL);
    CHECK_EQ(net_subscription_next(sub, 1, 100, &out), NET_ERR_POLL_FAILED);
    CHECK_KIND("invalid_cursor");
    CHECK_EQ(net_subscription_next(sub, 1, 0, NULL), NET_ERR_NULL_POINTER);
    net_subscription_free(sub);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
    /* A shut-down handle cannot subscribe. */
    CHECK(net_subscribe(node, NULL, 1, 0) == NULL);
    CHECK_KIND("invalid_handle");
}

static void deterministic_tokens(void) {
    uint8_t seed[32];
    memset(seed, 0x42, sizeof seed);
    net_identity_t* issuer = net_identity_from_seed(seed, sizeof seed);
    uint8_t subject[32];
    CHECK_EQ(net_identity_entity_id(issuer, subject, sizeof subject), NET_SUCCESS);
    uint32_t hash = 0;
    CHECK_EQ(net_channel_hash("sensors/temp", 12, &hash, NULL), NET_SUCCESS);
    uint8_t a[NET_TOKEN_LEN], b[NET_TOKEN_LEN];
    CHECK_EQ(net_identity_issue_token_at(issuer, subject, 32, NET_SCOPE_PUBLISH, hash, 100, 200, 2, 7, a, sizeof a),
             NET_SUCCESS);
    CHECK_EQ(net_identity_issue_token_at(issuer, subject, 32, NET_SCOPE_PUBLISH, hash, 100, 200, 2, 7, b, sizeof b),
             NET_SUCCESS);
    CHECK(memcmp(a, b, sizeof a) == 0); /* same fields, same bytes */
    net_token_info_t info;
    CHECK_EQ(net_token_parse(a, sizeof a, &info), NET_SUCCESS);
    CHECK(info.not_before == 100 && info.not_after == 200 && info.nonce == 7 && info.delegation_depth == 2);
    CHECK(info.channel_hash == hash && info.scope == NET_SCOPE_PUBLISH);
    CHECK_EQ(net_token_verify_at(a, sizeof a, 150), NET_SUCCESS);
    CHECK_EQ(net_token_verify_at(a, sizeof a, 200), NET_ERR_TOKEN);
    CHECK_KIND("expired");
    /* Unknown scope bits, short buffers and NULL issuers are refused. */
    CHECK_EQ(net_identity_issue_token_at(issuer, subject, 32, 0x100, hash, 1, 2, 0, 0, a, sizeof a),
             NET_ERR_INVALID_ARGUMENT);
    CHECK_EQ(net_identity_issue_token_at(issuer, subject, 32, 1, hash, 1, 2, 0, 0, a, 10), NET_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(net_identity_issue_token_at(NULL, subject, 32, 1, hash, 1, 2, 0, 0, a, sizeof a), NET_ERR_NULL_POINTER);
    net_identity_free(issuer);
}

int main(void) {
    receipts_carry_positions();
    subscription_round_trip();
    subscription_misuse();
    deterministic_tokens();
    return check_summary("subscribe_test");
}
