
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>

#include "ngx_faas.h"
#include "ngx_faas_promise.h"
#include "ngx_faas_timers.h"
#include "ngx_faas_vm.h"


/*
 * setTimeout(), setInterval() and their clear*(), on nginx timers. A
 * timer belongs to the call that set it: it is one of the call's waits
 * and is cancelled when the call ends, so it lives no longer than the
 * call. The callback (or [ callback, args... ], an array with no
 * prototype, when it has arguments) is kept by a reference of the stash
 * (ngx_faas_vm_ref()) exactly as long as the C timer lives; the heap's
 * timers are found by id in a red-black tree of the heap's data, so
 * clearTimeout() of an id that ended finds nothing, and setting or
 * firing a timer makes no string of its id.
 *
 * The events are cancelable: a worker that shuts down does not wait for
 * them (the deadline of the call, which is not, bounds the wait).
 */

/* as browsers and Node do with larger delays: a 32-bit signed count */
#define NGX_FAAS_TIMERS_MAX_DELAY  0x7fffffff

/* ids count from 1; past 2^53 a JavaScript number no longer holds them */
#define NGX_FAAS_TIMERS_MAX_ID     9007199254740992.0


typedef struct {
    ngx_faas_wait_t            wait;      /* first: a wait is a timer */
    ngx_event_t                event;
    ngx_rbtree_node_t          node;      /* key: its id */
    ngx_uint_t                 ref;       /* the callback, the arguments */
    ngx_msec_t                 delay;
    ngx_faas_vm_t             *vm;
    unsigned                   interval:1;
    unsigned                   args:1;    /* ref is [ callback, args... ] */
} ngx_faas_timer_t;


static duk_ret_t ngx_faas_timers_set(duk_context *duk);
static duk_ret_t ngx_faas_timers_clear(duk_context *duk);
static duk_ret_t ngx_faas_timers_microtask(duk_context *duk);
static void ngx_faas_timers_handler(ngx_event_t *ev);
static void ngx_faas_timers_fire(duk_context *duk, void *data);
static void ngx_faas_timers_cancel(ngx_faas_wait_t *wait, duk_context *duk);
static void ngx_faas_timers_free(ngx_faas_timer_t *t, duk_context *duk);


static const duk_function_list_entry  ngx_faas_timers_functions[] = {
    { "setTimeout", ngx_faas_timers_set, DUK_VARARGS },
    { "setInterval", ngx_faas_timers_set, DUK_VARARGS },
    { "clearTimeout", ngx_faas_timers_clear, 1 },
    { "clearInterval", ngx_faas_timers_clear, 1 },
    { "queueMicrotask", ngx_faas_timers_microtask, 1 },
    { NULL, NULL, 0 }
};


void
ngx_faas_timers_init(duk_context *duk)
{
    ngx_faas_vm_data_t  *data;

    duk_push_global_object(duk);
    duk_put_function_list(duk, -1, ngx_faas_timers_functions);

    /* setInterval: magic 1 */
    duk_get_prop_literal(duk, -1, "setInterval");
    duk_set_magic(duk, -1, 1);
    duk_pop_2(duk);

    ngx_faas_vm_refs(duk, NGX_FAAS_STASH_TIMERS);

    data = ngx_faas_vm_data(ngx_faas_vm_from(duk));
    ngx_rbtree_init(&data->timers, &data->timers_sentinel,
                    ngx_rbtree_insert_value);
}


/* setTimeout(callback, delay, ...args), setInterval() the same */

static duk_ret_t
ngx_faas_timers_set(duk_context *duk)
{
    double               ms;
    duk_idx_t            i, n;
    ngx_uint_t           ref;
    ngx_msec_int_t       lag;
    ngx_faas_vm_t       *vm;
    ngx_faas_call_t     *call;
    ngx_faas_timer_t    *t;
    ngx_faas_vm_data_t  *data;

    n = duk_get_top(duk);

    if (!duk_is_callable(duk, 0)) {
        return duk_type_error(duk, "%s: the callback must be a function",
                              duk_get_current_magic(duk) ? "setInterval"
                                                         : "setTimeout");
    }

    vm = ngx_faas_vm_from(duk);
    call = ngx_faas_vm_call(vm);

    if (call == NULL || call->request == NULL) {
        return duk_type_error(duk, "timers can only be set by a call");
    }

    ms = (n > 1) ? duk_to_number(duk, 1) : 0;

    if (!(ms >= 1)) {
        /* NaN, negative, zero: as soon as possible, as HTML says */
        ms = duk_get_current_magic(duk) ? 1 : 0;

    } else if (ms > NGX_FAAS_TIMERS_MAX_DELAY) {
        ms = 1;
    }

    duk_require_stack(duk, n + 8);

    /*
     * the reference first: if the heap cannot hold it, it throws and
     * nothing is armed
     */

    duk_dup(duk, 0);

    for (i = 2; i < n; i++) {
        duk_dup(duk, i);
    }

    if (n > 2) {
        duk_pack_bare(duk, n - 1);
    }

    ref = ngx_faas_vm_ref(duk, NGX_FAAS_STASH_TIMERS);

    t = ngx_calloc(sizeof(ngx_faas_timer_t), call->request->connection->log);
    if (t == NULL) {
        ngx_faas_vm_unref(duk, NGX_FAAS_STASH_TIMERS, ref);
        return duk_error(duk, DUK_ERR_ERROR, "cannot allocate a timer");
    }

    data = ngx_faas_vm_data(vm);

    t->ref = ref;
    t->args = (n > 2);
    t->node.key = ++data->next_timer;
    t->delay = (ngx_msec_t) ms;
    t->vm = vm;
    t->interval = duk_get_current_magic(duk) ? 1 : 0;

    ngx_rbtree_insert(&data->timers, &t->node);

    t->wait.call = call;
    t->wait.cancel = ngx_faas_timers_cancel;
    ngx_queue_insert_tail(&call->waits, &t->wait.queue);
    data->waits++;

    t->event.handler = ngx_faas_timers_handler;
    t->event.data = t;
    t->event.log = call->request->connection->log;
    t->event.cancelable = 1;

    /*
     * nginx's clock stands still while JavaScript runs (and the heap may
     * have been made for this call): the time since is added, or the
     * timer would fire early. Both clocks are CLOCK_MONOTONIC's
     */

    lag = (ngx_msec_int_t) (ngx_faas_now_us() / 1000 - ngx_current_msec);

    ngx_add_timer(&t->event, t->delay + (lag > 0 ? lag : 0));

    duk_push_number(duk, (double) t->node.key);

    return 1;
}


/* clearTimeout(id), clearInterval(id): any id, any call's timer */

static duk_ret_t
ngx_faas_timers_clear(duk_context *duk)
{
    double               d;
    ngx_uint_t           id;
    ngx_rbtree_node_t   *node, *sentinel;
    ngx_faas_vm_data_t  *data;

    if (!duk_is_number(duk, 0)) {
        return 0;
    }

    /* an id is a whole number from 1 up: anything else clears nothing */

    d = duk_get_number(duk, 0);

    if (!(d >= 1 && d <= NGX_FAAS_TIMERS_MAX_ID)
        || d != (double) (ngx_uint_t) d)
    {
        return 0;
    }

    id = (ngx_uint_t) d;

    data = ngx_faas_vm_data(ngx_faas_vm_from(duk));
    node = data->timers.root;
    sentinel = data->timers.sentinel;

    while (node != sentinel) {
        if (id == node->key) {
            ngx_faas_timers_free(ngx_rbtree_data(node, ngx_faas_timer_t, node),
                                  duk);
            return 0;
        }

        node = (id < node->key) ? node->left : node->right;
    }

    return 0;
}


/* queueMicrotask(callback): a job of the Promise queue */

static duk_ret_t
ngx_faas_timers_microtask(duk_context *duk)
{
    if (!duk_is_callable(duk, 0)) {
        return duk_type_error(duk, "queueMicrotask: the callback must be "
                              "a function");
    }

    ngx_faas_promise_enqueue_task(duk, 0);

    return 0;
}


static void
ngx_faas_timers_handler(ngx_event_t *ev)
{
    ngx_faas_timer_t  *t = ev->data;

    if (ngx_faas_vm_later(ev) == NGX_AGAIN) {
        return;   /* posted: fired again in the next turn of the loop */
    }

    ngx_faas_vm_turn_begin();
    ngx_faas_vm_data(t->vm)->resume(t->wait.call, ngx_faas_timers_fire, t);
    ngx_faas_vm_turn_end();
}


/* inside the protected run of the call that set the timer */

static void
ngx_faas_timers_fire(duk_context *duk, void *data)
{
    ngx_faas_timer_t *t = data;

    duk_idx_t  i, n, entry;

    ngx_faas_vm_push_ref(duk, NGX_FAAS_STASH_TIMERS, t->ref);

    if (t->args) {
        /* [ callback, args... ] */

        entry = duk_get_top_index(duk);
        n = (duk_idx_t) duk_get_length(duk, entry);

        duk_require_stack(duk, n + 2);

        duk_get_prop_index(duk, entry, 0);
        duk_push_undefined(duk);

        for (i = 1; i < n; i++) {
            duk_get_prop_index(duk, entry, (duk_uarridx_t) i);
        }

        n--;

    } else {
        duk_require_stack(duk, 2);
        duk_push_undefined(duk);
        n = 0;
    }

    /* stack: [ ... (entry) callback undefined args... ] */

    if (t->interval) {
        /* armed again first: the callback may clear it */
        ngx_add_timer(&t->event, t->delay);

    } else {
        ngx_faas_timers_free(t, duk);
    }

    duk_call_method(duk, n);
}


static void
ngx_faas_timers_cancel(ngx_faas_wait_t *wait, duk_context *duk)
{
    ngx_faas_timers_free((ngx_faas_timer_t *) wait, duk);
}


/* the timer and its stash entry go together */

static void
ngx_faas_timers_free(ngx_faas_timer_t *t, duk_context *duk)
{
    if (t->event.timer_set) {
        ngx_del_timer(&t->event);
    }

    if (t->event.posted) {
        ngx_delete_posted_event(&t->event);
    }

    ngx_queue_remove(&t->wait.queue);
    ngx_faas_vm_data(t->vm)->waits--;

    ngx_rbtree_delete(&ngx_faas_vm_data(t->vm)->timers, &t->node);

    if (duk) {
        ngx_faas_vm_unref(duk, NGX_FAAS_STASH_TIMERS, t->ref);
    }

    ngx_free(t);
}
