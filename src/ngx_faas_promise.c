
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_faas_promise.h"


/*
 * Hidden keys: Duktape hidden symbols start with 0xFF, a byte no string
 * made by ECMAScript code holds, so scripts can neither name nor enumerate
 * them.  The literal is split after "\xFF" so the hex escape ends there.
 */
#define NGX_FAAS_PROMISE_KEY_DATA      "\xFF" "faasPromise"
#define NGX_FAAS_PROMISE_KEY_RECORD    "\xFF" "faasRecord"
#define NGX_FAAS_PROMISE_KEY_CTOR      "\xFF" "faasPromiseCtor"
#define NGX_FAAS_PROMISE_KEY_PROTO     "\xFF" "faasPromiseProto"
#define NGX_FAAS_PROMISE_KEY_THEN      "\xFF" "faasPromiseThen"
#define NGX_FAAS_PROMISE_KEY_JOBS      "\xFF" "faasJobs"
#define NGX_FAAS_PROMISE_KEY_HEAP      "\xFF" "faasPromiseHeap"

/* slots of a promise's data array */
#define NGX_FAAS_PROMISE_STATE         0
#define NGX_FAAS_PROMISE_HANDLED       1
#define NGX_FAAS_PROMISE_VALUE         2
#define NGX_FAAS_PROMISE_REACTIONS     3    /* the first, while pending;
                                               undefined until there is one */

/*
 * slots of a job array; a reaction is a job whose kind is the state it
 * reacts to, set when its promise settles
 */
#define NGX_FAAS_PROMISE_JOB_KIND      0
#define NGX_FAAS_PROMISE_JOB_FULFILLED 1    /* handler */
#define NGX_FAAS_PROMISE_JOB_REJECTED  2    /* handler */
#define NGX_FAAS_PROMISE_JOB_CAP       3    /* promise, resolve, reject */
#define NGX_FAAS_PROMISE_JOB_ARGUMENT  6

#define NGX_FAAS_PROMISE_JOB_THEN      1
#define NGX_FAAS_PROMISE_JOB_THENABLE  2
#define NGX_FAAS_PROMISE_JOB_PROMISE   3

#define NGX_FAAS_PROMISE_JOB_ADOPT     3    /* kind: resolve a thenable */
#define NGX_FAAS_PROMISE_JOB_TASK      4    /* kind: queueMicrotask() */

/* combinators, and what an element function records */
#define NGX_FAAS_PROMISE_ALL           0
#define NGX_FAAS_PROMISE_ALL_SETTLED   1
#define NGX_FAAS_PROMISE_ANY           2
#define NGX_FAAS_PROMISE_RACE          3

#define NGX_FAAS_PROMISE_EL_VALUE      0
#define NGX_FAAS_PROMISE_EL_FULFILLED  1
#define NGX_FAAS_PROMISE_EL_REJECTED   2
#define NGX_FAAS_PROMISE_EL_ERROR      3

/*
 * What a heap's promises need on every step, found without a lookup by
 * name: the intrinsic Promise, its prototype and then() (kept alive by
 * the stash, under the keys above) and the job queue, an array and the
 * index of its head. It lives in a fixed buffer of the heap, in the
 * stash; C keeps a pointer to the state of the heap it used last, and
 * finds it again in the stash when another heap's turn comes. A new heap
 * at the address of a destroyed one is given its own by
 * ngx_faas_promise_init() before anything runs in it
 */
#define NGX_FAAS_PROMISE_CTOR          0
#define NGX_FAAS_PROMISE_PROTO         1
#define NGX_FAAS_PROMISE_THEN          2

typedef struct {
    void                      *intrinsic[3];    /* by the numbers above */
    void                      *jobs;
    duk_size_t                 head;
} ngx_faas_promise_heap_t;

/* slots of a combinator record */
#define NGX_FAAS_PROMISE_COMB_VALUES   0
#define NGX_FAAS_PROMISE_COMB_COUNT    1
#define NGX_FAAS_PROMISE_COMB_RESOLVE  2
#define NGX_FAAS_PROMISE_COMB_REJECT   3

/* the queue is compacted once this many jobs are done and half is dead */
#define NGX_FAAS_PROMISE_COMPACT       1024

/* value stack slots the deepest internal sequence needs, with margin */
#define NGX_FAAS_PROMISE_STACK         32

#define NGX_FAAS_PROMISE_OBJECT_MASK                                          \
    (DUK_TYPE_MASK_OBJECT|DUK_TYPE_MASK_BUFFER|DUK_TYPE_MASK_LIGHTFUNC)

/* attributes of built-in methods: writable, configurable, not enumerable */
#define NGX_FAAS_PROMISE_BUILTIN                                              \
    (DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WRITABLE                          \
     |DUK_DEFPROP_SET_CONFIGURABLE|DUK_DEFPROP_CLEAR_ENUMERABLE)

/* attributes of CreateDataProperty() */
#define NGX_FAAS_PROMISE_DATA                                                 \
    (DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WEC)


static duk_ret_t ngx_faas_promise_constructor(duk_context *ctx);
static duk_ret_t ngx_faas_promise_then(duk_context *ctx);
static duk_ret_t ngx_faas_promise_catch(duk_context *ctx);
static duk_ret_t ngx_faas_promise_finally(duk_context *ctx);
static duk_ret_t ngx_faas_promise_finally_function(duk_context *ctx);
static duk_ret_t ngx_faas_promise_thunk(duk_context *ctx);
static duk_ret_t ngx_faas_promise_static_resolve(duk_context *ctx);
static duk_ret_t ngx_faas_promise_static_reject(duk_context *ctx);
static duk_ret_t ngx_faas_promise_all(duk_context *ctx);
static duk_ret_t ngx_faas_promise_all_settled(duk_context *ctx);
static duk_ret_t ngx_faas_promise_any(duk_context *ctx);
static duk_ret_t ngx_faas_promise_race(duk_context *ctx);
static duk_ret_t ngx_faas_promise_combinator(duk_context *ctx,
    ngx_uint_t kind);
static duk_ret_t ngx_faas_promise_combinator_loop(duk_context *ctx);
static void ngx_faas_promise_combinator_step(duk_context *ctx,
    ngx_uint_t kind, duk_uarridx_t i);
static duk_ret_t ngx_faas_promise_element_function(duk_context *ctx);
static void ngx_faas_promise_element(duk_context *ctx, duk_idx_t x,
    duk_idx_t element, duk_int_t magic);
static duk_uint_t ngx_faas_promise_count(duk_context *ctx, duk_idx_t record,
    duk_int_t delta);
static void ngx_faas_promise_combinator_done(duk_context *ctx,
    duk_idx_t record, ngx_uint_t aggregate);
static duk_ret_t ngx_faas_promise_resolving_function(duk_context *ctx);
static duk_ret_t ngx_faas_promise_capability_executor(duk_context *ctx);
static duk_ret_t ngx_faas_promise_get_constructor(duk_context *ctx,
    void *udata);
static duk_ret_t ngx_faas_promise_get_then(duk_context *ctx, void *udata);
static void ngx_faas_promise_run_job(duk_context *ctx, duk_idx_t job);
static void ngx_faas_promise_reaction_job(duk_context *ctx, duk_idx_t job);
static void ngx_faas_promise_adopt_job(duk_context *ctx, duk_idx_t job);
static ngx_int_t ngx_faas_promise_is_plain_then(duk_context *ctx,
    duk_idx_t then, duk_idx_t thenable);
static void ngx_faas_promise_push_new(duk_context *ctx);
static void ngx_faas_promise_init_data(duk_context *ctx, duk_idx_t idx);
static ngx_int_t ngx_faas_promise_push_data(duk_context *ctx, duk_idx_t idx);
static void ngx_faas_promise_push_resolving_functions(duk_context *ctx,
    duk_idx_t promise);
static void ngx_faas_promise_push_constructor(duk_context *ctx,
    duk_idx_t idx);
static void ngx_faas_promise_push_capability(duk_context *ctx, duk_idx_t c,
    ngx_uint_t functions);
static void ngx_faas_promise_push_resolved(duk_context *ctx, duk_idx_t c,
    duk_idx_t value);
static void ngx_faas_promise_settle_capability(duk_context *ctx,
    duk_idx_t cap, duk_idx_t value, ngx_uint_t rejected, ngx_uint_t safe);
static void ngx_faas_promise_perform_then(duk_context *ctx,
    duk_idx_t promise, duk_idx_t on_fulfilled, duk_idx_t on_rejected,
    duk_idx_t cap);
static void ngx_faas_promise_add_reaction(duk_context *ctx,
    duk_idx_t promise);
static void ngx_faas_promise_resolve_value(duk_context *ctx,
    duk_idx_t promise, duk_idx_t value);
static void ngx_faas_promise_settle(duk_context *ctx, duk_idx_t promise,
    duk_idx_t value, duk_uint_t state);
static void ngx_faas_promise_trigger(duk_context *ctx, duk_idx_t reaction,
    duk_uint_t state, duk_idx_t value);
static void ngx_faas_promise_enqueue(duk_context *ctx);
static ngx_int_t ngx_faas_promise_dequeue(duk_context *ctx);
static void ngx_faas_promise_compact(duk_context *ctx, duk_idx_t jobs,
    duk_size_t head, duk_size_t n);
static void ngx_faas_promise_invoke_then(duk_context *ctx, duk_idx_t nargs);
static void ngx_faas_promise_call(duk_context *ctx, duk_idx_t func,
    duk_idx_t arg, ngx_uint_t safe);
static void ngx_faas_promise_push_function(duk_context *ctx,
    duk_c_function func, duk_idx_t nargs, duk_int_t magic,
    duk_idx_t record);
static void ngx_faas_promise_push_record(duk_context *ctx);
static void ngx_faas_promise_pack(duk_context *ctx, duk_idx_t n);
static void ngx_faas_promise_push_this(duk_context *ctx, const char *name);
static ngx_inline ngx_faas_promise_heap_t *ngx_faas_promise_heap(
    duk_context *ctx);
static void ngx_faas_promise_push_stashed(duk_context *ctx,
    ngx_uint_t which);
static void ngx_faas_promise_define_functions(duk_context *ctx,
    duk_idx_t obj, const duk_function_list_entry *list);


static ngx_uint_t  ngx_faas_promise_jobs_queued;

/* the heap whose state ngx_faas_promise_heap() has found last */
static duk_context              *ngx_faas_promise_ctx;
static ngx_faas_promise_heap_t  *ngx_faas_promise_cached;


static const duk_function_list_entry  ngx_faas_promise_methods[] = {
    { "then", ngx_faas_promise_then, 2 },
    { "catch", ngx_faas_promise_catch, 1 },
    { "finally", ngx_faas_promise_finally, 1 },
    { NULL, NULL, 0 }
};


static const duk_function_list_entry  ngx_faas_promise_statics[] = {
    { "resolve", ngx_faas_promise_static_resolve, 1 },
    { "reject", ngx_faas_promise_static_reject, 1 },
    { "all", ngx_faas_promise_all, 1 },
    { "allSettled", ngx_faas_promise_all_settled, 1 },
    { "any", ngx_faas_promise_any, 1 },
    { "race", ngx_faas_promise_race, 1 },
    { NULL, NULL, 0 }
};


/* names in error messages, by combinator */
static const char  *ngx_faas_promise_combinators[] = {
    "Promise.all",
    "Promise.allSettled",
    "Promise.any",
    "Promise.race"
};


void
ngx_faas_promise_init(duk_context *ctx)
{
    ngx_faas_promise_heap_t  *heap;

    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    duk_push_c_function(ctx, ngx_faas_promise_constructor, 1);
    duk_push_object(ctx);

    /* stack: [ ... Promise prototype ] */

    ngx_faas_promise_define_functions(ctx, -1, ngx_faas_promise_methods);
    ngx_faas_promise_define_functions(ctx, -2, ngx_faas_promise_statics);

    duk_push_literal(ctx, "constructor");
    duk_dup(ctx, -3);
    duk_def_prop(ctx, -3, NGX_FAAS_PROMISE_BUILTIN);

    duk_push_literal(ctx, "prototype");
    duk_dup(ctx, -2);
    duk_def_prop(ctx, -4, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_CLEAR_WEC);

    duk_push_literal(ctx, "name");
    duk_push_literal(ctx, "Promise");
    duk_def_prop(ctx, -4, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_CLEAR_WE
                          |DUK_DEFPROP_SET_CONFIGURABLE);

    /*
     * the originals are kept in the stash: scripts may replace the
     * globals, the runtime must not follow them
     */

    duk_push_heap_stash(ctx);

    heap = duk_push_fixed_buffer(ctx, sizeof(ngx_faas_promise_heap_t));
    duk_put_prop_literal(ctx, -2, NGX_FAAS_PROMISE_KEY_HEAP);

    /* stack: [ ... Promise prototype stash ] */

    heap->intrinsic[NGX_FAAS_PROMISE_CTOR] = duk_get_heapptr(ctx, -3);
    duk_dup(ctx, -3);
    duk_put_prop_literal(ctx, -2, NGX_FAAS_PROMISE_KEY_CTOR);
    heap->intrinsic[NGX_FAAS_PROMISE_PROTO] = duk_get_heapptr(ctx, -2);
    duk_dup(ctx, -2);
    duk_put_prop_literal(ctx, -2, NGX_FAAS_PROMISE_KEY_PROTO);
    duk_get_prop_literal(ctx, -2, "then");
    heap->intrinsic[NGX_FAAS_PROMISE_THEN] = duk_get_heapptr(ctx, -1);
    duk_put_prop_literal(ctx, -2, NGX_FAAS_PROMISE_KEY_THEN);
    duk_push_bare_array(ctx);
    heap->jobs = duk_get_heapptr(ctx, -1);
    heap->head = 0;
    duk_put_prop_literal(ctx, -2, NGX_FAAS_PROMISE_KEY_JOBS);
    duk_pop_2(ctx);

    ngx_faas_promise_ctx = ctx;
    ngx_faas_promise_cached = heap;

    /* stack: [ ... Promise ] */

    duk_push_global_object(ctx);
    duk_push_literal(ctx, "Promise");
    duk_dup(ctx, -3);
    duk_def_prop(ctx, -3, NGX_FAAS_PROMISE_BUILTIN);
    duk_pop_2(ctx);
}


ngx_uint_t
ngx_faas_promise_run_jobs(duk_context *ctx, volatile ngx_uint_t *stop)
{
    duk_idx_t   top;
    ngx_uint_t  n;

    top = duk_get_top(ctx);
    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    for (n = 0; stop == NULL || *stop == 0; n++) {

        if (!ngx_faas_promise_dequeue(ctx)) {
            break;
        }

        ngx_faas_promise_run_job(ctx, top);
        duk_set_top(ctx, top);
    }

    return n;
}


ngx_uint_t
ngx_faas_promise_queued(void)
{
    return ngx_faas_promise_jobs_queued;
}


ngx_int_t
ngx_faas_promise_is_promise(duk_context *ctx, duk_idx_t idx)
{
    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    if (!ngx_faas_promise_push_data(ctx, idx)) {
        return 0;
    }

    duk_pop(ctx);

    return 1;
}


ngx_int_t
ngx_faas_promise_state(duk_context *ctx, duk_idx_t idx)
{
    duk_uint_t  state;

    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    if (!ngx_faas_promise_push_data(ctx, idx)) {
        return NGX_ERROR;
    }

    /* stack: [ ... data ] */

    duk_get_prop_index(ctx, -1, NGX_FAAS_PROMISE_STATE);
    state = duk_get_uint(ctx, -1);
    duk_pop(ctx);

    if (state == NGX_FAAS_PROMISE_PENDING) {
        duk_pop(ctx);
        return state;
    }

    if (state == NGX_FAAS_PROMISE_REJECTED) {
        duk_push_true(ctx);
        duk_put_prop_index(ctx, -2, NGX_FAAS_PROMISE_HANDLED);
    }

    duk_get_prop_index(ctx, -1, NGX_FAAS_PROMISE_VALUE);
    duk_remove(ctx, -2);

    /* stack: [ ... value ] */

    return state;
}


void
ngx_faas_promise_resolve(duk_context *ctx, duk_idx_t idx)
{
    idx = duk_require_normalize_index(ctx, idx);
    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    ngx_faas_promise_push_stashed(ctx, NGX_FAAS_PROMISE_CTOR);
    ngx_faas_promise_push_resolved(ctx, -1, idx);

    /* stack: [ ... Promise promise ] */

    duk_replace(ctx, idx);
    duk_pop(ctx);
}


/*
 * a reaction to the promise at idx with the two functions on the stack
 * top (popped), as then() without the derived promise: what the
 * functions return or throw goes nowhere
 */

void
ngx_faas_promise_react(duk_context *ctx, duk_idx_t idx)
{
    idx = duk_require_normalize_index(ctx, idx);
    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    if (!ngx_faas_promise_push_data(ctx, idx)) {
        (void) duk_type_error(ctx, "not a promise");
    }

    duk_pop(ctx);

    /* stack: [ ... onFulfilled onRejected ] */

    duk_push_undefined(ctx);
    duk_push_undefined(ctx);
    duk_push_undefined(ctx);

    ngx_faas_promise_perform_then(ctx, idx, -5, -4, -3);
    duk_pop_n(ctx, 5);
}


void
ngx_faas_promise_push(duk_context *ctx)
{
    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);
    ngx_faas_promise_push_new(ctx);
}


void
ngx_faas_promise_settle_with(duk_context *ctx, duk_idx_t promise,
    duk_idx_t value, ngx_uint_t rejected)
{
    promise = duk_require_normalize_index(ctx, promise);
    value = duk_require_normalize_index(ctx, value);
    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    if (rejected) {
        ngx_faas_promise_settle(ctx, promise, value,
                                NGX_FAAS_PROMISE_REJECTED);

    } else {
        ngx_faas_promise_resolve_value(ctx, promise, value);
    }
}


/* queueMicrotask(): the function at idx runs as a job of the queue */

void
ngx_faas_promise_enqueue_task(duk_context *ctx, duk_idx_t idx)
{
    idx = duk_require_normalize_index(ctx, idx);
    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    duk_push_uint(ctx, NGX_FAAS_PROMISE_JOB_TASK);
    duk_dup(ctx, idx);
    ngx_faas_promise_pack(ctx, 2);
    ngx_faas_promise_enqueue(ctx);
}


static duk_ret_t
ngx_faas_promise_constructor(duk_context *ctx)
{
    /* stack: [ executor ] */

    duk_push_this(ctx);

    if (!duk_is_constructor_call(ctx)) {

        /*
         * ES5 subclasses run "Promise.call(this, executor)" on an object
         * that inherits from Promise.prototype: let them, like the
         * polyfills do
         */

        ngx_faas_promise_push_stashed(ctx, NGX_FAAS_PROMISE_CTOR);

        if (!duk_is_object(ctx, 1) || !duk_instanceof(ctx, 1, 2)) {
            return duk_type_error(ctx, "Promise constructor cannot be "
                                  "invoked without 'new'");
        }

        duk_pop(ctx);
    }

    /* stack: [ executor this ] */

    if (!duk_is_callable(ctx, 0)) {
        return duk_type_error(ctx, "Promise resolver is not a function");
    }

    if (ngx_faas_promise_push_data(ctx, 1)) {
        return duk_type_error(ctx, "object is already a promise");
    }

    ngx_faas_promise_init_data(ctx, 1);
    ngx_faas_promise_push_resolving_functions(ctx, 1);

    /* stack: [ executor this resolve reject ] */

    duk_dup(ctx, 0);
    duk_push_undefined(ctx);
    duk_dup(ctx, 2);
    duk_dup(ctx, 3);

    if (duk_pcall_method(ctx, 2) != DUK_EXEC_SUCCESS) {

        /* stack: [ executor this resolve reject error ] */

        ngx_faas_promise_call(ctx, 3, 4, 0);
    }

    return 0;
}


static duk_ret_t
ngx_faas_promise_then(duk_context *ctx)
{
    /* stack: [ onFulfilled onRejected ] */

    duk_push_this(ctx);

    if (!ngx_faas_promise_push_data(ctx, 2)) {
        return duk_type_error(ctx, "Promise.prototype.then called on "
                              "an object that is not a promise");
    }

    duk_pop(ctx);

    ngx_faas_promise_push_constructor(ctx, 2);
    ngx_faas_promise_push_capability(ctx, 3, 0);

    /* stack: [ onFulfilled onRejected this C promise resolve reject ] */

    ngx_faas_promise_perform_then(ctx, 2, 0, 1, 4);
    duk_dup(ctx, 4);

    return 1;
}


static duk_ret_t
ngx_faas_promise_catch(duk_context *ctx)
{
    /* stack: [ onRejected ] */

    duk_push_this(ctx);
    duk_push_undefined(ctx);
    duk_dup(ctx, 0);

    /* stack: [ onRejected this undefined onRejected ] */

    ngx_faas_promise_invoke_then(ctx, 2);

    return 1;
}


static duk_ret_t
ngx_faas_promise_finally(duk_context *ctx)
{
    /* stack: [ onFinally ] */

    ngx_faas_promise_push_this(ctx, "Promise.prototype.finally");

    ngx_faas_promise_push_constructor(ctx, 1);
    duk_dup(ctx, 1);

    if (duk_is_callable(ctx, 0)) {
        duk_dup(ctx, 0);
        duk_dup(ctx, 2);
        ngx_faas_promise_pack(ctx, 2);

        /* stack: [ onFinally this C this [ onFinally C ] ] */

        ngx_faas_promise_push_function(ctx, ngx_faas_promise_finally_function,
                                       1, NGX_FAAS_PROMISE_FULFILLED, 4);
        ngx_faas_promise_push_function(ctx, ngx_faas_promise_finally_function,
                                       1, NGX_FAAS_PROMISE_REJECTED, 4);
        duk_remove(ctx, 4);

    } else {
        duk_dup(ctx, 0);
        duk_dup(ctx, 0);
    }

    /* stack: [ onFinally this C this thenFinally catchFinally ] */

    ngx_faas_promise_invoke_then(ctx, 2);

    return 1;
}


static duk_ret_t
ngx_faas_promise_finally_function(duk_context *ctx)
{
    /* stack: [ value ] */

    ngx_faas_promise_push_record(ctx);

    duk_get_prop_index(ctx, 1, 0);
    duk_push_undefined(ctx);
    duk_call_method(ctx, 0);

    duk_get_prop_index(ctx, 1, 1);
    ngx_faas_promise_push_resolved(ctx, 3, 2);

    /* stack: [ value record result C promise ] */

    duk_dup(ctx, 0);
    ngx_faas_promise_pack(ctx, 1);
    ngx_faas_promise_push_function(ctx, ngx_faas_promise_thunk, 0,
                                   duk_get_current_magic(ctx), 5);
    duk_remove(ctx, 5);

    /* stack: [ value record result C promise thunk ] */

    ngx_faas_promise_invoke_then(ctx, 1);

    return 1;
}


static duk_ret_t
ngx_faas_promise_thunk(duk_context *ctx)
{
    ngx_faas_promise_push_record(ctx);
    duk_get_prop_index(ctx, -1, 0);

    if (duk_get_current_magic(ctx) == NGX_FAAS_PROMISE_REJECTED) {
        return duk_throw(ctx);
    }

    return 1;
}


static duk_ret_t
ngx_faas_promise_static_resolve(duk_context *ctx)
{
    /* stack: [ value ] */

    ngx_faas_promise_push_this(ctx, "Promise.resolve");

    ngx_faas_promise_push_resolved(ctx, 1, 0);

    return 1;
}


static duk_ret_t
ngx_faas_promise_static_reject(duk_context *ctx)
{
    /* stack: [ reason ] */

    ngx_faas_promise_push_this(ctx, "Promise.reject");

    ngx_faas_promise_push_capability(ctx, 1, 0);

    /* stack: [ reason C promise resolve reject ] */

    ngx_faas_promise_settle_capability(ctx, 2, 0, 1, 0);
    duk_pop_2(ctx);

    return 1;
}


static duk_ret_t
ngx_faas_promise_all(duk_context *ctx)
{
    return ngx_faas_promise_combinator(ctx, NGX_FAAS_PROMISE_ALL);
}


static duk_ret_t
ngx_faas_promise_all_settled(duk_context *ctx)
{
    return ngx_faas_promise_combinator(ctx, NGX_FAAS_PROMISE_ALL_SETTLED);
}


static duk_ret_t
ngx_faas_promise_any(duk_context *ctx)
{
    return ngx_faas_promise_combinator(ctx, NGX_FAAS_PROMISE_ANY);
}


static duk_ret_t
ngx_faas_promise_race(duk_context *ctx)
{
    return ngx_faas_promise_combinator(ctx, NGX_FAAS_PROMISE_RACE);
}


static duk_ret_t
ngx_faas_promise_combinator(duk_context *ctx, ngx_uint_t kind)
{
    /* stack: [ iterable ] */

    ngx_faas_promise_push_this(ctx, ngx_faas_promise_combinators[kind]);

    ngx_faas_promise_push_capability(ctx, 1, 1);

    /* stack: [ iterable C promise resolve reject ] */

    /* a protected call of its own, so its abrupt completions reject */

    duk_push_c_function(ctx, ngx_faas_promise_combinator_loop, 4);
    duk_set_magic(ctx, -1, (duk_int_t) kind);
    duk_dup(ctx, 0);
    duk_dup(ctx, 1);
    duk_dup(ctx, 3);
    duk_dup(ctx, 4);

    if (duk_pcall(ctx, 4) != DUK_EXEC_SUCCESS) {
        /* stack: [ iterable C promise resolve reject error ] */

        ngx_faas_promise_call(ctx, 4, 5, 0);
    }

    duk_dup(ctx, 2);

    return 1;
}


static duk_ret_t
ngx_faas_promise_combinator_loop(duk_context *ctx)
{
    duk_size_t  i, n;
    ngx_uint_t  kind;

    kind = (ngx_uint_t) duk_get_current_magic(ctx);

    /* stack: [ iterable C resolve reject ] */

    duk_get_prop_literal(ctx, 1, "resolve");

    if (!duk_is_callable(ctx, 4)) {
        return duk_type_error(ctx, "Promise resolve is not a function");
    }

    /*
     * Duktape has no iteration protocol: arrays, array-likes and strings
     * are what can be iterated
     */

    if (!duk_check_type_mask(ctx, 0, NGX_FAAS_PROMISE_OBJECT_MASK
                                     |DUK_TYPE_MASK_STRING))
    {
        return duk_type_error(ctx, "%s is not iterable",
                              duk_safe_to_string(ctx, 0));
    }

    n = duk_get_length(ctx, 0);

    duk_push_array(ctx);
    duk_dup(ctx, 5);
    duk_push_uint(ctx, 1);
    duk_dup(ctx, 2);
    duk_dup(ctx, 3);
    ngx_faas_promise_pack(ctx, 4);

    /* stack: [ iterable C resolve reject C.resolve values record ] */

    duk_require_stack(ctx, NGX_FAAS_PROMISE_STACK);

    for (i = 0; i < n; i++) {
        ngx_faas_promise_combinator_step(ctx, kind, (duk_uarridx_t) i);
    }

    if (kind != NGX_FAAS_PROMISE_RACE
        && ngx_faas_promise_count(ctx, 6, -1) == 0)
    {
        ngx_faas_promise_combinator_done(ctx, 6,
                                         kind == NGX_FAAS_PROMISE_ANY);
    }

    return 0;
}


/*
 * One element of a combinator. Our own C.resolve is run without a call of
 * it. Promise.all() then reads "then" once, as Invoke() does, and when
 * what C.resolve gave is our own promise with our own then() and
 * constructor, it does not call then(): the element function and the
 * promise then() would make are things nobody can see. The promise gets a
 * reaction whose fulfilled handler is the element record itself (no
 * then() can store one: it keeps callable handlers only) and whose
 * rejected handler is the combinator's reject; any other then() is
 * called as read
 */

static void
ngx_faas_promise_combinator_step(duk_context *ctx, ngx_uint_t kind,
    duk_uarridx_t i)
{
    ngx_uint_t  ours;

    /* stack: [ iterable C resolve reject C.resolve values record ] */

    ours = (duk_get_c_function(ctx, 4) == ngx_faas_promise_static_resolve);

    if (ours) {
        duk_get_prop_index(ctx, 0, i);
        ngx_faas_promise_push_resolved(ctx, 1, -1);
        duk_remove(ctx, -2);

    } else {
        duk_dup(ctx, 4);
        duk_dup(ctx, 1);
        duk_get_prop_index(ctx, 0, i);
        duk_call_method(ctx, 1);
    }

    if (kind == NGX_FAAS_PROMISE_RACE) {
        duk_dup(ctx, 2);
        duk_dup(ctx, 3);
        ngx_faas_promise_invoke_then(ctx, 2);
        duk_pop(ctx);
        return;
    }

    duk_push_uint(ctx, i);
    duk_push_undefined(ctx);
    duk_def_prop(ctx, 5, NGX_FAAS_PROMISE_DATA);

    /* an element record: the combinator record and the index */

    duk_dup(ctx, 6);
    duk_push_uint(ctx, i);
    ngx_faas_promise_pack(ctx, 2);

    /* stack: [ ... values record next element ] */

    if (kind == NGX_FAAS_PROMISE_ALL && ours) {
        (void) ngx_faas_promise_count(ctx, 6, 1);
        duk_get_prop_literal(ctx, 7, "then");

        /* stack: [ ... values record next element then ] */

        if (ngx_faas_promise_is_plain_then(ctx, 9, 7)) {

            /* the reaction: [ kind element reject cap(3) argument ] */

            duk_push_uint(ctx, NGX_FAAS_PROMISE_PENDING);
            duk_dup(ctx, 8);
            duk_dup(ctx, 3);
            duk_push_undefined(ctx);
            duk_push_undefined(ctx);
            duk_push_undefined(ctx);
            duk_push_undefined(ctx);
            ngx_faas_promise_pack(ctx, 7);

            ngx_faas_promise_add_reaction(ctx, 7);

        } else {
            duk_dup(ctx, 7);
            ngx_faas_promise_push_function(ctx,
                                           ngx_faas_promise_element_function,
                                           1, NGX_FAAS_PROMISE_EL_VALUE, 8);
            duk_dup(ctx, 3);
            duk_call_method(ctx, 2);
        }

        duk_set_top(ctx, 7);
        return;
    }

    switch (kind) {

    case NGX_FAAS_PROMISE_ALL:
        ngx_faas_promise_push_function(ctx, ngx_faas_promise_element_function,
                                       1, NGX_FAAS_PROMISE_EL_VALUE, 8);
        duk_dup(ctx, 3);
        break;

    case NGX_FAAS_PROMISE_ALL_SETTLED:
        ngx_faas_promise_push_function(ctx, ngx_faas_promise_element_function,
                                       1, NGX_FAAS_PROMISE_EL_FULFILLED, 8);
        ngx_faas_promise_push_function(ctx, ngx_faas_promise_element_function,
                                       1, NGX_FAAS_PROMISE_EL_REJECTED, 8);
        break;

    default: /* NGX_FAAS_PROMISE_ANY */
        duk_dup(ctx, 2);
        ngx_faas_promise_push_function(ctx, ngx_faas_promise_element_function,
                                       1, NGX_FAAS_PROMISE_EL_ERROR, 8);
        break;
    }

    duk_remove(ctx, 8);
    (void) ngx_faas_promise_count(ctx, 6, 1);

    /* stack: [ ... values record next onFulfilled onRejected ] */

    ngx_faas_promise_invoke_then(ctx, 2);
    duk_pop(ctx);
}


static duk_ret_t
ngx_faas_promise_element_function(duk_context *ctx)
{
    /* stack: [ x ] */

    ngx_faas_promise_push_record(ctx);
    ngx_faas_promise_element(ctx, 0, 1, duk_get_current_magic(ctx));

    return 0;
}


/*
 * an element function's steps: x at idx, the element record
 * [ combinator record, index ] at element
 */

static void
ngx_faas_promise_element(duk_context *ctx, duk_idx_t x, duk_idx_t element,
    duk_int_t magic)
{
    duk_idx_t  base;

    x = duk_normalize_index(ctx, x);
    element = duk_normalize_index(ctx, element);
    base = duk_get_top(ctx);

    duk_get_prop_index(ctx, element, 0);

    /* stack: [ ... record ] */

    if (duk_is_undefined(ctx, base)) {
        duk_pop(ctx);
        return;       /* already called */
    }

    duk_push_undefined(ctx);
    duk_put_prop_index(ctx, element, 0);

    duk_get_prop_index(ctx, base, NGX_FAAS_PROMISE_COMB_VALUES);
    duk_get_prop_index(ctx, element, 1);

    if (magic == NGX_FAAS_PROMISE_EL_VALUE
        || magic == NGX_FAAS_PROMISE_EL_ERROR)
    {
        duk_dup(ctx, x);

    } else {
        duk_push_object(ctx);
        duk_push_literal(ctx, "status");
        duk_push_string(ctx, magic == NGX_FAAS_PROMISE_EL_FULFILLED
                             ? "fulfilled" : "rejected");
        duk_def_prop(ctx, base + 3, NGX_FAAS_PROMISE_DATA);
        duk_push_string(ctx, magic == NGX_FAAS_PROMISE_EL_FULFILLED
                             ? "value" : "reason");
        duk_dup(ctx, x);
        duk_def_prop(ctx, base + 3, NGX_FAAS_PROMISE_DATA);
    }

    /* stack: [ ... record values index value ] */

    duk_def_prop(ctx, base + 1, NGX_FAAS_PROMISE_DATA);

    if (ngx_faas_promise_count(ctx, base, -1) == 0) {
        ngx_faas_promise_combinator_done(ctx, base,
                                         magic == NGX_FAAS_PROMISE_EL_ERROR);
    }

    duk_set_top(ctx, base);
}


static duk_uint_t
ngx_faas_promise_count(duk_context *ctx, duk_idx_t record, duk_int_t delta)
{
    duk_uint_t  n;

    duk_get_prop_index(ctx, record, NGX_FAAS_PROMISE_COMB_COUNT);
    n = duk_get_uint(ctx, -1) + delta;
    duk_pop(ctx);

    duk_push_uint(ctx, n);
    duk_put_prop_index(ctx, record, NGX_FAAS_PROMISE_COMB_COUNT);

    return n;
}


static void
ngx_faas_promise_combinator_done(duk_context *ctx, duk_idx_t record,
    ngx_uint_t aggregate)
{
    record = duk_normalize_index(ctx, record);

    if (!aggregate) {
        duk_get_prop_index(ctx, record, NGX_FAAS_PROMISE_COMB_RESOLVE);
        duk_push_undefined(ctx);
        duk_get_prop_index(ctx, record, NGX_FAAS_PROMISE_COMB_VALUES);
        duk_call_method(ctx, 1);
        duk_pop(ctx);
        return;
    }

    duk_get_prop_index(ctx, record, NGX_FAAS_PROMISE_COMB_REJECT);
    duk_push_undefined(ctx);
    (void) duk_push_error_object(ctx, DUK_ERR_ERROR,
                                 "All promises were rejected");

    /* stack: [ ... reject undefined error ] */

    duk_push_literal(ctx, "name");
    duk_push_literal(ctx, "AggregateError");
    duk_def_prop(ctx, -3, NGX_FAAS_PROMISE_BUILTIN);
    duk_push_literal(ctx, "errors");
    duk_get_prop_index(ctx, record, NGX_FAAS_PROMISE_COMB_VALUES);
    duk_def_prop(ctx, -3, NGX_FAAS_PROMISE_BUILTIN);

    duk_call_method(ctx, 1);
    duk_pop(ctx);
}


static duk_ret_t
ngx_faas_promise_resolving_function(duk_context *ctx)
{
    /* stack: [ value ] */

    ngx_faas_promise_push_record(ctx);
    duk_get_prop_index(ctx, 1, 0);

    /* stack: [ value record promise ] */

    if (duk_is_undefined(ctx, 2)) {
        return 0;     /* already resolved */
    }

    /* the pair shares the record: forgetting the promise resolves both */

    duk_push_undefined(ctx);
    duk_put_prop_index(ctx, 1, 0);

    if (duk_get_current_magic(ctx) == NGX_FAAS_PROMISE_REJECTED) {
        ngx_faas_promise_settle(ctx, 2, 0, NGX_FAAS_PROMISE_REJECTED);

    } else {
        ngx_faas_promise_resolve_value(ctx, 2, 0);
    }

    return 0;
}


static duk_ret_t
ngx_faas_promise_capability_executor(duk_context *ctx)
{
    /* stack: [ resolve reject ] */

    ngx_faas_promise_push_record(ctx);
    duk_get_prop_index(ctx, 2, 0);
    duk_get_prop_index(ctx, 2, 1);

    /* stack: [ resolve reject record oldResolve oldReject ] */

    if (!duk_is_undefined(ctx, 3) || !duk_is_undefined(ctx, 4)) {
        return duk_type_error(ctx, "promise capability executor "
                              "already called");
    }

    duk_dup(ctx, 0);
    duk_put_prop_index(ctx, 2, 0);
    duk_dup(ctx, 1);
    duk_put_prop_index(ctx, 2, 1);

    return 0;
}


/* a safe call runs in its caller's frame: the object is at the top */

static duk_ret_t
ngx_faas_promise_get_constructor(duk_context *ctx, void *udata)
{
    /* stack: [ ... object ] */

    duk_get_prop_literal(ctx, -1, "constructor");

    return 1;
}


static duk_ret_t
ngx_faas_promise_get_then(duk_context *ctx, void *udata)
{
    /* stack: [ ... object ] */

    duk_get_prop_literal(ctx, -1, "then");

    return 1;
}


static void
ngx_faas_promise_run_job(duk_context *ctx, duk_idx_t job)
{
    duk_uint_t  kind;

    duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_KIND);
    kind = duk_get_uint(ctx, -1);
    duk_pop(ctx);

    if (kind == NGX_FAAS_PROMISE_JOB_ADOPT) {
        ngx_faas_promise_adopt_job(ctx, job);

    } else if (kind == NGX_FAAS_PROMISE_JOB_TASK) {
        /* what it throws ends the run, as an uncaught error does */
        duk_get_prop_index(ctx, job, 1);
        duk_call(ctx, 0);
        duk_pop(ctx);

    } else {
        ngx_faas_promise_reaction_job(ctx, job);
    }
}


static void
ngx_faas_promise_reaction_job(duk_context *ctx, duk_idx_t job)
{
    duk_idx_t   base;
    duk_uint_t  kind;
    ngx_uint_t  rejected;

    job = duk_normalize_index(ctx, job);
    base = duk_get_top(ctx);

    duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_KIND);
    kind = duk_get_uint(ctx, -1);
    duk_pop(ctx);

    duk_get_prop_index(ctx, job, kind == NGX_FAAS_PROMISE_FULFILLED
                                 ? NGX_FAAS_PROMISE_JOB_FULFILLED
                                 : NGX_FAAS_PROMISE_JOB_REJECTED);
    duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_CAP);
    duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_CAP + 1);
    duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_CAP + 2);

    /* stack: [ ... job handler promise resolve reject ] */

    if (duk_is_undefined(ctx, base)) {
        duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_ARGUMENT);
        rejected = (kind == NGX_FAAS_PROMISE_REJECTED);

    } else if (!duk_is_function(ctx, base)) {

        /* an element record: see ngx_faas_promise_combinator_step() */

        duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_ARGUMENT);
        ngx_faas_promise_element(ctx, -1, base, NGX_FAAS_PROMISE_EL_VALUE);
        duk_set_top(ctx, base);
        return;

    } else {
        duk_dup(ctx, base);
        duk_push_undefined(ctx);
        duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_ARGUMENT);
        rejected = (duk_pcall_method(ctx, 1) != DUK_EXEC_SUCCESS);
    }

    /* stack: [ ... job handler promise resolve reject result ] */

    if (!duk_is_undefined(ctx, base + 1)) {
        ngx_faas_promise_settle_capability(ctx, base + 1, -1, rejected, 1);
    }

    duk_set_top(ctx, base);
}


static void
ngx_faas_promise_adopt_job(duk_context *ctx, duk_idx_t job)
{
    duk_idx_t  base;

    job = duk_normalize_index(ctx, job);
    base = duk_get_top(ctx);

    duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_THEN);
    duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_THENABLE);
    duk_get_prop_index(ctx, job, NGX_FAAS_PROMISE_JOB_PROMISE);

    /* stack: [ ... job then thenable promise ] */

    if (ngx_faas_promise_is_plain_then(ctx, base, base + 1)) {

        /*
         * our own then() on our own promise: react to it directly with
         * no handlers, as then() would, without making a derived promise
         * and a pair of resolving functions nobody can see
         */

        duk_push_undefined(ctx);
        duk_push_undefined(ctx);

        /* stack: [ ... job then thenable promise undefined undefined ] */

        ngx_faas_promise_perform_then(ctx, base + 1, base + 3, base + 3,
                                      base + 2);
        duk_set_top(ctx, base);
        return;
    }

    ngx_faas_promise_push_resolving_functions(ctx, base + 2);

    /* stack: [ ... job then thenable promise resolve reject ] */

    duk_dup(ctx, base);
    duk_dup(ctx, base + 1);
    duk_dup(ctx, base + 3);
    duk_dup(ctx, base + 4);

    if (duk_pcall_method(ctx, 2) != DUK_EXEC_SUCCESS) {
        ngx_faas_promise_call(ctx, base + 4, -1, 0);
    }

    duk_set_top(ctx, base);
}


static ngx_int_t
ngx_faas_promise_is_plain_then(duk_context *ctx, duk_idx_t then,
    duk_idx_t thenable)
{
    ngx_int_t  plain;

    ngx_faas_promise_push_stashed(ctx, NGX_FAAS_PROMISE_THEN);
    plain = duk_strict_equals(ctx, then, -1);
    duk_pop(ctx);

    if (!plain || !ngx_faas_promise_push_data(ctx, thenable)) {
        return 0;
    }

    duk_pop(ctx);

    /* a getter may throw: then() itself will, in a protected call */

    duk_dup(ctx, thenable);

    if (duk_safe_call(ctx, ngx_faas_promise_get_constructor, NULL, 1, 1)
        != DUK_EXEC_SUCCESS)
    {
        duk_pop(ctx);
        return 0;
    }

    ngx_faas_promise_push_stashed(ctx, NGX_FAAS_PROMISE_CTOR);
    plain = duk_strict_equals(ctx, -1, -2);
    duk_pop_2(ctx);

    return plain;
}


static void
ngx_faas_promise_push_new(duk_context *ctx)
{
    duk_push_bare_object(ctx);
    ngx_faas_promise_push_stashed(ctx, NGX_FAAS_PROMISE_PROTO);
    duk_set_prototype(ctx, -2);
    ngx_faas_promise_init_data(ctx, -1);
}


static void
ngx_faas_promise_init_data(duk_context *ctx, duk_idx_t idx)
{
    idx = duk_normalize_index(ctx, idx);

    duk_push_literal(ctx, NGX_FAAS_PROMISE_KEY_DATA);
    duk_push_uint(ctx, NGX_FAAS_PROMISE_PENDING);
    duk_push_false(ctx);
    duk_push_undefined(ctx);
    duk_push_undefined(ctx);
    ngx_faas_promise_pack(ctx, 4);

    /* stack: [ ... key [ state handled value reaction ] ] */

    duk_def_prop(ctx, idx, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WRITABLE
                           |DUK_DEFPROP_CLEAR_EC);
}


static ngx_int_t
ngx_faas_promise_push_data(duk_context *ctx, duk_idx_t idx)
{
    ngx_int_t  inherited;

    idx = duk_normalize_index(ctx, idx);

    if (!duk_is_object(ctx, idx)) {
        return 0;
    }

    duk_get_prop_literal(ctx, idx, NGX_FAAS_PROMISE_KEY_DATA);

    if (!duk_is_object(ctx, -1)) {
        duk_pop(ctx);
        return 0;
    }

    /*
     * each promise has its own data array: an object inheriting from a
     * promise sees the same array its prototype does
     */

    duk_get_prototype(ctx, idx);

    if (duk_is_object(ctx, -1)) {
        duk_get_prop_literal(ctx, -1, NGX_FAAS_PROMISE_KEY_DATA);
        inherited = duk_strict_equals(ctx, -1, -3);
        duk_pop_2(ctx);

    } else {
        inherited = 0;
        duk_pop(ctx);
    }

    if (inherited) {
        duk_pop(ctx);
        return 0;
    }

    /* stack: [ ... data ] */

    return 1;
}


static void
ngx_faas_promise_push_resolving_functions(duk_context *ctx,
    duk_idx_t promise)
{
    promise = duk_normalize_index(ctx, promise);

    duk_dup(ctx, promise);
    ngx_faas_promise_pack(ctx, 1);

    ngx_faas_promise_push_function(ctx, ngx_faas_promise_resolving_function,
                                   1, NGX_FAAS_PROMISE_FULFILLED, -1);
    ngx_faas_promise_push_function(ctx, ngx_faas_promise_resolving_function,
                                   1, NGX_FAAS_PROMISE_REJECTED, -2);
    duk_remove(ctx, -3);

    /* stack: [ ... resolve reject ] */
}


/* SpeciesConstructor() without @@species, which Duktape does not have */

static void
ngx_faas_promise_push_constructor(duk_context *ctx, duk_idx_t idx)
{
    duk_get_prop_literal(ctx, idx, "constructor");

    if (duk_is_undefined(ctx, -1)) {
        duk_pop(ctx);
        ngx_faas_promise_push_stashed(ctx, NGX_FAAS_PROMISE_CTOR);
        return;
    }

    if (!duk_check_type_mask(ctx, -1, NGX_FAAS_PROMISE_OBJECT_MASK)) {
        (void) duk_type_error(ctx, "promise constructor is not an object");
    }
}


/*
 * NewPromiseCapability(C): pushes promise, resolve and reject; for our
 * own constructor resolve and reject are undefined unless asked for, and
 * the promise is settled directly
 */

static void
ngx_faas_promise_push_capability(duk_context *ctx, duk_idx_t c,
    ngx_uint_t functions)
{
    duk_idx_t  record;

    c = duk_normalize_index(ctx, c);

    ngx_faas_promise_push_stashed(ctx, NGX_FAAS_PROMISE_CTOR);

    if (duk_strict_equals(ctx, c, -1)) {
        duk_pop(ctx);
        ngx_faas_promise_push_new(ctx);

        if (functions) {
            ngx_faas_promise_push_resolving_functions(ctx, -1);

        } else {
            duk_push_undefined(ctx);
            duk_push_undefined(ctx);
        }

        return;
    }

    duk_pop(ctx);

    if (!duk_is_constructable(ctx, c)) {
        (void) duk_type_error(ctx, "promise constructor is not "
                              "a constructor");
    }

    duk_push_undefined(ctx);
    duk_push_undefined(ctx);
    ngx_faas_promise_pack(ctx, 2);
    record = duk_get_top_index(ctx);
    duk_dup(ctx, c);
    ngx_faas_promise_push_function(ctx, ngx_faas_promise_capability_executor,
                                   2, 0, record);
    duk_new(ctx, 1);

    /* stack: [ ... record promise ] */

    duk_get_prop_index(ctx, record, 0);
    duk_get_prop_index(ctx, record, 1);
    duk_remove(ctx, record);

    /* stack: [ ... promise resolve reject ] */

    if (!duk_is_callable(ctx, -2) || !duk_is_callable(ctx, -1)) {
        (void) duk_type_error(ctx, "promise capability functions are "
                              "not callable");
    }
}


/* PromiseResolve(C, x) */

static void
ngx_faas_promise_push_resolved(duk_context *ctx, duk_idx_t c,
    duk_idx_t value)
{
    ngx_int_t  same;

    c = duk_normalize_index(ctx, c);
    value = duk_normalize_index(ctx, value);

    if (ngx_faas_promise_push_data(ctx, value)) {
        duk_pop(ctx);
        duk_get_prop_literal(ctx, value, "constructor");
        same = duk_strict_equals(ctx, -1, c);
        duk_pop(ctx);

        if (same) {
            duk_dup(ctx, value);
            return;
        }
    }

    ngx_faas_promise_push_capability(ctx, c, 0);
    ngx_faas_promise_settle_capability(ctx, -3, value, 0, 0);
    duk_pop_2(ctx);

    /* stack: [ ... promise ] */
}


/*
 * resolves or rejects a capability [ promise resolve reject ] at cap;
 * jobs ignore what a capability's own functions throw
 */

static void
ngx_faas_promise_settle_capability(duk_context *ctx, duk_idx_t cap,
    duk_idx_t value, ngx_uint_t rejected, ngx_uint_t safe)
{
    cap = duk_normalize_index(ctx, cap);
    value = duk_normalize_index(ctx, value);

    if (duk_is_undefined(ctx, cap + 1)) {

        if (rejected) {
            ngx_faas_promise_settle(ctx, cap, value,
                                    NGX_FAAS_PROMISE_REJECTED);

        } else {
            ngx_faas_promise_resolve_value(ctx, cap, value);
        }

        return;
    }

    ngx_faas_promise_call(ctx, rejected ? cap + 2 : cap + 1, value, safe);
}


/*
 * PerformPromiseThen(): a reaction is kept on a pending promise, or
 * queued at once for a settled one
 */

static void
ngx_faas_promise_perform_then(duk_context *ctx, duk_idx_t promise,
    duk_idx_t on_fulfilled, duk_idx_t on_rejected, duk_idx_t cap)
{
    promise = duk_normalize_index(ctx, promise);
    on_fulfilled = duk_normalize_index(ctx, on_fulfilled);
    on_rejected = duk_normalize_index(ctx, on_rejected);
    cap = duk_normalize_index(ctx, cap);

    /* the reaction: [ kind onFulfilled onRejected cap(3) argument ] */

    duk_push_uint(ctx, NGX_FAAS_PROMISE_PENDING);

    if (duk_is_callable(ctx, on_fulfilled)) {
        duk_dup(ctx, on_fulfilled);

    } else {
        duk_push_undefined(ctx);
    }

    if (duk_is_callable(ctx, on_rejected)) {
        duk_dup(ctx, on_rejected);

    } else {
        duk_push_undefined(ctx);
    }

    duk_dup(ctx, cap);
    duk_dup(ctx, cap + 1);
    duk_dup(ctx, cap + 2);
    duk_push_undefined(ctx);
    ngx_faas_promise_pack(ctx, 7);

    ngx_faas_promise_add_reaction(ctx, promise);
}


/* the reaction on the stack top (popped) added to the promise at idx */

static void
ngx_faas_promise_add_reaction(duk_context *ctx, duk_idx_t promise)
{
    duk_size_t  n;
    duk_uint_t  state;

    duk_get_prop_literal(ctx, promise, NGX_FAAS_PROMISE_KEY_DATA);
    duk_get_prop_index(ctx, -1, NGX_FAAS_PROMISE_STATE);
    state = duk_get_uint(ctx, -1);
    duk_pop(ctx);

    /* stack: [ ... reaction data ] */

    if (state == NGX_FAAS_PROMISE_PENDING) {

        /* the first reaction has its slot, the others are appended */

        n = duk_get_length(ctx, -1);

        if (n == NGX_FAAS_PROMISE_REACTIONS + 1) {
            duk_get_prop_index(ctx, -1, NGX_FAAS_PROMISE_REACTIONS);

            if (duk_is_undefined(ctx, -1)) {
                n = NGX_FAAS_PROMISE_REACTIONS;
            }

            duk_pop(ctx);
        }

        duk_dup(ctx, -2);
        duk_put_prop_index(ctx, -2, (duk_uarridx_t) n);

    } else {
        duk_get_prop_index(ctx, -1, NGX_FAAS_PROMISE_VALUE);
        ngx_faas_promise_trigger(ctx, -3, state, -1);
        duk_pop(ctx);
    }

    duk_push_true(ctx);
    duk_put_prop_index(ctx, -2, NGX_FAAS_PROMISE_HANDLED);
    duk_pop_2(ctx);
}


/* the promise resolve functions' steps, after "already resolved" */

static void
ngx_faas_promise_resolve_value(duk_context *ctx, duk_idx_t promise,
    duk_idx_t value)
{
    promise = duk_normalize_index(ctx, promise);
    value = duk_normalize_index(ctx, value);

    if (duk_strict_equals(ctx, promise, value)) {
        (void) duk_push_error_object(ctx, DUK_ERR_TYPE_ERROR,
                                     "promise resolved with itself");
        ngx_faas_promise_settle(ctx, promise, -1, NGX_FAAS_PROMISE_REJECTED);
        duk_pop(ctx);
        return;
    }

    if (!duk_check_type_mask(ctx, value, NGX_FAAS_PROMISE_OBJECT_MASK)) {
        ngx_faas_promise_settle(ctx, promise, value,
                                NGX_FAAS_PROMISE_FULFILLED);
        return;
    }

    duk_dup(ctx, value);

    if (duk_safe_call(ctx, ngx_faas_promise_get_then, NULL, 1, 1)
        != DUK_EXEC_SUCCESS)
    {
        /* stack: [ ... error ] */

        ngx_faas_promise_settle(ctx, promise, -1, NGX_FAAS_PROMISE_REJECTED);
        duk_pop(ctx);
        return;
    }

    /* stack: [ ... then ] */

    if (!duk_is_callable(ctx, -1)) {
        duk_pop(ctx);
        ngx_faas_promise_settle(ctx, promise, value,
                                NGX_FAAS_PROMISE_FULFILLED);
        return;
    }

    duk_push_uint(ctx, NGX_FAAS_PROMISE_JOB_ADOPT);
    duk_dup(ctx, -2);
    duk_dup(ctx, value);
    duk_dup(ctx, promise);
    ngx_faas_promise_pack(ctx, 4);

    /* stack: [ ... then [ adopt then thenable promise ] ] */

    ngx_faas_promise_enqueue(ctx);
    duk_pop(ctx);
}


/* FulfillPromise() and RejectPromise(); a settled promise is left alone */

static void
ngx_faas_promise_settle(duk_context *ctx, duk_idx_t promise, duk_idx_t value,
    duk_uint_t state)
{
    duk_size_t  i, n;

    value = duk_normalize_index(ctx, value);

    duk_get_prop_literal(ctx, promise, NGX_FAAS_PROMISE_KEY_DATA);
    duk_get_prop_index(ctx, -1, NGX_FAAS_PROMISE_STATE);

    if (duk_get_uint(ctx, -1) != NGX_FAAS_PROMISE_PENDING) {
        duk_pop_2(ctx);
        return;
    }

    duk_pop(ctx);

    /* stack: [ ... data ] */

    duk_push_uint(ctx, state);
    duk_put_prop_index(ctx, -2, NGX_FAAS_PROMISE_STATE);
    duk_dup(ctx, value);
    duk_put_prop_index(ctx, -2, NGX_FAAS_PROMISE_VALUE);

    n = duk_get_length(ctx, -1);

    for (i = NGX_FAAS_PROMISE_REACTIONS; i < n; i++) {
        duk_get_prop_index(ctx, -1, (duk_uarridx_t) i);

        if (!duk_is_undefined(ctx, -1)) {
            ngx_faas_promise_trigger(ctx, -1, state, value);
        }

        duk_pop(ctx);
    }

    duk_set_length(ctx, -1, NGX_FAAS_PROMISE_REACTIONS);
    duk_pop(ctx);
}


/* TriggerPromiseReactions() for one reaction: it becomes a job */

static void
ngx_faas_promise_trigger(duk_context *ctx, duk_idx_t reaction,
    duk_uint_t state, duk_idx_t value)
{
    reaction = duk_normalize_index(ctx, reaction);
    value = duk_normalize_index(ctx, value);

    duk_push_uint(ctx, state);
    duk_put_prop_index(ctx, reaction, NGX_FAAS_PROMISE_JOB_KIND);
    duk_dup(ctx, value);
    duk_put_prop_index(ctx, reaction, NGX_FAAS_PROMISE_JOB_ARGUMENT);

    duk_dup(ctx, reaction);
    ngx_faas_promise_enqueue(ctx);
}


static void
ngx_faas_promise_enqueue(duk_context *ctx)
{
    /* stack: [ ... job ] */

    duk_push_heapptr(ctx, ngx_faas_promise_heap(ctx)->jobs);
    duk_dup(ctx, -2);
    duk_put_prop_index(ctx, -2, (duk_uarridx_t) duk_get_length(ctx, -2));
    duk_pop_2(ctx);

    ngx_faas_promise_jobs_queued++;
}


/*
 * the queue is an array and a head index: a job taken is cleared so it
 * can be freed, the array is emptied when the head reaches its end and
 * compacted when the dead part outgrows the live one
 */

static ngx_int_t
ngx_faas_promise_dequeue(duk_context *ctx)
{
    duk_size_t                head, n;
    ngx_faas_promise_heap_t  *heap;

    heap = ngx_faas_promise_heap(ctx);
    head = heap->head;

    duk_push_heapptr(ctx, heap->jobs);
    n = duk_get_length(ctx, -1);

    if (head >= n) {
        duk_pop(ctx);
        return 0;
    }

    /* stack: [ ... jobs ] */

    duk_get_prop_index(ctx, -1, (duk_uarridx_t) head);
    duk_push_undefined(ctx);
    duk_put_prop_index(ctx, -3, (duk_uarridx_t) head);
    head++;

    /* stack: [ ... jobs job ] */

    if (head == n) {
        duk_set_length(ctx, -2, 0);
        head = 0;

    } else if (head >= NGX_FAAS_PROMISE_COMPACT && head >= n - head) {
        ngx_faas_promise_compact(ctx, -2, head, n);
        head = 0;
    }

    heap->head = head;
    duk_remove(ctx, -2);

    /* stack: [ ... job ] */

    return 1;
}


static void
ngx_faas_promise_compact(duk_context *ctx, duk_idx_t jobs, duk_size_t head,
    duk_size_t n)
{
    duk_size_t  i;

    jobs = duk_normalize_index(ctx, jobs);

    for (i = head; i < n; i++) {
        duk_get_prop_index(ctx, jobs, (duk_uarridx_t) i);
        duk_put_prop_index(ctx, jobs, (duk_uarridx_t) (i - head));
    }

    duk_set_length(ctx, jobs, n - head);
}


/* Invoke(object, "then", args): [ ... object args ] -> [ ... result ] */

static void
ngx_faas_promise_invoke_then(duk_context *ctx, duk_idx_t nargs)
{
    duk_push_literal(ctx, "then");
    duk_insert(ctx, -(nargs + 1));
    duk_call_prop(ctx, -(nargs + 2), nargs);
    duk_remove(ctx, -2);
}


/* func(arg), the result dropped; a safe call ignores what it throws */

static void
ngx_faas_promise_call(duk_context *ctx, duk_idx_t func, duk_idx_t arg,
    ngx_uint_t safe)
{
    arg = duk_normalize_index(ctx, arg);

    duk_dup(ctx, func);
    duk_push_undefined(ctx);
    duk_dup(ctx, arg);

    if (safe) {
        (void) duk_pcall_method(ctx, 1);

    } else {
        duk_call_method(ctx, 1);
    }

    duk_pop(ctx);
}


/* a C function with its magic and a record of what it needs */

static void
ngx_faas_promise_push_function(duk_context *ctx, duk_c_function func,
    duk_idx_t nargs, duk_int_t magic, duk_idx_t record)
{
    record = duk_normalize_index(ctx, record);

    duk_push_c_function(ctx, func, nargs);
    duk_set_magic(ctx, -1, magic);
    duk_dup(ctx, record);
    duk_put_prop_literal(ctx, -2, NGX_FAAS_PROMISE_KEY_RECORD);
}


static void
ngx_faas_promise_push_record(duk_context *ctx)
{
    duk_push_current_function(ctx);
    duk_get_prop_literal(ctx, -1, NGX_FAAS_PROMISE_KEY_RECORD);
    duk_remove(ctx, -2);
}


/*
 * replaces the n values on the stack top by an internal array of them;
 * it has no prototype, so no setter on Array.prototype is ever reached,
 * and is allocated once to its size (patches/0009-pack-bare.patch)
 */

static void
ngx_faas_promise_pack(duk_context *ctx, duk_idx_t n)
{
    duk_pack_bare(ctx, n);
}


/* the receiver of a method that needs an object (a constructor) */

static void
ngx_faas_promise_push_this(duk_context *ctx, const char *name)
{
    duk_push_this(ctx);

    if (!duk_check_type_mask(ctx, -1, NGX_FAAS_PROMISE_OBJECT_MASK)) {
        (void) duk_type_error(ctx, "%s called on a non-object", name);
    }
}


/* this heap's state: see ngx_faas_promise_heap_t */

static ngx_inline ngx_faas_promise_heap_t *
ngx_faas_promise_heap(duk_context *ctx)
{
    if (ctx != ngx_faas_promise_ctx) {
        duk_push_heap_stash(ctx);
        duk_get_prop_literal(ctx, -1, NGX_FAAS_PROMISE_KEY_HEAP);
        ngx_faas_promise_cached = duk_get_buffer(ctx, -1, NULL);
        ngx_faas_promise_ctx = ctx;
        duk_pop_2(ctx);
    }

    return ngx_faas_promise_cached;
}


/* the intrinsic Promise, its prototype or its then() */

static void
ngx_faas_promise_push_stashed(duk_context *ctx, ngx_uint_t which)
{
    duk_push_heapptr(ctx, ngx_faas_promise_heap(ctx)->intrinsic[which]);
}


/* like duk_put_function_list(), but not enumerable, as built-ins are */

static void
ngx_faas_promise_define_functions(duk_context *ctx, duk_idx_t obj,
    const duk_function_list_entry *list)
{
    obj = duk_normalize_index(ctx, obj);

    for ( /* void */ ; list->key; list++) {
        duk_push_string(ctx, list->key);
        duk_push_c_function(ctx, list->value, list->nargs);
        duk_def_prop(ctx, obj, NGX_FAAS_PROMISE_BUILTIN);
    }
}
