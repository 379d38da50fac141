
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_cache.h"
#include "ngx_faas_output.h"
#include "ngx_faas_render.h"
#include "ngx_faas_schedule.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_status.h"
#include "ngx_faas_zone.h"


typedef struct {
    ngx_uint_t                 workers;
    ngx_uint_t                 render;
    ngx_uint_t                 busy;
    ngx_uint_t                 waiting;
    double                     utilisation;
} ngx_faas_status_pool_t;


/* a value of every function or worker, at offset in its statistics */
typedef struct {
    char                      *name;
    char                      *type;
    char                      *help;
    size_t                     offset;
} ngx_faas_status_counter_t;


/* the Prometheus text: its buffer, and the functions' escaped names */
typedef struct {
    u_char                    *pos;
    u_char                    *end;
    ngx_faas_stats_t          *st;
    ngx_faas_stats_function_t *functions[NGX_FAAS_STATS_FUNCTIONS];
    ngx_str_t                  names[NGX_FAAS_STATS_FUNCTIONS];
    ngx_uint_t                 nfunctions;
} ngx_faas_status_prom_t;


static ngx_int_t ngx_faas_status_handler(ngx_http_request_t *r);
static void ngx_faas_status_pool(ngx_faas_stats_t *st,
    ngx_faas_status_pool_t *pool);
static json_t *ngx_faas_status_json(ngx_faas_stats_t *st);
static json_t *ngx_faas_status_json_functions(ngx_faas_stats_t *st);
static json_t *ngx_faas_status_json_admission(ngx_faas_stats_t *st);
static json_t *ngx_faas_status_json_caches(void);
static json_t *ngx_faas_status_json_workers(ngx_faas_stats_t *st,
    ngx_uint_t workers);
static json_t *ngx_faas_status_json_shared(ngx_array_t *zones);
static json_t *ngx_faas_status_json_schedules(ngx_array_t *schedules);
static ngx_uint_t ngx_faas_status_schedule(ngx_array_t *schedules,
    ngx_uint_t i, ngx_faas_schedule_stats_t *st);
static ngx_int_t ngx_faas_status_prometheus(ngx_http_request_t *r,
    ngx_faas_stats_t *st, ngx_str_t *out);
static void ngx_faas_status_prom_functions(ngx_faas_status_prom_t *pr);
static void ngx_faas_status_prom_histogram(ngx_faas_status_prom_t *pr,
    char *name, char *help, size_t offset);
static void ngx_faas_status_prom_pool(ngx_faas_status_prom_t *pr,
    ngx_faas_status_pool_t *pool);
static void ngx_faas_status_prom_admits(ngx_faas_status_prom_t *pr,
    ngx_str_t *names, ngx_uint_t n);
static void ngx_faas_status_prom_shared(ngx_faas_status_prom_t *pr,
    ngx_array_t *zones);
static void ngx_faas_status_prom_schedules(ngx_faas_status_prom_t *pr,
    ngx_array_t *schedules);
static ngx_int_t ngx_faas_status_prom_caches(ngx_http_request_t *r,
    ngx_faas_status_prom_t *pr);
static void ngx_faas_status_prom_family(ngx_faas_status_prom_t *pr,
    char *name, char *type, char *help);
static u_char *ngx_faas_status_seconds(u_char *p, u_char *end, uint64_t us);
static ngx_int_t ngx_faas_status_escape(ngx_pool_t *pool, ngx_str_t *dst,
    u_char *src, size_t len);


/* the Prometheus text of a function: 5 counters, 2 histograms of 17 + 2 */
#define NGX_FAAS_STATUS_LINES     48
#define NGX_FAAS_STATUS_LINE      128


static ngx_faas_status_counter_t  ngx_faas_status_counters[] = {

    { "faas_function_requests_total", "counter",
      "Calls of the function.",
      offsetof(ngx_faas_stats_function_t, requests) },

    { "faas_function_errors_total", "counter",
      "Calls that did not end well (any $faas_status but ok).",
      offsetof(ngx_faas_stats_function_t, errors) },

    { "faas_function_timeouts_total", "counter",
      "Calls stopped at faas_timeout.",
      offsetof(ngx_faas_stats_function_t, timeouts) },

    { "faas_function_killed_total", "counter",
      "Calls the render pool's watchdog ended by killing the worker.",
      offsetof(ngx_faas_stats_function_t, killed) },

    { "faas_function_heap_resets_total", "counter",
      "Heaps rebuilt after a call stopped mid-way (timeout, memory).",
      offsetof(ngx_faas_stats_function_t, resets) },

    { "faas_function_deferred_total", "counter",
      "Calls answered 503 unrun: the function ran into its limits lately "
      "and would take the last free render worker.",
      offsetof(ngx_faas_stats_function_t, deferred) },

    { NULL, NULL, NULL, 0 }
};


static ngx_faas_status_counter_t  ngx_faas_status_worker_values[] = {

    { "faas_worker_requests_total", "counter",
      "Calls run by the worker.",
      offsetof(ngx_faas_stats_worker_t, requests) },

    { "faas_worker_heap_bytes", "gauge",
      "Bytes of the worker's JavaScript heaps.",
      offsetof(ngx_faas_stats_worker_t, heap_bytes) },

    { "faas_worker_modules", "gauge",
      "Modules the worker has cached.",
      offsetof(ngx_faas_stats_worker_t, modules) },

    { "faas_worker_function_loads_total", "counter",
      "Functions (components) loaded into the worker's heaps.",
      offsetof(ngx_faas_stats_worker_t, function_loads) },

    { "faas_worker_function_evictions_total", "counter",
      "Functions dropped from a heap over faas_functions_max, least "
      "recently used first.",
      offsetof(ngx_faas_stats_worker_t, function_evictions) },

    { NULL, NULL, NULL, 0 }
};


char *
ngx_faas_set_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_main_conf_t      *fmcf;
    ngx_http_core_loc_conf_t  *clcf;

    fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);
    fmcf->used = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_faas_status_handler;

    return NGX_CONF_OK;
}


/* GET: JSON, or Prometheus text with ?format=prometheus */

static ngx_int_t
ngx_faas_status_handler(ngx_http_request_t *r)
{
    json_t                *json;
    ngx_int_t              rc;
    ngx_str_t              format, type, out;
    ngx_faas_stats_t      *st;
    ngx_faas_main_conf_t  *fmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    st = ngx_faas_stats_get();
    if (st == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (ngx_http_arg(r, (u_char *) "format", 6, &format) == NGX_OK
        && format.len == 10
        && ngx_strncmp(format.data, "prometheus", 10) == 0)
    {
        if (ngx_faas_status_prometheus(r, st, &out) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_str_set(&type, "text/plain; version=0.0.4");
        r->headers_out.status = NGX_HTTP_OK;

        return ngx_faas_output_body(r, &type, &out);
    }

    json = ngx_faas_status_json(st);

    if (json) {
        fmcf = ngx_http_get_module_main_conf(r, ngx_faas_module);

        if (json_object_set_new(json, "shared",
                                ngx_faas_status_json_shared(&fmcf->zones))
            != 0
            || json_object_set_new(json, "schedules",
                                   ngx_faas_status_json_schedules(
                                                         &fmcf->schedules))
               != 0)
        {
            json_decref(json);
            json = NULL;
        }
    }

    if (json == NULL
        || ngx_faas_output_text(r, json, JSON_COMPACT|JSON_SORT_KEYS
                                           |JSON_REAL_PRECISION(6), &out)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&type, "application/json");
    r->headers_out.status = NGX_HTTP_OK;

    return ngx_faas_output_body(r, &type, &out);
}


/* utilisation = min(busy + waiting, workers) / workers: what to scale on */

static void
ngx_faas_status_pool(ngx_faas_stats_t *st, ngx_faas_status_pool_t *pool)
{
    ngx_uint_t        i;
    ngx_core_conf_t  *ccf;

    ccf = (ngx_core_conf_t *) ngx_get_conf(ngx_cycle->conf_ctx,
                                           ngx_core_module);

    pool->workers = ccf->worker_processes;
    pool->render = ngx_faas_render_workers((ngx_cycle_t *) ngx_cycle);
    pool->busy = 0;
    pool->waiting = (ngx_atomic_int_t) st->waiting > 0 ? st->waiting : 0;

    for (i = pool->workers - pool->render;
         i < pool->workers && i < NGX_FAAS_STATS_WORKERS;
         i++)
    {
        pool->busy += st->worker[i].busy ? 1 : 0;
    }

    pool->utilisation = pool->render
                        ? (double) ngx_min(pool->busy + pool->waiting,
                                           pool->render) / pool->render
                        : 0;
}


static json_t *
ngx_faas_status_json(ngx_faas_stats_t *st)
{
    ngx_faas_status_pool_t  pool;

    ngx_faas_status_pool(st, &pool);

    return json_pack("{s:o, s:o, s:o, s:{s:I, s:I, s:I, s:f}, s:o}",
                     "functions", ngx_faas_status_json_functions(st),
                     "admission", ngx_faas_status_json_admission(st),
                     "batch_cache", ngx_faas_status_json_caches(),
                     "render_pool",
                         "workers", (json_int_t) pool.render,
                         "busy", (json_int_t) pool.busy,
                         "waiting", (json_int_t) pool.waiting,
                         "utilisation", pool.utilisation,
                     "workers",
                         ngx_faas_status_json_workers(st, pool.workers));
}


static json_t *
ngx_faas_status_json_functions(ngx_faas_stats_t *st)
{
    char                       name[NGX_FAAS_STATS_NAME + 1];
    double                     p50, p99;
    json_t                    *all, *one;
    ngx_uint_t                 i;
    ngx_faas_stats_function_t *f;

    all = json_object();
    if (all == NULL) {
        return NULL;
    }

    for (i = 0; i < NGX_FAAS_STATS_FUNCTIONS; i++) {
        f = &st->functions[i];

        if (!f->used) {
            continue;
        }

        p50 = ngx_faas_stats_quantile(&f->run_time, 0.5);
        p99 = ngx_faas_stats_quantile(&f->run_time, 0.99);

        one = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:b, "
                        "s:{s:f, s:f, s:f}}",
                        "requests", (json_int_t) f->requests,
                        "errors", (json_int_t) f->errors,
                        "timeouts", (json_int_t) f->timeouts,
                        "killed", (json_int_t) f->killed,
                        "heap_resets", (json_int_t) f->resets,
                        "deferred", (json_int_t) f->deferred,
                        "late", (int) (f->late != 0),
                        "run_time_ms",
                            "average", f->requests
                                       ? (double) f->run_time.sum
                                         / f->requests / 1000
                                       : 0.0,
                            "p50", p50,
                            "p99", p99);

        ngx_cpystrn((u_char *) name, f->name, f->len + 1);

        if (one == NULL || json_object_set_new(all, name, one) != 0) {
            json_decref(all);
            return NULL;
        }
    }

    return all;
}


/* each faas_admit location, in the order of the configuration */

static json_t *
ngx_faas_status_json_admission(ngx_faas_stats_t *st)
{
    char                    location[NGX_MAX_ERROR_STR];
    json_t                 *all, *one;
    ngx_str_t              *names;
    ngx_uint_t              i;
    ngx_faas_main_conf_t   *fmcf;
    ngx_faas_stats_admit_t *a;

    all = json_array();
    if (all == NULL) {
        return NULL;
    }

    fmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle, ngx_faas_module);

    if (fmcf == NULL || fmcf->admit_names == NULL) {
        return all;
    }

    names = fmcf->admit_names->elts;

    for (i = 0; i < fmcf->admit_names->nelts; i++) {
        a = &st->admit[i];

        ngx_cpystrn((u_char *) location, names[i].data,
                    ngx_min(names[i].len + 1, sizeof(location)));

        one = json_pack("{s:s, s:I, s:I, s:f}",
                        "location", location,
                        "admitted", (json_int_t) a->admitted,
                        "refused", (json_int_t) a->refused,
                        "average_ms", (double) a->average / 1000);

        if (one == NULL || json_array_append_new(all, one) != 0) {
            json_decref(all);
            return NULL;
        }
    }

    return all;
}


/* the faas_batch_cache zones, in configuration order */

static json_t *
ngx_faas_status_json_caches(void)
{
    json_t                  *all, *one;
    ngx_uint_t               i;
    ngx_shm_zone_t         **zones;
    ngx_faas_cache_stats_t   s;
    ngx_faas_main_conf_t    *fmcf;

    all = json_array();
    if (all == NULL) {
        return NULL;
    }

    fmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle, ngx_faas_module);

    if (fmcf == NULL || fmcf->caches == NULL) {
        return all;
    }

    zones = fmcf->caches->elts;

    for (i = 0; i < fmcf->caches->nelts; i++) {
        ngx_faas_cache_stats(zones[i], &s);

        one = json_pack("{s:s%, s:I, s:I, s:I, s:I, s:I, s:I}",
                        "zone", (char *) s.name.data, s.name.len,
                        "size", (json_int_t) s.size,
                        "entries", (json_int_t) s.entries,
                        "hits", (json_int_t) s.hits,
                        "misses", (json_int_t) s.misses,
                        "stores", (json_int_t) s.stores,
                        "evictions", (json_int_t) s.evictions);

        if (one == NULL || json_array_append_new(all, one) != 0) {
            json_decref(all);
            return NULL;
        }
    }

    return all;
}


static json_t *
ngx_faas_status_json_workers(ngx_faas_stats_t *st, ngx_uint_t workers)
{
    json_t                     *all, *one, *running;
    ngx_uint_t                  i;
    ngx_atomic_uint_t           fn;
    ngx_faas_stats_worker_t    *w;
    ngx_faas_stats_function_t  *f;

    all = json_array();
    if (all == NULL) {
        return NULL;
    }

    for (i = 0; i < workers && i < NGX_FAAS_STATS_WORKERS; i++) {
        w = &st->worker[i];

        one = json_pack("{s:I, s:I, s:b, s:b, s:I, s:I, s:I, s:I, s:I}",
                        "worker", (json_int_t) i,
                        "pid", (json_int_t) w->pid,
                        "render", (int) w->render,
                        "busy", (int) w->busy,
                        "requests", (json_int_t) w->requests,
                        "heap_bytes", (json_int_t) w->heap_bytes,
                        "modules", (json_int_t) w->modules,
                        "function_loads", (json_int_t) w->function_loads,
                        "function_evictions",
                            (json_int_t) w->function_evictions);

        /* the function it runs now, if any (see ngx_faas_stats_running) */

        fn = w->running;

        if (fn == 0 || fn > NGX_FAAS_STATS_FUNCTIONS) {
            running = json_null();

        } else {
            f = &st->functions[fn - 1];
            running = json_stringn((char *) f->name, f->len);
        }

        if (one != NULL && json_object_set_new(one, "running", running) != 0)
        {
            json_decref(one);
            one = NULL;
        }

        if (one == NULL || json_array_append_new(all, one) != 0) {
            json_decref(all);
            return NULL;
        }
    }

    return all;
}


/*
 * the text exposition format 0.0.4: each family once, with its HELP and
 * TYPE, then all its samples; counters end in _total; run and queue time
 * are histograms, so rates and quantiles can be taken over any window and
 * summed across instances
 */

/* each faas_shared zone: its size, items, and what left it unasked */

static json_t *
ngx_faas_status_json_shared(ngx_array_t *zones)
{
    json_t                 *all, *one;
    ngx_uint_t              i;
    ngx_faas_zone_t       **zone;
    ngx_faas_zone_stats_t   zs;

    all = json_object();
    if (all == NULL) {
        return NULL;
    }

    zone = zones->elts;

    for (i = 0; i < zones->nelts; i++) {
        ngx_faas_zone_stats(zone[i], &zs);

        one = json_pack("{s:I, s:I, s:I, s:I}",
                        "size", (json_int_t) zs.size,
                        "items", (json_int_t) zs.items,
                        "evictions", (json_int_t) zs.evictions,
                        "expired", (json_int_t) zs.expired);

        if (one == NULL
            || json_object_setn_new(all,
                                    (char *) ngx_faas_zone_name(zone[i])->data,
                                    ngx_faas_zone_name(zone[i])->len, one)
               != 0)
        {
            json_decref(all);
            return NULL;
        }
    }

    return all;
}


/* each faas_schedule, in configuration order: runs, failed, skipped */

static json_t *
ngx_faas_status_json_schedules(ngx_array_t *schedules)
{
    json_t                     *all, *one;
    ngx_uint_t                  i;
    ngx_faas_schedule_stats_t   st;

    all = json_array();
    if (all == NULL) {
        return NULL;
    }

    for (i = 0; i < schedules->nelts; i++) {

        if (!ngx_faas_status_schedule(schedules, i, &st)) {
            continue;
        }

        one = json_pack("{s:s%, s:I, s:I, s:I, s:I}",
                        "function", (char *) st.name.data, st.name.len,
                        "interval_ms", (json_int_t) st.interval,
                        "runs", (json_int_t) st.runs,
                        "failed", (json_int_t) st.failed,
                        "skipped", (json_int_t) st.skipped);

        if (one == NULL || json_array_append_new(all, one) != 0) {
            json_decref(all);
            return NULL;
        }
    }

    return all;
}


/*
 * the counters of schedule i, unless it has none in this worker or an
 * earlier line of the same function of the same app shares its lease
 */

static ngx_uint_t
ngx_faas_status_schedule(ngx_array_t *schedules, ngx_uint_t i,
    ngx_faas_schedule_stats_t *st)
{
    ngx_uint_t                  j;
    ngx_faas_schedule_t       **sc;
    ngx_faas_schedule_stats_t   prev;

    sc = schedules->elts;

    if (ngx_faas_schedule_stats(sc[i], st) != NGX_OK) {
        return 0;
    }

    for (j = 0; j < i; j++) {
        if (ngx_faas_schedule_stats(sc[j], &prev) == NGX_OK
            && prev.lease == st->lease)
        {
            return 0;
        }
    }

    return 1;
}


static ngx_int_t
ngx_faas_status_prometheus(ngx_http_request_t *r, ngx_faas_stats_t *st,
    ngx_str_t *out)
{
    size_t                      size;
    ngx_str_t                  *names, *admits;
    ngx_uint_t                  i, j, n, nadmits;
    ngx_faas_main_conf_t       *fmcf;
    ngx_faas_status_pool_t      pool;
    ngx_faas_status_prom_t     *pr;
    ngx_faas_stats_function_t  *f;

    pr = ngx_pcalloc(r->pool, sizeof(ngx_faas_status_prom_t));
    if (pr == NULL) {
        return NGX_ERROR;
    }

    pr->st = st;
    size = 16384 + NGX_FAAS_STATS_WORKERS * 4 * NGX_FAAS_STATUS_LINE;

    for (i = 0; i < NGX_FAAS_STATS_FUNCTIONS; i++) {
        f = &st->functions[i];

        if (!f->used) {
            continue;
        }

        n = pr->nfunctions++;
        pr->functions[n] = f;

        if (ngx_faas_status_escape(r->pool, &pr->names[n], f->name, f->len)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        size += NGX_FAAS_STATUS_LINES
                * (pr->names[n].len + NGX_FAAS_STATUS_LINE);
    }

    /* a location of faas_admit names its slot; a repeated name gets #slot */

    fmcf = ngx_http_get_module_main_conf(r, ngx_faas_module);

    admits = NULL;
    nadmits = 0;

    if (fmcf->admit_names) {
        names = fmcf->admit_names->elts;
        nadmits = ngx_min(fmcf->admit_names->nelts, NGX_FAAS_STATS_ADMITS);

        admits = ngx_pcalloc(r->pool, nadmits * sizeof(ngx_str_t));
        if (admits == NULL) {
            return NGX_ERROR;
        }

        for (i = 0; i < nadmits; i++) {
            if (ngx_faas_status_escape(r->pool, &admits[i], names[i].data,
                                       names[i].len)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

            for (j = 0; j < i; j++) {
                if (names[j].len == names[i].len
                    && ngx_strncmp(names[j].data, names[i].data, names[i].len)
                       == 0)
                {
                    admits[i].len = ngx_sprintf(admits[i].data
                                                + admits[i].len, "#%ui", i)
                                    - admits[i].data;
                    break;
                }
            }

            size += 4 * (admits[i].len + NGX_FAAS_STATUS_LINE);
        }
    }

    /* a zone's name is an identifier of up to 64 bytes: no escaping */

    size += fmcf->zones.nelts * 4 * (64 + NGX_FAAS_STATUS_LINE)
            + 4 * 2 * NGX_FAAS_STATUS_LINE;

    /* a function name has no character to escape: [A-Za-z0-9_/-] */

    size += fmcf->schedules.nelts * 3 * (NGX_FAAS_STATS_NAME
                                         + NGX_FAAS_STATUS_LINE)
            + 3 * 2 * NGX_FAAS_STATUS_LINE;
    if (fmcf->caches) {
        size += fmcf->caches->nelts * 5 * 3 * NGX_FAAS_STATUS_LINE;
    }

    pr->pos = ngx_pnalloc(r->pool, size);
    if (pr->pos == NULL) {
        return NGX_ERROR;
    }

    out->data = pr->pos;
    pr->end = pr->pos + size;

    ngx_faas_status_pool(st, &pool);

    ngx_faas_status_prom_functions(pr);

    ngx_faas_status_prom_histogram(pr, "faas_function_run_time_seconds",
                                   "Run time of the calls of the function.",
                                   offsetof(ngx_faas_stats_function_t,
                                            run_time));

    if (pool.render) {
        ngx_faas_status_prom_histogram(pr, "faas_function_queue_time_seconds",
            "Time from faas_admit at the front to a render worker "
            "starting the call.",
            offsetof(ngx_faas_stats_function_t, queue_time));
    }

    ngx_faas_status_prom_admits(pr, admits, nadmits);

    if (ngx_faas_status_prom_caches(r, pr) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_faas_status_prom_pool(pr, &pool);
    ngx_faas_status_prom_shared(pr, &fmcf->zones);
    ngx_faas_status_prom_schedules(pr, &fmcf->schedules);

    out->len = pr->pos - out->data;

    return NGX_OK;
}


static void
ngx_faas_status_prom_functions(ngx_faas_status_prom_t *pr)
{
    ngx_uint_t                  i;
    ngx_atomic_t               *value;
    ngx_faas_status_counter_t  *c;

    for (c = ngx_faas_status_counters; c->name; c++) {
        ngx_faas_status_prom_family(pr, c->name, c->type, c->help);

        for (i = 0; i < pr->nfunctions; i++) {
            value = (ngx_atomic_t *) ((u_char *) pr->functions[i]
                                      + c->offset);

            pr->pos = ngx_slprintf(pr->pos, pr->end,
                                   "%s{function=\"%V\"} %uA\n",
                                   c->name, &pr->names[i], *value);
        }
    }
}


/* cumulative buckets at 1, 2.5 and 5 of each decade from 100 us to 10 s */

static void
ngx_faas_status_prom_histogram(ngx_faas_status_prom_t *pr, char *name,
    char *help, size_t offset)
{
    uint64_t                     count, bound, m;
    ngx_uint_t                   i, b;
    ngx_faas_stats_histogram_t  *h;

    ngx_faas_status_prom_family(pr, name, "histogram", help);

    for (i = 0; i < pr->nfunctions; i++) {
        h = (ngx_faas_stats_histogram_t *) ((u_char *) pr->functions[i]
                                            + offset);
        count = 0;

        for (b = 0; b < NGX_FAAS_STATS_BUCKETS - 1; b++) {
            count += h->buckets[b];
            bound = ngx_faas_stats_bound(b);

            for (m = bound; m % 10 == 0; m /= 10) { /* void */ }

            if (bound < 100 || (m != 1 && m != 25 && m != 5)) {
                continue;
            }

            pr->pos = ngx_slprintf(pr->pos, pr->end,
                                   "%s_bucket{function=\"%V\",le=\"",
                                   name, &pr->names[i]);
            pr->pos = ngx_faas_status_seconds(pr->pos, pr->end, bound);
            pr->pos = ngx_slprintf(pr->pos, pr->end, "\"} %uL\n", count);
        }

        count += h->buckets[NGX_FAAS_STATS_BUCKETS - 1];

        pr->pos = ngx_slprintf(pr->pos, pr->end,
                               "%s_bucket{function=\"%V\",le=\"+Inf\"} %uL\n"
                               "%s_sum{function=\"%V\"} ",
                               name, &pr->names[i], count,
                               name, &pr->names[i]);
        pr->pos = ngx_faas_status_seconds(pr->pos, pr->end, h->sum);
        pr->pos = ngx_slprintf(pr->pos, pr->end,
                               "\n%s_count{function=\"%V\"} %uL\n",
                               name, &pr->names[i], count);
    }
}


static void
ngx_faas_status_prom_admits(ngx_faas_status_prom_t *pr, ngx_str_t *names,
    ngx_uint_t n)
{
    ngx_uint_t               i;
    ngx_faas_stats_admit_t  *a;

    if (n == 0) {
        return;
    }

    ngx_faas_status_prom_family(pr, "faas_admit_admitted_total", "counter",
                                "Requests faas_admit let through.");

    for (i = 0; i < n; i++) {
        pr->pos = ngx_slprintf(pr->pos, pr->end,
                               "faas_admit_admitted_total{location=\"%V\"} "
                               "%uA\n", &names[i], pr->st->admit[i].admitted);
    }

    ngx_faas_status_prom_family(pr, "faas_admit_refused_total", "counter",
                                "Requests faas_admit refused with 503: "
                                "the predicted wait was over the budget.");

    for (i = 0; i < n; i++) {
        pr->pos = ngx_slprintf(pr->pos, pr->end,
                               "faas_admit_refused_total{location=\"%V\"} "
                               "%uA\n", &names[i], pr->st->admit[i].refused);
    }

    ngx_faas_status_prom_family(pr, "faas_admit_average_run_time_seconds",
                                "gauge",
                                "Moving average of the run time faas_admit "
                                "predicts with.");

    for (i = 0; i < n; i++) {
        a = &pr->st->admit[i];

        pr->pos = ngx_slprintf(pr->pos, pr->end,
                               "faas_admit_average_run_time_seconds"
                               "{location=\"%V\"} ", &names[i]);
        pr->pos = ngx_faas_status_seconds(pr->pos, pr->end, a->average);
        pr->pos = ngx_slprintf(pr->pos, pr->end, "\n");
    }
}


/* the faas_batch_cache zones: a family per counter, a sample per zone */

static ngx_int_t
ngx_faas_status_prom_caches(ngx_http_request_t *r, ngx_faas_status_prom_t *pr)
{
    uint64_t                 v;
    ngx_str_t                name;
    ngx_uint_t               i, f, n;
    ngx_shm_zone_t         **zones;
    ngx_faas_cache_stats_t  *s;
    ngx_faas_main_conf_t    *fmcf;

    static struct {
        char                *name;
        char                *type;
        char                *help;
        size_t               offset;
    } families[] = {
        { "faas_batch_cache_hits_total", "counter",
          "Jobs of faas_batch answered from faas_batch_cache.",
          offsetof(ngx_faas_cache_stats_t, hits) },
        { "faas_batch_cache_misses_total", "counter",
          "Jobs of faas_batch looked up and not found.",
          offsetof(ngx_faas_cache_stats_t, misses) },
        { "faas_batch_cache_stores_total", "counter",
          "Rendered jobs kept in faas_batch_cache.",
          offsetof(ngx_faas_cache_stats_t, stores) },
        { "faas_batch_cache_evictions_total", "counter",
          "Entries dropped, least recently used first, to make room.",
          offsetof(ngx_faas_cache_stats_t, evictions) }
    };

    fmcf = ngx_http_get_module_main_conf(r, ngx_faas_module);

    if (fmcf->caches == NULL) {
        return NGX_OK;
    }

    zones = fmcf->caches->elts;
    n = fmcf->caches->nelts;

    s = ngx_pcalloc(r->pool, n * sizeof(ngx_faas_cache_stats_t));
    if (s == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {
        ngx_faas_cache_stats(zones[i], &s[i]);

        if (ngx_faas_status_escape(r->pool, &name, s[i].name.data,
                                   s[i].name.len)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        s[i].name = name;
    }

    for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
        ngx_faas_status_prom_family(pr, families[f].name, families[f].type,
                                    families[f].help);

        for (i = 0; i < n; i++) {
            v = *(uint64_t *) ((u_char *) &s[i] + families[f].offset);
            pr->pos = ngx_slprintf(pr->pos, pr->end, "%s{zone=\"%V\"} %uL\n",
                                   families[f].name, &s[i].name, v);
        }
    }

    ngx_faas_status_prom_family(pr, "faas_batch_cache_entries", "gauge",
                                "Entries in faas_batch_cache.");

    for (i = 0; i < n; i++) {
        pr->pos = ngx_slprintf(pr->pos, pr->end,
                               "faas_batch_cache_entries{zone=\"%V\"} %ui\n",
                               &s[i].name, s[i].entries);
    }

    return NGX_OK;
}


static void
ngx_faas_status_prom_pool(ngx_faas_status_prom_t *pr,
    ngx_faas_status_pool_t *pool)
{
    ngx_uint_t                  i, n;
    ngx_atomic_t               *value;
    ngx_faas_stats_worker_t    *w;
    ngx_faas_status_counter_t  *c;

    ngx_faas_status_prom_family(pr, "faas_render_workers", "gauge",
                                "Render workers (faas_render_workers).");
    pr->pos = ngx_slprintf(pr->pos, pr->end, "faas_render_workers %ui\n",
                           pool->render);

    ngx_faas_status_prom_family(pr, "faas_render_busy", "gauge",
                                "Render workers running a request.");
    pr->pos = ngx_slprintf(pr->pos, pr->end, "faas_render_busy %ui\n",
                           pool->busy);

    ngx_faas_status_prom_family(pr, "faas_render_waiting", "gauge",
                                "Admitted requests no render worker has "
                                "started yet.");
    pr->pos = ngx_slprintf(pr->pos, pr->end, "faas_render_waiting %ui\n",
                           pool->waiting);

    ngx_faas_status_prom_family(pr, "faas_render_utilisation", "gauge",
                                "min(busy + waiting, workers) / workers: "
                                "what to scale on.");
    pr->pos = ngx_slprintf(pr->pos, pr->end, "faas_render_utilisation %.4f\n",
                           pool->utilisation);

    n = ngx_min(pool->workers, NGX_FAAS_STATS_WORKERS);

    ngx_faas_status_prom_family(pr, "faas_worker_info", "gauge",
                                "Always 1: the pid of each worker and "
                                "whether it is a render worker.");

    for (i = 0; i < n; i++) {
        w = &pr->st->worker[i];
        pr->pos = ngx_slprintf(pr->pos, pr->end,
                               "faas_worker_info{worker=\"%ui\",pid=\"%uA\","
                               "render=\"%s\"} 1\n",
                               i, w->pid, w->render ? "1" : "0");
    }

    for (c = ngx_faas_status_worker_values; c->name; c++) {
        ngx_faas_status_prom_family(pr, c->name, c->type, c->help);

        for (i = 0; i < n; i++) {
            value = (ngx_atomic_t *) ((u_char *) &pr->st->worker[i]
                                      + c->offset);

            pr->pos = ngx_slprintf(pr->pos, pr->end,
                                   "%s{worker=\"%ui\"} %uA\n",
                                   c->name, i, *value);
        }
    }
}


static void
ngx_faas_status_prom_shared(ngx_faas_status_prom_t *pr, ngx_array_t *zones)
{
    ngx_uint_t              i, k;
    ngx_faas_zone_t       **zone;
    ngx_faas_zone_stats_t   zs;

    static struct {
        char    *name;
        char    *type;
        char    *help;
    }  values[] = {
        { "faas_shared_size_bytes", "gauge",
          "Size of the faas_shared zone." },
        { "faas_shared_items", "gauge",
          "Items in the zone, expired ones not yet freed included." },
        { "faas_shared_evictions_total", "counter",
          "Items evicted, least recently used first, to make room." },
        { "faas_shared_expired_total", "counter",
          "Items freed after their ttl." }
    };

    if (zones->nelts == 0) {
        return;
    }

    zone = zones->elts;

    for (k = 0; k < 4; k++) {
        ngx_faas_status_prom_family(pr, values[k].name, values[k].type,
                                    values[k].help);

        for (i = 0; i < zones->nelts; i++) {
            ngx_faas_zone_stats(zone[i], &zs);

            pr->pos = ngx_slprintf(pr->pos, pr->end, "%s{zone=\"%V\"} %uz\n",
                                   values[k].name,
                                   ngx_faas_zone_name(zone[i]),
                                   k == 0 ? zs.size
                                   : k == 1 ? (size_t) zs.items
                                   : k == 2 ? (size_t) zs.evictions
                                   : (size_t) zs.expired);
        }
    }
}


static void
ngx_faas_status_prom_schedules(ngx_faas_status_prom_t *pr,
    ngx_array_t *schedules)
{
    ngx_uint_t                  i, k;
    ngx_faas_schedule_stats_t   st;

    static struct {
        char    *name;
        char    *help;
    }  values[] = {
        { "faas_schedule_runs_total",
          "Runs of the faas_schedule (each is also a call of the "
          "function)." },
        { "faas_schedule_failed_total",
          "Runs of the faas_schedule that failed." },
        { "faas_schedule_skipped_total",
          "Runs not started: the one before was still running." }
    };

    if (schedules->nelts == 0) {
        return;
    }

    for (k = 0; k < 3; k++) {
        ngx_faas_status_prom_family(pr, values[k].name, "counter",
                                    values[k].help);

        for (i = 0; i < schedules->nelts; i++) {

            if (!ngx_faas_status_schedule(schedules, i, &st)) {
                continue;
            }

            pr->pos = ngx_slprintf(pr->pos, pr->end,
                                   "%s{function=\"%V\"} %ui\n",
                                   values[k].name, &st.name,
                                   k == 0 ? st.runs
                                   : k == 1 ? st.failed : st.skipped);
        }
    }
}


static void
ngx_faas_status_prom_family(ngx_faas_status_prom_t *pr, char *name,
    char *type, char *help)
{
    pr->pos = ngx_slprintf(pr->pos, pr->end, "# HELP %s %s\n# TYPE %s %s\n",
                           name, help, name, type);
}


/* microseconds as seconds, without trailing zeros: 0.00025, 2.5, 10 */

static u_char *
ngx_faas_status_seconds(u_char *p, u_char *end, uint64_t us)
{
    p = ngx_slprintf(p, end, "%uL", us / 1000000);

    if (us % 1000000 == 0) {
        return p;
    }

    p = ngx_slprintf(p, end, ".%06uL", us % 1000000);

    while (p[-1] == '0') {
        p--;
    }

    return p;
}


/*
 * a label value: \, " and newline escaped as the format says; a byte that
 * is not UTF-8 (a Prometheus server rejects those) becomes U+FFFD; room is
 * left for a "#slot" suffix
 */

static ngx_int_t
ngx_faas_status_escape(ngx_pool_t *pool, ngx_str_t *dst, u_char *src,
    size_t len)
{
    u_char    *p, *s, *last;
    uint32_t   c;

    dst->data = ngx_pnalloc(pool, 3 * len + NGX_INT_T_LEN + 1);
    if (dst->data == NULL) {
        return NGX_ERROR;
    }

    p = dst->data;
    s = src;
    last = src + len;

    while (s < last) {

        if (*s < 0x80) {
            if (*s == '\\' || *s == '"') {
                *p++ = '\\';
                *p++ = *s;

            } else if (*s == '\n') {
                *p++ = '\\';
                *p++ = 'n';

            } else {
                *p++ = *s;
            }

            s++;
            continue;
        }

        src = s;
        c = ngx_utf8_decode(&s, last - s);

        if (c > 0x10ffff) {
            /* ngx_utf8_decode() has stepped over one byte at least */
            s = src + 1;
            p = ngx_cpymem(p, "\xef\xbf\xbd", 3);
            continue;
        }

        p = ngx_cpymem(p, src, s - src);
    }

    dst->len = p - dst->data;

    return NGX_OK;
}
