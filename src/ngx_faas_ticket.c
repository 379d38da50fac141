
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
#define NGX_FAAS_TICKET_KILLED    4     /* the watchdog killed its call */

#define ngx_faas_ticket_word(seq, state)  ((ngx_atomic_uint_t) (seq) << 3     \
                                           | (state))
#define ngx_faas_ticket_state(word)       ((word) & 7)

/* how many slots a take looks at for one not in use */
#define NGX_FAAS_TICKET_TRIES     8


/* the ticket whose call this render worker runs, for the watchdog */
static ngx_faas_stats_ticket_t  *ngx_faas_ticket_running;
static uint64_t                  ngx_faas_ticket_running_seq;


/*
 * tickets: the front takes one when it admits a request, the render worker
 * claims it when it starts the request, the front releases it when its
 * request ends. Each move is a compare-and-swap, so "waiting" is
 * decremented exactly once, by whoever moves the ticket out of WAITING;
 * check keeps a client from forging tickets. A slot is taken over with a
 * compare-and-swap from a state that is over (DONE, KILLED, never used):
 * one still WAITING or STARTED belongs to a request of long ago that never
 * ended, and is passed over
 */

ngx_int_t
ngx_faas_ticket_take(uint64_t *seq, uint64_t *check)
{
    ngx_uint_t                n;
    ngx_atomic_uint_t         word;
    ngx_faas_stats_t         *st;
    ngx_faas_stats_ticket_t  *t;

    st = ngx_faas_stats_get();

    if (st == NULL) {
        return NGX_DECLINED;
    }

    for (n = 0; n < NGX_FAAS_TICKET_TRIES; n++) {
        *seq = ngx_atomic_fetch_add(&st->seq, 1) + 1;
        t = &st->tickets[*seq % NGX_FAAS_STATS_TICKETS];

        word = t->word;

        if (ngx_faas_ticket_state(word) == NGX_FAAS_TICKET_WAITING
            || ngx_faas_ticket_state(word) == NGX_FAAS_TICKET_STARTED)
        {
            continue;
        }

        /* the previous owner moves it no more: its seq is in the word */

        if (ngx_atomic_cmp_set(&t->word, word, ngx_faas_ticket_word(*seq, 0)))
        {
            goto found;
        }
    }

    return NGX_BUSY;

found:

    *check = *seq ^ st->secret;

    t->admitted = ngx_faas_now_us();
    t->run_time = 0;
    ngx_memory_barrier();
    t->word = ngx_faas_ticket_word(*seq, NGX_FAAS_TICKET_WAITING);

    (void) ngx_atomic_fetch_add(&st->waiting, 1);

    return NGX_OK;
}


/*
 * NGX_OK: claimed; NGX_ABORT: a valid ticket the front has released before
 * anyone claimed it (its client left); NGX_BUSY: its call was started on
 * another render worker, and the watchdog killed it there (the front's
 * retry must not kill a second one); NGX_DECLINED: not a ticket of ours
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
        if (t->word == ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_KILLED)) {
            return NGX_BUSY;
        }

        return (t->word == ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_DONE))
               ? NGX_ABORT : NGX_DECLINED;
    }

    (void) ngx_atomic_fetch_add(&st->waiting, -1);

    *queue_us = (ngx_msec_int_t) (ngx_faas_now_us() - t->admitted);

    return NGX_OK;
}


/* a claimed ticket's call is about to run: the watchdog may need it */

void
ngx_faas_ticket_run(uint64_t seq)
{
    ngx_faas_stats_t  *st;

    st = ngx_faas_stats_get();

    if (st == NULL) {
        return;
    }

    ngx_faas_ticket_running_seq = seq;
    ngx_faas_ticket_running = &st->tickets[seq % NGX_FAAS_STATS_TICKETS];
}


/*
 * from the watchdog's signal handler, so only lock-free atomic stores:
 * the run time for the front's average, and the ticket marked killed
 */

void
ngx_faas_ticket_kill(uint64_t run_time)
{
    uint64_t                  seq;
    ngx_faas_stats_ticket_t  *t;

    t = ngx_faas_ticket_running;

    if (t == NULL) {
        return;
    }

    seq = ngx_faas_ticket_running_seq;

    t->run_time = run_time;
    ngx_memory_barrier();

    (void) ngx_atomic_cmp_set(&t->word,
                              ngx_faas_ticket_word(seq,
                                                   NGX_FAAS_TICKET_STARTED),
                              ngx_faas_ticket_word(seq,
                                                   NGX_FAAS_TICKET_KILLED));
}


void
ngx_faas_ticket_finish(uint64_t seq, uint64_t run_time)
{
    ngx_faas_stats_t         *st;
    ngx_faas_stats_ticket_t  *t;

    st = ngx_faas_stats_get();

    ngx_faas_ticket_running = NULL;

    t = &st->tickets[seq % NGX_FAAS_STATS_TICKETS];

    t->run_time = run_time;
    ngx_memory_barrier();

    (void) ngx_atomic_cmp_set(&t->word,
                              ngx_faas_ticket_word(seq,
                                                   NGX_FAAS_TICKET_STARTED),
                              ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_DONE));
}


/*
 * when the render worker's request ends: a ticket no call finished (the
 * location runs no function, or the request failed before the call) is
 * ended without a run time, or its slot would never be free again
 */

void
ngx_faas_ticket_end(uint64_t seq)
{
    ngx_faas_stats_t         *st;
    ngx_faas_stats_ticket_t  *t;

    st = ngx_faas_stats_get();

    ngx_faas_ticket_running = NULL;

    t = &st->tickets[seq % NGX_FAAS_STATS_TICKETS];

    (void) ngx_atomic_cmp_set(&t->word,
                              ngx_faas_ticket_word(seq,
                                                   NGX_FAAS_TICKET_STARTED),
                              ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_DONE));
}


/*
 * NGX_OK with the run time of a finished request or of one whose call the
 * watchdog killed, NGX_DECLINED otherwise
 */

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

    if (t->word == ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_DONE)
        || t->word == ngx_faas_ticket_word(seq, NGX_FAAS_TICKET_KILLED))
    {
        *run_time = t->run_time;
        return NGX_OK;
    }

    return NGX_DECLINED;
}
