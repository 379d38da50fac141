
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_event.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_fetch.h"
#include "ngx_faas_promise.h"
#include "ngx_faas_subrequest.h"
#include "ngx_faas_vm.h"


/*
 * fetch(url, init): the I/O is an nginx subrequest to a location of the
 * same server, so proxy_pass, upstream keepalive, caches, auth and limits
 * are nginx.conf's. A relative URL ("/api/x?y") is that location; an
 * absolute one only through faas_fetch_map; anything else is refused.
 *
 * The Fetch API's objects (Headers, Response, the checks of init) are
 * JavaScript, below, made once per heap around one native function,
 * fetch(url, method, headers, body), which starts the subrequest through
 * the call's hook (handler.c installs subrequest.c's: this file is JS
 * runtime, see ngx_faas.h) and returns the fetch's promise. The fetch is
 * one of the call's waits: its promise, which only C settles (no executor,
 * no resolving functions), stays in the stash by reference until the
 * answer, and a call that ends cancels it.
 *
 * When the subrequest ends, nginx is finalizing it: nothing may run
 * there, so the answer is taken to an event of its own, posted, which
 * settles the promise in the heap for the call (its budgets, then the
 * jobs, then the answers: ngx_faas_call_resume() by the heap's hook).
 * The same event, posted at the start, runs the main request's posted
 * subrequests: a fetch made in a timer's callback has no connection
 * event after it that would.
 */


typedef struct {
    ngx_faas_wait_t            wait;      /* first: a wait is a fetch */
    ngx_faas_subrequest_t      fs;
    ngx_event_t                event;
    ngx_uint_t                 ref;       /* of its promise */
    ngx_str_t                  url;       /* as fetch() was given it */
    ngx_faas_vm_t             *vm;
} ngx_faas_fetch_t;


#define NGX_FAAS_FETCH_RESPONSE  DUK_HIDDEN_SYMBOL("faasFetchResponse")


static duk_ret_t ngx_faas_fetch_native(duk_context *duk);
static duk_ret_t ngx_faas_fetch_bytes(duk_context *duk);
static ngx_int_t ngx_faas_fetch_uri(duk_context *duk, ngx_faas_call_t *call,
    ngx_str_t *url, ngx_str_t *uri);
static ngx_int_t ngx_faas_fetch_headers(duk_context *duk, ngx_pool_t *pool,
    ngx_faas_subrequest_t *fs);
static ngx_int_t ngx_faas_fetch_token(ngx_str_t *s);
static ngx_int_t ngx_faas_fetch_value(ngx_str_t *s);
static void ngx_faas_fetch_done(ngx_faas_subrequest_t *fs);
static void ngx_faas_fetch_handler(ngx_event_t *ev);
static void ngx_faas_fetch_deliver(duk_context *duk, void *data);
static ngx_int_t ngx_faas_fetch_push_headers(duk_context *duk,
    ngx_faas_fetch_t *f);
static void ngx_faas_fetch_cancel(ngx_faas_wait_t *wait, duk_context *duk);
static void ngx_faas_fetch_forget(ngx_faas_fetch_t *f, duk_context *duk);


/*
 * the Fetch API around the native; ES5, as the heap runs it. A body is
 * kept as a string of its bytes (Duktape's strings are bytes): text()
 * gives it as is, arrayBuffer() copies its bytes
 */

static const char  ngx_faas_fetch_js[] =
"(function (native, bytes) {\n"
"'use strict';\n"
"var reasons = { 200: 'OK', 201: 'Created', 202: 'Accepted',\n"
"  204: 'No Content', 301: 'Moved Permanently', 302: 'Found',\n"
"  303: 'See Other', 304: 'Not Modified', 307: 'Temporary Redirect',\n"
"  308: 'Permanent Redirect', 400: 'Bad Request', 401: 'Unauthorized',\n"
"  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',\n"
"  409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large',\n"
"  415: 'Unsupported Media Type', 422: 'Unprocessable Content',\n"
"  429: 'Too Many Requests', 500: 'Internal Server Error',\n"
"  501: 'Not Implemented', 502: 'Bad Gateway',\n"
"  503: 'Service Unavailable', 504: 'Gateway Timeout' };\n"
"var methods = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/i;\n"
"/* internal state under symbols: plain puts, and neither listed nor\n"
"   serialized; no closures per call (each is work for the collector) */\n"
"var LIST = Symbol('list'), RAW = Symbol('headers'), BODY = Symbol('body');\n"
"var NOHEADERS = [];\n"
"function Headers(init) {\n"
"  var i, k, keys, p;\n"
"  this[LIST] = [];\n"
"  if (init instanceof Headers) {\n"
"    for (i = 0; i < init[LIST].length; i++) {\n"
"      this[LIST].push([init[LIST][i][0], init[LIST][i][1]]);\n"
"    }\n"
"  } else if (Array.isArray(init)) {\n"
"    for (i = 0; i < init.length; i++) {\n"
"      p = init[i];\n"
"      if (!p || p.length !== 2) {\n"
"        throw new TypeError('Headers: a pair must be [name, value]');\n"
"      }\n"
"      this.append(p[0], p[1]);\n"
"    }\n"
"  } else if (init !== undefined && init !== null) {\n"
"    keys = Object.keys(Object(init));\n"
"    for (i = 0; i < keys.length; i++) {\n"
"      k = keys[i];\n"
"      this.append(k, init[k]);\n"
"    }\n"
"  }\n"
"}\n"
"Headers.prototype.append = function (name, value) {\n"
"  this[LIST].push([String(name).toLowerCase(), String(value)]);\n"
"};\n"
"Headers.prototype.set = function (name, value) {\n"
"  this['delete'](name);\n"
"  this.append(name, value);\n"
"};\n"
"Headers.prototype['delete'] = function (name) {\n"
"  var i, l = [], list = this[LIST];\n"
"  name = String(name).toLowerCase();\n"
"  for (i = 0; i < list.length; i++) {\n"
"    if (list[i][0] !== name) { l.push(list[i]); }\n"
"  }\n"
"  this[LIST] = l;\n"
"};\n"
"Headers.prototype.get = function (name) {\n"
"  var i, v = null, list = this[LIST];\n"
"  name = String(name).toLowerCase();\n"
"  for (i = 0; i < list.length; i++) {\n"
"    if (list[i][0] === name) {\n"
"      v = v === null ? list[i][1] : v + ', ' + list[i][1];\n"
"    }\n"
"  }\n"
"  return v;\n"
"};\n"
"Headers.prototype.has = function (name) {\n"
"  return this.get(name) !== null;\n"
"};\n"
"Headers.prototype.forEach = function (fn, thisArg) {\n"
"  var i, seen = {}, names = [], list = this[LIST];\n"
"  for (i = 0; i < list.length; i++) {\n"
"    if (!seen.hasOwnProperty(list[i][0])) {\n"
"      seen[list[i][0]] = 1;\n"
"      names.push(list[i][0]);\n"
"    }\n"
"  }\n"
"  names.sort();\n"
"  for (i = 0; i < names.length; i++) {\n"
"    fn.call(thisArg, this.get(names[i]), names[i], this);\n"
"  }\n"
"};\n"
"/* the answer's headers come as one string, 'name\\0value\\0...' (names\n"
"   in lower case): made into a Headers when first read, as most answers\n"
"   are only read. What the standard puts on the prototype is there */\n"
"function FetchResponse(status, headers, body, url) {\n"
"  this.status = status;\n"
"  this.ok = status >= 200 && status < 300;\n"
"  this.url = url;\n"
"  this.bodyUsed = false;\n"
"  this[RAW] = headers;\n"
"  this[BODY] = body;\n"
"}\n"
"function getter(name, get) {\n"
"  Object.defineProperty(FetchResponse.prototype, name,\n"
"                        { get: get, enumerable: true, configurable: true });\n"
"}\n"
"getter('headers', function () {\n"
"  var i, l, h, raw = this[RAW];\n"
"  if (raw instanceof Headers) { return raw; }\n"
"  h = new Headers();\n"
"  if (raw !== '') {\n"
"    l = raw.split('\\0');\n"
"    for (i = 0; i + 1 < l.length; i += 2) {\n"
"      h[LIST].push([l[i], l[i + 1]]);\n"
"    }\n"
"  }\n"
"  this[RAW] = h;\n"
"  return h;\n"
"});\n"
"getter('statusText', function () { return reasons[this.status] || ''; });\n"
"getter('redirected', function () { return false; });\n"
"getter('type', function () { return 'basic'; });\n"
"function consume(r) {\n"
"  if (r.bodyUsed) {\n"
"    return Promise.reject(new TypeError('fetch: the body of the response '\n"
"                                        + 'of ' + r.url + ' was read'));\n"
"  }\n"
"  r.bodyUsed = true;\n"
"  return Promise.resolve(r[BODY]);\n"
"}\n"
"FetchResponse.prototype.text = function () { return consume(this); };\n"
"FetchResponse.prototype.json = function () {\n"
"  var v;\n"
"  if (this.bodyUsed) { return consume(this); }\n"
"  this.bodyUsed = true;\n"
"  try { v = JSON.parse(this[BODY]); } catch (e) { return Promise.reject(e); }\n"
"  return Promise.resolve(v);\n"
"};\n"
"FetchResponse.prototype.arrayBuffer = function () {\n"
"  return consume(this).then(bytes);\n"
"};\n"
"FetchResponse.prototype.clone = function () {\n"
"  var i, h = [], list = this.headers[LIST];\n"
"  if (this.bodyUsed) { throw new TypeError('fetch: body already read'); }\n"
"  for (i = 0; i < list.length; i++) {\n"
"    h.push(list[i][0], list[i][1]);\n"
"  }\n"
"  return new FetchResponse(this.status, h.join('\\0'), this[BODY],\n"
"                           this.url);\n"
"};\n"
"FetchResponse.prototype.constructor = FetchResponse;\n"
"/* init checked, as the Fetch standard does, into native()'s arguments;\n"
"   native() returns the fetch's promise, which C settles */\n"
"function request(url, init) {\n"
"  var i, method, headers, body, list;\n"
"  init = Object(init);\n"
"  method = init.method === undefined ? 'GET' : String(init.method);\n"
"  if (methods.test(method)) { method = method.toUpperCase(); }\n"
"  headers = new Headers(init.headers);\n"
"  body = init.body;\n"
"  if (body === undefined || body === null) {\n"
"    body = undefined;\n"
"  } else if (method === 'GET' || method === 'HEAD') {\n"
"    throw new TypeError('fetch: a ' + method + ' request has no body');\n"
"  } else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {\n"
"    /* bytes as they are */\n"
"  } else if (typeof body === 'object' && !(body instanceof String)) {\n"
"    body = JSON.stringify(body);\n"
"    if (!headers.has('content-type')) {\n"
"      headers.append('content-type', 'application/json');\n"
"    }\n"
"  } else {\n"
"    body = String(body);\n"
"    if (!headers.has('content-type')) {\n"
"      headers.append('content-type', 'text/plain;charset=UTF-8');\n"
"    }\n"
"  }\n"
"  list = [];\n"
"  for (i = 0; i < headers[LIST].length; i++) {\n"
"    list.push(headers[LIST][i][0], headers[LIST][i][1]);\n"
"  }\n"
"  return native(url, method, list, body);\n"
"}\n"
"/* what fetch() throws is its promise's rejection */\n"
"function fetch(input, init) {\n"
"  var url;\n"
"  try {\n"
"    url = String(input !== null && typeof input === 'object'\n"
"                 && input.url !== undefined ? input.url : input);\n"
"    if (init === undefined || init === null) {\n"
"      return native(url, 'GET', NOHEADERS, undefined);\n"
"    }\n"
"    return request(url, init);\n"
"  } catch (e) {\n"
"    return Promise.reject(e);\n"
"  }\n"
"}\n"
"return { fetch: fetch, Headers: Headers, Response: FetchResponse };\n"
"})";


void
ngx_faas_fetch_init(duk_context *duk)
{
    duk_push_string(duk, "fetch.js");
    duk_compile_lstring_filename(duk, DUK_COMPILE_EVAL, ngx_faas_fetch_js,
                                 sizeof(ngx_faas_fetch_js) - 1);
    duk_call(duk, 0);

    /* stack: [ factory ] */

    duk_push_c_function(duk, ngx_faas_fetch_native, 4);
    duk_push_c_function(duk, ngx_faas_fetch_bytes, 1);
    duk_call(duk, 2);

    /* stack: [ { fetch, Headers, Response } ] */

    duk_get_prop_literal(duk, -1, "fetch");
    duk_put_global_literal(duk, "fetch");
    duk_get_prop_literal(duk, -1, "Headers");
    duk_put_global_literal(duk, "Headers");

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -2, "Response");
    duk_put_prop_literal(duk, -2, NGX_FAAS_FETCH_RESPONSE);
    duk_pop_2(duk);

    ngx_faas_vm_refs(duk, NGX_FAAS_STASH_FETCHES);
}


/* arrayBuffer(): the bytes of a body kept as a string */

static duk_ret_t
ngx_faas_fetch_bytes(duk_context *duk)
{
    u_char      *p;
    size_t       len;
    const char  *s;

    s = duk_require_lstring(duk, 0, &len);

    p = duk_push_fixed_buffer(duk, len);
    ngx_memcpy(p, s, len);
    duk_push_buffer_object(duk, -1, 0, len, DUK_BUFOBJ_ARRAYBUFFER);

    return 1;
}


/*
 * native(url, method, [name, value, ...], body): the fetch's promise, kept
 * in the stash under the fetch's id until the answer settles it
 */

static duk_ret_t
ngx_faas_fetch_native(duk_context *duk)
{
    u_char            *p;
    size_t             len;
    ngx_str_t          url, uri;
    ngx_pool_t        *pool;
    const char        *s;
    ngx_faas_vm_t     *vm;
    ngx_faas_call_t   *call;
    ngx_faas_fetch_t  *f;

    vm = ngx_faas_vm_from(duk);
    call = ngx_faas_vm_call(vm);

    if (call == NULL || call->request == NULL || call->fetch == NULL) {
        return duk_type_error(duk, "fetch: only a call can fetch");
    }

    pool = call->request->pool;

    s = duk_require_lstring(duk, 0, &len);
    url.data = (u_char *) s;
    url.len = len;

    if (ngx_faas_fetch_uri(duk, call, &url, &uri) != NGX_OK) {
        return duk_type_error(duk, "fetch: \"%s\" is not a URL this "
                              "function may fetch: a path (\"/api/x\") or "
                              "a URL of a faas_fetch_map", s);
    }

    f = ngx_pcalloc(pool, sizeof(ngx_faas_fetch_t));
    if (f == NULL) {
        return duk_error(duk, DUK_ERR_ERROR, "fetch: out of memory");
    }

    f->fs.uri = uri;

    f->url.data = ngx_pnalloc(pool, url.len);
    if (f->url.data == NULL) {
        return duk_error(duk, DUK_ERR_ERROR, "fetch: out of memory");
    }

    ngx_memcpy(f->url.data, url.data, url.len);
    f->url.len = url.len;

    s = duk_require_lstring(duk, 1, &len);
    f->fs.method.data = ngx_pnalloc(pool, len);
    if (f->fs.method.data == NULL) {
        return duk_error(duk, DUK_ERR_ERROR, "fetch: out of memory");
    }

    ngx_memcpy(f->fs.method.data, s, len);
    f->fs.method.len = len;

    if (ngx_faas_fetch_headers(duk, pool, &f->fs) != NGX_OK) {
        return duk_type_error(duk, "fetch: invalid header name or value");
    }

    if (duk_is_string(duk, 3)) {
        s = duk_get_lstring(duk, 3, &len);

    } else if (duk_is_buffer_data(duk, 3)) {
        s = duk_get_buffer_data(duk, 3, &len);

    } else {
        s = NULL;
        len = 0;
    }

    if (len) {
        p = ngx_pnalloc(pool, len);
        if (p == NULL) {
            return duk_error(duk, DUK_ERR_ERROR, "fetch: out of memory");
        }

        ngx_memcpy(p, s, len);
        f->fs.body.data = p;
        f->fs.body.len = len;
    }

    f->fs.clean_headers = 1;
    f->fs.handler = ngx_faas_fetch_done;
    f->fs.data = f;

    f->vm = vm;

    /* its promise first: once started, the answer must find it */

    ngx_faas_promise_push(duk);
    duk_dup_top(duk);
    f->ref = ngx_faas_vm_ref(duk, NGX_FAAS_STASH_FETCHES);

    if (call->fetch(call->request, &f->fs) != NGX_OK) {
        ngx_faas_vm_unref(duk, NGX_FAAS_STASH_FETCHES, f->ref);
        return duk_type_error(duk, "fetch: cannot fetch \"%s\" (method, URI "
                              "or too many subrequests)",
                              duk_get_string(duk, 0));
    }

    f->wait.call = call;
    f->wait.cancel = ngx_faas_fetch_cancel;
    ngx_queue_insert_tail(&call->waits, &f->wait.queue);
    ngx_faas_vm_data(vm)->waits++;

    f->event.handler = ngx_faas_fetch_handler;
    f->event.data = f;
    f->event.log = call->request->connection->log;

    ngx_post_event(&f->event, &ngx_posted_events);

    return 1;
}


/* a path of this server, or an absolute URL through faas_fetch_map */

static ngx_int_t
ngx_faas_fetch_uri(duk_context *duk, ngx_faas_call_t *call, ngx_str_t *url,
    ngx_str_t *uri)
{
    u_char        *p;
    ngx_uint_t     i;
    ngx_keyval_t  *kv;

    if (url->len && url->data[0] == '/'
        && (url->len == 1 || url->data[1] != '/'))
    {
        p = ngx_pnalloc(call->request->pool, url->len);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p, url->data, url->len);
        uri->data = p;
        uri->len = url->len;

        return NGX_OK;
    }

    if (call->conf->fetch_map == NULL) {
        return NGX_DECLINED;
    }

    kv = call->conf->fetch_map->elts;

    for (i = 0; i < call->conf->fetch_map->nelts; i++) {

        /* scheme and host are case-insensitive; the path is not */

        if (url->len < kv[i].key.len
            || ngx_strncasecmp(url->data, kv[i].key.data, kv[i].key.len)
               != 0)
        {
            continue;
        }

        uri->len = kv[i].value.len + url->len - kv[i].key.len;
        uri->data = ngx_pnalloc(call->request->pool, uri->len);
        if (uri->data == NULL) {
            return NGX_ERROR;
        }

        p = ngx_cpymem(uri->data, kv[i].value.data, kv[i].value.len);
        ngx_memcpy(p, url->data + kv[i].key.len, url->len - kv[i].key.len);

        return NGX_OK;
    }

    return NGX_DECLINED;
}


/* [ name, value, ... ] at index 2: checked, as nginx would send them */

static ngx_int_t
ngx_faas_fetch_headers(duk_context *duk, ngx_pool_t *pool,
    ngx_faas_subrequest_t *fs)
{
    size_t         len;
    ngx_str_t      s[2];
    ngx_uint_t     i, j, n;
    const char    *v;
    ngx_keyval_t  *kv;

    n = duk_get_length(duk, 2) / 2;

    if (n == 0) {
        return NGX_OK;
    }

    fs->headers = ngx_array_create(pool, n, sizeof(ngx_keyval_t));
    if (fs->headers == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < n; i++) {

        for (j = 0; j < 2; j++) {
            duk_get_prop_index(duk, 2, (duk_uarridx_t) (2 * i + j));
            v = duk_safe_to_lstring(duk, -1, &len);

            s[j].data = ngx_pnalloc(pool, len);
            if (s[j].data == NULL) {
                return NGX_ERROR;
            }

            ngx_memcpy(s[j].data, v, len);
            s[j].len = len;
            duk_pop(duk);
        }

        if (ngx_faas_fetch_token(&s[0]) != NGX_OK
            || ngx_faas_fetch_value(&s[1]) != NGX_OK)
        {
            return NGX_DECLINED;
        }

        kv = ngx_array_push(fs->headers);
        if (kv == NULL) {
            return NGX_ERROR;
        }

        kv->key = s[0];
        kv->value = s[1];
    }

    return NGX_OK;
}


static ngx_int_t
ngx_faas_fetch_token(ngx_str_t *s)
{
    u_char      c;
    ngx_uint_t  i;

    if (s->len == 0) {
        return NGX_DECLINED;
    }

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        if (c <= ' ' || c >= 0x7f || ngx_strchr("\"(),/:;<=>?@[\\]{}", c)) {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/* no line breaks or NUL: a value cannot start a header of its own */

static ngx_int_t
ngx_faas_fetch_value(ngx_str_t *s)
{
    ngx_uint_t  i;

    for (i = 0; i < s->len; i++) {
        if (s->data[i] == '\r' || s->data[i] == '\n' || s->data[i] == '\0') {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


/* in the subrequest's finalization: only note it, see the top */

static void
ngx_faas_fetch_done(ngx_faas_subrequest_t *fs)
{
    ngx_faas_fetch_t  *f = fs->data;

    if (!f->event.posted) {
        ngx_post_event(&f->event, &ngx_posted_events);
    }
}


static void
ngx_faas_fetch_handler(ngx_event_t *ev)
{
    ngx_faas_fetch_t  *f = ev->data;

    ngx_faas_vm_turn_begin();

    if (!f->fs.done) {
        /* just started: run it, nothing else may */
        ngx_http_run_posted_requests(f->wait.call->request->connection);

    } else if (ngx_faas_vm_later(ev) == NGX_OK) {
        ngx_faas_vm_data(f->vm)->resume(f->wait.call, ngx_faas_fetch_deliver,
                                        f);
    }

    ngx_faas_vm_turn_end();
}


/*
 * in the protected run of the call: settles the fetch's promise with a
 * Response(status, [name, value, ...], body, url), or rejects it with a
 * TypeError
 */

static void
ngx_faas_fetch_deliver(duk_context *duk, void *data)
{
    ngx_faas_fetch_t *f = data;

    duk_push_heap_stash(duk);
    ngx_faas_vm_push_ref(duk, NGX_FAAS_STASH_FETCHES, f->ref);

    /* stack: [ stash promise ] */

    ngx_faas_fetch_forget(f, duk);

    if (f->fs.status == 0 || f->fs.truncated) {
        if (f->fs.truncated) {
            (void) duk_push_error_object(duk, DUK_ERR_TYPE_ERROR,
                             "fetch: the response of \"%.*s\" is larger "
                             "than the subrequest_output_buffer_size of "
                             "its location",
                             (int) f->fs.uri.len, f->fs.uri.data);

        } else {
            (void) duk_push_error_object(duk, DUK_ERR_TYPE_ERROR,
                                         "fetch: \"%.*s\" failed",
                                         (int) f->fs.uri.len,
                                         f->fs.uri.data);
        }

        ngx_faas_promise_settle_with(duk, -2, -1, 1);
        duk_pop_3(duk);
        return;
    }

    duk_get_prop_literal(duk, -2, NGX_FAAS_FETCH_RESPONSE);
    duk_push_uint(duk, (duk_uint_t) f->fs.status);

    if (ngx_faas_fetch_push_headers(duk, f) != NGX_OK) {
        (void) duk_error(duk, DUK_ERR_ERROR, "fetch: out of memory");
    }

    duk_push_lstring(duk, (char *) f->fs.response.data, f->fs.response.len);
    duk_push_lstring(duk, (char *) f->url.data, f->url.len);

    /* stack: [ stash promise Response status 'headers' body url ] */

    duk_new(duk, 4);
    ngx_faas_promise_settle_with(duk, -2, -1, 0);
    duk_pop_3(duk);
}


/*
 * the answer's headers as one string: 'name\0value\0...', the names in
 * lower case (nginx took no NUL in a header from the backend)
 */

static ngx_int_t
ngx_faas_fetch_push_headers(duk_context *duk, ngx_faas_fetch_t *f)
{
    u_char           *p, *start;
    size_t            len;
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    len = f->fs.content_type.len ? sizeof("content-type") + 1
                                   + f->fs.content_type.len
                                 : 0;

    for (part = f->fs.headers_out ? &f->fs.headers_out->part : NULL;
         part;
         part = part->next)
    {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].hash) {
                len += h[i].key.len + h[i].value.len + 2;
            }
        }
    }

    if (len == 0) {
        duk_push_literal(duk, "");
        return NGX_OK;
    }

    start = ngx_pnalloc(f->wait.call->request->pool, len);
    if (start == NULL) {
        return NGX_ERROR;
    }

    p = start;

    if (f->fs.content_type.len) {
        p = ngx_cpymem(p, "content-type", sizeof("content-type"));
        p = ngx_cpymem(p, f->fs.content_type.data, f->fs.content_type.len);
        *p++ = '\0';
    }

    for (part = f->fs.headers_out ? &f->fs.headers_out->part : NULL;
         part;
         part = part->next)
    {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].hash == 0) {
                continue;
            }

            ngx_strlow(p, h[i].key.data, h[i].key.len);
            p += h[i].key.len;
            *p++ = '\0';
            p = ngx_cpymem(p, h[i].value.data, h[i].value.len);
            *p++ = '\0';
        }
    }

    /* no NUL after the last value */

    duk_push_lstring(duk, (char *) start, p - start - 1);

    return NGX_OK;
}


static void
ngx_faas_fetch_cancel(ngx_faas_wait_t *wait, duk_context *duk)
{
    ngx_faas_fetch_t  *f = (ngx_faas_fetch_t *) wait;

    if (!f->fs.done) {
        wait->call->unfetch(&f->fs);
    }

    ngx_faas_fetch_forget(f, duk);
}


/* no longer awaited; its memory is the request's until the request ends */

static void
ngx_faas_fetch_forget(ngx_faas_fetch_t *f, duk_context *duk)
{
    f->fs.handler = NULL;

    if (f->event.posted) {
        ngx_delete_posted_event(&f->event);
    }

    ngx_queue_remove(&f->wait.queue);
    ngx_faas_vm_data(f->vm)->waits--;

    if (duk) {
        ngx_faas_vm_unref(duk, NGX_FAAS_STASH_FETCHES, f->ref);
    }
}
