
/*
 * Copyright (C) ngx_faas authors
 */


#ifndef _NGX_FAAS_PROMISE_H_INCLUDED_
#define _NGX_FAAS_PROMISE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "duktape.h"


#define NGX_FAAS_PROMISE_PENDING    0
#define NGX_FAAS_PROMISE_FULFILLED  1
#define NGX_FAAS_PROMISE_REJECTED   2


/*
 * registers global Promise and creates the job queue in the heap stash;
 * called once per heap, inside a protected call (may throw)
 */
void ngx_faas_promise_init(duk_context *ctx);

/*
 * runs queued jobs (FIFO, jobs queued by jobs run too) until the queue is
 * empty or *stop becomes non-zero (checked before each job; stop may be
 * NULL); must be called inside a protected call: handler errors become
 * rejections, so it throws only on internal failures (e.g. out of memory);
 * returns the number of jobs run
 */
ngx_uint_t ngx_faas_promise_run_jobs(duk_context *ctx,
    volatile ngx_uint_t *stop);

/*
 * how many jobs this process has queued, in all its heaps: when it has not
 * changed since a heap's queue was drained, that queue is still empty
 */
ngx_uint_t ngx_faas_promise_queued(void);

/*
 * is the value at idx a promise made by our constructor (an object that
 * merely inherits from one is not); like the two below, it may throw only
 * when the value stack cannot grow
 */
ngx_int_t ngx_faas_promise_is_promise(duk_context *ctx, duk_idx_t idx);

/*
 * state of the promise at idx; a settled promise pushes its value or
 * reason, a pending one pushes nothing; a rejected promise is marked
 * handled; NGX_ERROR (nothing pushed) if the value is not our promise
 */
ngx_int_t ngx_faas_promise_state(duk_context *ctx, duk_idx_t idx);

/*
 * replaces the value at idx with Promise.resolve(value), adopting
 * thenables from other libraries; may throw
 */
void ngx_faas_promise_resolve(duk_context *ctx, duk_idx_t idx);

/*
 * a reaction to the promise at idx: the two functions on the stack top
 * (onFulfilled, onRejected; popped) are called when it settles, as by
 * then() but with no derived promise; may throw
 */
void ngx_faas_promise_react(duk_context *ctx, duk_idx_t idx);

/*
 * pushes a new pending promise that only C settles, with
 * ngx_faas_promise_settle_with(): no executor runs and no resolving
 * functions are made for it; may throw
 */
void ngx_faas_promise_push(duk_context *ctx);

/*
 * what the promise's resolve (rejected 0) or reject (rejected 1) function
 * would do with the value at idx: a thenable is adopted, a promise settled
 * already is left alone; may throw
 */
void ngx_faas_promise_settle_with(duk_context *ctx, duk_idx_t promise,
    duk_idx_t value, ngx_uint_t rejected);

/* queues the function at idx as a job (queueMicrotask()); may throw */
void ngx_faas_promise_enqueue_task(duk_context *ctx, duk_idx_t idx);


#endif /* _NGX_FAAS_PROMISE_H_INCLUDED_ */
