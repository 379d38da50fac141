
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <math.h>

#include "ngx_faas.h"
#include "ngx_faas_stats.h"


/* run-time histogram: bucket b holds runs up to 10us * 1.25^b (~13 s) */
#define NGX_FAAS_STATS_FIRST      10.0
#define NGX_FAAS_STATS_FACTOR     1.25


static ngx_int_t ngx_faas_stats_init_zone(ngx_shm_zone_t *zone, void *data);
static ngx_faas_stats_function_t *ngx_faas_stats_function(ngx_str_t *name);
static ngx_uint_t ngx_faas_stats_bucket(uint64_t us);


static ngx_faas_stats_t  *ngx_faas_stats;
static ngx_slab_pool_t   *ngx_faas_stats_pool;


/*
 * one zone for the life of the master: a reload reuses it (same name,
 * size and tag), so counters survive
 */

ngx_int_t
ngx_faas_stats_add_zone(ngx_conf_t *cf)
{
    ngx_str_t        name = ngx_string("ngx_faas");
    ngx_shm_zone_t  *zone;

    zone = ngx_shared_memory_add(cf, &name,
                                 2 * sizeof(ngx_faas_stats_t) + 64 * 1024,
                                 &ngx_faas_module);
    if (zone == NULL) {
        return NGX_ERROR;
    }

    zone->init = ngx_faas_stats_init_zone;

    return NGX_OK;
}


static ngx_int_t
ngx_faas_stats_init_zone(ngx_shm_zone_t *zone, void *data)
{
    ngx_slab_pool_t   *sp;
    ngx_faas_stats_t  *st;

    sp = (ngx_slab_pool_t *) zone->shm.addr;

    if (data) {
        st = data;

    } else if (zone->shm.exists) {
        st = sp->data;

    } else {
        st = ngx_slab_alloc(sp, sizeof(ngx_faas_stats_t));
        if (st == NULL) {
            return NGX_ERROR;
        }

        ngx_memzero(st, sizeof(ngx_faas_stats_t));
        st->secret = (ngx_atomic_uint_t) ngx_random() << 31 ^ ngx_random();
        sp->data = st;
    }

    zone->data = st;
    ngx_faas_stats = st;
    ngx_faas_stats_pool = sp;

    return NGX_OK;
}


ngx_faas_stats_t *
ngx_faas_stats_get(void)
{
    return ngx_faas_stats;
}


ngx_faas_stats_worker_t *
ngx_faas_stats_worker(void)
{
    if (ngx_faas_stats == NULL || ngx_worker >= NGX_FAAS_STATS_WORKERS) {
        return NULL;
    }

    return &ngx_faas_stats->worker[ngx_worker];
}


/* after every call: counters of the function and of this worker */

void
ngx_faas_stats_call(ngx_faas_call_t *call, ngx_uint_t reset,
    size_t heap_bytes, ngx_uint_t modules)
{
    ngx_faas_stats_worker_t    *w;
    ngx_faas_stats_function_t  *f;

    if (ngx_faas_stats == NULL) {
        return;
    }

    w = ngx_faas_stats_worker();

    if (w) {
        (void) ngx_atomic_fetch_add(&w->requests, 1);
        w->heap_bytes = heap_bytes;
        w->modules = modules;
    }

    if (call->error == NGX_FAAS_NOT_FOUND) {
        return;
    }

    f = ngx_faas_stats_function(&call->name);
    if (f == NULL) {
        return;
    }

    (void) ngx_atomic_fetch_add(&f->requests, 1);
    (void) ngx_atomic_fetch_add(&f->run_time, call->run_time);
    (void) ngx_atomic_fetch_add(&f->buckets[ngx_faas_stats_bucket(
                                                 call->run_time)], 1);

    if (call->error != NGX_FAAS_OK) {
        (void) ngx_atomic_fetch_add(&f->errors, 1);
    }

    if (call->error == NGX_FAAS_TIMEOUT) {
        (void) ngx_atomic_fetch_add(&f->timeouts, 1);
    }

    if (reset) {
        (void) ngx_atomic_fetch_add(&f->resets, 1);
    }
}


/* upper bounds of the buckets where half and 99% of the runs fall, in ms */

void
ngx_faas_stats_percentiles(ngx_faas_stats_function_t *f, double *p50,
    double *p99)
{
    uint64_t    total, sum;
    ngx_uint_t  b;

    *p50 = 0;
    *p99 = 0;

    total = 0;

    for (b = 0; b < NGX_FAAS_STATS_BUCKETS; b++) {
        total += f->buckets[b];
    }

    if (total == 0) {
        return;
    }

    sum = 0;

    for (b = 0; b < NGX_FAAS_STATS_BUCKETS; b++) {
        sum += f->buckets[b];

        if (*p50 == 0 && sum * 2 >= total) {
            *p50 = NGX_FAAS_STATS_FIRST * pow(NGX_FAAS_STATS_FACTOR, b) / 1000;
        }

        if (sum * 100 >= total * 99) {
            *p99 = NGX_FAAS_STATS_FIRST * pow(NGX_FAAS_STATS_FACTOR, b) / 1000;
            return;
        }
    }
}


/*
 * names are only ever added: a slot is filled under the zone's lock and
 * then marked used, so lookups need no lock
 */

static ngx_faas_stats_function_t *
ngx_faas_stats_function(ngx_str_t *name)
{
    size_t                      len;
    ngx_uint_t                  i, n;
    ngx_faas_stats_function_t  *f;

    len = ngx_min(name->len, NGX_FAAS_STATS_NAME);
    i = ngx_hash_key(name->data, len) % NGX_FAAS_STATS_FUNCTIONS;

    for (n = 0; n < NGX_FAAS_STATS_FUNCTIONS; n++) {
        f = &ngx_faas_stats->functions[(i + n) % NGX_FAAS_STATS_FUNCTIONS];

        if (!f->used) {
            ngx_shmtx_lock(&ngx_faas_stats_pool->mutex);

            if (!f->used) {
                ngx_memcpy(f->name, name->data, len);
                f->len = len;
                ngx_memory_barrier();
                f->used = 1;
            }

            ngx_shmtx_unlock(&ngx_faas_stats_pool->mutex);
        }

        if (f->len == len && ngx_memcmp(f->name, name->data, len) == 0) {
            return f;
        }
    }

    return NULL;
}


static ngx_uint_t
ngx_faas_stats_bucket(uint64_t us)
{
    double      bound;
    ngx_uint_t  b;

    bound = NGX_FAAS_STATS_FIRST;

    for (b = 0; b < NGX_FAAS_STATS_BUCKETS - 1; b++) {
        if ((double) us <= bound) {
            break;
        }

        bound *= NGX_FAAS_STATS_FACTOR;
    }

    return b;
}
