
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_builtins.h"
#include "ngx_faas_call.h"
#include "ngx_faas_collections.h"
#include "ngx_faas_console.h"
#include "ngx_faas_hooks.h"
#include "ngx_faas_fetch.h"
#include "ngx_faas_promise.h"
#include "ngx_faas_request.h"
#include "ngx_faas_require.h"
#include "ngx_faas_response.h"
#include "ngx_faas_shared.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_string.h"
#include "ngx_faas_timers.h"
#include "ngx_faas_trace.h"
#include "ngx_faas_url.h"
#include "ngx_faas_vm.h"
#include "ngx_faas_watchdog.h"
#include "ngx_faas_web.h"


static ngx_faas_vm_t *ngx_faas_call_heap(ngx_faas_app_t *app);
static void ngx_faas_call_init_heap(duk_context *duk, ngx_faas_app_t *app);
static ngx_int_t ngx_faas_call_hooks(ngx_faas_call_t *call,
    ngx_faas_vm_t *vm);
static duk_ret_t ngx_faas_call_internal(duk_context *duk, void *data);
static ngx_int_t ngx_faas_call_push_handler(duk_context *duk,
    ngx_faas_vm_t *vm, ngx_str_t *name);
static void ngx_faas_call_settle(duk_context *duk, ngx_faas_call_t *call);
static void ngx_faas_call_drain(duk_context *duk, ngx_faas_vm_t *vm);
static void ngx_faas_call_wait(duk_context *duk, ngx_faas_call_t *call);
static duk_ret_t ngx_faas_call_reaction(duk_context *duk);
static void ngx_faas_call_resume(ngx_faas_call_t *call,
    ngx_faas_vm_run_pt run, void *data);
static duk_ret_t ngx_faas_call_resume_internal(duk_context *duk, void *data);
static ngx_int_t ngx_faas_call_answer_settled(ngx_faas_vm_t *vm);
static void ngx_faas_call_result(ngx_faas_call_t *call);
static duk_ret_t ngx_faas_call_result_internal(duk_context *duk, void *data);
static ngx_int_t ngx_faas_call_finish(ngx_faas_call_t *call);
static ngx_int_t ngx_faas_call_end(ngx_faas_call_t *call, ngx_uint_t stats);
static duk_ret_t ngx_faas_call_forget_internal(duk_context *duk,
    void *data);
static void ngx_faas_call_cancel_waits(ngx_faas_call_t *call,
    duk_context *duk);
static void ngx_faas_call_reset(ngx_faas_vm_t *vm, ngx_faas_app_t *app);
static void ngx_faas_call_deadline_handler(ngx_event_t *ev);
static void ngx_faas_call_abort(void *data);
static ngx_msec_t ngx_faas_call_budget(ngx_faas_call_t *call);
static void ngx_faas_call_failed(ngx_faas_call_t *call);
static const char *ngx_faas_call_trace(duk_context *duk, ngx_uint_t flat);
static duk_ret_t ngx_faas_call_trace_internal(duk_context *duk, void *data);
static duk_ret_t ngx_faas_call_preload_internal(duk_context *duk, void *data);
static duk_ret_t ngx_faas_call_check_internal(duk_context *duk, void *data);
static void ngx_faas_call_flatten(ngx_pool_t *pool, ngx_str_t *s);


/*
 * how a call can end, in ngx_faas_error_e order: the status and the
 * "error" text of the answer, the name in $faas_status, and the line in
 * the error log, whose format takes the function name and a detail (see
 * ngx_faas_call_log())
 */
static ngx_faas_error_t  ngx_faas_call_errors[] = {

    { NGX_HTTP_OK, ngx_string("ok"), ngx_null_string, 0, NULL },

    { NGX_HTTP_NOT_FOUND, ngx_string("not_found"),
      ngx_string("function not found"),
      NGX_LOG_ERR, "faas: function \"%V\" not found in \"%V\"" },

    { NGX_HTTP_BAD_REQUEST, ngx_string("bad_body"),
      ngx_string("invalid request body"),
      NGX_LOG_INFO, "faas: function \"%V\" not called, invalid request "
                    "body: %V" },

    { NGX_HTTP_INTERNAL_SERVER_ERROR, ngx_string("load_error"),
      ngx_string("function failed"),
      NGX_LOG_ERR, "faas: function \"%V\" cannot be loaded: %V" },

    { NGX_HTTP_INTERNAL_SERVER_ERROR, ngx_string("exception"),
      ngx_string("function failed"),
      NGX_LOG_ERR, "faas: function \"%V\" failed: %V" },

    { NGX_HTTP_INTERNAL_SERVER_ERROR, ngx_string("bad_result"),
      ngx_string("function failed"),
      NGX_LOG_ERR, "faas: function \"%V\" returned an invalid answer: %V" },

    { NGX_HTTP_INTERNAL_SERVER_ERROR, ngx_string("memory"),
      ngx_string("function exceeded its memory limit"),
      NGX_LOG_ERR, "faas: function \"%V\" exceeded faas_memory %V" },

    { NGX_HTTP_GATEWAY_TIME_OUT, ngx_string("timeout"),
      ngx_string("function timed out"),
      NGX_LOG_ERR, "faas: function \"%V\" timed out after %V" },

    { NGX_HTTP_INTERNAL_SERVER_ERROR, ngx_string("internal"),
      ngx_string("function failed"),
      NGX_LOG_ERR, "faas: function \"%V\" failed: %V" },

    { NGX_HTTP_GATEWAY_TIME_OUT, ngx_string("killed"),
      ngx_string("function killed by the watchdog, not run again"),
      NGX_LOG_ERR, "faas: function \"%V\" not run: %V" },

    { NGX_HTTP_REQUEST_ENTITY_TOO_LARGE, ngx_string("too_large"),
      ngx_string("request body too large for the function's memory limit"),
      NGX_LOG_INFO, "faas: function \"%V\" not called, request body %V" },

    { NGX_HTTP_SERVICE_UNAVAILABLE, ngx_string("deferred"),
      ngx_string("function ran into its limits lately, not run on the "
                 "last free render worker"),
      NGX_LOG_WARN, "faas: function \"%V\" not run: %V" },

    { NGX_HTTP_GATEWAY_TIME_OUT, ngx_string("deadline"),
      ngx_string("function missed its deadline"),
      NGX_LOG_ERR, "faas: function \"%V\" still waiting after %V" },

    { NGX_HTTP_SERVICE_UNAVAILABLE, ngx_string("heap_reset"),
      ngx_string("function interrupted, its heap was reset"),
      NGX_LOG_ERR, "faas: function \"%V\" interrupted while it waited: %V" }
};


/* what an exception means, by the stage of the call it was thrown in */
static ngx_faas_error_e  ngx_faas_call_stage_errors[] = {
    NGX_FAAS_LOAD_ERROR,        /* NGX_FAAS_STAGE_LOAD */
    NGX_FAAS_INTERNAL,          /* NGX_FAAS_STAGE_CTX */
    NGX_FAAS_BAD_BODY,          /* NGX_FAAS_STAGE_BODY */
    NGX_FAAS_EXCEPTION,         /* NGX_FAAS_STAGE_RUN */
    NGX_FAAS_BAD_RESULT         /* NGX_FAAS_STAGE_RESULT */
};


/*
 * A call runs its function in the heap of its app. Its answer is the
 * value returned or, for a promise, the value it settles to once every
 * pending job has run. A promise still pending then, in a heap where
 * something is awaited (a timer, a fetch), makes the call wait: it is
 * kept on the heap's queue of waiting calls and its promise, ctx and,
 * later, its value in the stash by reference (NGX_FAAS_STASH_CALLS).
 * The request waits too (the handler returns NGX_DONE), and the worker
 * goes on serving.
 *
 * An awaited event (timers.c) calls ngx_faas_call_resume() through the
 * heap's hook: the callback runs for the call that made it, under that
 * call's budgets (faas_timeout counts the JavaScript run time of all its
 * slices; faas_memory; the watchdog), the jobs run, and every call whose
 * promise settled is answered through its done hook.
 *
 * A waiting call ends on its answer, on faas_deadline (504, what it
 * awaits cancelled), when its client goes (the request pool's cleanup)
 * or when its heap is reset by another call's timeout or memory (503).
 * Whatever way it ends, its timers and fetches are cancelled and its
 * state leaves the heap.
 */

void
ngx_faas_call_run(ngx_faas_call_t *call)
{
    duk_int_t            rc;
    ngx_uint_t           fresh;
    duk_context         *duk;
    ngx_faas_vm_t       *vm;
    ngx_faas_app_t      *app;
    ngx_pool_cleanup_t  *cln;

    app = call->conf->app;

    ngx_queue_init(&call->waits);
    call->sync = 1;

    /* faas_debug: a fresh heap per call, so the code is read anew */

    fresh = call->conf->debug || app->vm == NULL;

    if (call->conf->debug) {
        vm = ngx_faas_vm_create(app, ngx_faas_call_init_heap);

    } else {
        vm = ngx_faas_call_heap(app);
    }

    if (vm == NULL) {
        call->error = NGX_FAAS_INTERNAL;
        ngx_str_set(&call->message, "cannot create a heap");
        return;
    }

    if (fresh && ngx_faas_call_hooks(call, vm) != NGX_OK) {
        return;
    }

    call->vm = vm;
    duk = ngx_faas_vm_duk(vm);

    /* a waiting call needs this before it waits: nothing fails later */

    cln = ngx_pool_cleanup_add(call->request->pool, 0);
    if (cln == NULL) {
        call->error = NGX_FAAS_INTERNAL;
        ngx_str_set(&call->message, "out of memory");
        call->vm = NULL;

        if (call->conf->debug) {
            ngx_faas_vm_free(vm);
        }

        return;
    }

    cln->handler = ngx_faas_call_abort;
    cln->data = call;

    ngx_faas_vm_start(vm, call, call->conf->timeout);
    ngx_faas_watchdog_arm(call->conf->timeout + call->conf->timeout / 2,
                          &call->name);

    rc = duk_safe_call(duk, ngx_faas_call_internal, call, 0, 1);

    ngx_faas_watchdog_arm(0, NULL);
    ngx_faas_stats_running(NULL, 0);

    if (rc != DUK_EXEC_SUCCESS) {
        ngx_faas_call_failed(call);
    }

    duk_pop(duk);

    call->run_time = ngx_faas_vm_stop(vm);
    ngx_faas_vm_data(vm)->ctx = NULL;

    /*
     * nginx's cached time stood still while the function ran: without
     * this, $request_time and the timers set next would not count the call
     */

    ngx_time_update();

    if (!call->pending) {

        /*
         * its jobs may have settled calls that wait (a promise they
         * share): those are answered now, not at the heap's next event
         */

        if (ngx_faas_call_end(call, 1) == NGX_OK && !call->conf->debug) {
            (void) ngx_faas_call_answer_settled(vm);
        }

        return;
    }

    /*
     * it waits; the jobs may have settled other calls' promises, which are
     * answered now (a heap reset there answers this one too, at once)
     */

    if (ngx_faas_call_answer_settled(vm) != NGX_OK || !call->pending) {
        return;
    }

    call->sync = 0;

    call->deadline.handler = ngx_faas_call_deadline_handler;
    call->deadline.data = call;
    call->deadline.log = call->request->connection->log;

    ngx_add_timer(&call->deadline, call->conf->deadline);
}


/* the request goes (client closed, server shutting down): so does its call */

static void
ngx_faas_call_abort(void *data)
{
    ngx_faas_call_t  *call = data;

    if (call->vm == NULL) {
        return;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, call->request->connection->log, 0,
                   "faas: waiting call of \"%V\" dropped", &call->name);

    call->done = NULL;
    (void) ngx_faas_call_end(call, 0);
}


static void
ngx_faas_call_deadline_handler(ngx_event_t *ev)
{
    ngx_faas_call_t  *call = ev->data;

    call->error = NGX_FAAS_DEADLINE;
    ngx_str_set(&call->message, "faas_deadline");

    (void) ngx_faas_call_finish(call);
}


/* what is left of faas_timeout for the next slice of a call */

static ngx_msec_t
ngx_faas_call_budget(ngx_faas_call_t *call)
{
    uint64_t  used;

    used = call->run_time / 1000;

    if (used + 1 >= call->conf->timeout) {
        return 1;
    }

    return call->conf->timeout - (ngx_msec_t) used;
}


typedef struct {
    ngx_faas_call_t           *call;
    ngx_faas_vm_run_pt         run;
    void                      *data;
} ngx_faas_call_resume_t;


/* an event a waiting call awaited: the heap's resume hook */

static void
ngx_faas_call_resume(ngx_faas_call_t *call, ngx_faas_vm_run_pt run,
    void *data)
{
    uint64_t                 start;
    duk_int_t                rc;
    duk_context             *duk;
    ngx_faas_vm_t           *vm;
    ngx_faas_call_resume_t   rs;

    vm = call->vm;
    duk = ngx_faas_vm_duk(vm);

    rs.call = call;
    rs.run = run;
    rs.data = data;

    call->stage = NGX_FAAS_STAGE_RUN;

    start = ngx_faas_now_us();
    ngx_faas_vm_start(vm, call, ngx_faas_call_budget(call));
    ngx_faas_vm_data(vm)->ctx = call->ctx;
    ngx_faas_watchdog_arm(call->conf->timeout + call->conf->timeout / 2,
                          &call->name);
    ngx_faas_stats_running(&call->name, start
                           + (uint64_t) ngx_faas_call_budget(call) * 1000);

    rc = duk_safe_call(duk, ngx_faas_call_resume_internal, &rs, 0, 1);

    ngx_faas_watchdog_arm(0, NULL);
    ngx_faas_stats_running(NULL, 0);

    if (rc != DUK_EXEC_SUCCESS) {
        ngx_faas_call_failed(call);
    }

    duk_pop(duk);

    call->run_time += ngx_faas_vm_stop(vm);
    ngx_faas_vm_data(vm)->ctx = NULL;

    ngx_time_update();

    if (call->error == NGX_FAAS_OK
        && call->run_time > (uint64_t) call->conf->timeout * 1000)
    {
        /*
         * the budget is checked every so many instructions: a slice can
         * end over it unchecked. The call is over its faas_timeout all
         * the same; its heap ran to a clean end and is kept
         */

        call->error = NGX_FAAS_TIMEOUT;
        call->overrun = 1;
    }

    if (call->error != NGX_FAAS_OK) {
        /* what it threw, or a limit: the call ends here */

        if (ngx_faas_call_finish(call) != NGX_OK) {
            return;
        }
    }

    (void) ngx_faas_call_answer_settled(vm);
}


static duk_ret_t
ngx_faas_call_resume_internal(duk_context *duk, void *data)
{
    ngx_faas_call_resume_t  *rs = data;

    rs->run(duk, rs->data);
    ngx_faas_call_drain(duk, rs->call->vm);

    return 0;
}


/*
 * answers the calls whose promise settled; NGX_ABORT if the heap was
 * reset on the way (then every call of it is answered)
 */

static ngx_int_t
ngx_faas_call_answer_settled(ngx_faas_vm_t *vm)
{
    ngx_queue_t         *q;
    ngx_faas_call_t     *call;
    ngx_faas_vm_data_t  *heap;

    heap = ngx_faas_vm_data(vm);

    while (!ngx_queue_empty(&heap->settled)) {
        q = ngx_queue_head(&heap->settled);
        call = ngx_queue_data(q, ngx_faas_call_t, queue);

        ngx_faas_call_result(call);

        if (ngx_faas_call_finish(call) != NGX_OK) {
            return NGX_ABORT;
        }
    }

    /* nothing awaited any more: what still waits cannot ever settle */

    while (heap->waits == 0 && !ngx_queue_empty(&heap->pending)) {
        q = ngx_queue_head(&heap->pending);
        call = ngx_queue_data(q, ngx_faas_call_t, queue);

        call->error = NGX_FAAS_EXCEPTION;
        ngx_str_set(&call->message,
                    "Error: the promise of the function never settled");
        call->stack = call->message;

        if (ngx_faas_call_finish(call) != NGX_OK) {
            return NGX_ABORT;
        }
    }

    return NGX_OK;
}


/* the answer of a call whose promise settled: its value, or what threw */

static void
ngx_faas_call_result(ngx_faas_call_t *call)
{
    duk_context    *duk;
    ngx_faas_vm_t  *vm;

    vm = call->vm;
    duk = ngx_faas_vm_duk(vm);

    ngx_faas_vm_start(vm, call, ngx_faas_call_budget(call));
    ngx_faas_vm_data(vm)->ctx = call->ctx;

    if (duk_safe_call(duk, ngx_faas_call_result_internal, call, 0, 1)
        != DUK_EXEC_SUCCESS)
    {
        ngx_faas_call_failed(call);
    }

    duk_pop(duk);

    call->run_time += ngx_faas_vm_stop(vm);
    ngx_faas_vm_data(vm)->ctx = NULL;
}


static duk_ret_t
ngx_faas_call_result_internal(duk_context *duk, void *data)
{
    ngx_faas_call_t  *call = data;

    ngx_faas_vm_push_ref(duk, NGX_FAAS_STASH_CALLS, call->ref);
    duk_get_prop_index(duk, -1, 2);

    /* stack: [ entry value ] */

    call->stage = NGX_FAAS_STAGE_RUN;

    if (call->rejected) {
        (void) duk_throw(duk);
    }

    call->stage = NGX_FAAS_STAGE_RESULT;
    ngx_faas_response_set(duk, call);

    return 0;
}


/*
 * a waiting call ends: answered through its hook (unless its handler
 * answers it: the heap was reset during its first run); NGX_ABORT if
 * its heap was reset
 */

static ngx_int_t
ngx_faas_call_finish(ngx_faas_call_t *call)
{
    ngx_int_t  rc;

    rc = ngx_faas_call_end(call, 1);

    if (!call->sync && call->done) {
        call->done(call);
    }

    return rc;
}


/*
 * every call that ran in a heap ends here: what it awaits is cancelled,
 * its state leaves the heap, its statistics are counted, and a heap a
 * limit stopped mid-way (it may hold broken state) is thrown away, with
 * the other calls waiting in it; NGX_ABORT then
 */

static ngx_int_t
ngx_faas_call_end(ngx_faas_call_t *call, ngx_uint_t stats)
{
    size_t           bytes;
    ngx_uint_t       reset, modules;
    ngx_faas_vm_t   *vm;
    ngx_faas_app_t  *app;

    vm = call->vm;
    app = call->conf->app;

    if (vm == NULL) {
        return NGX_OK;
    }

    if (call->deadline.timer_set) {
        ngx_del_timer(&call->deadline);
    }

    if (call->pending) {
        ngx_queue_remove(&call->queue);
        call->pending = 0;
    }

    reset = (call->error == NGX_FAAS_TIMEOUT && !call->overrun)
            || call->error == NGX_FAAS_MEMORY;

    if (!reset && !call->conf->debug
        && (call->id || !ngx_queue_empty(&call->waits)))
    {
        ngx_faas_vm_start(vm, NULL, call->conf->timeout);

        if (duk_safe_call(ngx_faas_vm_duk(vm), ngx_faas_call_forget_internal,
                          call, 0, 1)
            != DUK_EXEC_SUCCESS)
        {
            ngx_log_error(NGX_LOG_ALERT, call->request->connection->log, 0,
                          "faas: state of a call of \"%V\" could not be "
                          "removed from its heap", &call->name);
            reset = 1;
        }

        duk_pop(ngx_faas_vm_duk(vm));
        ngx_faas_vm_stop(vm);
    }

    /* left when the heap goes with them */
    ngx_faas_call_cancel_waits(call, NULL);

    if (stats) {
        ngx_faas_vm_totals(&bytes, &modules);
        ngx_faas_stats_call(call, reset && !call->conf->debug, bytes,
                            modules);
    }

    call->vm = NULL;

    if (call->conf->debug) {
        ngx_faas_vm_free(vm);
        return NGX_OK;
    }

    if (!reset) {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_NOTICE, call->request->connection->log, 0,
                  "faas: heap of \"%V\" reset", &app->root);

    ngx_faas_call_reset(vm, app);

    return NGX_ABORT;
}


static duk_ret_t
ngx_faas_call_forget_internal(duk_context *duk, void *data)
{
    ngx_faas_call_t  *call = data;

    ngx_faas_call_cancel_waits(call, duk);

    if (call->ref) {
        ngx_faas_vm_unref(duk, NGX_FAAS_STASH_CALLS, call->ref);
        call->ref = 0;
    }

    return 0;
}


static void
ngx_faas_call_cancel_waits(ngx_faas_call_t *call, duk_context *duk)
{
    ngx_queue_t      *q;
    ngx_faas_wait_t  *w;

    /* a cancel removes the wait from the queue */

    while (!ngx_queue_empty(&call->waits)) {
        q = ngx_queue_head(&call->waits);
        w = ngx_queue_data(q, ngx_faas_wait_t, queue);
        w->cancel(w, duk);
    }
}


/*
 * the heap goes: every call still waiting in it fails, each with its
 * line in the error log, and is answered once the heap is gone
 */

static void
ngx_faas_call_reset(ngx_faas_vm_t *vm, ngx_faas_app_t *app)
{
    size_t               bytes;
    ngx_uint_t           modules;
    ngx_queue_t          calls, *q;
    ngx_faas_call_t     *call;
    ngx_faas_vm_data_t  *heap;

    heap = ngx_faas_vm_data(vm);

    ngx_queue_init(&calls);

    while (!ngx_queue_empty(&heap->settled)) {
        q = ngx_queue_head(&heap->settled);
        ngx_queue_remove(q);
        ngx_queue_insert_tail(&calls, q);
    }

    while (!ngx_queue_empty(&heap->pending)) {
        q = ngx_queue_head(&heap->pending);
        ngx_queue_remove(q);
        ngx_queue_insert_tail(&calls, q);
    }

    for (q = ngx_queue_head(&calls);
         q != ngx_queue_sentinel(&calls);
         q = ngx_queue_next(q))
    {
        call = ngx_queue_data(q, ngx_faas_call_t, queue);

        call->pending = 0;
        call->error = NGX_FAAS_HEAP_RESET;
        ngx_str_set(&call->message, "its heap was reset by another call");

        if (call->deadline.timer_set) {
            ngx_del_timer(&call->deadline);
        }

        ngx_faas_call_cancel_waits(call, NULL);

        ngx_faas_vm_totals(&bytes, &modules);
        ngx_faas_stats_call(call, 0, bytes, modules);

        call->vm = NULL;
    }

    if (app->vm == vm) {
        ngx_faas_vm_destroy(app);

    } else {
        ngx_faas_vm_free(vm);
    }

    while (!ngx_queue_empty(&calls)) {
        q = ngx_queue_head(&calls);
        ngx_queue_remove(q);
        call = ngx_queue_data(q, ngx_faas_call_t, queue);

        if (!call->sync && call->done) {
            call->done(call);
        }
    }
}


ngx_int_t
ngx_faas_call_preload(ngx_faas_app_t *app, ngx_log_t *log)
{
    u_char         *msg, *end;
    ngx_str_t      *name, error;
    ngx_uint_t      i, fresh;
    duk_context    *duk;
    ngx_faas_vm_t  *vm;
    u_char          text[NGX_MAX_ERROR_STR];

    name = app->preload.elts;

    for (i = 0; i < app->preload.nelts; i++) {

        fresh = (app->vm == NULL);

        vm = ngx_faas_call_heap(app);
        if (vm == NULL) {
            return NGX_ERROR;
        }

        /* the app's __init__ runs first; when it fails, nothing is kept */

        if (fresh
            && ngx_faas_hooks_init(vm, app->preload_timeout, ngx_cycle->pool,
                                   &error)
               != NGX_OK)
        {
            end = ngx_faas_vm_escape(text, text + sizeof(text), error.data,
                                     error.len);

            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "faas: __init__ of \"%V\" failed: %*s",
                          &app->root, end - text, text);

            ngx_faas_vm_destroy(app);
            return NGX_ERROR;
        }

        duk = ngx_faas_vm_duk(vm);

        ngx_faas_vm_start(vm, NULL, app->preload_timeout);

        if (duk_safe_call(duk, ngx_faas_call_preload_internal, &name[i],
                          0, 1)
            != DUK_EXEC_SUCCESS)
        {
            msg = (u_char *) ngx_faas_call_trace(duk, 1);
            end = ngx_faas_vm_escape(text, text + sizeof(text), msg,
                                     ngx_strlen(msg));

            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "faas: preloading \"%V\" failed: %*s",
                          &name[i], end - text, text);
        }

        duk_pop(duk);
        ngx_faas_vm_stop(vm);

        if (ngx_faas_vm_stopped(vm) != NGX_FAAS_OK) {
            ngx_faas_vm_destroy(app);
        }
    }

    return NGX_OK;
}


/* nginx -t: the function exists and compiles; nothing is run */

ngx_int_t
ngx_faas_call_check(ngx_faas_app_t *app, ngx_str_t *name, ngx_log_t *log)
{
    ngx_int_t       rc;
    duk_context    *duk;
    ngx_faas_vm_t  *vm;

    vm = ngx_faas_vm_create(app, ngx_faas_call_init_heap);
    if (vm == NULL) {
        return NGX_ERROR;
    }

    duk = ngx_faas_vm_duk(vm);
    rc = NGX_OK;

    if (duk_safe_call(duk, ngx_faas_call_check_internal, name, 0, 1)
        != DUK_EXEC_SUCCESS)
    {
        ngx_log_error(NGX_LOG_EMERG, log, 0, "faas_preload \"%V\": %s",
                      name, ngx_faas_call_trace(duk, 1));
        rc = NGX_ERROR;

    } else if (!duk_to_boolean(duk, -1)) {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "faas_preload \"%V\": no such function in \"%V\"",
                      name, &app->root);
        rc = NGX_ERROR;
    }

    duk_pop(duk);
    ngx_faas_vm_free(vm);

    return rc;
}


ngx_faas_error_t *
ngx_faas_call_error(ngx_faas_error_e error)
{
    return &ngx_faas_call_errors[error];
}


/*
 * one error-log line per failed call, naming the function and the cause;
 * the detail is the message but where the line says more
 */

void
ngx_faas_call_log(ngx_faas_call_t *call)
{
    u_char                    *p;
    ngx_str_t                  detail;
    ngx_log_t                 *log;
    ngx_faas_app_t            *app;
    ngx_faas_error_t          *e;
    ngx_http_core_loc_conf_t  *clcf;
    u_char                     text[NGX_MAX_ERROR_STR];

    /* flat for the faas_debug answer too */

    ngx_faas_call_flatten(call->request->pool, &call->message);
    ngx_faas_call_flatten(call->request->pool, &call->stack);

    if (call->error == NGX_FAAS_OK) {
        return;
    }

    log = call->request->connection->log;
    app = call->conf->app;
    e = &ngx_faas_call_errors[call->error];

    detail = call->message;

    switch (call->error) {

    case NGX_FAAS_NOT_FOUND:
        if (call->message.len) {
            /* the name is the client's: any byte at all */
            p = ngx_faas_vm_escape(text, text + sizeof(text),
                                   call->name.data, call->name.len);
            detail.data = text;
            detail.len = p - text;
            ngx_log_error(NGX_LOG_ERR, log, 0,
                          "faas: invalid function name \"%V\"", &detail);
            return;
        }

        /* as nginx's own "No such file": an expected miss may be quiet */

        clcf = ngx_http_get_module_loc_conf(call->request,
                                            ngx_http_core_module);
        if (!clcf->log_not_found) {
            return;
        }

        detail = app->root;
        break;

    case NGX_FAAS_LOAD_ERROR:
    case NGX_FAAS_EXCEPTION:
        /* where: the frames name file and line */
        detail = call->stack;
        break;

    case NGX_FAAS_MEMORY:
    case NGX_FAAS_TIMEOUT:
    case NGX_FAAS_DEADLINE:
    case NGX_FAAS_TOO_LARGE:
        p = ngx_pnalloc(call->request->pool, 2 * NGX_INT_T_LEN + 48
                                             + call->message.len);
        if (p == NULL) {
            return;
        }

        detail.data = p;

        if (call->error == NGX_FAAS_MEMORY) {
            p = ngx_sprintf(p, "%uzk: %V", app->memory / 1024,
                            &call->message);

        } else if (call->error == NGX_FAAS_DEADLINE) {
            p = ngx_sprintf(p, "faas_deadline %Mms", call->conf->deadline);

        } else if (call->error == NGX_FAAS_TOO_LARGE) {
            p = ngx_sprintf(p, "of %uz bytes does not fit in faas_memory %uzk",
                            call->body.len, app->memory / 1024);

        } else {
            p = ngx_sprintf(p, "%Mms (faas_timeout %Mms)",
                            (ngx_msec_t) (call->run_time / 1000),
                            call->conf->timeout);
        }

        detail.len = p - detail.data;
        break;

    default:
        break;
    }

    /* what the function threw is its text: no line of its own */

    p = ngx_faas_vm_escape(text, text + sizeof(text), detail.data,
                           detail.len);
    detail.data = text;
    detail.len = p - text;

    ngx_log_error(e->level, log, 0, e->log, &call->name, &detail);
}


static ngx_faas_vm_t *
ngx_faas_call_heap(ngx_faas_app_t *app)
{
    if (app->vm == NULL) {
        app->vm = ngx_faas_vm_create(app, ngx_faas_call_init_heap);
    }

    return app->vm;
}


/*
 * the app's __init__ and __interceptor__, on a new heap: when they fail,
 * the heap goes and the call fails as a function that cannot be loaded;
 * the next call tries again on a new heap
 */

static ngx_int_t
ngx_faas_call_hooks(ngx_faas_call_t *call, ngx_faas_vm_t *vm)
{
    u_char     *p;
    ngx_str_t   error;

    if (ngx_faas_hooks_init(vm, call->conf->timeout, call->request->pool,
                            &error)
        == NGX_OK)
    {
        return NGX_OK;
    }

    call->error = NGX_FAAS_LOAD_ERROR;

    p = ngx_pnalloc(call->request->pool, error.len + 32);
    if (p) {
        call->message.data = p;
        call->message.len = ngx_sprintf(p, "the app's __init__ failed: %V",
                                        &error)
                            - p;
        call->stack = call->message;
    }

    if (call->conf->debug) {
        ngx_faas_vm_free(vm);

    } else {
        ngx_faas_vm_destroy(call->conf->app);
    }

    ngx_faas_stats_call(call, 0, 0, 0);

    return NGX_ERROR;
}


/* what every heap has: the globals and the require() of its app */

static void
ngx_faas_call_init_heap(duk_context *duk, ngx_faas_app_t *app)
{
    ngx_faas_vm_data_t  *heap;

    heap = ngx_faas_vm_data(ngx_faas_vm_from(duk));

    heap->resume = ngx_faas_call_resume;
    ngx_queue_init(&heap->pending);
    ngx_queue_init(&heap->settled);

    ngx_faas_vm_refs(duk, NGX_FAAS_STASH_CALLS);

    ngx_faas_timers_init(duk);
    ngx_faas_builtins_init(duk);
    ngx_faas_web_init(duk);
    ngx_faas_url_init(duk);
    ngx_faas_console_init(duk);
    ngx_faas_collections_init(duk);
    ngx_faas_string_init(duk);
    ngx_faas_promise_init(duk);
    ngx_faas_response_init(duk);
    ngx_faas_request_init(duk);
    ngx_faas_shared_init(duk);
    ngx_faas_fetch_init(duk);
    ngx_faas_require_init(duk, &app->root, app->functions_max);
}


/* runs inside duk_safe_call(): anything may throw */

static duk_ret_t
ngx_faas_call_internal(duk_context *duk, void *data)
{
    ngx_faas_call_t  *call = data;

    call->stage = NGX_FAAS_STAGE_LOAD;

    if (ngx_faas_call_push_handler(duk, call->vm, &call->name) != NGX_OK) {
        call->error = NGX_FAAS_NOT_FOUND;
        return 0;
    }

    /* the function exists: other render workers may see it running */

    ngx_faas_stats_running(&call->name, ngx_faas_now_us()
                           + (uint64_t) call->conf->timeout * 1000);

    /* stack: [ handler ] */

    call->stage = NGX_FAAS_STAGE_CTX;
    ngx_faas_request_push(duk, call);

    /*
     * a copy of ctx stays below for the whole run: the heap's ctx pointer
     * (natives that check their ctx, and ngx_faas_call_wait(), which
     * stashes it) must not outlive it, and a function that keeps no
     * reference to its ctx would leave it to the collector, which may run
     * at any allocation of the run
     */

    duk_dup(duk, -1);
    duk_insert(duk, -3);

    /* stack: [ ctx handler ctx ]; the app's __interceptor__ wraps the handler */

    ngx_faas_hooks_wrap(duk);

    call->stage = NGX_FAAS_STAGE_RUN;
    duk_call(duk, 1);

    /* stack: [ ctx result ] */

    ngx_faas_call_settle(duk, call);

    if (call->pending) {
        return 0;
    }

    call->stage = NGX_FAAS_STAGE_RESULT;
    ngx_faas_response_set(duk, call);

    return 0;
}


/*
 * the handler of a function; the stash keeps every handler found alive,
 * so a heap pointer to it stays valid for the life of the heap. Not with
 * faas_functions_max: there a handler may be dropped, and every use must
 * reach the stash's order of use
 */

static ngx_int_t
ngx_faas_call_push_handler(duk_context *duk, ngx_faas_vm_t *vm,
    ngx_str_t *name)
{
    ngx_faas_vm_handler_t  *h;

    if (ngx_faas_vm_app(vm)->functions_max) {
        return ngx_faas_require_function(duk, name);
    }

    h = &ngx_faas_vm_data(vm)->handlers[(name->len + name->data[0]
                                         + name->data[name->len - 1])
                                        % NGX_FAAS_VM_HANDLERS];

    if (h->handler && h->len == name->len
        && ngx_memcmp(h->name, name->data, name->len) == 0)
    {
        duk_push_heapptr(duk, h->handler);
        return NGX_OK;
    }

    if (ngx_faas_require_function(duk, name) != NGX_OK) {
        return NGX_DECLINED;
    }

    if (name->len <= NGX_FAAS_VM_HANDLER_NAME) {
        h->handler = duk_get_heapptr(duk, -1);
        h->len = name->len;
        ngx_memcpy(h->name, name->data, name->len);
    }

    return NGX_OK;
}


/*
 * runs every pending job, then replaces a promise (or a thenable) on the
 * stack top by its value, or throws its reason; a promise still pending
 * makes the call wait, if anything in the heap is awaited
 */

static void
ngx_faas_call_settle(duk_context *duk, ngx_faas_call_t *call)
{
    ngx_uint_t  promise;

    promise = 0;

    if (duk_is_object(duk, -1) && !duk_is_function(duk, -1)) {

        if (!ngx_faas_vm_plain(duk, -1)
            && ngx_faas_promise_is_promise(duk, -1))
        {
            promise = 1;

        } else {
            duk_get_prop_literal(duk, -1, "then");

            if (duk_is_callable(duk, -1)) {
                duk_pop(duk);
                ngx_faas_promise_resolve(duk, -1);
                promise = 1;

            } else {
                duk_pop(duk);
            }
        }
    }

    ngx_faas_call_drain(duk, call->vm);

    if (!promise) {
        return;
    }

    switch (ngx_faas_promise_state(duk, -1)) {

    case NGX_FAAS_PROMISE_FULFILLED:
        /* stack: [ promise value ] */
        duk_remove(duk, -2);
        return;

    case NGX_FAAS_PROMISE_REJECTED:
        /* stack: [ promise reason ] */
        (void) duk_throw(duk);
        return;

    default:
        if (ngx_faas_vm_data(call->vm)->waits == 0) {
            (void) duk_error(duk, DUK_ERR_ERROR,
                             "the promise of the function never settled");
        }

        ngx_faas_call_wait(duk, call);
    }
}


/*
 * the job queue is drained at the end of every run, so it can only hold
 * jobs when one was queued since the last time it was drained
 */

static void
ngx_faas_call_drain(duk_context *duk, ngx_faas_vm_t *vm)
{
    ngx_faas_vm_data_t  *heap;

    heap = ngx_faas_vm_data(vm);

    if (ngx_faas_promise_queued() != heap->jobs_seen) {
        (void) ngx_faas_promise_run_jobs(duk, ngx_faas_vm_timeout_flag(vm));

        if (ngx_faas_vm_stopped(vm) == NGX_FAAS_TIMEOUT) {
            (void) duk_range_error(duk, "timeout");
        }

        heap->jobs_seen = ngx_faas_promise_queued();
    }
}


/* the call waits for the promise on the stack top, see above */

#define NGX_FAAS_CALL_ID  DUK_HIDDEN_SYMBOL("faasCall")

static void
ngx_faas_call_wait(duk_context *duk, ngx_faas_call_t *call)
{
    duk_idx_t            promise;
    ngx_faas_vm_data_t  *heap;

    heap = ngx_faas_vm_data(call->vm);
    promise = duk_get_top_index(duk);

    /*
     * in the stash: [ promise, ctx, value ], an array with no prototype
     * made at its size (filled index by index, an empty array takes
     * Duktape's slow path at each)
     */

    duk_dup(duk, promise);
    duk_push_heapptr(duk, heap->ctx);
    duk_push_undefined(duk);
    duk_pack_bare(duk, 3);
    call->ref = ngx_faas_vm_ref(duk, NGX_FAAS_STASH_CALLS);
    call->id = ++heap->next_call;

    /* told when it settles */

    duk_push_c_function(duk, ngx_faas_call_reaction, 1);
    duk_push_uint(duk, (duk_uint_t) call->id);
    duk_put_prop_literal(duk, -2, NGX_FAAS_CALL_ID);
    duk_push_c_function(duk, ngx_faas_call_reaction, 1);
    duk_set_magic(duk, -1, 1);
    duk_push_uint(duk, (duk_uint_t) call->id);
    duk_put_prop_literal(duk, -2, NGX_FAAS_CALL_ID);

    ngx_faas_promise_react(duk, promise);

    call->ctx = heap->ctx;
    call->pending = 1;
    ngx_queue_insert_tail(&heap->pending, &call->queue);
}


/*
 * a waiting call's promise settled (magic 1: rejected), in a job: the
 * value goes to the stash, the call to the queue of the settled, which
 * is answered after the jobs; a call that ended meanwhile is not found
 */

static duk_ret_t
ngx_faas_call_reaction(duk_context *duk)
{
    ngx_uint_t           id;
    ngx_queue_t         *q;
    ngx_faas_call_t     *call;
    ngx_faas_vm_data_t  *heap;

    duk_push_current_function(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_CALL_ID);
    id = duk_get_uint(duk, -1);
    duk_pop_2(duk);

    heap = ngx_faas_vm_data(ngx_faas_vm_from(duk));

    for (q = ngx_queue_head(&heap->pending);
         q != ngx_queue_sentinel(&heap->pending);
         q = ngx_queue_next(q))
    {
        call = ngx_queue_data(q, ngx_faas_call_t, queue);

        if (call->id != id) {
            continue;
        }

        ngx_faas_vm_push_ref(duk, NGX_FAAS_STASH_CALLS, call->ref);
        duk_dup(duk, 0);
        duk_put_prop_index(duk, -2, 2);
        duk_pop(duk);

        call->settled = 1;
        call->rejected = duk_get_current_magic(duk) ? 1 : 0;

        ngx_queue_remove(q);
        ngx_queue_insert_tail(&heap->settled, q);

        break;
    }

    return 0;
}


static void
ngx_faas_call_failed(ngx_faas_call_t *call)
{
    duk_context    *duk;
    ngx_pool_t     *pool;
    ngx_faas_vm_t  *vm;

    vm = call->vm;
    duk = ngx_faas_vm_duk(vm);
    pool = call->request->pool;

    /* stopped by a limit, or an exception: what it means by its stage */

    call->error = ngx_faas_vm_stopped(vm);

    if (call->error == NGX_FAAS_OK) {
        call->error = ngx_faas_call_stage_errors[call->stage];

    } else if (call->error == NGX_FAAS_MEMORY
               && call->stage == NGX_FAAS_STAGE_BODY)
    {
        /* no code of the function has run: the body alone is too large */
        call->error = NGX_FAAS_TOO_LARGE;
    }

    /* stack: [ error ] */

    duk_dup(duk, -1);
    (void) ngx_faas_vm_string(duk, -1, pool, &call->message);
    duk_pop(duk);

    /* the stack as the logs show it; the engine's own if that fails */

    duk_dup(duk, -1);
    ngx_faas_call_trace(duk, 0);
    (void) ngx_faas_vm_string(duk, -1, pool, &call->stack);
    duk_pop(duk);
}


/*
 * replaces the error on the stack top by its stack trace as the logs show
 * it (on one line if flat), or by the engine's own if that fails
 */

static const char *
ngx_faas_call_trace(duk_context *duk, ngx_uint_t flat)
{
    duk_dup_top(duk);

    if (duk_safe_call(duk, ngx_faas_call_trace_internal, &flat, 1, 1)
        != DUK_EXEC_SUCCESS)
    {
        duk_pop(duk);
        duk_dup_top(duk);
        (void) duk_safe_to_stacktrace(duk, -1);
    }

    duk_remove(duk, -2);

    return duk_get_string(duk, -1);
}


static duk_ret_t
ngx_faas_call_trace_internal(duk_context *duk, void *data)
{
    ngx_uint_t  *flat = data;

    /* the error is on top: a safe call sees the caller's whole frame */

    ngx_faas_trace_push(duk, -1, *flat);

    return 1;
}


static duk_ret_t
ngx_faas_call_preload_internal(duk_context *duk, void *data)
{
    ngx_str_t  *name = data;

    if (ngx_faas_require_function(duk, name) != NGX_OK) {
        (void) duk_error(duk, DUK_ERR_ERROR, "no such function");
    }

    return 0;
}


static duk_ret_t
ngx_faas_call_check_internal(duk_context *duk, void *data)
{
    ngx_str_t  *name = data;

    duk_push_boolean(duk, ngx_faas_require_check(duk, name) == NGX_OK);

    return 1;
}


/* a stack trace on one log line: "Error: x | at f (a.js:3) | at ..." */

static void
ngx_faas_call_flatten(ngx_pool_t *pool, ngx_str_t *s)
{
    u_char  *p, *q, *end, *flat;

    if (ngx_strlchr(s->data, s->data + s->len, '\n') == NULL) {
        return;
    }

    flat = ngx_pnalloc(pool, s->len * 3);
    if (flat == NULL) {
        return;
    }

    p = s->data;
    q = flat;
    end = s->data + s->len;

    while (p < end) {
        if (*p != '\n') {
            *q++ = *p++;
            continue;
        }

        while (p < end && (*p == '\n' || *p == ' ' || *p == '\t')) {
            p++;
        }

        if (p < end) {
            q = ngx_cpymem(q, " | ", 3);
        }
    }

    s->data = flat;
    s->len = q - flat;
}
