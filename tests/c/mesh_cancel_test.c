/* Cancellation tokens (net_cancel_*) stopping the mesh's blocking calls:
 * a token triggered before the call returns at once, one triggered from
 * another thread while the call waits stops it promptly — a receive with
 * no time limit, an accept, a dial nobody answers, and a blocking send on
 * a full window (which must have sent nothing). Misused tokens are typed
 * errors, never crashes. */
#define _POSIX_C_SOURCE 200809L /* nanosleep, clock_gettime under -std=c11 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "mesh_pair.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Trigger a token after a delay, from its own thread. */
typedef struct {
    net_cancel_t* token;
    long delay_ms;
    int status;
} trigger_job_t;

static void* trigger_later(void* arg) {
    trigger_job_t* job = (trigger_job_t*)arg;
    sleep_ms(job->delay_ms);
    job->status = net_cancel_trigger(job->token);
    return NULL;
}

/* A receive with no time limit, run on its own thread. */
typedef struct {
    net_mesh_stream_t* stream;
    const net_cancel_t* token;
    int status;
} recv_job_t;

static void* recv_forever(void* arg) {
    recv_job_t* job = (recv_job_t*)arg;
    uint8_t buf[64];
    size_t lens[4];
    job->status = net_mesh_recv_batch(job->stream, buf, sizeof buf, lens, 4, NET_MESH_WAIT_FOREVER, job->token);
    return NULL;
}

static void token_misuse(void) {
    CHECK_EQ(net_cancel_trigger(NULL), NET_ERR_NULL_POINTER);
    CHECK_KIND("null_parameter");
    net_cancel_free(NULL); /* no-op */
    CHECK_KIND(NULL);
    net_cancel_t* t = net_cancel_new();
    CHECK(t != NULL);
    CHECK_EQ(net_cancel_trigger(t), NET_SUCCESS);
    CHECK_EQ(net_cancel_trigger(t), NET_SUCCESS); /* twice is fine */
    net_cancel_free(t);
    CHECK_KIND(NULL);
    net_cancel_free(t); /* double free: reported, not a crash */
    CHECK_KIND("invalid_handle");
    CHECK_EQ(net_cancel_trigger(t), NET_ERR_NULL_POINTER);
    CHECK_KIND("invalid_handle");
}

int main(void) {
    token_misuse();

    test_node_t a, b;
    test_node_new(&a, MESH_PSK_42, NULL);
    test_node_new(&b, MESH_PSK_42, NULL);
    CHECK(a.mesh != NULL && b.mesh != NULL);

    /* A token triggered before the call: every blocking call returns at once. */
    net_cancel_t* fired = net_cancel_new();
    CHECK_EQ(net_cancel_trigger(fired), NET_SUCCESS);
    double t0 = now_ms();
    CHECK_EQ(net_mesh_accept_ex(b.mesh, a.node_id, 0, fired, NULL, 0), NET_ERR_CANCELLED);
    CHECK_KIND("cancelled");
    CHECK_EQ(net_mesh_connect_ex(a.mesh, b.addr, strlen(b.addr), b.public_key, NET_MESH_PUBLIC_KEY_LEN, b.node_id, 0,
                                 fired),
             NET_ERR_CANCELLED);
    CHECK(now_ms() - t0 < 1000);

    /* A freed token is refused before anything waits. */
    net_cancel_t* gone = net_cancel_new();
    net_cancel_free(gone);
    CHECK_EQ(net_mesh_accept_ex(b.mesh, a.node_id, 0, gone, NULL, 0), NET_ERR_NULL_POINTER);
    CHECK_KIND("invalid_handle");

    /* An accept nobody completes, cancelled after 100 ms of its 2 s. */
    net_cancel_t* token = net_cancel_new();
    trigger_job_t trig = {token, 100, 1};
    pthread_t trigger;
    pthread_create(&trigger, NULL, trigger_later, &trig);
    t0 = now_ms();
    CHECK_EQ(net_mesh_accept_ex(b.mesh, 12345, 0, token, NULL, 0), NET_ERR_CANCELLED);
    double took = now_ms() - t0;
    pthread_join(trigger, NULL);
    CHECK_EQ(trig.status, NET_SUCCESS);
    /* The status proves the token ended it (the limit gives a timeout);
     * the clock only shows it waited for the trigger: no upper bound,
     * which valgrind on a busy machine would make flaky. */
    CHECK(took >= 90);
    net_cancel_free(token);

    /* A dial to an address where nobody answers, cancelled long before
     * its 20 s time limit. */
    uint8_t nobody[NET_MESH_PUBLIC_KEY_LEN];
    memset(nobody, 9, sizeof nobody);
    token = net_cancel_new();
    trig.token = token;
    pthread_create(&trigger, NULL, trigger_later, &trig);
    t0 = now_ms();
    CHECK_EQ(net_mesh_connect_ex(a.mesh, "127.0.0.1:9", 11, nobody, sizeof nobody, 77, 20000, token),
             NET_ERR_CANCELLED);
    took = now_ms() - t0;
    pthread_join(trigger, NULL);
    CHECK(took >= 90);
    net_cancel_free(token);

    /* Not triggered: the calls complete as usual with a token attached. */
    token = net_cancel_new();
    accept_job_t job;
    char kind[64];
    CHECK_EQ(test_handshake(&a, &b, b.public_key, b.node_id, 5000, &job, kind, sizeof kind), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(a.mesh), NET_SUCCESS);
    CHECK_EQ(net_mesh_start(b.mesh), NET_SUCCESS);
    net_mesh_stream_t* ab = net_mesh_open_stream(a.mesh, b.node_id, 3, NULL);
    net_mesh_stream_t* ba = net_mesh_open_stream(b.mesh, a.node_id, 3, NULL);
    CHECK(ab != NULL && ba != NULL);
    size_t one = 1;
    CHECK_EQ(net_mesh_send_block(ab, (const uint8_t*)"x", 1, &one, 1, NET_MESH_RETRY_BLOCKING, token), NET_SUCCESS);
    uint8_t buf[16];
    size_t lens[2];
    CHECK_EQ(net_mesh_recv_batch(ba, buf, sizeof buf, lens, 2, NET_MESH_WAIT_FOREVER, token), 1);
    CHECK(lens[0] == 1 && buf[0] == 'x');

    /* Two receives with no time limit share one token; one trigger stops both. */
    recv_job_t r1 = {ba, token, 1}, r2 = {ab, token, 1};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, recv_forever, &r1);
    pthread_create(&t2, NULL, recv_forever, &r2);
    sleep_ms(100);
    CHECK_EQ(net_cancel_trigger(token), NET_SUCCESS);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK_EQ(r1.status, NET_ERR_CANCELLED);
    CHECK_EQ(r2.status, NET_ERR_CANCELLED);
    net_cancel_free(token);

    /* A blocking send on a window that stays full (b never reads stream
     * 9, whose inbox holds 2), cancelled: it returns, and sent nothing. */
    net_mesh_stream_config_t hold = {NET_MESH_RELIABLE, 0, 2};
    net_mesh_stream_config_t small = {NET_MESH_RELIABLE, 4, 0};
    net_mesh_stream_t* in = net_mesh_open_stream(b.mesh, a.node_id, 9, &hold);
    net_mesh_stream_t* out = net_mesh_open_stream(a.mesh, b.node_id, 9, &small);
    CHECK(in != NULL && out != NULL);
    size_t fours[4] = {1, 1, 1, 1};
    CHECK_EQ(net_mesh_send_block(out, (const uint8_t*)"abcd", 4, fours, 4, 0, NULL), NET_SUCCESS);
    net_mesh_stream_stats_t ss;
    int full = 0;
    for (int i = 0; i < 200 && !full; i++) {
        full = net_mesh_stream_stats(b.mesh, a.node_id, 9, &ss) == NET_SUCCESS && ss.inbox == 2;
        if (!full) sleep_ms(10);
    }
    CHECK(full);
    token = net_cancel_new();
    trig.token = token;
    trig.delay_ms = 300;
    pthread_create(&trigger, NULL, trigger_later, &trig);
    t0 = now_ms();
    CHECK_EQ(net_mesh_send_block(out, (const uint8_t*)"efgh", 4, fours, 4, NET_MESH_RETRY_BLOCKING, token),
             NET_ERR_CANCELLED);
    CHECK_KIND("cancelled");
    took = now_ms() - t0;
    pthread_join(trigger, NULL);
    CHECK(took >= 290);
    CHECK_EQ(net_mesh_stream_stats(a.mesh, b.node_id, 9, &ss), NET_SUCCESS);
    CHECK_EQ(ss.messages_sent, 4);
    CHECK(ss.backpressure_events >= 1);
    net_cancel_free(token);

    net_mesh_stream_free(in);
    net_mesh_stream_free(out);
    net_mesh_stream_free(ab);
    net_mesh_stream_free(ba);
    net_cancel_free(fired);
    net_mesh_free(a.mesh);
    net_mesh_free(b.mesh);
    return check_summary("mesh_cancel_test");
}
