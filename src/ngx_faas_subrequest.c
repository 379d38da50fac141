
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_subrequest.h"


/*
 * What nginx 1.22 does with a subrequest, and why the flags below
 * (ngx_http_subrequest(), ngx_http_finalize_request() and the postpone
 * filter):
 *
 * - NGX_HTTP_SUBREQUEST_IN_MEMORY: the postpone filter would copy the
 *   body into one buffer of the target location's
 *   subrequest_output_buffer_size (sr->out); a longer body, or a
 *   Content-Length over it, is "too big subrequest response", an
 *   NGX_ERROR from the output filter, and ngx_http_output_filter() then
 *   marks the client connection as failed: the main request is
 *   terminated with all its subrequests. So the body of these
 *   subrequests is kept by a body filter of our own, in front of the
 *   postpone filter, with the same bound: past it the rest is dropped,
 *   and the subrequest is "truncated", nothing else fails. The flag still
 *   makes nginx keep the body in memory (filter_need_in_memory), and
 *   keeps it from the client.
 * - NGX_HTTP_SUBREQUEST_BACKGROUND: not in the parent's postponed list,
 *   so the main request's own output is not held back behind it, and the
 *   main request may be finalized while it runs (the request is kept by
 *   its count until the last subrequest ends, as the mirror module's
 *   are). A postponed subrequest would hold the answer until every one
 *   had ended, and could not be left behind.
 * - the post_subrequest handler gets the final code; what it returns
 *   replaces it. NGX_ERROR (or a timeout or close code) passed on would
 *   terminate the main request, a status >= 300 would build an error page
 *   into memory and call the handler again: a failed subrequest's failure
 *   is the caller's to report, so both become NGX_OK here.
 * - the count: r->subrequests bounds the depth of nesting
 *   (NGX_HTTP_MAX_SUBREQUESTS, 50), not how many are in flight; those are
 *   bounded by the main request's reference count (65535 - 1000).
 *   A subrequest shares the main request's pool: its answer lives until
 *   the main request is freed, after the last subrequest.
 * - a subrequest inherits the parent's request body and headers: both are
 *   replaced here (a fresh list, so the parent's is never appended to).
 */


typedef struct {
    ngx_str_t                 name;
    ngx_uint_t                method;
    ngx_uint_t                body;     /* sent with Content-Length even
                                           when empty */
} ngx_faas_subrequest_method_t;


static ngx_faas_subrequest_method_t *ngx_faas_subrequest_method(
    ngx_http_request_t *r, ngx_faas_subrequest_t *fs);
static ngx_int_t ngx_faas_subrequest_headers(ngx_http_request_t *r,
    ngx_faas_subrequest_t *fs, ngx_http_headers_in_t *hi, ngx_uint_t body);
static ngx_int_t ngx_faas_subrequest_copy_headers(ngx_http_request_t *r,
    ngx_faas_subrequest_t *fs, ngx_http_headers_in_t *hi);
static ngx_table_elt_t *ngx_faas_subrequest_push(ngx_pool_t *pool,
    ngx_http_headers_in_t *hi, ngx_str_t *key, ngx_str_t *value);
static ngx_uint_t ngx_faas_subrequest_replaced(ngx_faas_subrequest_t *fs,
    ngx_str_t *key);
static ngx_http_request_body_t *ngx_faas_subrequest_body(
    ngx_http_request_t *r, ngx_faas_subrequest_t *fs);
static ngx_int_t ngx_faas_subrequest_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_faas_subrequest_keep(ngx_http_request_t *sr,
    ngx_faas_subrequest_t *fs, ngx_buf_t *b);
static ngx_int_t ngx_faas_subrequest_done(ngx_http_request_t *sr,
    void *data, ngx_int_t rc);


static ngx_http_output_body_filter_pt  ngx_faas_subrequest_next_body_filter;


static ngx_faas_subrequest_method_t  ngx_faas_subrequest_methods[] = {
    { ngx_string("GET"), NGX_HTTP_GET, 0 },
    { ngx_string("HEAD"), NGX_HTTP_HEAD, 0 },
    { ngx_string("POST"), NGX_HTTP_POST, 1 },
    { ngx_string("PUT"), NGX_HTTP_PUT, 1 },
    { ngx_string("PATCH"), NGX_HTTP_PATCH, 1 },
    { ngx_string("DELETE"), NGX_HTTP_DELETE, 0 },
    { ngx_string("OPTIONS"), NGX_HTTP_OPTIONS, 0 },
    { ngx_null_string, 0, 0 }
};


ngx_int_t
ngx_faas_subrequest_init(ngx_conf_t *cf)
{
    ngx_faas_subrequest_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_faas_subrequest_body_filter;

    return NGX_OK;
}


ngx_int_t
ngx_faas_subrequest_start(ngx_http_request_t *r, ngx_faas_subrequest_t *fs)
{
    ngx_int_t                      rc;
    ngx_str_t                      uri, args;
    ngx_uint_t                     flags, body;
    ngx_http_request_t            *sr;
    ngx_http_headers_in_t          hi;
    ngx_http_request_body_t       *rb;
    ngx_faas_subrequest_method_t  *m;

    uri = fs->uri;
    args = fs->args;
    flags = NGX_HTTP_LOG_UNSAFE;

    if (uri.len == 0 || uri.data[0] != '/') {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "ngx_faas_subrequest_start: uri \"%V\" does not "
                      "start with \"/\"", &uri);
        return NGX_DECLINED;
    }

    /* splits "?args" off the uri when args is empty, refuses ".." */

    if (ngx_http_parse_unsafe_uri(r, &uri, &args, &flags) != NGX_OK) {
        return NGX_DECLINED;
    }

    m = ngx_faas_subrequest_method(r, fs);
    if (m == NULL) {
        return NGX_DECLINED;
    }

    body = m->body || fs->body.len != 0;

    /*
     * all that can fail is done before the subrequest exists: once
     * made, it is posted and runs, so it must not be left half set up
     */

    if (ngx_faas_subrequest_headers(r, fs, &hi, body) != NGX_OK) {
        return NGX_ERROR;
    }

    rb = ngx_faas_subrequest_body(r, fs);
    if (rb == NULL) {
        return NGX_ERROR;
    }

    fs->ps.handler = ngx_faas_subrequest_done;
    fs->ps.data = fs;

    fs->request = NULL;
    fs->status = 0;
    fs->headers_out = NULL;
    ngx_str_null(&fs->content_type);
    ngx_str_null(&fs->response);
    fs->done = 0;
    fs->cancelled = 0;
    fs->truncated = 0;
    fs->buf = NULL;

    rc = ngx_http_subrequest(r, &uri, &args, &sr, &fs->ps,
                             NGX_HTTP_SUBREQUEST_IN_MEMORY
                             |NGX_HTTP_SUBREQUEST_BACKGROUND);
    if (rc != NGX_OK) {
        return NGX_ERROR;
    }

    /* posted, not yet run: it runs with this once the event is handled */

    sr->method = m->method;
    sr->method_name = m->name;
    sr->header_only = (m->method == NGX_HTTP_HEAD);
    sr->headers_in = hi;
    sr->request_body = rb;

    /* a list's last part is its first one while it has one part */

    if (hi.headers.last == &hi.headers.part) {
        sr->headers_in.headers.last = &sr->headers_in.headers.part;
    }

    fs->request = sr;

    return NGX_OK;
}


void
ngx_faas_subrequest_cancel(ngx_faas_subrequest_t *fs)
{
    /*
     * nginx has no way to end one subrequest alone (its upstream's
     * cleanup is the main request's); it runs on to its end, unseen
     */

    fs->cancelled = 1;
}


static ngx_faas_subrequest_method_t *
ngx_faas_subrequest_method(ngx_http_request_t *r, ngx_faas_subrequest_t *fs)
{
    ngx_faas_subrequest_method_t  *m;

    if (fs->method.len == 0) {
        return &ngx_faas_subrequest_methods[0];   /* GET */
    }

    for (m = ngx_faas_subrequest_methods; m->name.len; m++) {
        if (m->name.len == fs->method.len
            && ngx_strncmp(m->name.data, fs->method.data, m->name.len) == 0)
        {
            return m;
        }
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "ngx_faas_subrequest_start: unknown method \"%V\"",
                  &fs->method);

    return NULL;
}


static ngx_int_t
ngx_faas_subrequest_headers(ngx_http_request_t *r, ngx_faas_subrequest_t *fs,
    ngx_http_headers_in_t *hi, ngx_uint_t body)
{
    u_char           *p;
    ngx_str_t         key, value;
    ngx_uint_t        i;
    ngx_keyval_t     *kv;
    ngx_table_elt_t  *h;

    if (fs->clean_headers) {
        ngx_memzero(hi, sizeof(ngx_http_headers_in_t));
        hi->server = r->headers_in.server;
        hi->keep_alive_n = -1;

    } else {
        *hi = r->headers_in;
        hi->content_type = NULL;
    }

    /* a fresh list: the parent's is shared, never appended to */

    if (ngx_list_init(&hi->headers, r->pool, 8, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    /* the body's length is set below, never the parent's */

    hi->content_length = NULL;
    hi->content_length_n = -1;
    hi->transfer_encoding = NULL;
    hi->chunked = 0;

    if (!fs->clean_headers
        && ngx_faas_subrequest_copy_headers(r, fs, hi) != NGX_OK)
    {
        return NGX_ERROR;
    }

    if (fs->headers) {
        kv = fs->headers->elts;

        for (i = 0; i < fs->headers->nelts; i++) {
            if (ngx_faas_subrequest_replaced(NULL, &kv[i].key)) {
                continue;
            }

            h = ngx_faas_subrequest_push(r->pool, hi, &kv[i].key,
                                         &kv[i].value);
            if (h == NULL) {
                return NGX_ERROR;
            }

            if (h->key.len == sizeof("content-type") - 1
                && ngx_strncmp(h->lowcase_key, "content-type",
                               sizeof("content-type") - 1) == 0)
            {
                hi->content_type = h;
            }
        }
    }

    if (!body) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, NGX_SIZE_T_LEN);
    if (p == NULL) {
        return NGX_ERROR;
    }

    ngx_str_set(&key, "Content-Length");
    value.data = p;
    value.len = ngx_sprintf(p, "%uz", fs->body.len) - p;

    h = ngx_faas_subrequest_push(r->pool, hi, &key, &value);
    if (h == NULL) {
        return NGX_ERROR;
    }

    hi->content_length = h;
    hi->content_length_n = fs->body.len;

    return NGX_OK;
}


/* the parent's headers but those the caller sets and the body's own */

static ngx_int_t
ngx_faas_subrequest_copy_headers(ngx_http_request_t *r,
    ngx_faas_subrequest_t *fs, ngx_http_headers_in_t *hi)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *header, *h;

    part = &r->headers_in.headers.part;
    header = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            header = part->elts;
            i = 0;
        }

        if (ngx_faas_subrequest_replaced(fs, &header[i].key)) {
            continue;
        }

        h = ngx_list_push(&hi->headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        *h = header[i];

        if (r->headers_in.content_type == &header[i]) {
            hi->content_type = h;
        }
    }

    return NGX_OK;
}


static ngx_table_elt_t *
ngx_faas_subrequest_push(ngx_pool_t *pool, ngx_http_headers_in_t *hi,
    ngx_str_t *key, ngx_str_t *value)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&hi->headers);
    if (h == NULL) {
        return NULL;
    }

    h->lowcase_key = ngx_pnalloc(pool, key->len);
    if (h->lowcase_key == NULL) {
        return NULL;
    }

    h->key = *key;
    h->value = *value;
    h->hash = ngx_hash_strlow(h->lowcase_key, key->data, key->len);

    return h;
}


/*
 * whether a header of the parent (fs) or of the caller (fs NULL) is
 * left out: Content-Length and Transfer-Encoding always (the body sets
 * the length), a parent's one when the caller sets its name
 */

static ngx_uint_t
ngx_faas_subrequest_replaced(ngx_faas_subrequest_t *fs, ngx_str_t *key)
{
    ngx_uint_t     i;
    ngx_keyval_t  *kv;

    if ((key->len == sizeof("Content-Length") - 1
         && ngx_strncasecmp(key->data, (u_char *) "Content-Length",
                            key->len) == 0)
        || (key->len == sizeof("Transfer-Encoding") - 1
            && ngx_strncasecmp(key->data, (u_char *) "Transfer-Encoding",
                               key->len) == 0))
    {
        return 1;
    }

    if (fs == NULL || fs->headers == NULL) {
        return 0;
    }

    kv = fs->headers->elts;

    for (i = 0; i < fs->headers->nelts; i++) {
        if (kv[i].key.len == key->len
            && ngx_strncasecmp(kv[i].key.data, key->data, key->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * the body in memory, as ngx_http_read_client_request_body() would leave
 * it; a subrequest's own read of the body returns at once with it, and
 * proxy_pass sends exactly these bytes after the Content-Length above
 */

static ngx_http_request_body_t *
ngx_faas_subrequest_body(ngx_http_request_t *r, ngx_faas_subrequest_t *fs)
{
    ngx_buf_t                *b;
    ngx_chain_t              *cl;
    ngx_http_request_body_t  *rb;

    rb = ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t));
    if (rb == NULL) {
        return NULL;
    }

    if (fs->body.len == 0) {
        return rb;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NULL;
    }

    b->start = fs->body.data;
    b->pos = b->start;
    b->last = b->start + fs->body.len;
    b->end = b->last;
    b->memory = 1;
    b->last_buf = 1;

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NULL;
    }

    cl->buf = b;
    cl->next = NULL;

    rb->bufs = cl;

    return rb;
}


/* the body of our subrequests, kept here: see the top of the file */

static ngx_int_t
ngx_faas_subrequest_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_chain_t            *cl;
    ngx_faas_subrequest_t  *fs;

    if (r == r->main || r->post_subrequest == NULL
        || r->post_subrequest->handler != ngx_faas_subrequest_done)
    {
        return ngx_faas_subrequest_next_body_filter(r, in);
    }

    fs = r->post_subrequest->data;

    for (cl = in; cl; cl = cl->next) {
        if (ngx_faas_subrequest_keep(r, fs, cl->buf) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_faas_subrequest_keep(ngx_http_request_t *sr, ngx_faas_subrequest_t *fs,
    ngx_buf_t *b)
{
    off_t                      len;
    size_t                     size;
    ssize_t                    n;
    ngx_http_core_loc_conf_t  *clcf;

    len = ngx_buf_size(b);

    if (ngx_buf_special(b) || len == 0) {
        return NGX_OK;
    }

    if (fs->buf == NULL && !fs->truncated) {
        clcf = ngx_http_get_module_loc_conf(sr, ngx_http_core_module);
        size = clcf->subrequest_output_buffer_size;

        if (sr->headers_out.content_length_n > (off_t) size) {
            fs->truncated = 1;

        } else {
            if (sr->headers_out.content_length_n > 0) {
                size = (size_t) sr->headers_out.content_length_n;
            }

            fs->buf = ngx_create_temp_buf(sr->pool, size);
            if (fs->buf == NULL) {
                return NGX_ERROR;
            }
        }
    }

    if (!fs->truncated && len > fs->buf->end - fs->buf->last) {
        fs->truncated = 1;
    }

    if (fs->truncated) {
        if (!fs->logged) {
            fs->logged = 1;
            clcf = ngx_http_get_module_loc_conf(sr, ngx_http_core_module);
            ngx_log_error(NGX_LOG_ERR, sr->connection->log, 0,
                          "ngx_faas_subrequest_keep: the answer of \"%V\" is "
                          "over subrequest_output_buffer_size %uz, dropped",
                          &sr->uri, clcf->subrequest_output_buffer_size);
        }

    } else if (b->in_file && !ngx_buf_in_memory(b)) {
        /* proxy buffers spilled to a temporary file */
        n = ngx_read_file(b->file, fs->buf->last, (size_t) len,
                          b->file_pos);

        if (n != len) {
            return NGX_ERROR;
        }

        fs->buf->last += n;

    } else {
        fs->buf->last = ngx_cpymem(fs->buf->last, b->pos, (size_t) len);
    }

    /* consumed: upstream's buffers are free again */

    if (b->in_file) {
        b->file_pos = b->file_last;
    }

    b->pos = b->last;

    return NGX_OK;
}


static ngx_int_t
ngx_faas_subrequest_done(ngx_http_request_t *sr, void *data, ngx_int_t rc)
{
    ngx_faas_subrequest_t *fs = data;

    ngx_buf_t  *b;

    if (fs->done) {
        return rc;
    }

    if (rc == NGX_AGAIN && (sr->buffered || sr->postponed)) {
        return rc;   /* not over: finalized again once written */
    }

    fs->done = 1;

    b = fs->buf;

    if (rc == NGX_ERROR || rc == NGX_HTTP_CLOSE) {
        fs->status = 0;

    } else if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        fs->status = rc;   /* nginx's own error: 502, 504, 404... */

    } else {
        fs->status = sr->headers_out.status;
    }

    fs->headers_out = &sr->headers_out.headers;
    fs->content_type = sr->headers_out.content_type;

    if (fs->status && rc < NGX_HTTP_SPECIAL_RESPONSE && b && !fs->truncated) {
        fs->response.data = b->pos;
        fs->response.len = b->last - b->pos;
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, sr->connection->log, 0,
                   "faas subrequest \"%V\" done: rc:%i status:%ui "
                   "bytes:%uz", &sr->uri, rc, fs->status, fs->response.len);

    if (!fs->cancelled && fs->handler) {
        fs->handler(fs);
    }

    if (rc == NGX_ERROR || rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return NGX_OK;
    }

    return rc;
}
