
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_call.h"
#include "ngx_faas_ctx.h"
#include "ngx_faas_variables.h"


typedef enum {
    NGX_FAAS_VAR_FUNCTION = 0,
    NGX_FAAS_VAR_RUN_TIME,
    NGX_FAAS_VAR_QUEUE_TIME,
    NGX_FAAS_VAR_STATUS
} ngx_faas_var_e;


static ngx_int_t ngx_faas_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t data);
static ngx_int_t ngx_faas_variable_msec(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uint64_t us);


static ngx_http_variable_t  ngx_faas_vars[] = {

    { ngx_string("faas_function"), NULL, ngx_faas_variable,
      NGX_FAAS_VAR_FUNCTION, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("faas_run_time"), NULL, ngx_faas_variable,
      NGX_FAAS_VAR_RUN_TIME, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("faas_queue_time"), NULL, ngx_faas_variable,
      NGX_FAAS_VAR_QUEUE_TIME, NGX_HTTP_VAR_NOCACHEABLE, 0 },

    { ngx_string("faas_status"), NULL, ngx_faas_variable,
      NGX_FAAS_VAR_STATUS, NGX_HTTP_VAR_NOCACHEABLE, 0 },

      ngx_http_null_variable
};


ngx_int_t
ngx_faas_variables_add(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_faas_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_faas_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    ngx_str_t        *s;
    ngx_faas_ctx_t   *ctx;
    ngx_faas_call_t  *call;

    ctx = ngx_faas_ctx_find(r);
    call = ctx ? ctx->call : NULL;

    switch (data) {

    case NGX_FAAS_VAR_QUEUE_TIME:
        if (ctx == NULL || !ctx->claimed) {
            break;
        }

        return ngx_faas_variable_msec(r, v, (uint64_t) ctx->queue_time);

    case NGX_FAAS_VAR_RUN_TIME:
        if (call == NULL) {
            break;
        }

        return ngx_faas_variable_msec(r, v, call->run_time);

    case NGX_FAAS_VAR_FUNCTION:
        if (call == NULL) {
            break;
        }

        v->data = call->name.data;
        v->len = call->name.len;
        goto found;

    default: /* NGX_FAAS_VAR_STATUS */
        if (ctx && ctx->refused) {
            ngx_str_set(v, "refused");
            goto found;
        }

        if (call == NULL) {
            break;
        }

        s = &ngx_faas_call_error(call->error)->name;
        v->data = s->data;
        v->len = s->len;
        goto found;
    }

    v->not_found = 1;

    return NGX_OK;

found:

    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


/* milliseconds with microseconds, as $request_time has them */

static ngx_int_t
ngx_faas_variable_msec(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uint64_t us)
{
    u_char  *p;

    p = ngx_pnalloc(r->pool, NGX_INT64_LEN + 4);
    if (p == NULL) {
        return NGX_ERROR;
    }

    v->len = ngx_sprintf(p, "%uL.%03uL", us / 1000, us % 1000) - p;
    v->data = p;
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}
