
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_response.h"
#include "ngx_faas_string.h"
#include "ngx_faas_vm.h"


#define NGX_FAAS_RESPONSE_MARK  DUK_HIDDEN_SYMBOL("faasResponse")
#define NGX_FAAS_RESPONSE_TYPE  DUK_HIDDEN_SYMBOL("faasType")


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
    duk_bool_t   text;
    duk_size_t   len;

    text = !duk_is_buffer_data(duk, -1);

    if (text) {
        p = (void *) duk_to_lstring(duk, -1, &len);

    } else {
        p = duk_get_buffer_data(duk, -1, &len);
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

    if (text) {
        out->len = ngx_faas_string_utf8_answer(out->data, len);
    }
}
