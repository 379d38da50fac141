
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * What the harnesses share: a request as nginx hands it to the module
 * (pool, connection, header list, arguments, body), and a call of a
 * function of t/fuzz/functions through the module's own entry point, so
 * client bytes go through exactly the code they go through in nginx.
 * After the call the harness checks what must hold for any input: the
 * call ended in an outcome the harness allows (a body the decoder
 * accepts can be answered), the answer is UTF-8, and nothing logged
 * carries a raw control byte.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_call.h"
#include "ngx_fuzz.h"


static ngx_int_t ngx_fuzz_utf8(u_char *p, size_t len);


static ngx_log_t            ngx_fuzz_log;
static ngx_cycle_t          ngx_fuzz_cycle;
static ngx_connection_t     ngx_fuzz_connection;
static ngx_faas_app_t       ngx_fuzz_app;
static ngx_faas_loc_conf_t  ngx_fuzz_conf;


void
ngx_fuzz_init(void)
{
    char  *dir, *root, *p;

    /* every level is formatted, so every message is checked */

    ngx_fuzz_log.log_level = NGX_LOG_DEBUG;
    ngx_fuzz_cycle.log = &ngx_fuzz_log;
    ngx_cycle = &ngx_fuzz_cycle;

    /* nothing processes them here: ngx_faas_vm_stop() posts to it */
    ngx_queue_init(&ngx_posted_next_events);

    ngx_fuzz_connection.log = &ngx_fuzz_log;
    ngx_str_set(&ngx_fuzz_connection.addr_text, "127.0.0.1");

    dir = getenv("NGX_FUZZ_FUNCTIONS");
    root = realpath(dir ? dir : "t/fuzz/functions", NULL);

    if (root == NULL) {
        fprintf(stderr, "fuzz: no functions directory %s (run from the "
                "repository root, or set NGX_FUZZ_FUNCTIONS)\n",
                dir ? dir : "t/fuzz/functions");
        exit(1);
    }

    ngx_fuzz_app.root.data = (u_char *) root;
    ngx_fuzz_app.root.len = ngx_strlen(root);
    ngx_fuzz_app.memory = NGX_FAAS_DEFAULT_MEMORY;

    ngx_fuzz_conf.functions = ngx_fuzz_app.root;
    ngx_fuzz_conf.app = &ngx_fuzz_app;
    /*
     * faas_timeout is wall clock: at nice 19 on a loaded machine a 14 ms
     * call was descheduled past the default 1 s and ended "timeout" (a
     * form body, reported as a crash). 5 s is still half libFuzzer's
     * -timeout, so a decoder that is slow for real is still caught.
     * NGX_FUZZ_TIMEOUT (ms) sets it for long runs beside other work:
     * give libFuzzer a -timeout of twice as much
     */

    p = getenv("NGX_FUZZ_TIMEOUT");
    ngx_fuzz_conf.timeout = (p && atoi(p) > 0) ? (ngx_msec_t) atoi(p) : 5000;

    ngx_fuzz_conf.memory = NGX_FAAS_DEFAULT_MEMORY;
}


/* a request on a pool of its own, as nginx has it when the body is read */

ngx_http_request_t *
ngx_fuzz_request(void)
{
    ngx_pool_t          *pool;
    ngx_http_request_t  *r;

    pool = ngx_fuzz_pool_create(&ngx_fuzz_log);

    r = ngx_pcalloc(pool, sizeof(ngx_http_request_t));
    if (r == NULL) {
        abort();
    }

    r->pool = pool;
    r->main = r;
    r->connection = &ngx_fuzz_connection;

    /* parts of two: a long header list spans several parts */

    if (ngx_list_init(&r->headers_in.headers, pool, 2,
                      sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        abort();
    }

    ngx_str_set(&r->method_name, "POST");
    ngx_str_set(&r->uri, "/fuzz");
    ngx_str_set(&r->unparsed_uri, "/fuzz");

    return r;
}


/* a header line as nginx's parser leaves it: key, value, lower-case key */

void
ngx_fuzz_header(ngx_http_request_t *r, u_char *key, size_t klen,
    u_char *value, size_t vlen)
{
    size_t            i;
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_in.headers);
    if (h == NULL) {
        abort();
    }

    h->hash = 1;
    h->key.data = ngx_fuzz_copy(r->pool, key, klen);
    h->key.len = klen;
    h->value.data = ngx_fuzz_copy(r->pool, value, vlen);
    h->value.len = vlen;
    h->lowcase_key = ngx_fuzz_copy(r->pool, key, klen);

    for (i = 0; i < klen; i++) {
        h->lowcase_key[i] = ngx_tolower(key[i]);
    }

    if (klen == sizeof("content-type") - 1
        && ngx_strncmp(h->lowcase_key, "content-type", klen) == 0)
    {
        r->headers_in.content_type = h;
    }
}


ngx_faas_call_t *
ngx_fuzz_run(ngx_http_request_t *r, u_char *name, size_t nlen, u_char *body,
    size_t blen, ngx_uint_t allow)
{
    ngx_faas_call_t  *call;

    call = ngx_pcalloc(r->pool, sizeof(ngx_faas_call_t));
    if (call == NULL) {
        abort();
    }

    call->request = r;
    call->conf = &ngx_fuzz_conf;
    call->name.data = ngx_fuzz_copy(r->pool, name, nlen);
    call->name.len = nlen;
    call->body.data = ngx_fuzz_copy(r->pool, body, blen);
    call->body.len = blen;

    if (ngx_array_init(&call->headers, r->pool, 4, sizeof(ngx_faas_header_t))
        != NGX_OK)
    {
        abort();
    }

    ngx_faas_call_run(call);

    if (!(allow & NGX_FUZZ_ALLOW(call->error))) {
        fprintf(stderr, "fuzz: the call ended with error %d: %.*s\n",
                (int) call->error, (int) call->message.len,
                call->message.data);
        abort();
    }

    if (call->error == NGX_FAAS_OK && !ngx_fuzz_utf8(call->out.data,
                                                     call->out.len))
    {
        fprintf(stderr, "fuzz: the answer is not UTF-8: %.*s\n",
                (int) call->out.len, call->out.data);
        abort();
    }

    return call;
}


/*
 * a body of one content type into ctx.body of functions/body.js, which
 * answers it as it is: refused (400, 413) or answered, nothing else
 */

void
ngx_fuzz_body(const char *type, const uint8_t *data, size_t size)
{
    ngx_http_request_t  *r;

    r = ngx_fuzz_request();

    ngx_fuzz_header(r, (u_char *) "Content-Type", sizeof("Content-Type") - 1,
                    (u_char *) type, ngx_strlen(type));

    (void) ngx_fuzz_run(r, (u_char *) "body", 4, (u_char *) data, size,
                        NGX_FUZZ_ALLOW(NGX_FAAS_OK)
                        |NGX_FUZZ_ALLOW(NGX_FAAS_BAD_BODY)
                        |NGX_FUZZ_ALLOW(NGX_FAAS_TOO_LARGE));

    ngx_fuzz_done(r);
}


void
ngx_fuzz_done(ngx_http_request_t *r)
{
    ngx_fuzz_pool_destroy(r->pool);
}


/* a copy in a block of its own size: ASan sees a byte read past it */

u_char *
ngx_fuzz_copy(ngx_pool_t *pool, const u_char *p, size_t len)
{
    u_char  *copy;

    copy = ngx_pnalloc(pool, len);
    if (copy == NULL) {
        abort();
    }

    if (len) {
        ngx_memcpy(copy, p, len);
    }

    return copy;
}


/* what goes into a log line: no control byte that could end or forge it */

void
ngx_fuzz_check_text(const char *what, u_char *p, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f) {
            fprintf(stderr, "fuzz: byte 0x%02x at %zu of %s: %.*s\n",
                    p[i], i, what, (int) len, p);
            abort();
        }
    }
}


void
ngx_fuzz_log_line(u_char *line, size_t len)
{
    ngx_fuzz_check_text("a log line", line, len - 1);
}


/* well-formed UTF-8 (RFC 3629): no surrogates, nothing over U+10FFFF */

static ngx_int_t
ngx_fuzz_utf8(u_char *p, size_t len)
{
    uint32_t    c, min;
    ngx_uint_t  n;

    while (len) {
        c = *p++;
        len--;

        if (c < 0x80) {
            continue;
        }

        if ((c & 0xe0) == 0xc0) {
            n = 1;
            min = 0x80;
            c &= 0x1f;

        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            min = 0x800;
            c &= 0x0f;

        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            min = 0x10000;
            c &= 0x07;

        } else {
            return 0;
        }

        if (len < n) {
            return 0;
        }

        len -= n;

        while (n--) {
            if ((*p & 0xc0) != 0x80) {
                return 0;
            }

            c = (c << 6) | (*p++ & 0x3f);
        }

        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
            return 0;
        }
    }

    return 1;
}


int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ngx_fuzz_init();

    return 0;
}
