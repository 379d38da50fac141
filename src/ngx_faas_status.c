
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_output.h"
#include "ngx_faas_render.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_status.h"


typedef struct {
    ngx_uint_t                 workers;
    ngx_uint_t                 render;
    ngx_uint_t                 busy;
    ngx_uint_t                 waiting;
    double                     utilisation;
} ngx_faas_status_pool_t;


static ngx_int_t ngx_faas_status_handler(ngx_http_request_t *r);
static void ngx_faas_status_pool(ngx_faas_stats_t *st,
    ngx_faas_status_pool_t *pool);
static json_t *ngx_faas_status_json(ngx_faas_stats_t *st);
static json_t *ngx_faas_status_json_functions(ngx_faas_stats_t *st);
static json_t *ngx_faas_status_json_workers(ngx_faas_stats_t *st,
    ngx_uint_t workers);
static ngx_int_t ngx_faas_status_prometheus(ngx_http_request_t *r,
    ngx_faas_stats_t *st, ngx_str_t *out);


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
    json_t            *json;
    ngx_int_t          rc;
    ngx_str_t          format, type, out;
    ngx_faas_stats_t  *st;

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

    return json_pack("{s:o, s:{s:I, s:I, s:I, s:f}, s:o}",
                     "functions", ngx_faas_status_json_functions(st),
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

        ngx_faas_stats_percentiles(f, &p50, &p99);

        one = json_pack("{s:I, s:I, s:I, s:I, s:{s:f, s:f, s:f}}",
                        "requests", (json_int_t) f->requests,
                        "errors", (json_int_t) f->errors,
                        "timeouts", (json_int_t) f->timeouts,
                        "heap_resets", (json_int_t) f->resets,
                        "run_time_ms",
                            "average", f->requests
                                       ? (double) f->run_time / f->requests
                                         / 1000
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


static json_t *
ngx_faas_status_json_workers(ngx_faas_stats_t *st, ngx_uint_t workers)
{
    json_t                   *all, *one;
    ngx_uint_t                i;
    ngx_faas_stats_worker_t  *w;

    all = json_array();
    if (all == NULL) {
        return NULL;
    }

    for (i = 0; i < workers && i < NGX_FAAS_STATS_WORKERS; i++) {
        w = &st->worker[i];

        one = json_pack("{s:I, s:I, s:b, s:b, s:I, s:I, s:I}",
                        "worker", (json_int_t) i,
                        "pid", (json_int_t) w->pid,
                        "render", (int) w->render,
                        "busy", (int) w->busy,
                        "requests", (json_int_t) w->requests,
                        "heap_bytes", (json_int_t) w->heap_bytes,
                        "modules", (json_int_t) w->modules);

        if (one == NULL || json_array_append_new(all, one) != 0) {
            json_decref(all);
            return NULL;
        }
    }

    return all;
}


#define ngx_faas_status_line(p, end, ...)                                     \
    p = ngx_slprintf(p, end, __VA_ARGS__)


static ngx_int_t
ngx_faas_status_prometheus(ngx_http_request_t *r, ngx_faas_stats_t *st,
    ngx_str_t *out)
{
    u_char                     *p, *end;
    double                      p50, p99;
    size_t                      size;
    ngx_uint_t                  i;
    ngx_faas_stats_worker_t    *w;
    ngx_faas_status_pool_t      pool;
    ngx_faas_stats_function_t  *f;

    ngx_faas_status_pool(st, &pool);

    size = 4096 + NGX_FAAS_STATS_FUNCTIONS * (6 * NGX_FAAS_STATS_NAME + 512)
           + NGX_FAAS_STATS_WORKERS * 256;

    p = ngx_pnalloc(r->pool, size);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;
    end = p + size;

    ngx_faas_status_line(p, end,
        "# TYPE faas_function_requests_total counter\n"
        "# TYPE faas_function_errors_total counter\n"
        "# TYPE faas_function_timeouts_total counter\n"
        "# TYPE faas_function_heap_resets_total counter\n"
        "# TYPE faas_function_run_time_seconds summary\n");

    for (i = 0; i < NGX_FAAS_STATS_FUNCTIONS; i++) {
        f = &st->functions[i];

        if (!f->used) {
            continue;
        }

        ngx_faas_stats_percentiles(f, &p50, &p99);

        ngx_faas_status_line(p, end,
            "faas_function_requests_total{function=\"%*s\"} %uA\n"
            "faas_function_errors_total{function=\"%*s\"} %uA\n"
            "faas_function_timeouts_total{function=\"%*s\"} %uA\n"
            "faas_function_heap_resets_total{function=\"%*s\"} %uA\n"
            "faas_function_run_time_seconds{function=\"%*s\",quantile=\"0.5\"}"
            " %.6f\n"
            "faas_function_run_time_seconds{function=\"%*s\",quantile=\"0.99\"}"
            " %.6f\n"
            "faas_function_run_time_seconds_sum{function=\"%*s\"} %.6f\n"
            "faas_function_run_time_seconds_count{function=\"%*s\"} %uA\n",
            f->len, f->name, f->requests, f->len, f->name, f->errors,
            f->len, f->name, f->timeouts, f->len, f->name, f->resets,
            f->len, f->name, p50 / 1000, f->len, f->name, p99 / 1000,
            f->len, f->name, (double) f->run_time / 1000000,
            f->len, f->name, f->requests);
    }

    ngx_faas_status_line(p, end,
        "# TYPE faas_render_workers gauge\nfaas_render_workers %ui\n"
        "# TYPE faas_render_busy gauge\nfaas_render_busy %ui\n"
        "# TYPE faas_render_waiting gauge\nfaas_render_waiting %ui\n"
        "# TYPE faas_render_utilisation gauge\nfaas_render_utilisation %.4f\n"
        "# TYPE faas_worker_requests_total counter\n"
        "# TYPE faas_worker_heap_bytes gauge\n"
        "# TYPE faas_worker_modules gauge\n",
        pool.render, pool.busy, pool.waiting, pool.utilisation);

    for (i = 0; i < pool.workers && i < NGX_FAAS_STATS_WORKERS; i++) {
        w = &st->worker[i];

        ngx_faas_status_line(p, end,
            "faas_worker_requests_total{worker=\"%ui\"} %uA\n"
            "faas_worker_heap_bytes{worker=\"%ui\"} %uA\n"
            "faas_worker_modules{worker=\"%ui\"} %uA\n",
            i, w->requests, i, w->heap_bytes, i, w->modules);
    }

    out->len = p - out->data;

    return NGX_OK;
}
