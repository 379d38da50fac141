
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <jansson.h>

#include "ngx_faas.h"
#include "ngx_faas_response.h"
#include "ngx_faas_vm.h"


#define NGX_FAAS_RESPONSE_MARK  DUK_HIDDEN_SYMBOL("faasResponse")
#define NGX_FAAS_RESPONSE_TYPE  DUK_HIDDEN_SYMBOL("faasType")

/* faas_debug: the console output of a call, at most this much */
#define NGX_FAAS_DEBUG_LOG_MAX  8192


static duk_ret_t ngx_faas_response_new(duk_context *duk);
static duk_ret_t ngx_faas_response_json(duk_context *duk);
static duk_ret_t ngx_faas_response_redirect(duk_context *duk);
static void ngx_faas_response_from_object(duk_context *duk,
    ngx_faas_call_t *call);
static void ngx_faas_response_headers(duk_context *duk,
    ngx_faas_call_t *call);
static void ngx_faas_response_header(duk_context *duk, ngx_faas_call_t *call);
static void ngx_faas_response_body(duk_context *duk, ngx_faas_call_t *call,
    ngx_str_t *out);
static ngx_int_t ngx_faas_response_send_error(ngx_faas_call_t *call);
static ngx_int_t ngx_faas_response_error_page(ngx_http_request_t *r,
    ngx_uint_t status);
static ngx_int_t ngx_faas_response_debug_logs(ngx_faas_call_t *call);


static const duk_function_list_entry  ngx_faas_response_statics[] = {
    { "json", ngx_faas_response_json, 2 },
    { "redirect", ngx_faas_response_redirect, 2 },
    { NULL, NULL, 0 }
};


/* names nginx sets itself: a function cannot send them */
static ngx_str_t  ngx_faas_response_hop[] = {
    ngx_string("content-length"),
    ngx_string("transfer-encoding"),
    ngx_string("connection"),
    ngx_string("keep-alive"),
    ngx_string("upgrade"),
    ngx_string("trailer"),
    ngx_null_string
};


void
ngx_faas_response_init(duk_context *duk)
{
    duk_push_c_function(duk, ngx_faas_response_new, 2);
    duk_put_function_list(duk, -1, ngx_faas_response_statics);

    /* instances inherit from Response.prototype, as instanceof expects */

    duk_push_object(duk);
    duk_push_literal(duk, "constructor");
    duk_dup(duk, -3);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WRITABLE
                          |DUK_DEFPROP_SET_CONFIGURABLE);
    duk_push_literal(duk, "prototype");
    duk_swap(duk, -1, -2);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WRITABLE);

    duk_put_global_literal(duk, "Response");
}


/*
 * new Response(body, { status, headers }): a subset of the Fetch API's
 * Response; headers is an object (a value may be an array of values) or
 * an array of [name, value] pairs, for several headers of one name
 */

static duk_ret_t
ngx_faas_response_new(duk_context *duk)
{
    duk_int_t  status;

    if (!duk_is_constructor_call(duk)) {
        return duk_type_error(duk, "Response must be called with new");
    }

    status = 200;

    if (duk_is_object(duk, 1)) {
        if (duk_get_prop_literal(duk, 1, "status")) {
            status = duk_to_int(duk, -1);

            if (!duk_is_number(duk, -1) || status < 200 || status > 599
                || duk_get_number(duk, -1) != (duk_double_t) status)
            {
                return duk_range_error(duk, "invalid Response status %s",
                                       duk_safe_to_string(duk, -1));
            }
        }

        duk_pop(duk);
    }

    duk_push_this(duk);

    /* stack: [ body init this ] */

    duk_push_int(duk, status);
    duk_put_prop_literal(duk, -2, "status");

    if (duk_is_object(duk, 1)) {
        duk_get_prop_literal(duk, 1, "headers");

    } else {
        duk_push_undefined(duk);
    }

    if (!duk_is_object(duk, -1)) {
        duk_pop(duk);
        duk_push_object(duk);
    }

    duk_put_prop_literal(duk, -2, "headers");

    duk_dup(duk, 0);
    if (duk_is_undefined(duk, -1)) {
        duk_pop(duk);
        duk_push_null(duk);
    }
    duk_put_prop_literal(duk, -2, "body");

    duk_push_true(duk);
    duk_put_prop_literal(duk, -2, NGX_FAAS_RESPONSE_MARK);

    return 0;
}


/* Response.json(data, init) */

static duk_ret_t
ngx_faas_response_json(duk_context *duk)
{
    duk_dup(duk, 0);
    duk_json_encode(duk, -1);

    if (!duk_is_string(duk, -1)) {
        return duk_type_error(duk, "Response.json: value is not JSON");
    }

    duk_get_global_literal(duk, "Response");
    duk_insert(duk, -2);
    duk_dup(duk, 1);
    duk_new(duk, 2);

    duk_push_literal(duk, "application/json");
    duk_put_prop_literal(duk, -2, NGX_FAAS_RESPONSE_TYPE);

    return 1;
}


/* Response.redirect(url, status = 302) */

static duk_ret_t
ngx_faas_response_redirect(duk_context *duk)
{
    duk_int_t  status;

    duk_require_string(duk, 0);

    status = duk_is_undefined(duk, 1) ? 302 : duk_require_int(duk, 1);

    if (status != 301 && status != 302 && status != 303 && status != 307
        && status != 308)
    {
        return duk_range_error(duk, "invalid redirect status %d",
                               (int) status);
    }

    duk_get_global_literal(duk, "Response");
    duk_push_null(duk);
    duk_push_object(duk);
    duk_push_int(duk, status);
    duk_put_prop_literal(duk, -2, "status");
    duk_push_object(duk);
    duk_dup(duk, 0);
    duk_put_prop_literal(duk, -2, "Location");
    duk_put_prop_literal(duk, -2, "headers");

    /* stack: [ url status Response null init ] */

    duk_new(duk, 2);

    return 1;
}


/*
 * turns the value on the stack top into the answer: a string is HTML, a
 * Response is what it says, undefined is 204, anything else is JSON
 */

void
ngx_faas_response_set(duk_context *duk, ngx_faas_call_t *call)
{
    call->status = NGX_HTTP_OK;

    if (duk_is_undefined(duk, -1)) {
        call->status = NGX_HTTP_NO_CONTENT;
        return;
    }

    if (duk_is_string(duk, -1)) {
        ngx_str_set(&call->content_type, "text/html; charset=utf-8");
        ngx_faas_response_body(duk, call, &call->out);
        return;
    }

    if (duk_is_buffer_data(duk, -1)) {
        ngx_str_set(&call->content_type, "application/octet-stream");
        ngx_faas_response_body(duk, call, &call->out);
        return;
    }

    if (duk_is_object(duk, -1)
        && !ngx_faas_vm_plain(duk, -1)
        && duk_has_prop_literal(duk, -1, NGX_FAAS_RESPONSE_MARK))
    {
        ngx_faas_response_from_object(duk, call);
        return;
    }

    duk_dup(duk, -1);
    duk_json_encode(duk, -1);

    if (!duk_is_string(duk, -1)) {
        (void) duk_type_error(duk, "the function returned a %s, which is "
                              "neither a string, a Response nor JSON",
                              duk_is_function(duk, -2) ? "function"
                                                       : "symbol");
    }

    ngx_str_set(&call->content_type, "application/json");
    ngx_faas_response_body(duk, call, &call->out);
    duk_pop(duk);
}


static void
ngx_faas_response_from_object(duk_context *duk, ngx_faas_call_t *call)
{
    duk_get_prop_literal(duk, -1, "status");
    call->status = duk_get_uint(duk, -1);
    duk_pop(duk);

    if (call->status < 200 || call->status > 599) {
        (void) duk_range_error(duk, "invalid Response status");
    }

    duk_get_prop_literal(duk, -1, "headers");
    ngx_faas_response_headers(duk, call);
    duk_pop(duk);

    duk_get_prop_literal(duk, -1, "body");

    if (call->content_type.len == 0) {
        if (duk_get_prop_literal(duk, -2, NGX_FAAS_RESPONSE_TYPE)) {
            (void) ngx_faas_vm_string(duk, -1, call->request->pool,
                                      &call->content_type);

        } else if (duk_is_string(duk, -2)) {
            ngx_str_set(&call->content_type, "text/plain; charset=utf-8");
        }

        duk_pop(duk);
    }

    if (!duk_is_null_or_undefined(duk, -1)) {
        ngx_faas_response_body(duk, call, &call->out);
    }

    duk_pop(duk);
}


/* stack: [ ... headers ] */

static void
ngx_faas_response_headers(duk_context *duk, ngx_faas_call_t *call)
{
    duk_uarridx_t  i, n;

    if (!duk_is_object(duk, -1)) {
        return;
    }

    if (duk_is_array(duk, -1)) {
        n = (duk_uarridx_t) duk_get_length(duk, -1);

        for (i = 0; i < n; i++) {
            duk_get_prop_index(duk, -1, i);

            if (!duk_is_array(duk, -1) || duk_get_length(duk, -1) != 2) {
                (void) duk_type_error(duk, "a header must be a "
                                      "[name, value] pair");
            }

            duk_get_prop_index(duk, -1, 0);
            duk_get_prop_index(duk, -2, 1);
            ngx_faas_response_header(duk, call);
            duk_pop(duk);
        }

        return;
    }

    duk_enum(duk, -1, DUK_ENUM_OWN_PROPERTIES_ONLY);

    while (duk_next(duk, -1, 1)) {

        /* stack: [ ... headers enum name value ] */

        if (!duk_is_array(duk, -1)) {
            ngx_faas_response_header(duk, call);
            continue;
        }

        n = (duk_uarridx_t) duk_get_length(duk, -1);

        for (i = 0; i < n; i++) {
            duk_dup(duk, -2);
            duk_get_prop_index(duk, -2, i);
            ngx_faas_response_header(duk, call);
        }

        duk_pop_2(duk);
    }

    duk_pop(duk);
}


/*
 * stack: [ ... name value ] -> [ ... ]; a header that would split the
 * response (CR, LF) or is not a token is an error, not a guess
 */

static void
ngx_faas_response_header(duk_context *duk, ngx_faas_call_t *call)
{
    u_char             c;
    ngx_uint_t         i;
    ngx_str_t          name, value;
    ngx_pool_t        *pool;
    ngx_faas_header_t *h;

    pool = call->request->pool;

    if (ngx_faas_vm_string(duk, -2, pool, &name) != NGX_OK
        || ngx_faas_vm_string(duk, -1, pool, &value) != NGX_OK)
    {
        (void) duk_error(duk, DUK_ERR_ERROR, "no memory");
    }

    if (name.len == 0) {
        (void) duk_type_error(duk, "empty header name");
    }

    for (i = 0; i < name.len; i++) {
        c = name.data[i];

        if (c <= ' ' || c >= 0x7f || ngx_strchr("()<>@,;:\\\"/[]?={}", c)) {
            (void) duk_type_error(duk, "invalid header name \"%s\"",
                                  duk_safe_to_string(duk, -2));
        }
    }

    for (i = 0; i < value.len; i++) {
        c = value.data[i];

        if (c == '\r' || c == '\n' || c == '\0') {
            (void) duk_type_error(duk, "invalid value of header \"%s\"",
                                  duk_safe_to_string(duk, -2));
        }
    }

    duk_pop_2(duk);

    if (name.len == sizeof("content-type") - 1
        && ngx_strncasecmp(name.data, (u_char *) "content-type", name.len)
           == 0)
    {
        call->content_type = value;
        return;
    }

    for (i = 0; ngx_faas_response_hop[i].len; i++) {
        if (name.len == ngx_faas_response_hop[i].len
            && ngx_strncasecmp(name.data, ngx_faas_response_hop[i].data,
                               name.len)
               == 0)
        {
            return;
        }
    }

    h = ngx_array_push(&call->headers);
    if (h == NULL) {
        (void) duk_error(duk, DUK_ERR_ERROR, "no memory");
    }

    h->name = name;
    h->value = value;
}


/* copies a string or buffer body out of the heap, which may go away */

static void
ngx_faas_response_body(duk_context *duk, ngx_faas_call_t *call,
    ngx_str_t *out)
{
    void        *p;
    duk_size_t   len;

    if (duk_is_buffer_data(duk, -1)) {
        p = duk_get_buffer_data(duk, -1, &len);

    } else {
        p = (void *) duk_to_lstring(duk, -1, &len);
    }

    out->len = len;

    if (len == 0) {
        return;
    }

    out->data = ngx_pnalloc(call->request->pool, len);
    if (out->data == NULL) {
        (void) duk_error(duk, DUK_ERR_ERROR, "no memory");
    }

    ngx_memcpy(out->data, p, len);
}


ngx_int_t
ngx_faas_response_send(ngx_faas_call_t *call)
{
    ngx_uint_t           i;
    ngx_faas_header_t   *h;
    ngx_http_request_t  *r;

    r = call->request;

    if (call->error != NGX_FAAS_OK) {
        return ngx_faas_response_send_error(call);
    }

    r->headers_out.status = call->status;

    h = call->headers.elts;

    for (i = 0; i < call->headers.nelts; i++) {
        if (ngx_faas_response_add_header(r, &h[i].name, &h[i].value)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_faas_response_debug_logs(call) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_faas_response_output(r, &call->content_type, &call->out);
}


ngx_uint_t
ngx_faas_response_error_status(ngx_faas_error_e error)
{
    switch (error) {

    case NGX_FAAS_NOT_FOUND:
        return NGX_HTTP_NOT_FOUND;

    case NGX_FAAS_BAD_BODY:
        return NGX_HTTP_BAD_REQUEST;

    case NGX_FAAS_TIMEOUT:
        return NGX_HTTP_GATEWAY_TIME_OUT;

    default:
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
}


/* the text of a JSON value, in the request's pool; the value is freed */

ngx_int_t
ngx_faas_response_text(ngx_http_request_t *r, json_t *json, size_t flags,
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


/*
 * a short JSON error, built without the heap (it may be gone); with
 * faas_debug the message and stack come along. An error_page for the
 * status wins: nginx then answers as the operator configured
 */

static ngx_int_t
ngx_faas_response_send_error(ngx_faas_call_t *call)
{
    json_t              *json;
    ngx_str_t            type, out;
    ngx_uint_t           status;
    const char          *what;
    ngx_http_request_t  *r;

    r = call->request;
    status = ngx_faas_response_error_status(call->error);

    if (ngx_faas_response_error_page(r, status)) {
        return status;
    }

    switch (call->error) {

    case NGX_FAAS_NOT_FOUND:
        what = "function not found";
        break;

    case NGX_FAAS_BAD_BODY:
        what = "invalid request body";
        break;

    case NGX_FAAS_TIMEOUT:
        what = "function timed out";
        break;

    case NGX_FAAS_MEMORY:
        what = "function exceeded its memory limit";
        break;

    default:
        what = "function failed";
    }

    json = json_object();
    if (json == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (json_object_set_new(json, "error", json_string(what)) != 0) {
        goto failed;
    }

    if (call->conf->debug
        && (json_object_set_new(json, "message",
                                json_stringn((char *) call->message.data,
                                             call->message.len))
            != 0
            || json_object_set_new(json, "stack",
                                   json_stringn((char *) call->stack.data,
                                                call->stack.len))
               != 0))
    {
        goto failed;
    }

    if (ngx_faas_response_text(r, json, JSON_COMPACT, &out) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_faas_response_debug_logs(call) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    r->headers_out.status = status;
    ngx_str_set(&type, "application/json");

    return ngx_faas_response_output(r, &type, &out);

failed:

    json_decref(json);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


static ngx_int_t
ngx_faas_response_error_page(ngx_http_request_t *r, ngx_uint_t status)
{
    ngx_uint_t                 i;
    ngx_http_err_page_t       *err_page;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->error_pages == NULL || r->uri_changes == 0) {
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


ngx_int_t
ngx_faas_response_add_header(ngx_http_request_t *r, ngx_str_t *name,
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


/* faas_debug: each console line of the call as an X-Faas-Log header */

static ngx_int_t
ngx_faas_response_debug_logs(ngx_faas_call_t *call)
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

        if (ngx_faas_response_add_header(call->request, &name, &line[i])
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_faas_response_output(ngx_http_request_t *r, ngx_str_t *type,
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
