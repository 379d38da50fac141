
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>
#include <pthread.h>
#include <sys/random.h>

#include "ngx_faas.h"
#include "ngx_faas_vm.h"


/*
 * freed blocks of a heap are kept for reuse in size classes: 16 bytes
 * apart up to 256 bytes, four per power of two up to 64 KB (see below)
 */
#define NGX_FAAS_VM_CLASSES         (17 + 8 * 4)

/* each block carries its size, see ngx_faas_vm_alloc() */
#define NGX_FAAS_VM_HEADER  16

/* finalizers run when a heap is destroyed; they are bounded too */
#define NGX_FAAS_VM_DESTROY_BUDGET  100

/* stack left for throwing RangeError, see ngx_faas_vm_stack_check() */
#define NGX_FAAS_VM_STACK_RESERVE  (256 * 1024)

/* strings up to this length are hashed whole, see ngx_faas_vm_strhash() */
#define NGX_FAAS_VM_HASH_WHOLE     1024

/* a longer string: its first and last 32 bytes and this many words */
#define NGX_FAAS_VM_HASH_SAMPLES   16


struct ngx_faas_vm_s {
    duk_context               *duk;
    ngx_faas_app_t            *app;
    ngx_log_t                 *log;
    ngx_faas_call_t           *call;      /* the call in progress or NULL */
    size_t                     used;
    size_t                     limit;
    ngx_uint_t                 modules;   /* cached in this heap */
    void                      *object_proto;  /* built-ins: always alive */
    void                      *array_proto;
    uint64_t                   deadline;  /* us; 0: no call in progress */
    uint64_t                   started;   /* us, of the run in progress */
    volatile ngx_uint_t        timed_out;
    ngx_uint_t                 alloc_failed;
    void                      *free[NGX_FAAS_VM_CLASSES];  /* see below */
    ngx_uint_t                 nfree[NGX_FAAS_VM_CLASSES];
    size_t                     kept_large;  /* bytes on the large lists */
    uint64_t                   hash_key[2];  /* ngx_faas_vm_strhash() */
    ngx_faas_vm_data_t         data;
};


/*
 * the time (us) a turn of the event loop spends on JavaScript beyond which
 * awaited events wait for the next turn, see ngx_faas_vm_later(). An event
 * that runs JavaScript counts with the work of nginx it brings (the answer
 * sent, the subrequests started), see ngx_faas_vm_turn_begin()
 */
#define NGX_FAAS_VM_TURN           250

static uint64_t     ngx_faas_vm_turn_used;
static ngx_event_t  ngx_faas_vm_turn;

/* the events put off to a later turn, oldest first (an empty queue) */
static ngx_queue_t  ngx_faas_vm_waiting = {
    &ngx_faas_vm_waiting, &ngx_faas_vm_waiting
};

/* the outermost ngx_faas_vm_turn_begin(): how deep, when, what was used */
static ngx_uint_t   ngx_faas_vm_turn_depth;
static uint64_t     ngx_faas_vm_turn_began;
static uint64_t     ngx_faas_vm_turn_before;


/* the four words of SipHash's state */
typedef struct {
    uint64_t                   v0;
    uint64_t                   v1;
    uint64_t                   v2;
    uint64_t                   v3;
} ngx_faas_vm_sip_t;


typedef struct {
    ngx_faas_vm_t             *vm;
    ngx_faas_vm_init_pt        init;
} ngx_faas_vm_init_t;


static void ngx_faas_vm_stack_bounds(void);
static void ngx_faas_vm_turn_handler(ngx_event_t *ev);
static void ngx_faas_vm_turn_count(uint64_t used);
static void ngx_faas_vm_turn_next(void);
static ngx_inline void ngx_faas_vm_sip_round(ngx_faas_vm_sip_t *s);
static ngx_inline void ngx_faas_vm_sip_word(ngx_faas_vm_sip_t *s,
    const u_char *p);
static duk_ret_t ngx_faas_vm_init_heap(duk_context *duk, void *data);
static void *ngx_faas_vm_alloc(void *udata, duk_size_t size);
static void *ngx_faas_vm_realloc(void *udata, void *ptr, duk_size_t size);
static void ngx_faas_vm_release(void *udata, void *ptr);
static void ngx_faas_vm_release_free(ngx_faas_vm_t *vm);
static void ngx_faas_vm_fatal(void *udata, const char *msg);


/* all heaps of this process, for the statistics of the worker */
static size_t      ngx_faas_vm_bytes;
static ngx_uint_t  ngx_faas_vm_modules;

/* the lowest address of this process's main stack */
static u_char     *ngx_faas_vm_stack_low;


/*
 * DUK_USE_NATIVE_STACK_CHECK() of the build's duk_config.h: Duktape asks
 * before each native recursion (calls, JSON, the regexp compiler and
 * executor) and throws RangeError when this answers true, so a deep regular
 * expression fails in JavaScript instead of running the worker off its
 * stack; NGX_FAAS_VM_STACK_RESERVE is left for throwing that error.  The
 * bounds are the main thread's: code on another stack is not checked.
 */

duk_bool_t
ngx_faas_vm_stack_check(void)
{
    u_char  here;

    if (ngx_faas_vm_stack_low == NULL) {
        ngx_faas_vm_stack_bounds();
    }

    return &here >= ngx_faas_vm_stack_low
           && &here < ngx_faas_vm_stack_low + NGX_FAAS_VM_STACK_RESERVE;
}


static void
ngx_faas_vm_stack_bounds(void)
{
    void            *addr;
    size_t           size;
    pthread_attr_t   attr;

    /* never matches if the bounds cannot be had: nothing is checked */
    ngx_faas_vm_stack_low = (u_char *) -1;

    if (pthread_getattr_np(pthread_self(), &attr) != 0) {
        return;
    }

    if (pthread_attr_getstack(&attr, &addr, &size) == 0
        && size > 2 * NGX_FAAS_VM_STACK_RESERVE)
    {
        ngx_faas_vm_stack_low = addr;
    }

    (void) pthread_attr_destroy(&attr);
}


/*
 * a heap with the allocator of its app's cap; init, run in a protected
 * call, adds what the layers above put into every heap
 */

ngx_faas_vm_t *
ngx_faas_vm_create(ngx_faas_app_t *app, ngx_faas_vm_init_pt init)
{
    ngx_faas_vm_t       *vm;
    ngx_faas_vm_init_t   vi;

    vm = ngx_calloc(sizeof(ngx_faas_vm_t), ngx_cycle->log);
    if (vm == NULL) {
        return NULL;
    }

    vm->app = app;
    vm->log = ngx_cycle->log;
    vm->limit = app->memory;

    /* a fresh key for each heap, before Duktape interns its first string */

    while (getrandom(vm->hash_key, sizeof(vm->hash_key), 0)
           != (ssize_t) sizeof(vm->hash_key))
    {
        if (ngx_errno != NGX_EINTR) {
            ngx_log_error(NGX_LOG_ALERT, vm->log, ngx_errno,
                          "faas: cannot create a heap for \"%V\": "
                          "getrandom() failed", &app->root);
            ngx_free(vm);
            return NULL;
        }
    }

    vm->duk = duk_create_heap(ngx_faas_vm_alloc, ngx_faas_vm_realloc,
                              ngx_faas_vm_release, vm, ngx_faas_vm_fatal);
    if (vm->duk == NULL) {
        ngx_log_error(NGX_LOG_ALERT, vm->log, 0,
                      "faas: cannot create a heap for \"%V\"", &app->root);
        ngx_faas_vm_release_free(vm);
        ngx_free(vm);
        return NULL;
    }

    vi.vm = vm;
    vi.init = init;

    if (duk_safe_call(vm->duk, ngx_faas_vm_init_heap, &vi, 0, 1)
        != DUK_EXEC_SUCCESS)
    {
        ngx_log_error(NGX_LOG_ALERT, vm->log, 0,
                      "faas: cannot set up a heap for \"%V\": %s",
                      &app->root, duk_safe_to_string(vm->duk, -1));
        ngx_faas_vm_free(vm);
        return NULL;
    }

    duk_pop(vm->duk);

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, vm->log, 0,
                   "faas: heap for \"%V\" created, %uz bytes",
                   &app->root, vm->used);

    return vm;
}


static duk_ret_t
ngx_faas_vm_init_heap(duk_context *duk, void *data)
{
    ngx_faas_vm_init_t *vi = data;

    ngx_faas_vm_t  *vm;

    vm = vi->vm;

    duk_get_global_literal(duk, "Object");
    duk_get_prop_literal(duk, -1, "prototype");
    vm->object_proto = duk_get_heapptr(duk, -1);
    duk_get_global_literal(duk, "Array");
    duk_get_prop_literal(duk, -1, "prototype");
    vm->array_proto = duk_get_heapptr(duk, -1);
    duk_pop_n(duk, 4);

    vi->init(duk, vm->app);

    return 0;
}


void
ngx_faas_vm_free(ngx_faas_vm_t *vm)
{
    ngx_faas_vm_start(vm, NULL, NGX_FAAS_VM_DESTROY_BUDGET);

    duk_destroy_heap(vm->duk);
    ngx_faas_vm_release_free(vm);

    ngx_faas_vm_modules -= vm->modules;

    ngx_free(vm);
}


void
ngx_faas_vm_destroy(ngx_faas_app_t *app)
{
    if (app->vm) {
        ngx_faas_vm_free(app->vm);
        app->vm = NULL;
    }
}


/* a run of JavaScript in the heap: a call (or NULL), limited to budget */

void
ngx_faas_vm_start(ngx_faas_vm_t *vm, ngx_faas_call_t *call,
    ngx_msec_t budget)
{
    vm->call = call;
    vm->timed_out = 0;
    vm->alloc_failed = 0;
    vm->started = ngx_faas_now_us();
    vm->deadline = vm->started + (uint64_t) budget * 1000;
}


/* the run's time in microseconds, also counted for the turn of the loop */

uint64_t
ngx_faas_vm_stop(ngx_faas_vm_t *vm)
{
    uint64_t  run;

    run = ngx_faas_now_us() - vm->started;
    ngx_faas_vm_turn_count(ngx_faas_vm_turn_used + run);

    vm->deadline = 0;
    vm->call = NULL;

    return run;
}


/*
 * An event that runs JavaScript (a call, a fetch's answer, a timer) counts
 * for the turn from ngx_faas_vm_turn_begin() to ngx_faas_vm_turn_end():
 * its JavaScript and the work of nginx it brings. For a call that waits on
 * a fetch, that work (the subrequest, its connection, the answer written
 * to the client) takes about three times its JavaScript, so counting only
 * the JavaScript let a turn take 1-2 ms and more (bench/bff/RESULTS.md).
 * Nested, the outermost counts
 */

void
ngx_faas_vm_turn_begin(void)
{
    if (ngx_faas_vm_turn_depth++ == 0) {
        ngx_faas_vm_turn_began = ngx_faas_now_us();
        ngx_faas_vm_turn_before = ngx_faas_vm_turn_used;
    }
}


void
ngx_faas_vm_turn_end(void)
{
    uint64_t  used;

    if (--ngx_faas_vm_turn_depth != 0) {
        return;
    }

    used = ngx_faas_vm_turn_before
           + (ngx_faas_now_us() - ngx_faas_vm_turn_began);

    /* the JavaScript it ran is in the span: counted once */

    if (used > ngx_faas_vm_turn_used) {
        ngx_faas_vm_turn_count(used);
    }
}


/* the turn's time so far; the next turn starts it again from 0 */

static void
ngx_faas_vm_turn_count(uint64_t used)
{
    ngx_faas_vm_turn_used = used;
    ngx_faas_vm_turn_next();
}


/*
 * NGX_OK: the event ev may run its JavaScript now (an awaited event, or
 * the first run of an inline call); NGX_AGAIN: this turn of the worker's
 * loop has spent NGX_FAAS_VM_TURN on JavaScript already, and ev waits in
 * ngx_faas_vm_waiting for a later turn, after nginx polls for I/O again.
 * So a burst of completions (a thousand fetches that answer at once) runs
 * in slices, and a request that needs no JavaScript (a /ping, a static
 * file) waits for about a slice, not for the whole burst. The events run
 * in the order they came.
 *
 * A waiting event is marked posted, as in nginx's own queues, so that
 * ngx_delete_posted_event() takes it out when its call ends meanwhile,
 * and ngx_post_event() does not post it twice
 */

ngx_int_t
ngx_faas_vm_later(ngx_event_t *ev)
{
    if (!ngx_faas_vm_turn_over()) {
        return NGX_OK;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "faas: %uL us of JavaScript in this turn, the rest waits "
                   "for the next", ngx_faas_vm_turn_used);

    ngx_post_event(ev, &ngx_faas_vm_waiting);
    ngx_faas_vm_turn_next();

    return NGX_AGAIN;
}


ngx_uint_t
ngx_faas_vm_turn_over(void)
{
    return ngx_faas_vm_turn_used >= NGX_FAAS_VM_TURN;
}


/*
 * the first posted event of a turn that follows one that ran JavaScript:
 * posted to ngx_posted_next_events by the turn before, so it runs before
 * the events posted in this turn. It starts the turn's count and runs the
 * waiting events, oldest first, until the turn has spent its share; the
 * rest wait for the next turn. One event for all of them: a thousand
 * waiting events are not each posted again at every turn
 */

static void
ngx_faas_vm_turn_handler(ngx_event_t *ev)
{
    ngx_uint_t    n, ran;
    ngx_event_t  *wev;
    ngx_queue_t  *q;

    ngx_faas_vm_turn_used = 0;

    if (ngx_queue_empty(&ngx_faas_vm_waiting)) {
        return;
    }

    n = 0;

#if (NGX_DEBUG)
    /* for the debug log only: a walk of the queue at every turn */

    if (ev->log->log_level & NGX_LOG_DEBUG_HTTP) {
        for (q = ngx_queue_head(&ngx_faas_vm_waiting);
             q != ngx_queue_sentinel(&ngx_faas_vm_waiting);
             q = ngx_queue_next(q))
        {
            n++;
        }
    }
#endif

    for (ran = 0;
         !ngx_queue_empty(&ngx_faas_vm_waiting) && !ngx_faas_vm_turn_over();
         ran++)
    {
        q = ngx_queue_head(&ngx_faas_vm_waiting);
        wev = ngx_queue_data(q, ngx_event_t, queue);

        ngx_delete_posted_event(wev);

        wev->handler(wev);
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "faas: this turn ran %ui of the %ui events put off",
                   ran, n);

    if (!ngx_queue_empty(&ngx_faas_vm_waiting)) {
        ngx_faas_vm_turn_next();
    }
}


/* the next turn starts with ngx_faas_vm_turn_handler() */

static void
ngx_faas_vm_turn_next(void)
{
    if (!ngx_faas_vm_turn.posted) {
        ngx_faas_vm_turn.handler = ngx_faas_vm_turn_handler;
        ngx_faas_vm_turn.log = ngx_cycle->log;
        ngx_post_event(&ngx_faas_vm_turn, &ngx_posted_next_events);
    }
}


/* NGX_FAAS_TIMEOUT or NGX_FAAS_MEMORY if the last run was stopped */

ngx_faas_error_e
ngx_faas_vm_stopped(ngx_faas_vm_t *vm)
{
    if (vm->timed_out) {
        return NGX_FAAS_TIMEOUT;
    }

    if (vm->alloc_failed) {
        return NGX_FAAS_MEMORY;
    }

    return NGX_FAAS_OK;
}


/* non-zero once the run is over its budget, see ngx_faas_promise_run_jobs() */

volatile ngx_uint_t *
ngx_faas_vm_timeout_flag(ngx_faas_vm_t *vm)
{
    return &vm->timed_out;
}


duk_context *
ngx_faas_vm_duk(ngx_faas_vm_t *vm)
{
    return vm->duk;
}


ngx_log_t *
ngx_faas_vm_log(ngx_faas_vm_t *vm)
{
    return vm->log;
}


ngx_faas_app_t *
ngx_faas_vm_app(ngx_faas_vm_t *vm)
{
    return vm->app;
}


ngx_faas_call_t *
ngx_faas_vm_call(ngx_faas_vm_t *vm)
{
    return vm->call;
}


ngx_faas_vm_data_t *
ngx_faas_vm_data(ngx_faas_vm_t *vm)
{
    return &vm->data;
}


ngx_faas_vm_t *
ngx_faas_vm_from(duk_context *duk)
{
    duk_memory_functions  funcs;

    duk_get_memory_functions(duk, &funcs);

    return funcs.udata;
}


/*
 * References: a value kept alive in an array of the stash under a small
 * number, as long as C holds the number. Free slots are chained through
 * the array (slot 0 is the first free one, a free slot holds the next), so
 * the array stays dense however many come and go: its keys are indices in
 * its array part, never strings made of numbers and interned. The key is
 * a string literal: Duktape's literal cache knows it by its address, so
 * it is not hashed and interned again on every use.
 */

void
ngx_faas_vm_refs(duk_context *duk, const char *key)
{
    duk_push_heap_stash(duk);
    duk_push_array(duk);
    duk_push_uint(duk, 0);
    duk_put_prop_index(duk, -2, 0);
    duk_put_prop_literal_raw(duk, -2, key, ngx_strlen(key));
    duk_pop(duk);
}


/* the value on the top, popped: its reference */

ngx_uint_t
ngx_faas_vm_ref(duk_context *duk, const char *key)
{
    ngx_uint_t  ref;

    duk_push_heap_stash(duk);
    duk_get_prop_literal_raw(duk, -1, key, ngx_strlen(key));
    duk_get_prop_index(duk, -1, 0);
    ref = duk_get_uint(duk, -1);
    duk_pop(duk);

    /* stack: [ ... value stash refs ] */

    if (ref) {
        duk_get_prop_index(duk, -1, (duk_uarridx_t) ref);
        duk_put_prop_index(duk, -2, 0);

    } else {
        ref = duk_get_length(duk, -1);
    }

    duk_dup(duk, -3);
    duk_put_prop_index(duk, -2, (duk_uarridx_t) ref);
    duk_pop_3(duk);

    return ref;
}


void
ngx_faas_vm_push_ref(duk_context *duk, const char *key, ngx_uint_t ref)
{
    duk_push_heap_stash(duk);
    duk_get_prop_literal_raw(duk, -1, key, ngx_strlen(key));
    duk_get_prop_index(duk, -1, (duk_uarridx_t) ref);
    duk_replace(duk, -3);
    duk_pop(duk);
}


void
ngx_faas_vm_unref(duk_context *duk, const char *key, ngx_uint_t ref)
{
    duk_push_heap_stash(duk);
    duk_get_prop_literal_raw(duk, -1, key, ngx_strlen(key));
    duk_get_prop_index(duk, -1, 0);
    duk_put_prop_index(duk, -2, (duk_uarridx_t) ref);
    duk_push_uint(duk, (duk_uint_t) ref);
    duk_put_prop_index(duk, -2, 0);
    duk_pop_2(duk);
}


/*
 * an object made by a literal, JSON.parse() or new Object/Array: neither a
 * promise nor a Response, as those have prototypes of their own
 */

ngx_int_t
ngx_faas_vm_plain(duk_context *duk, duk_idx_t idx)
{
    void           *proto;
    ngx_faas_vm_t  *vm;

    vm = ngx_faas_vm_from(duk);

    duk_get_prototype(duk, idx);
    proto = duk_get_heapptr(duk, -1);
    duk_pop(duk);

    return proto != NULL
           && (proto == vm->object_proto || proto == vm->array_proto);
}


ngx_int_t
ngx_faas_vm_string(duk_context *duk, duk_idx_t idx, ngx_pool_t *pool,
    ngx_str_t *s)
{
    size_t       len;
    const char  *p;

    p = duk_safe_to_lstring(duk, idx, &len);

    s->data = ngx_pnalloc(pool, len);
    if (s->data == NULL) {
        s->len = 0;
        return NGX_ERROR;
    }

    ngx_memcpy(s->data, p, len);
    s->len = len;

    return NGX_OK;
}


/*
 * a text a function made, fit for one error-log line: control characters
 * and the backslash as \xHH, so the text cannot begin a line of its own
 * or pass for one; cut at last
 */

u_char *
ngx_faas_vm_escape(u_char *dst, u_char *last, u_char *src, size_t len)
{
    u_char  *end;

    static u_char  hex[] = "0123456789ABCDEF";

    end = src + len;

    while (src < end && dst < last) {

        if (*src >= ' ' && *src != 0x7f && *src != '\\') {
            *dst++ = *src++;
            continue;
        }

        if (last - dst < 4) {
            break;
        }

        *dst++ = '\\';
        *dst++ = 'x';
        *dst++ = hex[*src >> 4];
        *dst++ = hex[*src & 0xf];
        src++;
    }

    return dst;
}


void
ngx_faas_vm_module_added(duk_context *duk)
{
    ngx_faas_vm_from(duk)->modules++;
    ngx_faas_vm_modules++;
}


void
ngx_faas_vm_module_removed(duk_context *duk)
{
    ngx_faas_vm_from(duk)->modules--;
    ngx_faas_vm_modules--;
}


void
ngx_faas_vm_totals(size_t *bytes, ngx_uint_t *modules)
{
    *bytes = ngx_faas_vm_bytes;
    *modules = ngx_faas_vm_modules;
}


/*
 * Duktape calls this from its bytecode executor every few hundred thousand
 * instructions (DUK_USE_EXEC_TIMEOUT_CHECK, see config); once over the
 * budget it must go on answering "stop" until the outermost protected
 * call returns, or a script catching the RangeError would run on
 */

duk_bool_t
ngx_faas_vm_exec_timeout_check(void *udata)
{
    ngx_faas_vm_t  *vm = udata;

    if (vm == NULL || vm->deadline == 0) {
        return 0;
    }

    if (vm->timed_out) {
        return 1;
    }

    if (ngx_faas_now_us() >= vm->deadline) {
        vm->timed_out = 1;
        return 1;
    }

    return 0;
}


/*
 * DUK_USE_STRHASH_HOOK() of the build's duk_config.h (config, and
 * patches/0003-keyed-string-hash.patch): the hash of every string Duktape
 * interns, which places it in the string table and in the hash part of
 * every object it is a key of.  Duktape's own hashes read sampled bytes
 * (32 of them) or are Murmur2, which has collisions whatever the seed, so
 * a request body of strings that collide made each new string walk a
 * chain as long as the body (0.96 s for 1 MB).
 *
 * This is SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012; one compression and three finalization rounds,
 * as Python and Rust use for their tables) under a random key per heap:
 * without the key no input can be made to collide more often than chance.
 *
 * Strings up to NGX_FAAS_VM_HASH_WHOLE bytes are hashed whole.  A longer
 * one is hashed by its length, its first and last 32 bytes and
 * NGX_FAAS_VM_HASH_SAMPLES words spread between them, so that a page
 * built by "+=" (each step a new, longer string) costs constant time per
 * step, as before.  Such strings can still be made to collide, but a
 * collision costs a memcmp() of the string, and few long strings fit in
 * a body: 1 MB of 1025-byte ones that all collide costs about 10 ms more
 * than a plain body (t/019), 513-byte ones would cost 20-25 ms, 257-byte
 * ones 35-55 ms.  Whole up to 1024 rather than 512 bytes costs EJS's
 * render 3% more instructions: its output, built by "+=", is under 1 KB.
 *
 * Words are read in the machine's byte order: the hash only has to agree
 * with itself within one process.
 */

duk_uint32_t
ngx_faas_vm_strhash(void *udata, const duk_uint8_t *str, duk_size_t len)
{
    ngx_faas_vm_t *vm = udata;

    size_t              i, n, step;
    uint64_t            last;
    ngx_faas_vm_sip_t   s;

    /* "somepseudorandomlygeneratedbytes", the initial state of SipHash */

    s.v0 = vm->hash_key[0] ^ 0x736f6d6570736575ULL;
    s.v1 = vm->hash_key[1] ^ 0x646f72616e646f6dULL;
    s.v2 = vm->hash_key[0] ^ 0x6c7967656e657261ULL;
    s.v3 = vm->hash_key[1] ^ 0x7465646279746573ULL;

    if (len <= NGX_FAAS_VM_HASH_WHOLE) {

        /* by index: an empty string may come with str NULL */

        n = len & ~(size_t) 7;

        for (i = 0; i < n; i += 8) {
            ngx_faas_vm_sip_word(&s, str + i);
        }

        /* the last 0-7 bytes, with the length in the top byte */

        last = (uint64_t) len << 56;

        switch (len & 7) {
        case 7:
            last |= (uint64_t) str[n + 6] << 48;
            /* fall through */
        case 6:
            last |= (uint64_t) str[n + 5] << 40;
            /* fall through */
        case 5:
            last |= (uint64_t) str[n + 4] << 32;
            /* fall through */
        case 4:
            last |= (uint64_t) str[n + 3] << 24;
            /* fall through */
        case 3:
            last |= (uint64_t) str[n + 2] << 16;
            /* fall through */
        case 2:
            last |= (uint64_t) str[n + 1] << 8;
            /* fall through */
        case 1:
            last |= (uint64_t) str[n];
        }

    } else {
        last = len;
        ngx_faas_vm_sip_word(&s, (u_char *) &last);

        for (i = 0; i < 4; i++) {
            ngx_faas_vm_sip_word(&s, str + 8 * i);
            ngx_faas_vm_sip_word(&s, str + len - 32 + 8 * i);
        }

        step = (len - 64) / NGX_FAAS_VM_HASH_SAMPLES;

        for (i = 0; i < NGX_FAAS_VM_HASH_SAMPLES; i++) {
            ngx_faas_vm_sip_word(&s, str + 32 + i * step);
        }

        last = (uint64_t) 0xff << 56;
    }

    s.v3 ^= last;
    ngx_faas_vm_sip_round(&s);
    s.v0 ^= last;

    s.v2 ^= 0xff;
    ngx_faas_vm_sip_round(&s);
    ngx_faas_vm_sip_round(&s);
    ngx_faas_vm_sip_round(&s);

    last = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;

    return (duk_uint32_t) (last ^ (last >> 32));
}


/*
 * the same keyed hash of one word, for the module's own tables: Map and
 * Set hash a number by its bits, which a client can choose
 */

uint32_t
ngx_faas_vm_hash_word(duk_context *duk, uint64_t word)
{
    return ngx_faas_vm_strhash(ngx_faas_vm_from(duk), (u_char *) &word,
                               sizeof(uint64_t));
}


/* one compression: the message word goes in before and after a round */

static ngx_inline void
ngx_faas_vm_sip_word(ngx_faas_vm_sip_t *s, const u_char *p)
{
    uint64_t  m;

    ngx_memcpy(&m, p, sizeof(uint64_t));

    s->v3 ^= m;
    ngx_faas_vm_sip_round(s);
    s->v0 ^= m;
}


#define ngx_faas_vm_rotl(x, b)  (((x) << (b)) | ((x) >> (64 - (b))))

static ngx_inline void
ngx_faas_vm_sip_round(ngx_faas_vm_sip_t *s)
{
    s->v0 += s->v1;
    s->v1 = ngx_faas_vm_rotl(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = ngx_faas_vm_rotl(s->v0, 32);

    s->v2 += s->v3;
    s->v3 = ngx_faas_vm_rotl(s->v3, 16);
    s->v3 ^= s->v2;

    s->v0 += s->v3;
    s->v3 = ngx_faas_vm_rotl(s->v3, 21);
    s->v3 ^= s->v0;

    s->v2 += s->v1;
    s->v1 = ngx_faas_vm_rotl(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = ngx_faas_vm_rotl(s->v2, 32);
}


/*
 * The allocator of a heap: every block carries its size (Duktape's realloc
 * and free do not pass it), which the memory cap is counted in. Blocks
 * are rounded up to a size class and, when freed, kept on a list of their
 * class for the next allocation of that class:
 *
 *   - up to 256 bytes, 16-byte classes: most of what Duktape allocates
 *     per call is small and short-lived, and glibc's malloc and free were
 *     a fifth of a call's instructions;
 *   - up to 64 KB, four classes per power of two (at most a quarter
 *     wasted): every `s += t` in Duktape allocates a buffer and a string
 *     of the whole new length and frees a buffer and a string of about
 *     the same length, so a page built with += reuses the same few blocks,
 *     still in the cache, instead of asking glibc twice per statement.
 *     Kept large blocks are capped in bytes per heap.
 *
 * A realloc within one class returns the same block. Larger blocks go
 * to malloc and free directly.
 */

#define NGX_FAAS_VM_SMALL       256
#define NGX_FAAS_VM_LARGE       65536
#define NGX_FAAS_VM_KEEP        1024           /* blocks of a small class */
#define NGX_FAAS_VM_KEEP_LARGE  (1024 * 1024)  /* bytes of large blocks */

/*
 * under AddressSanitizer nothing is kept: a block on a free list is
 * memory ASan thinks in use, so a use after free or a double free in the
 * heap would go unseen (make test-sanitize)
 */

#if (defined __SANITIZE_ADDRESS__)
#define NGX_FAAS_VM_KEEPING     0
#elif (defined __has_feature)
#if __has_feature(address_sanitizer)
#define NGX_FAAS_VM_KEEPING     0      /* clang: make fuzz */
#endif
#endif

#ifndef NGX_FAAS_VM_KEEPING
#define NGX_FAAS_VM_KEEPING     1
#endif

static ngx_uint_t
ngx_faas_vm_class(size_t *size)
{
    size_t      s, base, step;
    ngx_uint_t  bit;

    s = ngx_max(*size, 1);

    if (s <= NGX_FAAS_VM_SMALL) {
        *size = (s + 15) & ~(size_t) 15;
        return *size >> 4;
    }

    if (s > NGX_FAAS_VM_LARGE) {
        return NGX_FAAS_VM_CLASSES;
    }

    /* s in (base, 2 * base]: classes base + step * (1 .. 4) */

    bit = 8 * sizeof(unsigned long) - 1 - __builtin_clzl(s - 1);
    base = (size_t) 1 << bit;
    step = base >> 2;

    *size = base + ((s - base + step - 1) & ~(step - 1));

    return NGX_FAAS_VM_SMALL / 16 + 1 + (bit - 8) * 4
           + (*size - base) / step - 1;
}


static void *
ngx_faas_vm_alloc(void *udata, duk_size_t size)
{
    u_char         *p;
    ngx_uint_t      c;
    ngx_faas_vm_t  *vm = udata;

    /* a kept block holds the link of its list: never less than a class */

    c = ngx_faas_vm_class(&size);

    if (vm->used + size > vm->limit) {
        vm->alloc_failed = 1;
        return NULL;
    }

    if (c < NGX_FAAS_VM_CLASSES && vm->free[c]) {
        p = vm->free[c];
        vm->free[c] = *(void **) (p + NGX_FAAS_VM_HEADER);
        vm->nfree[c]--;

        if (size > NGX_FAAS_VM_SMALL) {
            vm->kept_large -= size;
        }

    } else {
        p = malloc(size + NGX_FAAS_VM_HEADER);
        if (p == NULL) {
            vm->alloc_failed = 1;
            return NULL;
        }
    }

    *(size_t *) p = size;
    vm->used += size;
    ngx_faas_vm_bytes += size;

    return p + NGX_FAAS_VM_HEADER;
}


static void *
ngx_faas_vm_realloc(void *udata, void *ptr, duk_size_t size)
{
    u_char         *p, *q;
    size_t          old, rounded;
    ngx_uint_t      c;
    ngx_faas_vm_t  *vm = udata;

    if (ptr == NULL) {
        return ngx_faas_vm_alloc(udata, size);
    }

    if (size == 0) {
        ngx_faas_vm_release(udata, ptr);
        return NULL;
    }

    p = (u_char *) ptr - NGX_FAAS_VM_HEADER;
    old = *(size_t *) p;

    rounded = size;
    c = ngx_faas_vm_class(&rounded);

    if (c < NGX_FAAS_VM_CLASSES || old <= NGX_FAAS_VM_LARGE) {

        /* a block of a class on either side: the same, or a new one */

        if (rounded == old) {
            return ptr;
        }

        q = ngx_faas_vm_alloc(udata, size);
        if (q == NULL) {
            return NULL;
        }

        ngx_memcpy(q, ptr, ngx_min(old, size));
        ngx_faas_vm_release(udata, ptr);

        return q;
    }

    /*
     * the same size again: Duktape's in-place append (patches/0007)
     * rounds large strings up to eighths of a power of two and asks
     * for every append
     */

    if (size == old) {
        return ptr;
    }

    if (size > old && vm->used - old + size > vm->limit) {
        vm->alloc_failed = 1;
        return NULL;
    }

    p = realloc(p, size + NGX_FAAS_VM_HEADER);
    if (p == NULL) {
        vm->alloc_failed = 1;
        return NULL;
    }

    *(size_t *) p = size;
    vm->used = vm->used - old + size;
    ngx_faas_vm_bytes = ngx_faas_vm_bytes - old + size;

    return p + NGX_FAAS_VM_HEADER;
}


static void
ngx_faas_vm_release(void *udata, void *ptr)
{
    u_char         *p;
    size_t          size;
    ngx_uint_t      c;
    ngx_faas_vm_t  *vm = udata;

    if (ptr == NULL) {
        return;
    }

    p = (u_char *) ptr - NGX_FAAS_VM_HEADER;
    size = *(size_t *) p;

    vm->used -= size;
    ngx_faas_vm_bytes -= size;

    c = ngx_faas_vm_class(&size);

    if (NGX_FAAS_VM_KEEPING && c < NGX_FAAS_VM_CLASSES
        && (size <= NGX_FAAS_VM_SMALL
            ? vm->nfree[c] < NGX_FAAS_VM_KEEP
            : vm->kept_large + size <= NGX_FAAS_VM_KEEP_LARGE))
    {
        *(void **) ptr = vm->free[c];
        vm->free[c] = p;
        vm->nfree[c]++;

        if (size > NGX_FAAS_VM_SMALL) {
            vm->kept_large += size;
        }

        return;
    }

    free(p);
}


/* after duk_destroy_heap(): the kept blocks go back to malloc */

static void
ngx_faas_vm_release_free(ngx_faas_vm_t *vm)
{
    u_char      *p, *next;
    ngx_uint_t   c;

    for (c = 0; c < NGX_FAAS_VM_CLASSES; c++) {
        for (p = vm->free[c]; p; p = next) {
            next = *(void **) (p + NGX_FAAS_VM_HEADER);
            free(p);
        }

        vm->free[c] = NULL;
        vm->nfree[c] = 0;
    }

    vm->kept_large = 0;
}


/* reached only on an error outside any protected call: a bug of ours */

static void
ngx_faas_vm_fatal(void *udata, const char *msg)
{
    ngx_faas_vm_t  *vm = udata;

    ngx_log_error(NGX_LOG_ALERT, vm ? vm->log : ngx_cycle->log, 0,
                  "faas: fatal Duktape error: %s", msg ? msg : "unknown");

    ngx_debug_point();
    abort();
}
