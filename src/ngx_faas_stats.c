
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_stats.h"


static ngx_int_t ngx_faas_stats_init_zone(ngx_shm_zone_t *zone, void *data);
static void ngx_faas_stats_observe(ngx_faas_stats_histogram_t *h,
    uint64_t us);


/*
 * the upper bounds of the histogram buckets, microseconds: 10 a decade
 * (steps of 20-33%) from 10 us to 10 s, fine enough for p50 and p99; the
 * 1, 2.5, 5 of each decade from 100 us on are what Prometheus gets
 */

static uint64_t  ngx_faas_stats_bounds[NGX_FAAS_STATS_BUCKETS - 1] = {
    10, 12, 15, 20, 25, 30, 40, 50, 60, 80,
    100, 120, 150, 200, 250, 300, 400, 500, 600, 800,
    1000, 1200, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000,
    10000, 12000, 15000, 20000, 25000, 30000, 40000, 50000, 60000, 80000,
    100000, 120000, 150000, 200000, 250000, 300000, 400000, 500000, 600000,
    800000,
    1000000, 1200000, 1500000, 2000000, 2500000, 3000000, 4000000, 5000000,
    6000000, 8000000,
    10000000
};


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


/*
 * the slot of worker number ngx_worker; after a reload a new worker of the
 * same number takes it over (its init_process writes its pid there), and
 * the old one, still ending its requests, no longer writes to it
 */

ngx_faas_stats_worker_t *
ngx_faas_stats_worker(void)
{
    ngx_faas_stats_worker_t  *w;

    if (ngx_faas_stats == NULL || ngx_worker >= NGX_FAAS_STATS_WORKERS) {
        return NULL;
    }

    w = &ngx_faas_stats->worker[ngx_worker];

    return ((ngx_pid_t) w->pid == ngx_pid) ? w : NULL;
}


ngx_faas_stats_worker_t *
ngx_faas_stats_worker_take(void)
{
    ngx_faas_stats_worker_t  *w;

    if (ngx_faas_stats == NULL || ngx_worker >= NGX_FAAS_STATS_WORKERS) {
        return NULL;
    }

    w = &ngx_faas_stats->worker[ngx_worker];
    w->pid = ngx_pid;
    w->render = 0;
    w->busy = 0;
    w->running = 0;

    return w;
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

    /* a call answered without running (call->vm NULL) has no heap */

    if (w && call->vm) {
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

    ngx_faas_stats_observe(&f->run_time, call->run_time);

    if (call->queued) {
        ngx_faas_stats_observe(&f->queue_time, call->queue_time);
    }

    if (call->error != NGX_FAAS_OK) {
        (void) ngx_atomic_fetch_add(&f->errors, 1);
    }

    if (call->error == NGX_FAAS_TIMEOUT || call->error == NGX_FAAS_KILLED) {
        (void) ngx_atomic_fetch_add(&f->timeouts, 1);
    }

    /* a call that ran into a limit marks its function late; one that ran
     * to its end within them clears the mark (ngx_faas_render_defer) */

    switch (call->error) {

    case NGX_FAAS_TIMEOUT:
    case NGX_FAAS_KILLED:
    case NGX_FAAS_MEMORY:
        f->late = 1;
        break;

    case NGX_FAAS_OK:
    case NGX_FAAS_EXCEPTION:
    case NGX_FAAS_BAD_RESULT:
        f->late = 0;
        break;

    case NGX_FAAS_DEFERRED:
        (void) ngx_atomic_fetch_add(&f->deferred, 1);
        break;

    default:
        /* the function did not run, or not to where its limits count */
        break;
    }

    if (reset) {
        (void) ngx_atomic_fetch_add(&f->resets, 1);
    }
}


/*
 * the slot of a faas_schedule by its key (never 0), taken on first use
 * with its first run due at first (ms, monotonic); a slot that exists
 * keeps its time, so a reload does not run it early; NULL when full
 */

ngx_faas_stats_schedule_t *
ngx_faas_stats_schedule(uint64_t key, ngx_msec_t first)
{
    ngx_uint_t                  i, n;
    ngx_faas_stats_schedule_t  *s;

    if (ngx_faas_stats == NULL) {
        return NULL;
    }

    i = (ngx_uint_t) (key % NGX_FAAS_STATS_SCHEDULES);

    for (n = 0; n < NGX_FAAS_STATS_SCHEDULES; n++) {
        s = &ngx_faas_stats->schedules[(i + n) % NGX_FAAS_STATS_SCHEDULES];

        if (s->key == 0) {
            ngx_shmtx_lock(&ngx_faas_stats_pool->mutex);

            if (s->key == 0) {
                s->next = first;
                ngx_memory_barrier();
                s->key = (ngx_atomic_uint_t) key;
            }

            ngx_shmtx_unlock(&ngx_faas_stats_pool->mutex);
        }

        if (s->key == (ngx_atomic_uint_t) key) {
            return s;
        }
    }

    return NULL;
}


/*
 * a call the watchdog killed, from its signal handler: lock-free atomic
 * additions only; the call is counted as a run of its full length that
 * timed out
 */

void
ngx_faas_stats_killed(ngx_faas_stats_function_t *f, uint64_t run_time)
{
    (void) ngx_atomic_fetch_add(&f->requests, 1);
    (void) ngx_atomic_fetch_add(&f->errors, 1);
    (void) ngx_atomic_fetch_add(&f->timeouts, 1);
    (void) ngx_atomic_fetch_add(&f->killed, 1);
    ngx_faas_stats_observe(&f->run_time, run_time);
    f->late = 1;
}


/*
 * around every call: which function this worker runs and when it passes
 * its faas_timeout (name NULL: none), for the render workers that decide
 * whether a late function may take the last free one
 */

void
ngx_faas_stats_running(ngx_str_t *name, uint64_t deadline)
{
    ngx_faas_stats_worker_t    *w;
    ngx_faas_stats_function_t  *f;

    w = ngx_faas_stats_worker();

    if (w == NULL) {
        return;
    }

    f = name ? ngx_faas_stats_function(name) : NULL;

    if (f == NULL) {
        w->running = 0;
        return;
    }

    w->deadline = deadline;
    ngx_memory_barrier();
    w->running = f - ngx_faas_stats->functions + 1;
}


/* the upper bound of bucket b, microseconds; the last bucket has none */

uint64_t
ngx_faas_stats_bound(ngx_uint_t b)
{
    return ngx_faas_stats_bounds[b];
}


/*
 * the q-quantile in ms, as Prometheus's histogram_quantile() estimates it:
 * linear within the bucket it falls in, the last bound if beyond it
 */

double
ngx_faas_stats_quantile(ngx_faas_stats_histogram_t *h, double q)
{
    double      rank, lower, upper;
    uint64_t    n[NGX_FAAS_STATS_BUCKETS], total, below;
    ngx_uint_t  b;

    total = 0;

    for (b = 0; b < NGX_FAAS_STATS_BUCKETS; b++) {
        n[b] = h->buckets[b];
        total += n[b];
    }

    if (total == 0) {
        return 0;
    }

    rank = q * total;
    below = 0;

    for (b = 0; b < NGX_FAAS_STATS_BUCKETS - 1; b++) {

        if (n[b] && (double) (below + n[b]) >= rank) {
            lower = b ? (double) ngx_faas_stats_bounds[b - 1] : 0;
            upper = (double) ngx_faas_stats_bounds[b];

            return (lower + (upper - lower) * (rank - below) / n[b]) / 1000;
        }

        below += n[b];
    }

    return (double) ngx_faas_stats_bounds[NGX_FAAS_STATS_BUCKETS - 2] / 1000;
}


/*
 * names are only ever added: a slot is filled under the zone's lock and
 * then marked used, so lookups need no lock
 */

ngx_faas_stats_function_t *
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


static void
ngx_faas_stats_observe(ngx_faas_stats_histogram_t *h, uint64_t us)
{
    ngx_uint_t  b;

    for (b = 0; b < NGX_FAAS_STATS_BUCKETS - 1; b++) {
        if (us <= ngx_faas_stats_bounds[b]) {
            break;
        }
    }

    (void) ngx_atomic_fetch_add(&h->sum, us);
    (void) ngx_atomic_fetch_add(&h->buckets[b], 1);
}
