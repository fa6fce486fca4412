/* A tiny assertion harness for the C ABI tests: checks keep going after a
 * failure so one run reports every broken behaviour, and the summary line
 * "<name>: N passed, N failed" is what CI reads. */
#ifndef NET_TEST_CHECK_H
#define NET_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

#include "net.h"

static int check_passed = 0;
static int check_failed = 0;

#define CHECK(cond)                                                              \
    do {                                                                         \
        if (cond) {                                                              \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                        \
    } while (0)

#define CHECK_EQ(actual, expected)                                               \
    do {                                                                         \
        long long check_a_ = (long long)(actual), check_e_ = (long long)(expected); \
        if (check_a_ == check_e_) {                                              \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: %s == %lld, expected %lld (kind %s: %s)\n",  \
                    __FILE__, __LINE__, #actual, check_a_, check_e_,             \
                    net_last_error_kind() ? net_last_error_kind() : "-",         \
                    net_last_error_message() ? net_last_error_message() : "-"); \
        }                                                                        \
    } while (0)

/* The last error's kind must be `expected` (NULL: no error recorded). */
#define CHECK_KIND(expected)                                                     \
    do {                                                                         \
        const char* check_k_ = net_last_error_kind();                            \
        const char* check_x_ = (expected);                                       \
        int check_ok_ = check_x_ == NULL ? check_k_ == NULL                      \
                                         : (check_k_ != NULL && strcmp(check_k_, check_x_) == 0); \
        if (check_ok_) {                                                         \
            check_passed++;                                                      \
        } else {                                                                 \
            check_failed++;                                                      \
            fprintf(stderr, "%s:%d: last error kind %s, expected %s\n", __FILE__, \
                    __LINE__, check_k_ ? check_k_ : "(none)", check_x_ ? check_x_ : "(none)"); \
        }                                                                        \
    } while (0)

static int check_summary(const char* name) {
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    return check_failed == 0 ? 0 : 1;
}

#endif
