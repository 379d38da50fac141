
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
#include "ngx_faas_require.h"
#include "ngx_faas_stats.h"
#include "ngx_faas_ticket.h"


static void ngx_faas_handler_body(ngx_http_request_t *r);
static ngx_int_t ngx_faas_handler_run(ngx_http_request_t *r);
static ngx_int_t ngx_faas_handler_read_body(ngx_http_request_t *r,
    ngx_str_t *body);


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
    ngx_http_finalize_request(r, ngx_faas_handler_run(r));
}


static ngx_int_t
ngx_faas_handler_run(ngx_http_request_t *r)
{
    ngx_faas_ctx_t             *ctx;
    ngx_faas_call_t            *call;
    ngx_faas_loc_conf_t        *flcf;

    flcf = ngx_http_get_module_loc_conf(r, ngx_faas_module);

    call = ngx_pcalloc(r->pool, sizeof(ngx_faas_call_t));
    if (call == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    call->request = r;
    call->conf = flcf;

    if (ngx_array_init(&call->headers, r->pool, 4, sizeof(ngx_faas_header_t))
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (flcf->debug) {
        call->logs = ngx_array_create(r->pool, 4, sizeof(ngx_str_t));
        if (call->logs == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_http_complex_value(r, flcf->pass, &call->name) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = ngx_faas_ctx_get(r);
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
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

    } else if (ngx_faas_handler_read_body(r, &call->body) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    } else {
        if (ctx->claimed) {
            ngx_faas_ticket_run(ctx->ticket);
        }

        ngx_faas_call_run(call);
    }

    /* the front reads the run time when its answer arrives: before that */

    if (ctx->claimed) {
        ngx_faas_ticket_finish(ctx->ticket, call->run_time);
    }

    ngx_faas_call_log(call);

    return ngx_faas_output_send(call);
}


/* the body in one piece, also when nginx has written it to a file */

static ngx_int_t
ngx_faas_handler_read_body(ngx_http_request_t *r, ngx_str_t *body)
{
    off_t         len;
    u_char       *p;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    ngx_str_null(body);

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    cl = r->request_body->bufs;

    if (cl->next == NULL && !cl->buf->in_file) {
        body->data = cl->buf->pos;
        body->len = cl->buf->last - cl->buf->pos;
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

    body->data = p;
    body->len = len;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            continue;
        }

        n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                          b->file_pos);

        if (n != b->file_last - b->file_pos) {
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "faas: cannot read the request body from \"%V\"",
                          &b->file->name);
            return NGX_ERROR;
        }

        p += n;
    }

    return NGX_OK;
}
