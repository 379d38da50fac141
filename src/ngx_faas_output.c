
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jansson.h>

#include "ngx_faas.h"
#include "ngx_faas_call.h"
#include "ngx_faas_output.h"


/* faas_debug: the console output of a call, at most this much */
#define NGX_FAAS_DEBUG_LOG_MAX  8192


static ngx_int_t ngx_faas_output_send_error(ngx_faas_call_t *call);
static ngx_int_t ngx_faas_output_error_page(ngx_http_request_t *r,
    ngx_uint_t status);
static ngx_int_t ngx_faas_output_debug_logs(ngx_faas_call_t *call);


ngx_int_t
ngx_faas_output_send(ngx_faas_call_t *call)
{
    ngx_uint_t           i;
    ngx_faas_header_t   *h;
    ngx_http_request_t  *r;

    r = call->request;

    if (call->error != NGX_FAAS_OK) {
        return ngx_faas_output_send_error(call);
    }

    r->headers_out.status = call->status;

    h = call->headers.elts;

    for (i = 0; i < call->headers.nelts; i++) {
        if (ngx_faas_output_add_header(r, &h[i].name, &h[i].value)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_faas_output_debug_logs(call) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_faas_output_body(r, &call->content_type, &call->out);
}


/*
 * a short JSON error, built without the heap (it may be gone); with
 * faas_debug the message and stack come along. An error_page for the
 * status wins: nginx then answers as the operator configured
 */

static ngx_int_t
ngx_faas_output_send_error(ngx_faas_call_t *call)
{
    json_t              *json;
    ngx_str_t            type, out;
    ngx_uint_t           status;
    ngx_faas_error_t    *e;
    ngx_http_request_t  *r;

    r = call->request;
    e = ngx_faas_call_error(call->error);
    status = e->status;

    if (ngx_faas_output_error_page(r, status)) {
        return status;
    }

    json = json_object();
    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_set_new(json, "error",
                            json_stringn((char *) e->text.data, e->text.len))
        != 0)
    {
        goto failed;
    }

    /*
     * a call that never ran (function not found) has no message or stack:
     * json_stringn() refuses NULL, even with a length of 0
     */

    if (call->conf->debug
        && (json_object_set_new(json, "message",
                                json_stringn(call->message.data
                                             ? (char *) call->message.data
                                             : "",
                                             call->message.len))
            != 0
            || json_object_set_new(json, "stack",
                                   json_stringn(call->stack.data
                                                ? (char *) call->stack.data
                                                : "",
                                                call->stack.len))
               != 0))
    {
        goto failed;
    }

    if (ngx_faas_output_text(r, json, JSON_COMPACT, &out) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_faas_output_debug_logs(call) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = status;
    ngx_str_set(&type, "application/json");

    return ngx_faas_output_body(r, &type, &out);

failed:

    json_decref(json);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


static ngx_int_t
ngx_faas_output_error_page(ngx_http_request_t *r, ngx_uint_t status)
{
    ngx_uint_t                 i;
    ngx_http_err_page_t       *err_page;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    /*
     * as nginx decides: inside an error_page already (and without
     * recursive_error_pages) nginx would answer with its own HTML page,
     * so the JSON is the better answer
     */

    if (r->error_page || clcf->error_pages == NULL || r->uri_changes == 0) {
        return 0;
    }

    err_page = clcf->error_pages->elts;

    for (i = 0; i < clcf->error_pages->nelts; i++) {
        if ((ngx_uint_t) err_page[i].status == status) {
            return 1;
        }
    }

    return 0;
}


/* faas_debug: each console line of the call as an X-Faas-Log header */

static ngx_int_t
ngx_faas_output_debug_logs(ngx_faas_call_t *call)
{
    size_t       total;
    ngx_str_t   *line, name;
    ngx_uint_t   i;

    if (call->logs == NULL) {
        return NGX_OK;
    }

    ngx_str_set(&name, "X-Faas-Log");

    total = 0;
    line = call->logs->elts;

    for (i = 0; i < call->logs->nelts; i++) {
        total += line[i].len;

        if (total > NGX_FAAS_DEBUG_LOG_MAX) {
            ngx_str_set(&line[i], "(more output in the error log)");
            i = call->logs->nelts - 1;
        }

        if (ngx_faas_output_add_header(call->request, &name, &line[i])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_faas_output_add_header(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key = *name;
    h->value = *value;
#if (nginx_version >= 1023000)
    h->next = NULL;
#endif

    return NGX_OK;
}


ngx_int_t
ngx_faas_output_body(ngx_http_request_t *r, ngx_str_t *type,
    ngx_str_t *out)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_chain_t   cl;

    if (type->len) {
        r->headers_out.content_type = *type;
        r->headers_out.content_type_len = type->len;
        r->headers_out.content_type_lowcase = NULL;
    }

    r->headers_out.content_length_n = out->len;

    if (out->len == 0 || r->method == NGX_HTTP_HEAD) {
        r->header_only = 1;
    }

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = out->data;
    b->last = out->data + out->len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    cl.buf = b;
    cl.next = NULL;

    return ngx_http_output_filter(r, &cl);
}


/* the text of a JSON value, in the request's pool; the value is freed */

ngx_int_t
ngx_faas_output_text(ngx_http_request_t *r, json_t *json, size_t flags,
    ngx_str_t *out)
{
    char  *text;

    text = json_dumps(json, flags);
    json_decref(json);

    if (text == NULL) {
        return NGX_ERROR;
    }

    out->len = ngx_strlen(text);
    out->data = ngx_pnalloc(r->pool, out->len);

    if (out->data) {
        ngx_memcpy(out->data, text, out->len);
    }

    free(text);

    return out->data ? NGX_OK : NGX_ERROR;
}
