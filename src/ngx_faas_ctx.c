
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_ctx.h"
#include "ngx_faas_request.h"


static u_char *ngx_faas_ctx_log_handler(ngx_http_request_t *r,
    ngx_http_request_t *sr, u_char *buf, size_t len);
static void ngx_faas_ctx_cleanup(void *data);


/*
 * the context lives in a pool cleanup: nginx forgets module contexts on
 * an internal redirect to a named location (error_page 503 = @fallback),
 * and the cleanup is how it is found again, as the realip module does
 */

ngx_faas_ctx_t *
ngx_faas_ctx_find(ngx_http_request_t *r)
{
    ngx_faas_ctx_t      *ctx;
    ngx_pool_cleanup_t  *cln;

    ctx = ngx_http_get_module_ctx(r, ngx_faas_module);
    if (ctx) {
        return ctx;
    }

    for (cln = r->pool->cleanup; cln; cln = cln->next) {
        if (cln->handler == ngx_faas_ctx_cleanup) {
            ctx = cln->data;

            if (ctx->request == r) {
                ngx_http_set_ctx(r, ctx, ngx_faas_module);
                return ctx;
            }
        }
    }

    return NULL;
}


ngx_faas_ctx_t *
ngx_faas_ctx_get(ngx_http_request_t *r)
{
    ngx_faas_ctx_t      *ctx;
    ngx_pool_cleanup_t  *cln;

    ctx = ngx_faas_ctx_find(r);
    if (ctx) {
        return ctx;
    }

    cln = ngx_pool_cleanup_add(r->pool, sizeof(ngx_faas_ctx_t));
    if (cln == NULL) {
        return NULL;
    }

    ctx = cln->data;
    ngx_memzero(ctx, sizeof(ngx_faas_ctx_t));
    ctx->request = r;

    cln->handler = ngx_faas_ctx_cleanup;

    ngx_http_set_ctx(r, ctx, ngx_faas_module);

    /*
     * every error-log line of the request names its id, nginx's too; the
     * id is made for the first of them (or the first use): $request_id
     * draws random bytes from OpenSSL, a tenth of a small call's CPU
     */

    if (r == r->main) {
        ctx->log_handler = r->log_handler;
        r->log_handler = ngx_faas_ctx_log_handler;
    }

    return ctx;
}


static u_char *
ngx_faas_ctx_log_handler(ngx_http_request_t *r, ngx_http_request_t *sr,
    u_char *buf, size_t len)
{
    u_char          *p;
    ngx_faas_ctx_t  *ctx;

    ctx = ngx_faas_ctx_find(r);

    if (ctx == NULL || ctx->log_handler == NULL) {
        /* cannot happen: the context lives as long as the request */
        return buf;
    }

    p = ctx->log_handler(r, sr, buf, len);

    len -= p - buf;

    return ngx_snprintf(p, len, ", request_id: \"%V\"",
                        ngx_faas_ctx_request_id(ctx));
}


/* the request id, made when first asked for: ngx_faas_request_id_of() */

ngx_str_t *
ngx_faas_ctx_request_id(ngx_faas_ctx_t *ctx)
{
    if (ctx->request_id.data == NULL) {
        (void) ngx_faas_request_id_of(ctx->request, &ctx->request_id);
    }

    return &ctx->request_id;
}


/* only a mark to find the context by: what needs releasing has its own */

static void
ngx_faas_ctx_cleanup(void *data)
{
}
