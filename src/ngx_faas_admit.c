
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_admit.h"
#include "ngx_faas_ctx.h"
#include "ngx_faas_output.h"
#include "ngx_faas_render.h"
#include "ngx_faas_request.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_ticket.h"


/*
 * Fast-fail in front of the render pool (Yelp's rule): with avg the moving
 * average run time of what this location guards,
 *
 *     min(avg, budget) * (waiting / workers + 1) > budget
 *
 * predicts the request would not finish in its budget: it is refused at
 * once with 503 and Retry-After instead of timing out later. With nobody
 * waiting the prediction is at most the budget, so a quiet pool always
 * admits, and admitting again refreshes the average.
 */


static void ngx_faas_admit_body(ngx_http_request_t *r);
static ngx_int_t ngx_faas_admit_ticket(ngx_http_request_t *r,
    ngx_faas_ctx_t *ctx);
static ngx_int_t ngx_faas_admit_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value);
static void ngx_faas_admit_release(void *data);


char *
ngx_faas_set_admit(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_faas_loc_conf_t *flcf = conf;

    ngx_int_t                  ms;
    ngx_str_t                 *value, s, *name;
    ngx_uint_t                 i;
    ngx_faas_main_conf_t      *fmcf;
    ngx_http_core_loc_conf_t  *clcf;

    if (flcf->admit) {
        return "is duplicate";
    }

    value = cf->args->elts;
    flcf->admit_budget = NGX_FAAS_DEFAULT_TIMEOUT;

    for (i = 1; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "budget=", 7) == 0) {
            s.data = value[i].data + 7;
            s.len = value[i].len - 7;

            ms = ngx_parse_time(&s, 0);

            if (ms == NGX_ERROR || ms == 0) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "invalid budget \"%V\" in \"%V\" "
                                   "directive, it must be a time greater "
                                   "than zero", &s, &cmd->name);
                return NGX_CONF_ERROR;
            }

            flcf->admit_budget = (ngx_msec_t) ms;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\" in \"%V\" directive",
                           &value[i], &cmd->name);
        return NGX_CONF_ERROR;
    }

    fmcf = ngx_http_conf_get_module_main_conf(cf, ngx_faas_module);

    /* each location has a slot of its own in the shared zone, named by
     * the location in faas_status */

    if (fmcf->admits == NGX_FAAS_STATS_ADMITS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "too many \"%V\" locations, at most %d",
                           &cmd->name, NGX_FAAS_STATS_ADMITS);
        return NGX_CONF_ERROR;
    }

    if (fmcf->admit_names == NULL) {
        fmcf->admit_names = ngx_array_create(cf->pool, 4, sizeof(ngx_str_t));
        if (fmcf->admit_names == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    name = ngx_array_push(fmcf->admit_names);
    if (name == NULL) {
        return NGX_CONF_ERROR;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    *name = clcf->name;

    fmcf->used = 1;
    flcf->admit = 1;
    flcf->admit_slot = fmcf->admits++;

    return NGX_CONF_OK;
}


/*
 * PREACCESS phase of a faas_admit location: the whole body first (a client
 * that sends it slowly holds no render worker and must not count as
 * waiting for one), then the prediction and the ticket; proxy_pass finds
 * the body read
 */

ngx_int_t
ngx_faas_admit_handler(ngx_http_request_t *r)
{
    double                   predicted;
    uint64_t                 budget, average;
    ngx_int_t                rc;
    ngx_str_t                value;
    ngx_uint_t               workers;
    ngx_faas_ctx_t          *ctx;
    ngx_faas_stats_t        *st;
    ngx_faas_loc_conf_t     *flcf;
    ngx_faas_stats_admit_t  *slot;

    static ngx_str_t  retry_after = ngx_string("Retry-After");

    flcf = ngx_http_get_module_loc_conf(r, ngx_faas_module);

    /*
     * a subrequest too: each job of a faas_batch is admitted on its own
     * (its body is the job, in memory; its ticket header goes into its
     * own list of headers, and is released with the main request)
     */

    if (flcf->admit != 1) {
        return NGX_DECLINED;
    }

    ctx = ngx_faas_ctx_get(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    st = ngx_faas_stats_get();

    if (ctx->admitted || st == NULL) {
        return NGX_DECLINED;
    }

    if (!ctx->body) {

        if (ctx->reading) {
            return NGX_DONE;
        }

        ctx->reading = 1;

        rc = ngx_http_read_client_request_body(r, ngx_faas_admit_body);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        /* the reading holds a reference of its own until it is done */

        ngx_http_finalize_request(r, NGX_DONE);
        return NGX_DONE;
    }

    workers = ngx_faas_render_workers((ngx_cycle_t *) ngx_cycle);

    if (workers == 0) {
        /* one worker process serves the render servers too: no queue */
        return NGX_DECLINED;
    }

    slot = &st->admit[flcf->admit_slot];

    budget = (uint64_t) flcf->admit_budget * 1000;
    average = ngx_min(slot->average, budget);
    predicted = (double) average
                * ((double) (ngx_atomic_int_t) st->waiting / workers + 1);

    if (predicted > (double) budget) {
        (void) ngx_atomic_fetch_add(&slot->refused, 1);
        ctx->refused = 1;

        value.data = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
        if (value.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        value.len = ngx_sprintf(value.data, "%uL",
                                (uint64_t) (predicted / 1000000) + 1)
                    - value.data;

        if (ngx_faas_output_add_header(r, &retry_after, &value)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "faas: refused, predicted wait %uLms over the "
                      "budget of %Mms (%uA waiting for %ui render workers)",
                      (uint64_t) (predicted / 1000), flcf->admit_budget,
                      st->waiting, workers);

        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    ctx->admit_slot = flcf->admit_slot;

    rc = ngx_faas_admit_ticket(r, ctx);

    if (rc == NGX_BUSY) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "faas: refused, no free ticket slot");
        (void) ngx_atomic_fetch_add(&slot->refused, 1);
        ctx->refused = 1;
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    (void) ngx_atomic_fetch_add(&slot->admitted, 1);

    return NGX_DECLINED;
}


/* the body is in: this phase again, which now predicts and admits */

static void
ngx_faas_admit_body(ngx_http_request_t *r)
{
    ngx_faas_ctx_t  *ctx;

    ctx = ngx_faas_ctx_find(r);

    if (ctx == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ctx->body = 1;

    r->write_event_handler = ngx_http_core_run_phases;
    ngx_http_core_run_phases(r);
}


/*
 * the ticket goes to the render worker as a request header (proxy_pass
 * forwards the client's headers, where a forged one may be too: the render
 * worker takes the first with a valid check), and is released when this
 * request ends
 */

static ngx_int_t
ngx_faas_admit_ticket(ngx_http_request_t *r, ngx_faas_ctx_t *ctx)
{
    uint64_t             check;
    ngx_int_t            rc;
    ngx_str_t            value;
    ngx_pool_cleanup_t  *cln;

    static ngx_str_t  ticket = ngx_string(NGX_FAAS_TICKET_HEADER);
    static ngx_str_t  request_id = ngx_string(NGX_FAAS_REQUEST_ID_HEADER);

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    value.data = ngx_pnalloc(r->pool, 2 * NGX_INT64_LEN + 1);
    if (value.data == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_faas_ticket_take(&ctx->ticket, &check);

    if (rc != NGX_OK) {
        return rc;
    }

    /* released when the request ends */

    cln->handler = ngx_faas_admit_release;
    cln->data = ctx;
    ctx->admitted = 1;

    value.len = ngx_sprintf(value.data, "%xL-%xL", ctx->ticket, check)
                - value.data;

    if (ngx_faas_admit_header(r, &ticket, &value) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the render worker logs with the id of the front, unless it has it */

    if (ngx_faas_request_id_of(r, &value) == NGX_OK) {
        return NGX_OK;
    }

    return ngx_faas_admit_header(r, &request_id,
                                 ngx_faas_ctx_request_id(ctx));
}


/* a header of the request, so proxy_pass passes it on */

static ngx_int_t
ngx_faas_admit_header(ngx_http_request_t *r, ngx_str_t *key,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_in.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->lowcase_key = ngx_pnalloc(r->pool, key->len);
    if (h->lowcase_key == NULL) {
        return NGX_ERROR;
    }

    h->key = *key;
    h->value = *value;
    ngx_strlow(h->lowcase_key, h->key.data, h->key.len);
    h->hash = ngx_hash_key(h->lowcase_key, h->key.len);
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return NGX_OK;
}


/*
 * the run time the render worker measured feeds the moving average, also
 * of a call the watchdog killed (its handler wrote the run time down)
 */

static void
ngx_faas_admit_release(void *data)
{
    ngx_faas_ctx_t *ctx = data;

    uint64_t                 run_time;
    ngx_atomic_uint_t        old, avg;
    ngx_faas_stats_t        *st;
    ngx_faas_stats_admit_t  *slot;

    st = ngx_faas_stats_get();

    if (ngx_faas_ticket_release(ctx->ticket, &run_time) != NGX_OK) {
        return;
    }

    slot = &st->admit[ctx->admit_slot];

    /*
     * an exponentially weighted average, 1/8 weight to the newest run;
     * front workers release at once, so a compare-and-swap, or one
     * worker's update overwrites another's
     */

    do {
        old = slot->average;
        avg = old ? old - old / 8 + run_time / 8 : run_time;

    } while (!ngx_atomic_cmp_set(&slot->average, old, avg));
}
