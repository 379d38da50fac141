
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_call.h"
#include "ngx_faas_ctx.h"
#include "ngx_faas_handler.h"
#include "ngx_faas_output.h"
#include "ngx_faas_render.h"
#include "ngx_faas_require.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_subrequest.h"
#include "ngx_faas_ticket.h"
#include "ngx_faas_vm.h"


static void ngx_faas_handler_body(ngx_http_request_t *r);
static ngx_faas_call_t *ngx_faas_handler_call(ngx_http_request_t *r);
static void ngx_faas_handler_resume(ngx_http_request_t *r);
static ngx_int_t ngx_faas_handler_run(ngx_http_request_t *r,
    ngx_faas_call_t *call);
static ngx_int_t ngx_faas_handler_hold(ngx_http_request_t *r);
static void ngx_faas_handler_later(ngx_event_t *ev);
static void ngx_faas_handler_later_cleanup(void *data);
static ngx_int_t ngx_faas_handler_answer(ngx_faas_call_t *call);
static void ngx_faas_handler_done(ngx_faas_call_t *call);
static ngx_int_t ngx_faas_handler_read_file(ngx_http_request_t *r,
    ngx_buf_t *b, u_char *p);
#if (NGX_THREADS)
static ngx_int_t ngx_faas_handler_thread(ngx_thread_task_t *task,
    ngx_file_t *file);
static void ngx_faas_handler_thread_done(ngx_event_t *ev);
#endif


/* the content handler of faas_pass: the whole body first, then the call */

ngx_int_t
ngx_faas_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_read_client_request_body(r, ngx_faas_handler_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_faas_handler_body(ngx_http_request_t *r)
{
    ngx_faas_call_t  *call;

    call = ngx_faas_handler_call(r);
    if (call == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    if (call->error == NGX_FAAS_OK) {
        ngx_faas_handler_resume(r);
        return;
    }

    ngx_http_finalize_request(r, ngx_faas_handler_run(r, call));
}


/* the call of this request, or why it will not run */

static ngx_faas_call_t *
ngx_faas_handler_call(ngx_http_request_t *r)
{
    ngx_faas_ctx_t             *ctx;
    ngx_faas_call_t            *call;
    ngx_faas_loc_conf_t        *flcf;

    flcf = ngx_http_get_module_loc_conf(r, ngx_faas_module);

    call = ngx_pcalloc(r->pool, sizeof(ngx_faas_call_t));
    if (call == NULL) {
        return NULL;
    }

    call->request = r;
    call->conf = flcf;
    call->done = ngx_faas_handler_done;
    call->fetch = ngx_faas_subrequest_start;
    call->unfetch = ngx_faas_subrequest_cancel;

    if (ngx_array_init(&call->headers, r->pool, 4, sizeof(ngx_faas_header_t))
        != NGX_OK)
    {
        return NULL;
    }

    if (flcf->debug) {
        call->logs = ngx_array_create(r->pool, 4, sizeof(ngx_str_t));
        if (call->logs == NULL) {
            return NULL;
        }
    }

    if (ngx_http_complex_value(r, flcf->pass, &call->name) != NGX_OK) {
        return NULL;
    }

    ctx = ngx_faas_ctx_get(r);
    if (ctx == NULL) {
        return NULL;
    }

    ctx->call = call;

    if (ctx->claimed) {
        /* its time in the render pool's queue goes into the statistics */
        call->queued = 1;
        call->queue_time = ngx_max(ctx->queue_time, 0);
    }

    if (!ngx_faas_require_name_valid(&call->name)) {
        call->error = NGX_FAAS_NOT_FOUND;
        ngx_str_set(&call->message, "invalid function name");

    } else if (ctx->poisoned) {
        /* a second render worker is not to die of the same request */
        call->error = NGX_FAAS_KILLED;
        ngx_str_set(&call->message, "its call of this request was killed "
                    "by the watchdog on another render worker");
        ngx_faas_stats_call(call, 0, 0, 0);

    } else if (ngx_faas_render_defer(&call->name)) {
        /* the other render workers are held by calls like it */
        call->error = NGX_FAAS_DEFERRED;
        ngx_str_set(&call->message, "its last call ran into its limits "
                    "and every other render worker runs such a call");
        ngx_faas_stats_call(call, 0, 0, 0);
    }

    return call;
}


/*
 * the body into one piece, then the call; also r->write_event_handler
 * while a thread of the location's pool reads a body nginx spooled to a
 * file, and called again when it is done
 */

static void
ngx_faas_handler_resume(ngx_http_request_t *r)
{
    ngx_int_t        rc;
    ngx_faas_ctx_t  *ctx;

    if (r->aio) {
        /* a write event on the connection while the thread reads */
        return;
    }

    r->write_event_handler = ngx_http_request_empty_handler;

    ctx = ngx_faas_ctx_find(r);

    rc = ngx_faas_handler_read_body(r, &ctx->read);

    if (rc == NGX_AGAIN) {
        r->write_event_handler = ngx_faas_handler_resume;
        return;
    }

    ctx->call->body = ctx->read.text;

    if (rc != NGX_OK) {
        ctx->call->error = NGX_FAAS_INTERNAL;
        ngx_str_set(&ctx->call->message, "the request body nginx wrote to "
                    "a file could not be read");
    }

    ngx_faas_vm_turn_begin();
    ngx_http_finalize_request(r, ngx_faas_handler_run(r, ctx->call));
    ngx_faas_vm_turn_end();
}


static ngx_int_t
ngx_faas_handler_run(ngx_http_request_t *r, ngx_faas_call_t *call)
{
    ngx_faas_ctx_t      *ctx;
    ngx_pool_cleanup_t  *cln;

    ctx = ngx_faas_ctx_find(r);

    if (call->error == NGX_FAAS_OK) {
        if (ctx->claimed) {
            ngx_faas_ticket_run(ctx->ticket);

        } else if (ctx->later.handler == NULL && ngx_faas_vm_turn_over()) {

            /*
             * an inline call that comes in a turn of the loop that ran its
             * share of JavaScript already waits for the next turn, after
             * the waiting calls put off before it (ngx_faas_vm_later()):
             * a burst of requests cannot hold back the rest of the worker
             */

            cln = ngx_pool_cleanup_add(r->pool, 0);
            if (cln == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            cln->handler = ngx_faas_handler_later_cleanup;
            cln->data = ctx;

            ctx->later.handler = ngx_faas_handler_later;
            ctx->later.data = r;
            ctx->later.log = r->connection->log;

            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "faas: call of \"%V\" put off to the next turn",
                           &call->name);

            (void) ngx_faas_vm_later(&ctx->later);

            return ngx_faas_handler_hold(r);
        }

        ngx_faas_call_run(call);

        if (call->pending) {
            /*
             * it waits for a timer or a fetch: so does the request, until
             * ngx_faas_handler_done(); a client that goes meanwhile is
             * noticed, and the request pool's cleanup drops the call
             */

            return ngx_faas_handler_hold(r);
        }
    }

    return ngx_faas_handler_answer(call);
}


/*
 * the request waits for its call (put off a turn, or waiting on a timer or
 * a fetch) and holds its reference meanwhile; a client that goes is noticed
 */

static ngx_int_t
ngx_faas_handler_hold(ngx_http_request_t *r)
{
    r->main->count++;

    if (r == r->main) {
        r->read_event_handler = ngx_http_test_reading;
    }

    return NGX_DONE;
}


/*
 * the call put off by ngx_faas_handler_run() runs in this turn, unless the
 * turn has spent its share already (a burst of calls put off in the turn
 * before, waiting calls resumed before it): then it waits for the next
 */

static void
ngx_faas_handler_later(ngx_event_t *ev)
{
    ngx_connection_t    *c;
    ngx_faas_ctx_t      *ctx;
    ngx_http_request_t  *r;

    if (ngx_faas_vm_later(ev) == NGX_AGAIN) {
        return;
    }

    r = ev->data;
    c = r->connection;
    ctx = ngx_faas_ctx_find(r);

    if (r == r->main) {
        r->read_event_handler = ngx_http_block_reading;
    }

    ngx_faas_vm_turn_begin();
    ngx_http_finalize_request(r, ngx_faas_handler_run(r, ctx->call));
    ngx_http_run_posted_requests(c);
    ngx_faas_vm_turn_end();
}


/* the request went (its client, a shutdown) while its call was put off */

static void
ngx_faas_handler_later_cleanup(void *data)
{
    ngx_faas_ctx_t  *ctx = data;

    if (ctx->later.posted) {
        ngx_delete_posted_event(&ctx->later);
    }
}


static ngx_int_t
ngx_faas_handler_answer(ngx_faas_call_t *call)
{
    ngx_faas_ctx_t  *ctx;

    ctx = ngx_faas_ctx_find(call->request);

    /* the front reads the run time when its answer arrives: before that */

    if (ctx && ctx->claimed) {
        ngx_faas_ticket_finish(ctx->ticket, call->run_time);
    }

    ngx_faas_call_log(call);

    return ngx_faas_output_send(call);
}


/* a waiting call ended, from an event of its own or of another request */

static void
ngx_faas_handler_done(ngx_faas_call_t *call)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = call->request;
    c = r->connection;

    if (r == r->main) {
        r->read_event_handler = ngx_http_block_reading;
    }

    ngx_http_finalize_request(r, ngx_faas_handler_answer(call));
    ngx_http_run_posted_requests(c);
}


/*
 * the request body in one piece into body->text, also when nginx has
 * written it to a file: NGX_OK (an empty text without a body), NGX_ERROR,
 * or NGX_AGAIN while a thread of the location's pool reads a buffer
 * (with "aio threads"): body->in and body->pos say where to go on, and
 * r->write_event_handler is called once the thread is done; the caller
 * sets it and calls this again. Its memory is the request's
 */

ngx_int_t
ngx_faas_handler_read_body(ngx_http_request_t *r, ngx_faas_body_t *body)
{
    off_t         len;
    u_char       *p;
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (body->in == NULL) {

        if (r->request_body == NULL || r->request_body->bufs == NULL) {
            return NGX_OK;
        }

        cl = r->request_body->bufs;

        if (cl->next == NULL && !cl->buf->in_file) {
            body->text.data = cl->buf->pos;
            body->text.len = cl->buf->last - cl->buf->pos;
            return NGX_OK;
        }

        len = 0;

        for ( /* void */ ; cl; cl = cl->next) {
            len += ngx_buf_size(cl->buf);
        }

        if (len == 0) {
            return NGX_OK;
        }

        p = ngx_pnalloc(r->pool, len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        body->text.data = p;
        body->text.len = len;

        body->in = r->request_body->bufs;
        body->pos = p;
    }

    for (cl = body->in, p = body->pos; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            continue;
        }

        rc = ngx_faas_handler_read_file(r, b, p);

        if (rc == NGX_AGAIN) {
            body->in = cl;
            body->pos = p;
            return NGX_AGAIN;
        }

        if (rc != NGX_OK) {
            return NGX_ERROR;
        }

        p += b->file_last - b->file_pos;
    }

    return NGX_OK;
}


/*
 * a buffer of the body's file: in a thread of the location's pool with
 * "aio threads" (NGX_AGAIN until it is done), else by a read in the
 * event loop, as without a pool nginx has no other way
 */

static ngx_int_t
ngx_faas_handler_read_file(ngx_http_request_t *r, ngx_buf_t *b, u_char *p)
{
    ssize_t                    n;
    size_t                     size;
#if (NGX_THREADS)
    ngx_http_core_loc_conf_t  *clcf;
#endif

    size = b->file_last - b->file_pos;

    if (size == 0) {
        return NGX_OK;
    }

#if (NGX_THREADS)

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->aio == NGX_HTTP_AIO_THREADS) {
        b->file->thread_handler = ngx_faas_handler_thread;
        b->file->thread_ctx = r;

        n = ngx_thread_read(b->file, p, size, b->file_pos, r->pool);

        if (n == NGX_AGAIN) {
            return NGX_AGAIN;
        }

    } else {
        n = ngx_read_file(b->file, p, size, b->file_pos);
    }

#else

    n = ngx_read_file(b->file, p, size, b->file_pos);

#endif

    if (n != (ssize_t) size) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "faas: cannot read the request body from \"%V\"",
                      &b->file->name);
        return NGX_ERROR;
    }

    return NGX_OK;
}


#if (NGX_THREADS)

/*
 * ngx_thread_read() hands its task here: into the location's pool, the
 * request held (blocked) until ngx_faas_handler_thread_done()
 */

static ngx_int_t
ngx_faas_handler_thread(ngx_thread_task_t *task, ngx_file_t *file)
{
    ngx_str_t                  name;
    ngx_thread_pool_t         *tp;
    ngx_http_request_t        *r;
    ngx_http_core_loc_conf_t  *clcf;

    r = file->thread_ctx;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    tp = clcf->thread_pool;

    if (tp == NULL) {
        /* aio threads=$variable */

        if (ngx_http_complex_value(r, clcf->thread_pool_value, &name)
            != NGX_OK)
        {
            return NGX_ERROR;
        }

        tp = ngx_thread_pool_get((ngx_cycle_t *) ngx_cycle, &name);

        if (tp == NULL) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "faas: thread pool \"%V\" not found", &name);
            return NGX_ERROR;
        }
    }

    /* nginx 1.22's ngx_thread_read() leaves the event without a log */

    task->event.log = r->connection->log;
    task->event.data = r;
    task->event.handler = ngx_faas_handler_thread_done;

    if (ngx_thread_task_post(tp, task) != NGX_OK) {
        return NGX_ERROR;
    }

    /*
     * a timer that is not cancelable keeps a worker that shuts down
     * (a reload) alive until the thread is done with the request's memory
     */

    ngx_add_timer(&task->event, 60000);

    r->main->blocked++;
    r->aio = 1;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "faas: request body read from \"%V\" in a thread",
                   &file->name);

    return NGX_OK;
}


static void
ngx_faas_handler_thread_done(ngx_event_t *ev)
{
    ngx_connection_t    *c;
    ngx_http_request_t  *r;

    r = ev->data;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    if (ev->timedout) {
        /* the thread still has the buffer: wait on */
        ngx_log_error(NGX_LOG_ALERT, c->log, 0,
                      "faas: reading the request body in a thread took "
                      "over 60 s");
        ev->timedout = 0;
        return;
    }

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    r->main->blocked--;
    r->aio = 0;

    /* ngx_faas_handler_resume(), or what ended the request meanwhile */

    r->write_event_handler(r);
    ngx_http_run_posted_requests(c);
}

#endif
