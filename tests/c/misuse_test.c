/* Every misuse of the C ABI gets a clear status and kind, never a crash,
 * a leak or undefined behaviour (this binary runs under valgrind). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

static void bad_configs(void) {
    CHECK(net_init("{not json") == NULL);
    CHECK_KIND("invalid_json");
    CHECK(strlen(net_last_error_message()) > 0);
    CHECK(net_init("{\"num_shards\": 0}") == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_init("{\"num_shard\": 4}") == NULL); /* typo: unknown key */
    CHECK_KIND("invalid_config");
    CHECK(net_init("{\"backpressure\": \"sometimes\"}") == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_init("{\"ring_capacity\": 0}") == NULL);
    CHECK_KIND("invalid_config");
    CHECK(net_init("\"\xff\xfe\"") == NULL);
    CHECK_KIND("invalid_utf8");
    /* An error is cleared by the next successful call. */
    net_handle_t node = net_init("");
    CHECK(node != NULL);
    CHECK_KIND(NULL);
    CHECK(net_last_error_message() == NULL);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void null_handles_and_pointers(void) {
    CHECK_EQ(net_ingest_raw(NULL, "{}", 2), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");
    CHECK_EQ(net_ingest_raw_ex(NULL, "{}", 2, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_flush(NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_shutdown(NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_num_shards(NULL), 0);
    net_stats_t stats;
    CHECK_EQ(net_stats_ex(NULL, &stats), NET_ERR_NULL_POINTER);
    net_poll_result_t result;
    CHECK_EQ(net_poll_ex(NULL, 10, NULL, &result), NET_ERR_NULL_POINTER);

    net_handle_t node = net_init("{\"num_shards\": 1}");
    CHECK(node != NULL);
    CHECK_EQ(net_ingest_raw(node, NULL, 5), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");
    CHECK_EQ(net_ingest_raw(node, NULL, 0), NET_SUCCESS); /* an empty event is allowed */
    CHECK_EQ(net_stats_ex(node, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_poll_ex(node, 10, NULL, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_ingest_raw_batch(node, NULL, NULL, 3), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_ingest_raw_block(node, "{}", NULL, 1), NET_ERR_NULL_POINTER);
    size_t two[1] = {2};
    CHECK_EQ(net_ingest_raw_block(node, NULL, two, 1), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");
    size_t huge[2] = {SIZE_MAX, 2};
    CHECK_EQ(net_ingest_raw_block(node, "{}", huge, 2), NET_ERR_INVALID_ARGUMENT);
    CHECK_KIND("invalid_argument");
    CHECK_EQ(net_ingest_raw_block(NULL, "{}", two, 1), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_ingest_batch(node, NULL), NET_ERR_NULL_POINTER);
    const char* raws[2] = {"{}", NULL};
    size_t lens[2] = {2, 2};
    CHECK_EQ(net_ingest_raw_batch(node, raws, lens, 2), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    CHECK_EQ(net_stats_ex(node, &stats), NET_SUCCESS);
    CHECK_EQ(stats.events_ingested, 1); /* the bad batch ingested nothing */
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void bad_text(void) {
    net_handle_t node = net_init("{\"num_shards\": 1}");
    const char bad_utf8[] = {'{', '"', (char)0xc3, (char)0x28, '"', '}'};
    CHECK_EQ(net_ingest_raw(node, bad_utf8, sizeof bad_utf8), NET_ERR_INVALID_UTF8);
    CHECK_KIND("invalid_utf8");
    CHECK_EQ(net_ingest(node, "{\"a\":", 5), NET_ERR_INVALID_JSON);
    CHECK_KIND("invalid_json");
    CHECK_EQ(net_ingest_batch(node, "{\"not\": \"an array\"}"), NET_ERR_INVALID_JSON);
    const char* raws[2] = {"{\"ok\":1}", bad_utf8};
    size_t lens[2] = {8, sizeof bad_utf8};
    CHECK_EQ(net_ingest_raw_batch(node, raws, lens, 2), NET_ERR_INVALID_UTF8);
    /* The same two events as one block: the second is named, none is stored. */
    char block[8 + sizeof bad_utf8];
    memcpy(block, "{\"ok\":1}", 8);
    memcpy(block + 8, bad_utf8, sizeof bad_utf8);
    CHECK_EQ(net_ingest_raw_block(node, block, lens, 2), NET_ERR_INVALID_UTF8);
    CHECK_KIND("invalid_utf8");
    CHECK(strstr(net_last_error_message(), "events[1]") != NULL);
    /* A character may not straddle two events, though the block is UTF-8. */
    const char straddle[] = {'"', (char)0xc3, (char)0xa9, '"'};
    size_t cut[2] = {2, 2};
    CHECK_EQ(net_ingest_raw_block(node, straddle, cut, 2), NET_ERR_INVALID_UTF8);
    CHECK(strstr(net_last_error_message(), "events[0]") != NULL);
    net_poll_result_t result;
    CHECK_EQ(net_poll_ex(node, 10, "not-a-cursor", &result), NET_ERR_POLL_FAILED);
    CHECK_KIND("invalid_cursor");
    CHECK(result.events == NULL && result.next_id == NULL);
    CHECK_EQ(net_poll_ex(node, 10, "0:1,1:2", &result), NET_ERR_POLL_FAILED); /* wrong shard count */
    CHECK_KIND("invalid_cursor");
    const char bad_cursor[] = {(char)0xff, 0};
    CHECK_EQ(net_poll_ex(node, 10, bad_cursor, &result), NET_ERR_INVALID_UTF8);
    char tiny[4];
    CHECK_EQ(net_poll(node, NULL, tiny, sizeof tiny), NET_ERR_BUFFER_TOO_SMALL);
    CHECK_KIND("buffer_too_small");
    CHECK_EQ(net_poll(node, "{\"limit\": \"ten\"}", tiny, sizeof tiny), NET_ERR_INVALID_JSON);
    CHECK_EQ(net_stats(node, tiny, sizeof tiny), NET_ERR_BUFFER_TOO_SMALL);
    net_stats_t stats;
    CHECK_EQ(net_stats_ex(node, &stats), NET_SUCCESS);
    CHECK_EQ(stats.events_ingested, 0);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void poll_limit_zero(void) {
    net_handle_t node = net_init("{\"num_shards\": 2}");
    CHECK_EQ(net_ingest_raw(node, "{}", 2), NET_SUCCESS);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    net_poll_result_t result;
    CHECK_EQ(net_poll_ex(node, 0, NULL, &result), NET_SUCCESS);
    CHECK_EQ(result.count, 0);
    CHECK(result.events == NULL);
    CHECK(result.next_id != NULL);
    CHECK_EQ(result.has_more, 1); /* nothing was read, one event waits */
    net_free_poll_result(&result);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void frees_and_double_shutdown(void) {
    net_free_poll_result(NULL);
    net_identity_free(NULL);
    net_free_string(NULL);
    net_poll_result_t empty = {NULL, 0, NULL, 0};
    net_free_poll_result(&empty);
    net_free_poll_result(&empty); /* freeing a zeroed result twice is harmless */

    net_handle_t node = net_init(NULL);
    CHECK(node != NULL);
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
    CHECK_EQ(net_shutdown(node), NET_ERR_NULL_POINTER); /* detected, no use-after-free */
    CHECK_KIND("invalid_handle");
    CHECK_EQ(net_ingest_raw(node, "{}", 2), NET_ERR_NULL_POINTER);
    CHECK_KIND("invalid_handle");
    CHECK_EQ(net_num_shards(node), 0);
}

static void backpressure(void) {
    /* A tiny ring with fail_producer: a burst bigger than the ring is refused
     * with a typed error for some events, never silently lost. */
    net_handle_t node = net_init("{\"num_shards\": 1, \"ring_capacity\": 2, \"backpressure\": \"fail_producer\"}");
    CHECK(node != NULL);
    int accepted = 0, refused = 0;
    for (int i = 0; i < 20000; i++) {
        int rc = net_ingest_raw(node, "{\"x\":1}", 7);
        if (rc == NET_SUCCESS) accepted++;
        else if (rc == NET_ERR_BACKPRESSURE) refused++;
    }
    CHECK_EQ(accepted + refused, 20000);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    net_stats_t stats;
    CHECK_EQ(net_stats_ex(node, &stats), NET_SUCCESS);
    CHECK_EQ(stats.events_ingested, accepted);
    CHECK_EQ(stats.events_dropped, 0);
    if (refused > 0) {
        /* The kind of a refusal is "backpressure". */
        int rc = NET_SUCCESS;
        for (int i = 0; i < 20000 && rc == NET_SUCCESS; i++) rc = net_ingest_raw(node, "{}", 2);
        if (rc != NET_SUCCESS) CHECK_KIND("backpressure");
    }
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);

    /* drop_oldest never refuses: the newest event always gets in. */
    node = net_init("{\"num_shards\": 1, \"ring_capacity\": 2, \"backpressure\": \"drop_oldest\"}");
    for (int i = 0; i < 1000; i++) CHECK_EQ(net_ingest_raw(node, "{}", 2), NET_SUCCESS);
    CHECK_EQ(net_flush(node), NET_SUCCESS);
    CHECK_EQ(net_stats_ex(node, &stats), NET_SUCCESS);
    CHECK_EQ(stats.events_ingested, 1000); /* every new event is taken... */
    CHECK(stats.events_dropped < 1000);     /* ...and the evicted old ones are counted */
    CHECK_EQ(net_shutdown(node), NET_SUCCESS);
}

static void identity_misuse(void) {
    uint8_t seed[31] = {0};
    CHECK(net_identity_from_seed(seed, sizeof seed) == NULL);
    CHECK_KIND("invalid_length");
    CHECK(net_identity_from_seed(NULL, 32) == NULL);
    CHECK_KIND("null_parameter");
    uint8_t out[32];
    uint64_t id = 0;
    CHECK_EQ(net_identity_entity_id(NULL, out, sizeof out), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_identity_node_id(NULL, &id), NET_ERR_NULL_POINTER);

    net_identity_t* me = net_identity_generate();
    CHECK_EQ(net_identity_entity_id(me, out, 16), NET_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(net_identity_node_id(me, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_identity_entity_id(me, out, sizeof out), NET_SUCCESS);

    uint8_t token[NET_TOKEN_LEN];
    CHECK_EQ(net_identity_issue_token(me, out, 32, NET_SCOPE_PUBLISH, "a/b", 3, 0, 0, token, sizeof token),
             NET_ERR_TOKEN);
    CHECK_KIND("zero_ttl");
    CHECK_EQ(net_identity_issue_token(me, out, 32, NET_SCOPE_PUBLISH, "a//b", 4, 60, 0, token, sizeof token),
             NET_ERR_CHANNEL);
    CHECK_KIND("invalid_channel");
    CHECK_EQ(net_identity_issue_token(me, out, 32, 0x100, "a/b", 3, 60, 0, token, sizeof token),
             NET_ERR_INVALID_ARGUMENT);
    CHECK_EQ(net_identity_issue_token(me, out, 31, NET_SCOPE_PUBLISH, "a/b", 3, 60, 0, token, sizeof token),
             NET_ERR_IDENTITY);
    CHECK_EQ(net_identity_issue_token(me, out, 32, NET_SCOPE_PUBLISH, "a/b", 3, 60, 0, token, 100),
             NET_ERR_BUFFER_TOO_SMALL);
    CHECK_EQ(net_identity_issue_token(me, out, 32, NET_SCOPE_PUBLISH, "a/b", 3, 60, 0, token, sizeof token),
             NET_SUCCESS);

    /* Tampered and malformed token bytes. */
    CHECK_EQ(net_token_verify(token, sizeof token), NET_SUCCESS);
    token[70] ^= 0x01; /* inside the channel hash */
    CHECK_EQ(net_token_verify(token, sizeof token), NET_ERR_TOKEN);
    CHECK_KIND("invalid_signature");
    token[70] ^= 0x01;
    token[NET_TOKEN_LEN - 1] ^= 0x80; /* inside the signature */
    CHECK_EQ(net_token_verify(token, sizeof token), NET_ERR_TOKEN);
    CHECK_KIND("invalid_signature");
    token[NET_TOKEN_LEN - 1] ^= 0x80;
    CHECK_EQ(net_token_verify(token, NET_TOKEN_LEN - 1), NET_ERR_TOKEN);
    CHECK_KIND("invalid_format");
    CHECK_EQ(net_token_verify(NULL, NET_TOKEN_LEN), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_token_verify(NULL, 0), NET_ERR_TOKEN);
    CHECK_KIND("invalid_format");
    net_token_info_t info;
    CHECK_EQ(net_token_parse(token, sizeof token, NULL), NET_ERR_NULL_POINTER);
    CHECK_EQ(net_token_verify_chain(token, 0, 0), NET_ERR_TOKEN);
    CHECK_KIND("invalid_format");
    CHECK_EQ(net_token_parse(token, sizeof token, &info), NET_SUCCESS);

    uint32_t hash;
    CHECK_EQ(net_channel_hash("", 0, &hash, NULL), NET_ERR_CHANNEL);
    CHECK_EQ(net_channel_hash("a b", 3, &hash, NULL), NET_ERR_CHANNEL);
    CHECK_EQ(net_channel_hash("\xff", 1, &hash, NULL), NET_ERR_INVALID_UTF8);
    net_identity_free(me);
}

int main(void) {
    bad_configs();
    null_handles_and_pointers();
    bad_text();
    poll_limit_zero();
    frees_and_double_shutdown();
    backpressure();
    identity_misuse();
    return check_summary("misuse_test");
}
