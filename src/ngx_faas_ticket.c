
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_faas.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_ticket.h"


#define NGX_FAAS_TICKET_WAITING   1
#define NGX_FAAS_TICKET_STARTED   2
#define NGX_FAAS_TICKET_DONE      3

#define ngx_faas_ticket_word(seq, state)  ((ngx_atomic_uint_t) (seq) << 2     \
                                           | (state))


/*
 * tickets: the front takes one when it admits a request, the render worker
 * claims it when it starts the request, the front releases it when its
 * request ends. Each move is a compare-and-swap, so "waiting" is
 * decremented exactly once, by whoever moves the ticket out of WAITING;
 * check keeps a client from forging tickets
 */

ngx_int_t
ngx_faas_ticket_take(uint64_t *seq, uint64_t *check)
{
    ngx_faas_stats_t         *st;
    ngx_faas_stats_ticket_t  *t;

    st = ngx_faas_stats_get();

    if (st == NULL) {
        return NGX_DECLINED;
    }

    *seq = ngx_atomic_fetch_add(&st->seq, 1) + 1;
    *check = *seq ^ st->secret;

    t = &st->tickets[*seq % NGX_FAAS_STATS_TICKETS];

    t->admitted = ngx_faas_now_us();
    t->run_time = 0;
    ngx_memory_barrier();
    t->word = ngx_faas_ticket_word(*seq, NGX_FAAS_TICKET_WAITING);

    (void) ngx_atomic_fetch_add(&st->waiting, 1);

    return NGX_OK;
}


/*
 * NGX_OK: claimed; NGX_ABORT: a valid ticket the front has released before
 * anyone claimed it (its client left); NGX_DECLINED: not a ticket of ours
 */

ngx_int_t
ngx_faas_ticket_start(uint64_t seq, uint64_t check,
    ngx_msec_int_t *queue_us)
{
    ngx_faas_stats_t         *st;
    ngx_faas_stats_ticket_t  *t;

    st = ngx_faas_stats_get();

    if (st == NULL || (seq ^ st->secret) != check) {
        return NGX_DECLINED;
    }

    t = &st->tickets[seq % NGX_FAAS_STATS_TICKETS];

    if (!ngx_atomic_cmp_set(&t->word,
                            ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_WAITING),
                            ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_STARTED)))
    {
        return (t->word == ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_DONE))
               ? NGX_ABORT : NGX_DECLINED;
    }

    (void) ngx_atomic_fetch_add(&st->waiting, -1);

    *queue_us = (ngx_msec_int_t) (ngx_faas_now_us() - t->admitted);

    return NGX_OK;
}


void
ngx_faas_ticket_finish(uint64_t seq, uint64_t run_time)
{
    ngx_faas_stats_t         *st;
    ngx_faas_stats_ticket_t  *t;

    st = ngx_faas_stats_get();

    t = &st->tickets[seq % NGX_FAAS_STATS_TICKETS];

    t->run_time = run_time;
    ngx_memory_barrier();

    (void) ngx_atomic_cmp_set(&t->word,
                              ngx_faas_ticket_word(seq,
                                                   NGX_FAAS_TICKET_STARTED),
                              ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_DONE));
}


/* NGX_OK with the run time of a finished request, NGX_DECLINED otherwise */

ngx_int_t
ngx_faas_ticket_release(uint64_t seq, uint64_t *run_time)
{
    ngx_faas_stats_t         *st;
    ngx_faas_stats_ticket_t  *t;

    st = ngx_faas_stats_get();

    t = &st->tickets[seq % NGX_FAAS_STATS_TICKETS];

    if (ngx_atomic_cmp_set(&t->word,
                           ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_WAITING),
                           ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_DONE)))
    {
        /* never reached a render worker */
        (void) ngx_atomic_fetch_add(&st->waiting, -1);
        return NGX_DECLINED;
    }

    if (t->word == ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_DONE)) {
        *run_time = t->run_time;
        return NGX_OK;
    }

    return NGX_DECLINED;
}
