
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_call.h"
#include "ngx_faas_ctx.h"
#include "ngx_faas_schedule.h"
#include "ngx_faas_stats.h"


/*
 * faas_schedule INTERVAL NAME: every worker keeps a timer, and the slot
 * in shared memory (ngx_faas_stats_schedule()) decides which one runs:
 * the first to find the run due takes the slot's owner word, so one
 * worker runs it, never two at once, the workers of a reload included.
 * A run is a call as a request's is, on a request of its own made for it
 * (no client: a connection with no socket), so budgets, logs and
 * statistics are those of a request
 */
struct ngx_faas_schedule_s {
    ngx_msec_t                 interval;
    ngx_str_t                  name;
    ngx_http_conf_ctx_t       *conf_ctx;  /* of the location */
    ngx_faas_loc_conf_t       *conf;
    ngx_faas_stats_schedule_t *slot;
    ngx_msec_t                 due;       /* of the run taken, monotonic */
    ngx_event_t                event;
    ngx_log_t                  log;       /* of the run's connection */
    ngx_http_log_ctx_t         log_ctx;
    ngx_connection_t          *connection; /* of the run, until it ends */
    ngx_http_connection_t      hc;
};


static void ngx_faas_schedule_handler(ngx_event_t *ev);
static ngx_int_t ngx_faas_schedule_take(ngx_faas_schedule_t *sc,
    ngx_msec_t now);
static void ngx_faas_schedule_run(ngx_faas_schedule_t *sc);
static ngx_faas_call_t *ngx_faas_schedule_call(ngx_faas_schedule_t *sc,
    ngx_http_request_t *r);
static void ngx_faas_schedule_done(ngx_faas_call_t *call);
static void ngx_faas_schedule_finish(ngx_faas_schedule_t *sc,
    ngx_faas_call_t *call);
static u_char *ngx_faas_schedule_log_handler(ngx_log_t *log, u_char *buf,
    size_t len);
static ngx_msec_t ngx_faas_schedule_now(void);


static ngx_str_t  ngx_faas_schedule_method = ngx_string("SCHEDULE");


ngx_faas_schedule_t *
ngx_faas_schedule_add(ngx_conf_t *cf, ngx_faas_loc_conf_t *flcf,
    ngx_msec_t interval, ngx_str_t *name)
{
    ngx_faas_schedule_t  *sc;

    sc = ngx_pcalloc(cf->pool, sizeof(ngx_faas_schedule_t));
    if (sc == NULL) {
        return NULL;
    }

    sc->interval = interval;
    sc->name = *name;
    sc->conf_ctx = cf->ctx;
    sc->conf = flcf;

    return sc;
}


/*
 * once the locations are merged: the app of each schedule is known, and
 * its function must exist and compile (nginx -t says so)
 */

ngx_int_t
ngx_faas_schedule_check(ngx_conf_t *cf, ngx_array_t *schedules)
{
    ngx_uint_t             i;
    ngx_faas_schedule_t  **sc;

    sc = schedules->elts;

    for (i = 0; i < schedules->nelts; i++) {

        if (sc[i]->conf->app == NULL) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "\"faas_schedule %M %V\" needs \"faas_functions\" "
                          "in its location or an enclosing block",
                          sc[i]->interval, &sc[i]->name);
            return NGX_ERROR;
        }

        if (ngx_faas_call_check(sc[i]->conf->app, &sc[i]->name, cf->log)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


/* every worker arms a timer for every schedule; the slot picks who runs */

ngx_int_t
ngx_faas_schedule_init_process(ngx_cycle_t *cycle, ngx_array_t *schedules)
{
    uint64_t                   key;
    ngx_msec_t                 now;
    ngx_uint_t                 i;
    ngx_atomic_uint_t          next;
    ngx_faas_schedule_t      **sc;
    ngx_http_core_loc_conf_t  *clcf;

    /* the cache manager and loader run init_process too: not theirs */

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    sc = schedules->elts;
    now = ngx_faas_schedule_now();

    for (i = 0; i < schedules->nelts; i++) {

        /* one slot per app and function, whatever the interval */

        key = (uint64_t) ngx_crc32_short(sc[i]->conf->app->root.data,
                                         sc[i]->conf->app->root.len) << 32
              | ngx_crc32_short(sc[i]->name.data, sc[i]->name.len);

        sc[i]->slot = ngx_faas_stats_schedule(key ? key : 1,
                                              now + sc[i]->interval);
        if (sc[i]->slot == NULL) {
            ngx_log_error(NGX_LOG_ALERT, cycle->log, 0,
                          "faas_schedule \"%V\" not run: more than %d "
                          "schedules", &sc[i]->name,
                          NGX_FAAS_STATS_SCHEDULES);
            continue;
        }

        /* a reload that shortened the interval: due no later than that */

        next = sc[i]->slot->next;

        if ((ngx_msec_int_t) (next - (now + sc[i]->interval)) > 0) {
            (void) ngx_atomic_cmp_set(&sc[i]->slot->next, next,
                                      now + sc[i]->interval);
        }

        clcf = sc[i]->conf_ctx->loc_conf[ngx_http_core_module.ctx_index];

        sc[i]->log = *clcf->error_log;
        sc[i]->log.data = &sc[i]->log_ctx;
        sc[i]->log.handler = ngx_faas_schedule_log_handler;
        sc[i]->log.action = NULL;

        sc[i]->event.handler = ngx_faas_schedule_handler;
        sc[i]->event.data = sc[i];
        sc[i]->event.log = clcf->error_log;

        /* the timer does not keep a worker that is shutting down */

        sc[i]->event.cancelable = 1;

        ngx_add_timer(&sc[i]->event,
                      ngx_min(sc[i]->interval,
                              (ngx_msec_t) ngx_max((ngx_msec_int_t)
                                                   (sc[i]->slot->next - now),
                                                   1)));
    }

    return NGX_OK;
}


/* NGX_DECLINED when the schedule has no lease (in no worker yet) */

ngx_int_t
ngx_faas_schedule_stats(ngx_faas_schedule_t *sc,
    ngx_faas_schedule_stats_t *st)
{
    if (sc->slot == NULL) {
        return NGX_DECLINED;
    }

    st->name = sc->name;
    st->interval = sc->interval;
    st->runs = sc->slot->runs;
    st->failed = sc->slot->failed;
    st->skipped = sc->slot->skipped;
    st->lease = sc->slot;

    return NGX_OK;
}


static void
ngx_faas_schedule_handler(ngx_event_t *ev)
{
    ngx_faas_schedule_t *sc = ev->data;

    ngx_msec_t      now;
    ngx_msec_int_t  wait;

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    /* the lease is given back when the run ends: a waiting run keeps it */

    if (ngx_faas_schedule_take(sc, ngx_faas_schedule_now()) == NGX_OK) {
        ngx_faas_schedule_run(sc);
    }

    /* wake when the next run is due, as every other worker does */

    now = ngx_faas_schedule_now();
    wait = (ngx_msec_int_t) (sc->slot->next - now);

    ngx_add_timer(ev, ngx_min(sc->interval,
                              (ngx_msec_t) ngx_max(wait, 1)));
}


/*
 * NGX_OK: this worker is to run it now, the slot is its own and the next
 * run is due an interval later. A run still going at the time of the
 * next is not started again: that one is skipped, counted and logged
 * once, by the worker that moves the time on
 */

static ngx_int_t
ngx_faas_schedule_take(ngx_faas_schedule_t *sc, ngx_msec_t now)
{
    ngx_pid_t                   owner;
    ngx_atomic_uint_t           next;
    ngx_faas_stats_schedule_t  *s;

    s = sc->slot;
    next = s->next;

    if ((ngx_msec_int_t) (next - now) > 0) {
        return NGX_DECLINED;
    }

    owner = (ngx_pid_t) s->owner;

    /* a worker that died mid-run (the watchdog) leaves its pid behind */

    if (owner && kill(owner, 0) == -1 && ngx_errno == NGX_ESRCH) {
        ngx_log_error(NGX_LOG_WARN, &sc->log, 0,
                      "faas: schedule \"%V\" was left running by process "
                      "%P, which is gone", &sc->name, owner);
        (void) ngx_atomic_cmp_set(&s->owner, owner, 0);
        owner = 0;
    }

    if (owner) {
        if (ngx_atomic_cmp_set(&s->next, next, now + sc->interval)) {
            (void) ngx_atomic_fetch_add(&s->skipped, 1);
            ngx_log_error(NGX_LOG_WARN, &sc->log, 0,
                          "faas: schedule \"%V\" skipped a run, the one "
                          "before is still running in process %P",
                          &sc->name, owner);
        }

        return NGX_DECLINED;
    }

    if (!ngx_atomic_cmp_set(&s->owner, 0, ngx_pid)) {
        return NGX_DECLINED;
    }

    /* another worker may have run it between the two reads */

    if (s->next != next || (ngx_msec_int_t) (next - now) > 0) {
        s->owner = 0;
        return NGX_DECLINED;
    }

    s->next = now + sc->interval;
    sc->due = (ngx_msec_t) next;

    return NGX_OK;
}


/*
 * a connection with no socket and a request on it, kept until the call
 * ends: at once, or when what it waits for (timers) is done
 */

static void
ngx_faas_schedule_run(ngx_faas_schedule_t *sc)
{
    ngx_connection_t    *c;
    ngx_faas_call_t     *call;
    ngx_http_request_t  *r;

    ngx_memzero(&sc->log_ctx, sizeof(ngx_http_log_ctx_t));

    c = ngx_get_connection(0, &sc->log);
    if (c == NULL) {
        ngx_faas_schedule_finish(sc, NULL);
        return;
    }

    sc->connection = c;
    sc->log_ctx.connection = c;

    ngx_memzero(&sc->hc, sizeof(ngx_http_connection_t));
    sc->hc.conf_ctx = sc->conf_ctx;
    c->data = &sc->hc;

    r = ngx_http_create_request(c);
    if (r == NULL) {
        ngx_faas_schedule_finish(sc, NULL);
        return;
    }

    c->data = r;
    c->pool = r->pool;

    call = ngx_faas_schedule_call(sc, r);

    if (call && call->pending) {
        /* ngx_faas_schedule_done() ends it */
        return;
    }

    ngx_faas_schedule_finish(sc, call);
}


static ngx_faas_call_t *
ngx_faas_schedule_call(ngx_faas_schedule_t *sc, ngx_http_request_t *r)
{
    u_char           *p;
    ngx_msec_t        late;
    struct timeval    tv;
    ngx_faas_ctx_t   *ctx;
    ngx_faas_call_t  *call;

    r->method = NGX_HTTP_UNKNOWN;
    r->method_name = ngx_faas_schedule_method;

    /* ctx.path and ctx.url: "/" and the name, as a request would have */

    p = ngx_pnalloc(r->pool, sc->name.len + 1);
    call = ngx_pcalloc(r->pool, sizeof(ngx_faas_call_t));

    if (p == NULL || call == NULL
        || ngx_array_init(&call->headers, r->pool, 1,
                          sizeof(ngx_faas_header_t))
           != NGX_OK)
    {
        return NULL;
    }

    *p = '/';
    ngx_memcpy(p + 1, sc->name.data, sc->name.len);
    r->uri.data = p;
    r->uri.len = sc->name.len + 1;
    r->unparsed_uri = r->uri;
    r->valid_unparsed_uri = 1;

    call->request = r;
    call->conf = sc->conf;
    call->name = sc->name;
    call->schedule = sc->interval;

    /* the time it was due, on the clock of Date: ctx.schedule.time */

    ngx_gettimeofday(&tv);
    late = ngx_faas_schedule_now() - sc->due;
    call->scheduled_time = (uint64_t) tv.tv_sec * 1000 + tv.tv_usec / 1000
                           - late;

    if (sc->conf->debug) {
        call->logs = ngx_array_create(r->pool, 4, sizeof(ngx_str_t));
        if (call->logs == NULL) {
            return NULL;
        }
    }

    ctx = ngx_faas_ctx_get(r);
    if (ctx == NULL) {
        return NULL;
    }

    ctx->call = call;

    /* timers, not fetch: there is no client request to fetch from */

    call->done = ngx_faas_schedule_done;

    ngx_faas_call_run(call);

    return call;
}


static void
ngx_faas_schedule_done(ngx_faas_call_t *call)
{
    ngx_faas_schedule_t  *sc;

    sc = (ngx_faas_schedule_t *) ((u_char *) call->request->connection->log
                                  - offsetof(ngx_faas_schedule_t, log));

    ngx_faas_schedule_finish(sc, call);
}


/* the run's log line and counters; its request goes, the lease too */

static void
ngx_faas_schedule_finish(ngx_faas_schedule_t *sc, ngx_faas_call_t *call)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    if (call) {
        ngx_faas_call_log(call);

        (void) ngx_atomic_fetch_add(&sc->slot->runs, 1);

        if (call->error != NGX_FAAS_OK) {
            (void) ngx_atomic_fetch_add(&sc->slot->failed, 1);

        } else {
            ngx_log_error(NGX_LOG_INFO, call->request->connection->log, 0,
                          "faas: scheduled run of \"%V\" done in %uLus",
                          &sc->name, call->run_time);
        }
    }

    c = sc->connection;

    if (c) {
        r = c->data;

        if (r != (void *) &sc->hc) {
            /* no access log line: there is no client */
            r->logged = 1;
            ngx_http_free_request(r, 0);
        }

        ngx_free_connection(c);

        c->fd = (ngx_socket_t) -1;
        c->pool = NULL;
        c->destroyed = 1;
        sc->connection = NULL;
    }

    ngx_memory_barrier();
    sc->slot->owner = 0;
}


/* every line of a run names the schedule and the run's request id */

static u_char *
ngx_faas_schedule_log_handler(ngx_log_t *log, u_char *buf, size_t len)
{
    u_char               *p;
    ngx_faas_ctx_t       *ctx;
    ngx_http_log_ctx_t   *lctx;
    ngx_faas_schedule_t  *sc;

    sc = (ngx_faas_schedule_t *) ((u_char *) log
                                  - offsetof(ngx_faas_schedule_t, log));
    lctx = log->data;

    p = ngx_snprintf(buf, len, ", faas_schedule: \"%V\"", &sc->name);

    if (lctx->request) {
        ctx = ngx_faas_ctx_find(lctx->request);

        if (ctx) {
            p = ngx_snprintf(p, len - (p - buf), ", request_id: \"%V\"",
                             ngx_faas_ctx_request_id(ctx));
        }
    }

    return p;
}


/* shared by the processes: the monotonic clock of the machine */

static ngx_msec_t
ngx_faas_schedule_now(void)
{
    return (ngx_msec_t) (ngx_faas_now_us() / 1000);
}
