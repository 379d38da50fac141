
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_hooks.h"
#include "ngx_faas_promise.h"
#include "ngx_faas_require.h"
#include "ngx_faas_trace.h"
#include "ngx_faas_vm.h"


#define NGX_FAAS_HOOKS_INTERCEPTOR  DUK_HIDDEN_SYMBOL("faasInterceptor")
#define NGX_FAAS_HOOKS_HANDLER      DUK_HIDDEN_SYMBOL("faasHandler")
#define NGX_FAAS_HOOKS_CTX          DUK_HIDDEN_SYMBOL("faasCtx")


static duk_ret_t ngx_faas_hooks_init_internal(duk_context *duk, void *data);
static duk_ret_t ngx_faas_hooks_trace(duk_context *duk, void *data);
static duk_ret_t ngx_faas_hooks_intercept(duk_context *duk);
static duk_ret_t ngx_faas_hooks_next(duk_context *duk);


/*
 * the app's hooks, once per heap, before its first call (and before
 * faas_preload compiles anything in it): the module __init__ is loaded
 * and the function it exports called with no argument, its promise
 * settled; __interceptor__ is loaded and kept. NGX_ERROR and the reason,
 * as a stack trace on one line, in error: the heap is then not to be used
 */

ngx_int_t
ngx_faas_hooks_init(ngx_faas_vm_t *vm, ngx_msec_t budget, ngx_pool_t *pool,
    ngx_str_t *error)
{
    ngx_int_t         rc;
    duk_context      *duk;
    ngx_faas_error_e  stopped;

    duk = ngx_faas_vm_duk(vm);

    ngx_faas_vm_start(vm, NULL, budget);

    rc = NGX_OK;

    if (duk_safe_call(duk, ngx_faas_hooks_init_internal, vm, 0, 1)
        != DUK_EXEC_SUCCESS)
    {
        rc = NGX_ERROR;

        if (duk_safe_call(duk, ngx_faas_hooks_trace, NULL, 1, 1)
            != DUK_EXEC_SUCCESS)
        {
            (void) duk_safe_to_string(duk, -1);
        }

        stopped = ngx_faas_vm_stopped(vm);

        if (stopped == NGX_FAAS_TIMEOUT) {
            ngx_str_set(error, "__init__ timed out");

        } else if (stopped == NGX_FAAS_MEMORY) {
            ngx_str_set(error, "__init__ exceeded faas_memory");

        } else if (ngx_faas_vm_string(duk, -1, pool, error) != NGX_OK) {
            ngx_str_set(error, "__init__ failed");
        }
    }

    duk_pop(duk);
    ngx_faas_vm_stop(vm);

    return rc;
}


static duk_ret_t
ngx_faas_hooks_init_internal(duk_context *duk, void *data)
{
    ngx_faas_vm_t  *vm = data;

    ngx_str_t  init = ngx_string("__init__");
    ngx_str_t  interceptor = ngx_string("__interceptor__");

    if (ngx_faas_require_function(duk, &interceptor) == NGX_OK) {
        duk_push_heap_stash(duk);
        duk_dup(duk, -2);
        duk_put_prop_literal(duk, -2, NGX_FAAS_HOOKS_INTERCEPTOR);
        duk_pop_2(duk);
    }

    if (ngx_faas_require_function(duk, &init) != NGX_OK) {
        return 0;
    }

    /* stack: [ init ] */

    duk_call(duk, 0);

    if (duk_is_object(duk, -1) && !duk_is_function(duk, -1)) {
        duk_get_prop_literal(duk, -1, "then");

        if (!duk_is_callable(duk, -1)) {
            duk_pop(duk);
            return 0;
        }

        duk_pop(duk);
        ngx_faas_promise_resolve(duk, -1);
        (void) ngx_faas_promise_run_jobs(duk, ngx_faas_vm_timeout_flag(vm));

        if (ngx_faas_vm_stopped(vm) == NGX_FAAS_TIMEOUT) {
            (void) duk_range_error(duk, "timeout");
        }

        switch (ngx_faas_promise_state(duk, -1)) {

        case NGX_FAAS_PROMISE_FULFILLED:
            return 0;

        case NGX_FAAS_PROMISE_REJECTED:
            /* stack: [ promise reason ] */
            (void) duk_throw(duk);
            return 0;

        default:
            (void) duk_error(duk, DUK_ERR_ERROR,
                             "the promise of __init__ never settled");
        }
    }

    return 0;
}


static duk_ret_t
ngx_faas_hooks_trace(duk_context *duk, void *data)
{
    ngx_faas_trace_push(duk, -1, 1);

    return 1;
}


/*
 * stack: [ handler ctx ] -> [ wrapper ctx ] when the app has an
 * interceptor: the wrapper calls interceptor(ctx, next), and next()
 * calls the handler with ctx (or with the object given to it) and
 * returns what it returns, a promise included
 */

void
ngx_faas_hooks_wrap(duk_context *duk)
{
    duk_push_heap_stash(duk);

    if (!duk_get_prop_literal(duk, -1, NGX_FAAS_HOOKS_INTERCEPTOR)) {
        duk_pop_2(duk);
        return;
    }

    duk_pop_2(duk);

    duk_push_c_function(duk, ngx_faas_hooks_intercept, 1);
    duk_dup(duk, -3);
    duk_put_prop_literal(duk, -2, NGX_FAAS_HOOKS_HANDLER);

    /* stack: [ handler ctx wrapper ] */

    duk_replace(duk, -3);
}


static duk_ret_t
ngx_faas_hooks_intercept(duk_context *duk)
{
    /* stack: [ ctx ] */

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_HOOKS_INTERCEPTOR);
    duk_remove(duk, -2);
    duk_dup(duk, 0);

    duk_push_c_function(duk, ngx_faas_hooks_next, 1);

    duk_push_current_function(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_HOOKS_HANDLER);
    duk_put_prop_literal(duk, -3, NGX_FAAS_HOOKS_HANDLER);
    duk_pop(duk);

    duk_dup(duk, 0);
    duk_put_prop_literal(duk, -2, NGX_FAAS_HOOKS_CTX);

    /* stack: [ ctx interceptor ctx next ] */

    duk_call(duk, 2);

    return 1;
}


static duk_ret_t
ngx_faas_hooks_next(duk_context *duk)
{
    /* stack: [ ctx? ] */

    duk_push_current_function(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_HOOKS_HANDLER);

    if (duk_is_object(duk, 0)) {
        duk_dup(duk, 0);

    } else {
        duk_get_prop_literal(duk, -2, NGX_FAAS_HOOKS_CTX);
    }

    /* stack: [ ctx? next handler ctx ] */

    duk_call(duk, 1);

    return 1;
}
