/*
 * duk-call: the time of one call of a workload function in Duktape, outside
 * HTTP. Built by bench/Makefile against /usr/share/duktape/duktape.c with
 * the same duk_config.h change as the module (interrupt counter and
 * execution-timeout check on), at -O2 like the module.
 *
 *   duk-call SOURCE.js FUNCTION ARG.json
 *
 * Evaluates SOURCE.js in the global scope, decodes ARG.json once, then
 * calls FUNCTION(arg) in batches of n calls (n doubled until a batch takes
 * at least 20 ms) and prints the median time per call in microseconds over
 * 7 batches. FUNCTION "JSON.parse" times decoding ARG.json instead.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "duktape.h"

/* the module stops runaway calls here; the benchmark never does */
duk_bool_t
ngx_faas_vm_exec_timeout_check(void *udata)
{
    (void) udata;
    return 0;
}

/* the module refuses calls nested deeper than its C stack allows; the
 * benchmark's calls are shallow */
duk_bool_t
ngx_faas_vm_stack_check(void)
{
    return 0;
}

/*
 * the module hashes strings with a keyed SipHash (patches/0003, a per-heap
 * key against hash flooding); here FNV-1a over every byte stands in, at
 * about the same cost per byte, since no client picks the strings
 */
duk_uint32_t
ngx_faas_vm_strhash(void *udata, const duk_uint8_t *str, duk_size_t len)
{
    duk_uint32_t  h;
    duk_size_t    i;

    (void) udata;

    h = 2166136261U;

    for (i = 0; i < len; i++) {
        h = (h ^ str[i]) * 16777619U;
    }

    return h;
}

static char *
slurp(const char *path, size_t *len)
{
    FILE   *f;
    char   *buf;
    long    n;

    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
        perror(path);
        exit(1);
    }
    rewind(f);
    buf = malloc(n + 1);
    if (buf == NULL || fread(buf, 1, n, f) != (size_t) n) {
        perror(path);
        exit(1);
    }
    buf[n] = '\0';
    fclose(f);
    *len = n;
    return buf;
}

static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp(const void *a, const void *b)
{
    double  x = *(const double *) a, y = *(const double *) b;

    return x < y ? -1 : x > y;
}

/* n calls; the result of each is popped (and becomes garbage, as in a
 * request) */
static double
batch(duk_context *duk, int parse, const char *arg, size_t arglen, long n)
{
    double  t0;
    long    i;

    t0 = now();
    for (i = 0; i < n; i++) {
        if (parse) {
            duk_push_lstring(duk, arg, arglen);
            duk_json_decode(duk, -1);
        } else {
            duk_dup(duk, 0);                         /* the function */
            duk_dup(duk, 1);                         /* the argument */
            if (duk_pcall(duk, 1) != DUK_EXEC_SUCCESS) {
                fprintf(stderr, "call failed: %s\n", duk_safe_to_string(duk, -1));
                exit(1);
            }
        }
        duk_pop(duk);
    }
    return now() - t0;
}

int
main(int argc, char **argv)
{
    duk_context  *duk;
    char         *src, *arg;
    size_t        srclen, arglen;
    int           parse, i;
    long          n;
    double        t[7];

    if (argc != 4) {
        fprintf(stderr, "usage: %s SOURCE.js FUNCTION ARG.json\n", argv[0]);
        return 2;
    }

    src = slurp(argv[1], &srclen);
    arg = slurp(argv[3], &arglen);
    parse = strcmp(argv[2], "JSON.parse") == 0;

    duk = duk_create_heap_default();
    if (duk == NULL) {
        return 1;
    }

    duk_push_string(duk, argv[1]);
    if (duk_pcompile_lstring_filename(duk, 0, src, srclen) != 0
        || duk_pcall(duk, 0) != DUK_EXEC_SUCCESS)
    {
        fprintf(stderr, "%s: %s\n", argv[1], duk_safe_to_string(duk, -1));
        return 1;
    }
    duk_pop(duk);

    if (parse) {
        duk_push_undefined(duk);
        duk_push_undefined(duk);
    } else {
        if (!duk_get_global_string(duk, argv[2]) || !duk_is_function(duk, -1)) {
            fprintf(stderr, "%s: no function %s\n", argv[1], argv[2]);
            return 1;
        }
        duk_push_lstring(duk, arg, arglen);
        duk_json_decode(duk, -1);
    }

    for (n = 1; batch(duk, parse, arg, arglen, n) < 0.02; n *= 2) {
        /* calibrate (and warm up) */
    }

    for (i = 0; i < 7; i++) {
        t[i] = batch(duk, parse, arg, arglen, n) / n;
    }
    qsort(t, 7, sizeof(double), cmp);

    printf("%.2f\n", t[3] * 1e6);

    duk_destroy_heap(duk);
    return 0;
}
