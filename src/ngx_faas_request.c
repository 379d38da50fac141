
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_bson.h"
#include "ngx_faas_request.h"
#include "ngx_faas_string.h"
#include "ngx_faas_vm.h"


#define NGX_FAAS_REQUEST_PROTO   DUK_HIDDEN_SYMBOL("faasCtxProto")


/*
 * the fields of ctx that cost something are accessors of its prototype:
 * computed when first read, then kept as own properties of that ctx; the
 * magic value of an accessor is its field
 */
typedef enum {
    NGX_FAAS_REQUEST_QUERY = 0,
    NGX_FAAS_REQUEST_HEADERS,
    NGX_FAAS_REQUEST_PARAMS,
    NGX_FAAS_REQUEST_ENV,
    NGX_FAAS_REQUEST_ID,
    NGX_FAAS_REQUEST_URL,
    NGX_FAAS_REQUEST_REMOTE_ADDR,
    NGX_FAAS_REQUEST_RAW_BODY,
    NGX_FAAS_REQUEST_METHOD,
    NGX_FAAS_REQUEST_PATH
} ngx_faas_request_field_e;


static duk_ret_t ngx_faas_request_get(duk_context *duk);
static duk_ret_t ngx_faas_request_set(duk_context *duk);
static void ngx_faas_request_push_query(duk_context *duk, ngx_pool_t *pool,
    ngx_str_t *args, ngx_uint_t strict);
static void ngx_faas_request_push_headers(duk_context *duk,
    ngx_http_request_t *r);
static void ngx_faas_request_push_body(duk_context *duk,
    ngx_faas_call_t *call);
static void ngx_faas_request_push_params(duk_context *duk,
    ngx_http_request_t *r);
static void ngx_faas_request_push_env(duk_context *duk,
    ngx_faas_call_t *call);
static void ngx_faas_request_add(duk_context *duk, duk_idx_t obj,
    const char *sep);
static ssize_t ngx_faas_request_unescape(u_char *dst, u_char *src,
    size_t len, ngx_uint_t strict);
static ngx_int_t ngx_faas_request_media_type(ngx_str_t *type,
    const char *name);


/* their names, in ngx_faas_request_field_e order */
static const char  *ngx_faas_request_lazy[] = {
    "query", "headers", "params", "env", "requestId", "url", "remoteAddr",
    "rawBody", "method", "path", NULL
};


void
ngx_faas_request_init(duk_context *duk)
{
    duk_int_t  i;

    duk_push_object(duk);

    for (i = 0; ngx_faas_request_lazy[i]; i++) {
        duk_push_string(duk, ngx_faas_request_lazy[i]);
        duk_push_c_function(duk, ngx_faas_request_get, 0);
        duk_set_magic(duk, -1, i);
        duk_push_c_function(duk, ngx_faas_request_set, 1);
        duk_set_magic(duk, -1, i);
        duk_def_prop(duk, -4, DUK_DEFPROP_HAVE_GETTER|DUK_DEFPROP_HAVE_SETTER
                              |DUK_DEFPROP_SET_ENUMERABLE
                              |DUK_DEFPROP_SET_CONFIGURABLE);
    }

    /* stack: [ proto ] */

    ngx_faas_vm_data(ngx_faas_vm_from(duk))->ctx_proto =
                                                   duk_get_heapptr(duk, -1);

    duk_push_heap_stash(duk);
    duk_swap(duk, -1, -2);
    duk_put_prop_literal(duk, -2, NGX_FAAS_REQUEST_PROTO);
    duk_pop(duk);
}


/* pushes ctx: the request as the function sees it */

void
ngx_faas_request_push(duk_context *duk, ngx_faas_call_t *call)
{
    ngx_faas_vm_data_t  *heap;

    heap = ngx_faas_vm_data(call->vm);

    duk_push_object(duk);
    duk_push_heapptr(duk, heap->ctx_proto);
    duk_set_prototype(duk, -2);

    /* stack: [ ... ctx ] */

    heap->ctx = duk_get_heapptr(duk, -1);

    /* a run of faas_schedule: ctx.schedule says so, with its interval */

    if (call->schedule) {
        duk_push_object(duk);
        duk_push_number(duk, (duk_double_t) call->schedule);
        duk_put_prop_literal(duk, -2, "interval");
        duk_push_lstring(duk, (char *) call->name.data, call->name.len);
        duk_put_prop_literal(duk, -2, "name");
        duk_push_number(duk, (duk_double_t) call->scheduled_time);
        duk_put_prop_literal(duk, -2, "scheduledTime");
        duk_put_prop_literal(duk, -2, "schedule");
    }

    /* the body is decoded before the call: a bad one is 400, not a call */

    ngx_faas_request_push_body(duk, call);
}


/* the request id, made when first asked for: see ngx_faas_request_id_of() */

ngx_str_t *
ngx_faas_request_id(ngx_faas_call_t *call)
{
    if (call->request_id.data == NULL) {
        (void) ngx_faas_request_id_of(call->request, &call->request_id);
    }

    return &call->request_id;
}


/*
 * the id of a request: the X-Request-ID it came with when that is a plain
 * token (a client's, or the one the front of the render pool sends), so
 * the lines of the front and of the render worker share it; else
 * $request_id; NGX_DECLINED for the latter
 */

ngx_int_t
ngx_faas_request_id_of(ngx_http_request_t *r, ngx_str_t *id)
{
    u_char                     *p, *end;
    ngx_uint_t                  i;
    ngx_list_part_t            *part;
    ngx_table_elt_t            *h;
    ngx_faas_main_conf_t       *fmcf;
    ngx_http_variable_value_t  *v;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].key.len != sizeof(NGX_FAAS_REQUEST_ID_HEADER) - 1
            || h[i].value.len == 0
            || h[i].value.len > NGX_FAAS_REQUEST_ID_MAX
            || ngx_strncasecmp(h[i].key.data,
                               (u_char *) NGX_FAAS_REQUEST_ID_HEADER,
                               h[i].key.len)
               != 0)
        {
            continue;
        }

        /* it goes into every log line: letters, digits, "-", "_", "." */

        end = h[i].value.data + h[i].value.len;

        for (p = h[i].value.data; p < end; p++) {
            if (!((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a'
                                               && (*p | 0x20) <= 'z')
                  || *p == '-' || *p == '_' || *p == '.'))
            {
                break;
            }
        }

        if (p == end) {
            *id = h[i].value;
            return NGX_OK;
        }
    }

    fmcf = ngx_http_get_module_main_conf(r, ngx_faas_module);

    v = ngx_http_get_indexed_variable(r, fmcf->request_id_index);

    if (v && !v->not_found) {
        id->data = v->data;
        id->len = v->len;

    } else {
        ngx_str_set(id, "-");
    }

    return NGX_DECLINED;
}


/*
 * a lazy field of the ctx of the call in progress; a ctx kept past its
 * call has what was read during the call, and undefined for the rest
 */

static duk_ret_t
ngx_faas_request_get(duk_context *duk)
{
    duk_int_t         field;
    ngx_faas_vm_t    *vm;
    ngx_faas_call_t  *call;

    field = duk_get_current_magic(duk);
    vm = ngx_faas_vm_from(duk);
    call = ngx_faas_vm_call(vm);

    /* a live ctx is never freed, so its address is not reused by another */

    duk_push_this(duk);

    if (call == NULL || duk_get_heapptr(duk, -1) != ngx_faas_vm_data(vm)->ctx) {
        return 0;
    }

    /* stack: [ this ] */

    switch (field) {

    case NGX_FAAS_REQUEST_QUERY:
        ngx_faas_request_push_query(duk, call->request->pool,
                                    &call->request->args, 0);
        break;

    case NGX_FAAS_REQUEST_HEADERS:
        ngx_faas_request_push_headers(duk, call->request);
        break;

    case NGX_FAAS_REQUEST_PARAMS:
        ngx_faas_request_push_params(duk, call->request);
        break;

    case NGX_FAAS_REQUEST_ENV:
        ngx_faas_request_push_env(duk, call);
        break;

    case NGX_FAAS_REQUEST_ID:
        duk_push_lstring(duk, (char *) ngx_faas_request_id(call)->data,
                         ngx_faas_request_id(call)->len);
        break;

    case NGX_FAAS_REQUEST_URL:
        ngx_faas_string_push(duk, call->request->unparsed_uri.data,
                             call->request->unparsed_uri.len);
        break;

    case NGX_FAAS_REQUEST_REMOTE_ADDR:
        duk_push_lstring(duk,
                         (char *) call->request->connection->addr_text.data,
                         call->request->connection->addr_text.len);
        break;

    case NGX_FAAS_REQUEST_RAW_BODY:
        ngx_faas_string_push(duk, call->body.data, call->body.len);
        break;

    case NGX_FAAS_REQUEST_METHOD:
        duk_push_lstring(duk, (char *) call->request->method_name.data,
                         call->request->method_name.len);
        break;

    default: /* NGX_FAAS_REQUEST_PATH */
        ngx_faas_string_push(duk, call->request->uri.data,
                             call->request->uri.len);
        break;
    }

    duk_push_string(duk, ngx_faas_request_lazy[field]);
    duk_dup(duk, -2);
    duk_def_prop(duk, -4, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WEC);

    /* stack: [ this value ] */

    return 1;
}


/* ctx.query = x: an own property as any other */

static duk_ret_t
ngx_faas_request_set(duk_context *duk)
{
    duk_push_this(duk);
    duk_push_string(duk, ngx_faas_request_lazy[duk_get_current_magic(duk)]);
    duk_dup(duk, 0);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WEC);

    return 0;
}


/*
 * a=1&b=2&a=3 -> { a: ['1', '3'], b: '2' }; "+" is a space. In a query a
 * bad escape is kept as it is; in a form body (strict) it is an error
 */

static void
ngx_faas_request_push_query(duk_context *duk, ngx_pool_t *pool,
    ngx_str_t *args, ngx_uint_t strict)
{
    u_char     *p, *end, *amp, *eq, *buf;
    ssize_t     klen, vlen;
    duk_idx_t   obj;

    duk_push_object(duk);
    obj = duk_get_top_index(duk);

    if (args->len == 0) {
        return;
    }

    buf = ngx_pnalloc(pool, args->len);
    if (buf == NULL) {
        (void) duk_error(duk, DUK_ERR_ERROR, "no memory");
    }

    p = args->data;
    end = p + args->len;

    while (p < end) {
        amp = ngx_strlchr(p, end, '&');
        if (amp == NULL) {
            amp = end;
        }

        eq = ngx_strlchr(p, amp, '=');
        if (eq == NULL) {
            eq = amp;
        }

        if (eq > p) {
            /*
             * the value is unescaped after the key, so a failed key must
             * stop here: its -1 would put the value before the buffer
             */

            klen = ngx_faas_request_unescape(buf, p, eq - p, strict);
            if (klen < 0) {
                (void) duk_error(duk, DUK_ERR_URI_ERROR,
                                 "malformed percent-encoding");
            }

            vlen = (eq < amp)
                   ? ngx_faas_request_unescape(buf + klen, eq + 1,
                                               amp - eq - 1, strict)
                   : 0;

            if (vlen < 0) {
                (void) duk_error(duk, DUK_ERR_URI_ERROR,
                                 "malformed percent-encoding");
            }

            ngx_faas_string_push(duk, buf, klen);
            ngx_faas_string_push(duk, buf + klen, vlen);
            ngx_faas_request_add(duk, obj, NULL);
        }

        p = amp + 1;
    }
}


/* names in lower case; repeated headers joined as HTTP allows */

static void
ngx_faas_request_push_headers(duk_context *duk, ngx_http_request_t *r)
{
    ngx_uint_t        i;
    duk_idx_t         obj;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    duk_push_object(duk);
    obj = duk_get_top_index(duk);

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0) {
            continue;
        }

        ngx_faas_string_push(duk, h[i].lowcase_key, h[i].key.len);
        ngx_faas_string_push(duk, h[i].value.data, h[i].value.len);

        ngx_faas_request_add(duk, obj,
                             (h[i].key.len == 6
                              && ngx_strncmp(h[i].lowcase_key, "cookie", 6)
                                 == 0)
                             ? "; " : ", ");
    }
}


/* body is decoded by its content type (rawBody, as sent, is lazy) */

static void
ngx_faas_request_push_body(duk_context *duk, ngx_faas_call_t *call)
{
    ngx_str_t            type;
    ngx_http_request_t  *r;

    r = call->request;

    if (call->body.len == 0) {
        return;
    }

    ngx_str_null(&type);

    if (r->headers_in.content_type) {
        type = r->headers_in.content_type->value;
    }

    /* from here a thrown error means a bad body: 400 */

    call->stage = NGX_FAAS_STAGE_BODY;

    if (ngx_faas_request_media_type(&type, "application/json")
        || ngx_faas_request_media_type(&type, "+json"))
    {
        ngx_faas_string_push(duk, call->body.data, call->body.len);
        duk_json_decode(duk, -1);

    } else if (ngx_faas_request_media_type(&type,
                                           "application/x-www-form-urlencoded"))
    {
        ngx_faas_request_push_query(duk, r->pool, &call->body, 1);

    } else if (ngx_faas_request_media_type(&type, "application/bson")) {
        ngx_faas_bson_push(duk, call->body.data, call->body.len);

    } else {
        ngx_faas_string_push(duk, call->body.data, call->body.len);
    }

    duk_put_prop_literal(duk, -2, "body");

    call->stage = NGX_FAAS_STAGE_CTX;
}


/* captures of the location's regular expression: "0", "1"... and names */

static void
ngx_faas_request_push_params(duk_context *duk, ngx_http_request_t *r)
{
    int                           *cap;
    ngx_uint_t                     i, n;
    ngx_http_variable_t           *v;
    ngx_http_core_loc_conf_t      *clcf;
    ngx_http_core_main_conf_t     *cmcf;
    ngx_http_regex_variable_t     *rv;

    duk_push_object(duk);

    if (r->ncaptures == 0 || r->captures == NULL) {
        return;
    }

    cap = r->captures;
    n = r->ncaptures / 2;

    for (i = 0; i < n; i++) {
        if (cap[2 * i] < 0) {
            continue;
        }

        ngx_faas_string_push(duk, r->captures_data + cap[2 * i],
                             cap[2 * i + 1] - cap[2 * i]);
        duk_put_prop_index(duk, -2, i);
    }

#if (NGX_PCRE)
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (clcf->regex == NULL) {
        return;
    }

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_core_module);
    v = cmcf->variables.elts;
    rv = clcf->regex->variables;

    for (i = 0; i < clcf->regex->nvariables; i++) {
        if (rv[i].capture >= r->ncaptures || cap[rv[i].capture] < 0) {
            continue;
        }

        duk_push_lstring(duk, (char *) v[rv[i].index].name.data,
                         v[rv[i].index].name.len);
        ngx_faas_string_push(duk, r->captures_data + cap[rv[i].capture],
                             cap[rv[i].capture + 1] - cap[rv[i].capture]);
        ngx_faas_request_add(duk, -3, NULL);
    }
#endif
}


static void
ngx_faas_request_push_env(duk_context *duk, ngx_faas_call_t *call)
{
    ngx_str_t        value;
    ngx_uint_t       i;
    ngx_faas_env_t  *env;

    duk_push_object(duk);

    if (call->conf->env == NULL) {
        return;
    }

    env = call->conf->env->elts;

    for (i = 0; i < call->conf->env->nelts; i++) {

        if (ngx_http_complex_value(call->request, &env[i].value, &value)
            != NGX_OK)
        {
            (void) duk_error(duk, DUK_ERR_ERROR, "cannot evaluate faas_env");
        }

        duk_push_lstring(duk, (char *) env[i].name.data, env[i].name.len);
        ngx_faas_string_push(duk, value.data, value.len);
        ngx_faas_request_add(duk, -3, NULL);
    }
}


/*
 * stack: [ ... obj ... key value ] -> [ ... obj ... ]; a repeated key
 * becomes an array, or with sep one string; own data properties are
 * defined, so "__proto__" is a name like any other
 */

static void
ngx_faas_request_add(duk_context *duk, duk_idx_t obj, const char *sep)
{
    obj = duk_normalize_index(duk, obj);

    duk_dup(duk, -2);

    if (duk_get_prop(duk, obj)) {
        /* found, but maybe inherited ("toString"): is it an own one? */
        duk_pop(duk);
        duk_dup(duk, -2);
        duk_get_prop_desc(duk, obj, 0);
    }

    /* stack: [ ... key value desc|undefined ] */

    if (duk_is_undefined(duk, -1)) {
        /* a new name, the common case */
        duk_pop(duk);
        duk_def_prop(duk, obj, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WEC);
        return;
    }

    duk_get_prop_literal(duk, -1, "value");
    duk_remove(duk, -2);

    /* stack: [ ... key value old ] */

    if (sep) {
        duk_insert(duk, -2);
        duk_push_string(duk, sep);
        duk_insert(duk, -2);
        duk_concat(duk, 3);

        /* stack: [ ... key old+sep+value ] */

    } else if (duk_is_array(duk, -1)) {
        duk_swap(duk, -1, -2);
        duk_put_prop_index(duk, -2, (duk_uarridx_t) duk_get_length(duk, -2));

        /* stack: [ ... key old ] */

    } else {
        duk_push_array(duk);
        duk_swap(duk, -1, -2);
        duk_put_prop_index(duk, -2, 0);
        duk_swap(duk, -1, -2);
        duk_put_prop_index(duk, -2, 1);

        /* stack: [ ... key [old, value] ] */
    }

    duk_def_prop(duk, obj, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WEC);
}


static ssize_t
ngx_faas_request_unescape(u_char *dst, u_char *src, size_t len,
    ngx_uint_t strict)
{
    u_char     *d, c;
    size_t      i;
    ngx_int_t   n;

    d = dst;

    for (i = 0; i < len; i++) {
        c = src[i];

        if (c == '+') {
            *d++ = ' ';
            continue;
        }

        if (c == '%') {
            n = (i + 2 < len) ? ngx_hextoi(&src[i + 1], 2) : NGX_ERROR;

            if (n != NGX_ERROR) {
                *d++ = (u_char) n;
                i += 2;
                continue;
            }

            if (strict) {
                return -1;
            }
        }

        *d++ = c;
    }

    return d - dst;
}


/* "application/json; charset=utf-8" has media type "application/json" */

static ngx_int_t
ngx_faas_request_media_type(ngx_str_t *type, const char *name)
{
    size_t   len, n;
    u_char  *semi;

    /* no Content-Type: its data is NULL, and NULL + 0 is undefined in C */

    if (type->len == 0) {
        return 0;
    }

    semi = ngx_strlchr(type->data, type->data + type->len, ';');
    len = semi ? (size_t) (semi - type->data) : type->len;

    while (len && (type->data[len - 1] == ' ' || type->data[len - 1] == '\t'))
    {
        len--;
    }

    n = ngx_strlen(name);

    if (name[0] == '+') {
        /* a structured syntax suffix: application/problem+json */
        return len > n
               && ngx_strncasecmp(type->data + len - n, (u_char *) name, n)
                  == 0;
    }

    return len == n && ngx_strncasecmp(type->data, (u_char *) name, n) == 0;
}
