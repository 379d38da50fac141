
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
#include "ngx_faas_promise.h"
#include "ngx_faas_request.h"
#include "ngx_faas_require.h"
#include "ngx_faas_response.h"
#include "ngx_faas_shared.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_string.h"
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
static void ngx_faas_call_settle(duk_context *duk, ngx_faas_vm_t *vm);
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
      NGX_LOG_WARN, "faas: function \"%V\" not run: %V" }
};


/* what an exception means, by the stage of the call it was thrown in */
static ngx_faas_error_e  ngx_faas_call_stage_errors[] = {
    NGX_FAAS_LOAD_ERROR,        /* NGX_FAAS_STAGE_LOAD */
    NGX_FAAS_INTERNAL,          /* NGX_FAAS_STAGE_CTX */
    NGX_FAAS_BAD_BODY,          /* NGX_FAAS_STAGE_BODY */
    NGX_FAAS_EXCEPTION,         /* NGX_FAAS_STAGE_RUN */
    NGX_FAAS_BAD_RESULT         /* NGX_FAAS_STAGE_RESULT */
};


void
ngx_faas_call_run(ngx_faas_call_t *call)
{
    size_t           bytes;
    uint64_t         start;
    duk_int_t        rc;
    ngx_uint_t       reset, modules, fresh;
    duk_context     *duk;
    ngx_faas_vm_t   *vm;
    ngx_faas_app_t  *app;

    app = call->conf->app;

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

    start = ngx_faas_now_us();
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

    ngx_faas_vm_stop(vm);
    ngx_faas_vm_data(vm)->ctx = NULL;
    call->run_time = ngx_faas_now_us() - start;

    /*
     * nginx's cached time stood still while the function ran: without
     * this, $request_time and the timers set next would not count the call
     */

    ngx_time_update();

    /* a heap stopped mid-way may hold broken state: rebuilt on next use */

    reset = !call->conf->debug
            && (call->error == NGX_FAAS_TIMEOUT
                || call->error == NGX_FAAS_MEMORY);

    ngx_faas_vm_totals(&bytes, &modules);
    ngx_faas_stats_call(call, reset, bytes, modules);

    if (call->conf->debug) {
        ngx_faas_vm_free(vm);

    } else if (reset) {
        ngx_log_error(NGX_LOG_NOTICE, call->request->connection->log, 0,
                      "faas: heap of \"%V\" reset", &app->root);
        ngx_faas_vm_destroy(app);
    }

    call->vm = NULL;
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
    ngx_faas_require_init(duk, &app->root);
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

    /* stack: [ handler ctx ]; the app's __interceptor__ wraps the handler */

    ngx_faas_hooks_wrap(duk);

    call->stage = NGX_FAAS_STAGE_RUN;
    duk_call(duk, 1);

    /* stack: [ result ] */

    ngx_faas_call_settle(duk, call->vm);

    call->stage = NGX_FAAS_STAGE_RESULT;
    ngx_faas_response_set(duk, call);

    return 0;
}


/*
 * the handler of a function; the stash keeps every handler found alive,
 * so a heap pointer to it stays valid for the life of the heap
 */

static ngx_int_t
ngx_faas_call_push_handler(duk_context *duk, ngx_faas_vm_t *vm,
    ngx_str_t *name)
{
    ngx_faas_vm_handler_t  *h;

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
 * stack top by its value, or throws its reason; the job queue is drained
 * at the end of every call, so it can only hold jobs when one was queued
 * since the last time it was drained
 */

static void
ngx_faas_call_settle(duk_context *duk, ngx_faas_vm_t *vm)
{
    ngx_uint_t           promise;
    ngx_faas_vm_data_t  *heap;

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

    heap = ngx_faas_vm_data(vm);

    if (ngx_faas_promise_queued() != heap->jobs_seen) {
        (void) ngx_faas_promise_run_jobs(duk, ngx_faas_vm_timeout_flag(vm));

        if (ngx_faas_vm_stopped(vm) == NGX_FAAS_TIMEOUT) {
            (void) duk_range_error(duk, "timeout");
        }

        heap->jobs_seen = ngx_faas_promise_queued();
    }

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
        (void) duk_error(duk, DUK_ERR_ERROR,
                         "the promise of the function never settled");
    }
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
