
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_faas.h"
#include "ngx_faas_builtins.h"
#include "ngx_faas_string.h"
#include "ngx_faas_url.h"


/*
 * URL and URLSearchParams after the WHATWG URL Standard: the basic URL
 * parser for special schemes (http, https, ws, wss, ftp, file) and others
 * (opaque paths such as mailto:), relative references against a base,
 * IPv4 and IPv6 hosts, percent-encoding, dot segments; the query as
 * application/x-www-form-urlencoded.  Not supported: hosts that are not
 * ASCII (IDNA: TypeError), Windows drive letters in file URLs, blob
 * origins; setters other than href, pathname, search and hash.  A URL
 * keeps its parts in hidden properties; a setter rebuilds the href with
 * the new part and parses it again.
 */


#define NGX_FAAS_URL_PARTS       DUK_HIDDEN_SYMBOL("faasUrl")
#define NGX_FAAS_URL_PARAMS      DUK_HIDDEN_SYMBOL("faasUrlParams")
#define NGX_FAAS_URL_LIST        DUK_HIDDEN_SYMBOL("faasList")
#define NGX_FAAS_URL_OWNER       DUK_HIDDEN_SYMBOL("faasOwner")
#define NGX_FAAS_URL_INDEX       DUK_HIDDEN_SYMBOL("faasIndex")
#define NGX_FAAS_URL_ITER_PROTO  DUK_HIDDEN_SYMBOL("faasParamsIterator")
#define NGX_FAAS_URL_ITERATOR    DUK_WELLKNOWN_SYMBOL("Symbol.iterator")

/* percent-encode sets, bits of ngx_faas_url_sets[] */
#define NGX_FAAS_URL_C0          0x01
#define NGX_FAAS_URL_FRAGMENT    0x02
#define NGX_FAAS_URL_QUERY       0x04
#define NGX_FAAS_URL_SQUERY      0x08
#define NGX_FAAS_URL_PATH        0x10
#define NGX_FAAS_URL_USERINFO    0x20
#define NGX_FAAS_URL_FORM        0x40

/* the parts of a URL, as the getters read them */
enum {
    NGX_FAAS_URL_SCHEME = 0,
    NGX_FAAS_URL_USERNAME,
    NGX_FAAS_URL_PASSWORD,
    NGX_FAAS_URL_HOST,
    NGX_FAAS_URL_PORT,
    NGX_FAAS_URL_PATHNAME,
    NGX_FAAS_URL_SEARCH,
    NGX_FAAS_URL_HASH,
    NGX_FAAS_URL_NPARTS,

    /* getters of derived values */
    NGX_FAAS_URL_HREF = NGX_FAAS_URL_NPARTS,
    NGX_FAAS_URL_PROTOCOL,
    NGX_FAAS_URL_HOSTPORT,
    NGX_FAAS_URL_ORIGIN,
    NGX_FAAS_URL_SEARCH_PARAMS
};


#define ngx_faas_url_file(url)                                               \
    ((url)->special && (url)->part[NGX_FAAS_URL_SCHEME].len == 4             \
     && ngx_strncmp((url)->part[NGX_FAAS_URL_SCHEME].data, "file", 4) == 0)


typedef struct {
    ngx_str_t    part[NGX_FAAS_URL_NPARTS];   /* data NULL: null */
    unsigned     special:1;
    unsigned     opaque:1;
} ngx_faas_url_t;


typedef struct {
    const char  *name;
    ngx_uint_t   magic;
    ngx_uint_t   settable;
} ngx_faas_url_accessor_t;


typedef struct {
    u_char      *data;
    size_t       len;
    ngx_uint_t   index;
} ngx_faas_params_name_t;


static duk_ret_t ngx_faas_url_construct(duk_context *duk);
static void ngx_faas_url_parse_value(duk_context *duk, duk_idx_t idx,
    ngx_faas_url_t *base, ngx_faas_url_t *url);
static ngx_int_t ngx_faas_url_parse(u_char *p, u_char *end,
    ngx_faas_url_t *base, ngx_faas_url_t *url, u_char **buf);
static ngx_int_t ngx_faas_url_authority(u_char *p, u_char *end,
    ngx_faas_url_t *url, u_char **buf);
static ngx_int_t ngx_faas_url_host(u_char *p, u_char *end,
    ngx_faas_url_t *url, u_char **buf);
static ngx_int_t ngx_faas_url_ipv4(u_char *p, u_char *end, uint32_t *addr);
static ngx_int_t ngx_faas_url_ipv6(u_char *p, u_char *end, u_char **buf,
    ngx_str_t *host);
static void ngx_faas_url_path(u_char *p, u_char *end, ngx_faas_url_t *url,
    ngx_str_t *base, u_char **buf);
static void ngx_faas_url_segment(u_char *p, u_char *end, ngx_faas_url_t *url,
    ngx_str_t *path, ngx_uint_t last);
static u_char *ngx_faas_url_escape(u_char *dst, u_char *p, u_char *end,
    ngx_uint_t set);
static ngx_uint_t ngx_faas_url_special(ngx_str_t *scheme);
static ngx_str_t *ngx_faas_url_default_port(ngx_str_t *scheme);
static size_t ngx_faas_url_utf8(u_char *dst, u_char *p, size_t len);
static void ngx_faas_url_store(duk_context *duk, duk_idx_t idx,
    ngx_faas_url_t *url);
static void ngx_faas_url_load(duk_context *duk, duk_idx_t idx,
    ngx_faas_url_t *url);
static void ngx_faas_url_push_href(duk_context *duk, ngx_faas_url_t *url);
static duk_ret_t ngx_faas_url_get(duk_context *duk);
static duk_ret_t ngx_faas_url_set(duk_context *duk);
static duk_ret_t ngx_faas_url_href(duk_context *duk);
static void ngx_faas_url_update(duk_context *duk, duk_idx_t url_idx);
static duk_ret_t ngx_faas_params_construct(duk_context *duk);
static void ngx_faas_params_push(duk_context *duk, duk_idx_t owner);
static void ngx_faas_params_parse(duk_context *duk, duk_idx_t list,
    u_char *p, u_char *end);
static void ngx_faas_params_decode(duk_context *duk, u_char *p, u_char *end);
static duk_ret_t ngx_faas_params_pair(duk_context *duk, void *data);
static duk_idx_t ngx_faas_params_this(duk_context *duk);
static void ngx_faas_params_changed(duk_context *duk, duk_idx_t params);
static void ngx_faas_params_serialize(duk_context *duk, duk_idx_t list);
static duk_ret_t ngx_faas_params_append(duk_context *duk);
static duk_ret_t ngx_faas_params_delete(duk_context *duk);
static void ngx_faas_params_keep(duk_context *duk, duk_idx_t list,
    duk_uarridx_t n);
static duk_ret_t ngx_faas_params_get(duk_context *duk);
static duk_ret_t ngx_faas_params_set(duk_context *duk);
static duk_ret_t ngx_faas_params_sort(duk_context *duk);
static ngx_int_t ngx_faas_params_cmp(const void *one, const void *two);
static duk_ret_t ngx_faas_params_to_string(duk_context *duk);
static duk_ret_t ngx_faas_params_for_each(duk_context *duk);
static duk_ret_t ngx_faas_params_size(duk_context *duk);
static duk_ret_t ngx_faas_params_iterator(duk_context *duk);
static duk_ret_t ngx_faas_params_next(duk_context *duk);
static duk_ret_t ngx_faas_params_self(duk_context *duk);


static ngx_faas_url_accessor_t  ngx_faas_url_accessors[] = {
    { "href", NGX_FAAS_URL_HREF, 1 },
    { "origin", NGX_FAAS_URL_ORIGIN, 0 },
    { "protocol", NGX_FAAS_URL_PROTOCOL, 0 },
    { "username", NGX_FAAS_URL_USERNAME, 0 },
    { "password", NGX_FAAS_URL_PASSWORD, 0 },
    { "host", NGX_FAAS_URL_HOSTPORT, 0 },
    { "hostname", NGX_FAAS_URL_HOST, 0 },
    { "port", NGX_FAAS_URL_PORT, 0 },
    { "pathname", NGX_FAAS_URL_PATHNAME, 1 },
    { "search", NGX_FAAS_URL_SEARCH, 1 },
    { "searchParams", NGX_FAAS_URL_SEARCH_PARAMS, 0 },
    { "hash", NGX_FAAS_URL_HASH, 1 },
    { NULL, 0, 0 }
};


static ngx_faas_builtins_fn_t  ngx_faas_url_methods[] = {
    { "toString", ngx_faas_url_href, 0, 0, 0 },
    { "toJSON", ngx_faas_url_href, 0, 0, 0 },
    { NULL, NULL, 0, 0, 0 }
};


/* magic of delete/get/has: 0 delete, 1 get, 2 getAll, 3 has */
static ngx_faas_builtins_fn_t  ngx_faas_params_methods[] = {
    { "append", ngx_faas_params_append, 2, 2, 0 },
    { "delete", ngx_faas_params_delete, 2, 1, 0 },
    { "get", ngx_faas_params_get, 1, 1, 1 },
    { "getAll", ngx_faas_params_get, 1, 1, 2 },
    { "has", ngx_faas_params_delete, 2, 1, 3 },
    { "set", ngx_faas_params_set, 2, 2, 0 },
    { "sort", ngx_faas_params_sort, 0, 0, 0 },
    { "toString", ngx_faas_params_to_string, 0, 0, 0 },
    { "forEach", ngx_faas_params_for_each, 2, 1, 0 },
    { "keys", ngx_faas_params_iterator, 0, 0, 0 },
    { "values", ngx_faas_params_iterator, 0, 0, 1 },
    { "entries", ngx_faas_params_iterator, 0, 0, 2 },
    { NULL, NULL, 0, 0, 0 }
};


static ngx_faas_builtins_fn_t  ngx_faas_url_constructor =
    { "URL", ngx_faas_url_construct, 2, 1, 0 };

static ngx_faas_builtins_fn_t  ngx_faas_params_constructor =
    { "URLSearchParams", ngx_faas_params_construct, 1, 0, 0 };

static ngx_faas_builtins_fn_t  ngx_faas_params_size_getter =
    { "get size", ngx_faas_params_size, 0, 0, 0 };

static ngx_faas_builtins_fn_t  ngx_faas_params_next_fn =
    { "next", ngx_faas_params_next, 0, 0, 0 };

static ngx_faas_builtins_fn_t  ngx_faas_params_self_fn =
    { "[Symbol.iterator]", ngx_faas_params_self, 0, 0, 0 };


static ngx_str_t  ngx_faas_url_schemes[] = {
    ngx_string("http"), ngx_string("80"),
    ngx_string("https"), ngx_string("443"),
    ngx_string("ws"), ngx_string("80"),
    ngx_string("wss"), ngx_string("443"),
    ngx_string("ftp"), ngx_string("21"),
    ngx_string("file"), ngx_null_string,
    ngx_null_string, ngx_null_string
};


/* which percent-encode sets each ASCII byte is in (above 0x7e: all) */
static u_char  ngx_faas_url_sets[128];


void
ngx_faas_url_init(duk_context *duk)
{
    u_char                    c;
    ngx_uint_t                i;
    const char               *s;
    ngx_faas_builtins_fn_t    getter;
    ngx_faas_url_accessor_t  *a;

    for (c = 0; c < 128; c++) {
        i = (c < 0x20 || c == 0x7f) ? 0x7f : 0;

        if (c == ' ' || c == '"' || c == '<' || c == '>') {
            i |= 0x7e;
        }

        if (c == '`') {
            i |= NGX_FAAS_URL_FRAGMENT | NGX_FAAS_URL_PATH
                 | NGX_FAAS_URL_USERINFO | NGX_FAAS_URL_FORM;
        }

        if (c == '#') {
            i |= NGX_FAAS_URL_QUERY | NGX_FAAS_URL_SQUERY | NGX_FAAS_URL_PATH
                 | NGX_FAAS_URL_USERINFO | NGX_FAAS_URL_FORM;
        }

        if (c == '\'') {
            i |= NGX_FAAS_URL_SQUERY | NGX_FAAS_URL_FORM;
        }

        if (c == '?' || c == '{' || c == '}') {
            i |= NGX_FAAS_URL_PATH | NGX_FAAS_URL_USERINFO
                 | NGX_FAAS_URL_FORM;
        }

        for (s = "/:;=@[\\]^|"; *s; s++) {
            if (c == (u_char) *s) {
                i |= NGX_FAAS_URL_USERINFO | NGX_FAAS_URL_FORM;
            }
        }

        for (s = "$%&+,!()~"; *s; s++) {
            if (c == (u_char) *s) {
                i |= NGX_FAAS_URL_FORM;
            }
        }

        ngx_faas_url_sets[c] = (u_char) i;
    }

    /* URL */

    ngx_faas_builtins_push_function(duk, &ngx_faas_url_constructor);
    duk_push_object(duk);

    /* stack: [ URL prototype ] */

    for (a = ngx_faas_url_accessors; a->name; a++) {
        duk_push_string(duk, a->name);

        getter.name = a->name;
        getter.handler = ngx_faas_url_get;
        getter.nargs = 0;
        getter.length = 0;
        getter.magic = a->magic;
        ngx_faas_builtins_push_function(duk, &getter);

        if (a->settable) {
            getter.handler = ngx_faas_url_set;
            getter.nargs = 1;
            getter.length = 1;
            ngx_faas_builtins_push_function(duk, &getter);
            duk_def_prop(duk, -4, DUK_DEFPROP_HAVE_GETTER
                                  | DUK_DEFPROP_HAVE_SETTER
                                  | DUK_DEFPROP_SET_EC);

        } else {
            duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_GETTER
                                  | DUK_DEFPROP_SET_EC);
        }
    }

    for (i = 0; ngx_faas_url_methods[i].name; i++) {
        ngx_faas_builtins_define(duk, -1, &ngx_faas_url_methods[i]);
    }

    duk_dup(duk, -2);
    duk_put_prop_literal(duk, -2, "constructor");
    duk_push_literal(duk, "prototype");
    duk_pull(duk, -2);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE
                          | DUK_DEFPROP_CLEAR_WEC);
    duk_put_global_literal(duk, "URL");

    /* URLSearchParams */

    ngx_faas_builtins_push_function(duk, &ngx_faas_params_constructor);
    duk_push_object(duk);

    for (i = 0; ngx_faas_params_methods[i].name; i++) {
        ngx_faas_builtins_define(duk, -1, &ngx_faas_params_methods[i]);
    }

    /* [Symbol.iterator] is entries() */

    duk_push_literal(duk, NGX_FAAS_URL_ITERATOR);
    duk_get_prop_literal(duk, -2, "entries");
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WC);

    duk_push_literal(duk, "size");
    ngx_faas_builtins_push_function(duk, &ngx_faas_params_size_getter);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_GETTER | DUK_DEFPROP_SET_C);

    duk_dup(duk, -2);
    duk_put_prop_literal(duk, -2, "constructor");
    duk_push_literal(duk, "prototype");
    duk_dup(duk, -2);
    duk_def_prop(duk, -4, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_FORCE
                          | DUK_DEFPROP_CLEAR_WEC);

    /* stack: [ URLSearchParams prototype ] */

    duk_push_heap_stash(duk);
    duk_push_object(duk);
    ngx_faas_builtins_define(duk, -1, &ngx_faas_params_next_fn);
    duk_push_literal(duk, NGX_FAAS_URL_ITERATOR);
    ngx_faas_builtins_push_function(duk, &ngx_faas_params_self_fn);
    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WC);
    duk_put_prop_literal(duk, -2, NGX_FAAS_URL_ITER_PROTO);
    duk_dup(duk, -3);
    duk_put_prop_literal(duk, -2, NGX_FAAS_URL_PARAMS);
    duk_pop_2(duk);

    duk_put_global_literal(duk, "URLSearchParams");
}


/* new URL(url, base) */

static duk_ret_t
ngx_faas_url_construct(duk_context *duk)
{
    ngx_faas_url_t   base, url, *b;

    if (!duk_is_constructor_call(duk)) {
        return duk_type_error(duk, "Failed to construct 'URL': "
                                   "Please use the 'new' operator");
    }

    b = NULL;

    if (!duk_is_undefined(duk, 1)) {
        duk_to_string(duk, 1);
        ngx_faas_url_parse_value(duk, 1, NULL, &base);
        b = &base;
    }

    duk_to_string(duk, 0);
    ngx_faas_url_parse_value(duk, 0, b, &url);

    duk_push_this(duk);
    ngx_faas_url_store(duk, -1, &url);

    return 0;
}


/*
 * Parses the string at idx into url (its parts in a buffer left on the
 * stack) or throws TypeError "Invalid URL"
 */

static void
ngx_faas_url_parse_value(duk_context *duk, duk_idx_t idx,
    ngx_faas_url_t *base, ngx_faas_url_t *url)
{
    u_char      *p, *end, *buf, *start;
    size_t       len, n, size;
    ngx_uint_t   i;

    p = (u_char *) duk_get_lstring(duk, idx, &len);

    /* well-formed UTF-8 without tab and newline, then trimmed */

    start = duk_push_fixed_buffer(duk, len + 1);
    len = ngx_faas_url_utf8(start, p, len);

    for (n = 0, i = 0; i < len; i++) {
        if (start[i] != '\t' && start[i] != '\n' && start[i] != '\r') {
            start[n++] = start[i];
        }
    }

    p = start;
    end = start + n;

    while (p < end && *p <= 0x20) {
        p++;
    }

    while (end > p && end[-1] <= 0x20) {
        end--;
    }

    /* room for every byte percent-encoded, the base and a few more */

    size = 3 * (end - p) + 64;

    if (base) {
        for (i = 0; i < NGX_FAAS_URL_NPARTS; i++) {
            size += base->part[i].len;
        }
    }

    buf = duk_push_fixed_buffer(duk, size);

    if (ngx_faas_url_parse(p, end, base, url, &buf) != NGX_OK) {
        (void) duk_type_error(duk, "Invalid URL: %s",
                              duk_safe_to_string(duk, idx));
    }
}


/* the basic URL parser without state override */

static ngx_int_t
ngx_faas_url_parse(u_char *p, u_char *end, ngx_faas_url_t *base,
    ngx_faas_url_t *url, u_char **buf)
{
    u_char      *q, *s, c;
    ngx_str_t    path;
    ngx_uint_t   i, slash;

    ngx_memzero(url, sizeof(ngx_faas_url_t));

    /* scheme */

    for (q = p; q < end; q++) {
        c = *q;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (q > p && ((c >= '0' && c <= '9')
                          || c == '+' || c == '-' || c == '.')))
        {
            continue;
        }

        break;
    }

    if (q > p && q < end && *q == ':') {
        s = *buf;

        for (i = 0; p + i < q; i++) {
            s[i] = ngx_tolower(p[i]);
        }

        url->part[NGX_FAAS_URL_SCHEME].data = s;
        url->part[NGX_FAAS_URL_SCHEME].len = i;
        *buf += i;
        p = q + 1;

        url->special = ngx_faas_url_special(&url->part[NGX_FAAS_URL_SCHEME]);

        if (base && url->special && !base->opaque
            && base->part[NGX_FAAS_URL_SCHEME].len == i
            && ngx_strncmp(base->part[NGX_FAAS_URL_SCHEME].data, s, i) == 0
            && !(p < end && (*p == '/' || *p == '\\')))
        {
            /* "http:foo" against an http base is relative */
            goto relative;
        }

        if (!url->special) {
            if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
                return ngx_faas_url_authority(p + 2, end, url, buf);
            }

            if (p < end && *p == '/') {
                url->part[NGX_FAAS_URL_PATHNAME].len = 0;
                url->part[NGX_FAAS_URL_PATHNAME].data = *buf;
                ngx_faas_url_path(p, end, url, NULL, buf);
                return NGX_OK;
            }

            /* an opaque path: mailto:, data:, javascript: */

            url->opaque = 1;
            for (q = p; q < end && *q != '?' && *q != '#'; q++) {
                /* void */
            }

            url->part[NGX_FAAS_URL_PATHNAME].data = *buf;
            *buf = ngx_faas_url_escape(*buf, p, q, NGX_FAAS_URL_C0);
            url->part[NGX_FAAS_URL_PATHNAME].len =
                                *buf - url->part[NGX_FAAS_URL_PATHNAME].data;
            ngx_faas_url_path(q, end, url, NULL, buf);
            return NGX_OK;
        }

        /* special: any number of slashes, then the authority */

        for (slash = 0; p < end && (*p == '/' || *p == '\\'); p++) {
            slash++;
        }

        if (ngx_faas_url_file(url)) {
            if (slash < 2) {
                /* "file:x", "file:/x": no host */
                url->part[NGX_FAAS_URL_HOST].data = *buf;
                url->part[NGX_FAAS_URL_PATHNAME].data = *buf;
                ngx_faas_url_path(p - slash, end, url, NULL, buf);
                return NGX_OK;
            }

            /* "file://host/path": the host ends at the next slash */
            p -= slash - 2;
        }

        return ngx_faas_url_authority(p, end, url, buf);
    }

    if (base == NULL) {
        return NGX_ERROR;
    }

    if (base->opaque) {
        if (p == end || *p != '#') {
            return NGX_ERROR;
        }

        *url = *base;
        ngx_faas_url_path(p, end, url, NULL, buf);
        return NGX_OK;
    }

    url->part[NGX_FAAS_URL_SCHEME] = base->part[NGX_FAAS_URL_SCHEME];
    url->special = base->special;

relative:

    slash = (p < end && (*p == '/' || (url->special && *p == '\\')));

    if (slash && end - p >= 2
        && (p[1] == '/' || (url->special && p[1] == '\\')))
    {
        /* "//host/path": the base's scheme only */
        return ngx_faas_url_authority(p + 2, end, url, buf);
    }

    for (i = NGX_FAAS_URL_USERNAME; i <= NGX_FAAS_URL_PORT; i++) {
        url->part[i] = base->part[i];
    }

    if (slash) {
        url->part[NGX_FAAS_URL_PATHNAME].data = *buf;
        ngx_faas_url_path(p, end, url, NULL, buf);
        return NGX_OK;
    }

    if (p == end || *p == '?' || *p == '#') {
        url->part[NGX_FAAS_URL_PATHNAME] = base->part[NGX_FAAS_URL_PATHNAME];

        if (p == end || *p == '#') {
            url->part[NGX_FAAS_URL_SEARCH] = base->part[NGX_FAAS_URL_SEARCH];
        }

        ngx_faas_url_path(p, end, url, NULL, buf);
        return NGX_OK;
    }

    /* the base's path without its last segment, then the input's */

    path = base->part[NGX_FAAS_URL_PATHNAME];

    while (path.len && path.data[path.len - 1] != '/') {
        path.len--;
    }

    url->part[NGX_FAAS_URL_PATHNAME].data = *buf;
    ngx_faas_url_path(p, end, url, &path, buf);

    return NGX_OK;
}


/* userinfo@host:port, then the path */

static ngx_int_t
ngx_faas_url_authority(u_char *p, u_char *end, ngx_faas_url_t *url,
    u_char **buf)
{
    u_char  *q, *at, *colon, *s;

    for (q = p; q < end; q++) {
        if (*q == '/' || *q == '?' || *q == '#'
            || (url->special && *q == '\\'))
        {
            break;
        }
    }

    at = NULL;

    for (s = p; s < q; s++) {
        if (*s == '@') {
            at = s;
        }
    }

    if (at) {
        for (colon = p; colon < at && *colon != ':'; colon++) {
            /* void */
        }

        url->part[NGX_FAAS_URL_USERNAME].data = *buf;
        *buf = ngx_faas_url_escape(*buf, p, colon, NGX_FAAS_URL_USERINFO);
        url->part[NGX_FAAS_URL_USERNAME].len =
                                *buf - url->part[NGX_FAAS_URL_USERNAME].data;

        if (colon < at) {
            url->part[NGX_FAAS_URL_PASSWORD].data = *buf;
            *buf = ngx_faas_url_escape(*buf, colon + 1, at,
                                       NGX_FAAS_URL_USERINFO);
            url->part[NGX_FAAS_URL_PASSWORD].len =
                                *buf - url->part[NGX_FAAS_URL_PASSWORD].data;
        }

        p = at + 1;
    }

    /* the port is after the last ':' outside brackets */

    colon = NULL;

    for (s = p; s < q; s++) {
        if (*s == '[') {
            colon = NULL;

            while (s < q && *s != ']') {
                s++;
            }

            if (s == q) {
                return NGX_ERROR;
            }

        } else if (*s == ':') {
            colon = s;
        }
    }

    if (ngx_faas_url_host(p, colon ? colon : q, url, buf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (colon) {
        if (ngx_faas_url_file(url)) {
            return NGX_ERROR;
        }

        for (s = colon + 1; s < q && *s == '0' && q - s > 1; s++) {
            /* leading zeros */
        }

        if (q - s > 5) {
            return NGX_ERROR;
        }

        if (s < q) {
            if (ngx_atoi(s, q - s) == NGX_ERROR
                || ngx_atoi(s, q - s) > 65535)
            {
                return NGX_ERROR;
            }

            if (ngx_faas_url_default_port(&url->part[NGX_FAAS_URL_SCHEME])
                == NULL
                || ngx_faas_url_default_port(&url->part[NGX_FAAS_URL_SCHEME])
                   ->len != (size_t) (q - s)
                || ngx_strncmp(
                       ngx_faas_url_default_port(
                           &url->part[NGX_FAAS_URL_SCHEME])->data,
                       s, q - s) != 0)
            {
                url->part[NGX_FAAS_URL_PORT].data = s;
                url->part[NGX_FAAS_URL_PORT].len = q - s;
            }
        }
    }

    url->part[NGX_FAAS_URL_PATHNAME].data = *buf;
    ngx_faas_url_path(q, end, url, NULL, buf);

    return NGX_OK;
}


/* host parsing: IPv6 in brackets, IPv4 numbers, ASCII domains */

static ngx_int_t
ngx_faas_url_host(u_char *p, u_char *end, ngx_faas_url_t *url, u_char **buf)
{
    u_char     *s, *d, c;
    uint32_t    addr;
    ngx_int_t   rc;
    ngx_str_t  *host;

    host = &url->part[NGX_FAAS_URL_HOST];

    if (p < end && *p == '[') {
        if (end[-1] != ']') {
            return NGX_ERROR;
        }

        return ngx_faas_url_ipv6(p + 1, end - 1, buf, host);
    }

    if (!url->special) {
        /* an opaque host */
        for (s = p; s < end; s++) {
            if (ngx_strchr(" #/:<>?@[\\]^|", *s) != NULL) {
                return NGX_ERROR;
            }
        }

        host->data = *buf;
        *buf = ngx_faas_url_escape(*buf, p, end, NGX_FAAS_URL_C0);
        host->len = *buf - host->data;
        return NGX_OK;
    }

    if (p == end && !ngx_faas_url_file(url)) {
        return NGX_ERROR;
    }

    /* percent-decoded, lower-cased, ASCII only */

    d = *buf;
    host->data = d;

    for (s = p; s < end; s++) {
        c = *s;

        if (c == '%' && end - s >= 3 && isxdigit(s[1]) && isxdigit(s[2])) {
            c = (u_char) ngx_hextoi(s + 1, 2);
            s += 2;
        }

        if (c >= 0x80 || c <= 0x20 || c == 0x7f
            || ngx_strchr("#%/:<>?@[\\]^|", c) != NULL)
        {
            return NGX_ERROR;
        }

        *d++ = ngx_tolower(c);
    }

    host->len = d - host->data;
    *buf = d;

    rc = ngx_faas_url_ipv4(host->data, d, &addr);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc == NGX_OK) {
        host->len = ngx_sprintf(host->data, "%uD.%uD.%uD.%uD",
                                addr >> 24, (addr >> 16) & 0xff,
                                (addr >> 8) & 0xff, addr & 0xff)
                    - host->data;
        *buf = host->data + host->len;
    }

    if (ngx_faas_url_file(url) && host->len == 9
        && ngx_strncmp(host->data, "localhost", 9) == 0)
    {
        host->len = 0;
    }

    return NGX_OK;
}


/*
 * The IPv4 parser: NGX_OK with the address, NGX_DECLINED when the host
 * does not end in a number (a domain), NGX_ERROR when it is invalid
 */

static ngx_int_t
ngx_faas_url_ipv4(u_char *p, u_char *end, uint32_t *addr)
{
    u_char      *s, *last;
    uint64_t     n, parts[4];
    ngx_uint_t   count, i, base;

    if (end > p && end[-1] == '.') {
        end--;
    }

    /* the last label must be a number: decimal, or 0x hex */

    for (last = end; last > p && last[-1] != '.'; last--) {
        /* void */
    }

    if (last == end) {
        return NGX_DECLINED;
    }

    for (s = last; s < end && isdigit(*s); s++) {
        /* void */
    }

    if (s != end && !(end - last >= 2 && last[0] == '0'
                      && (last[1] == 'x' || last[1] == 'X')))
    {
        return NGX_DECLINED;
    }

    count = 0;

    for (s = p; s <= end; s++) {
        if (count == 4) {
            return NGX_ERROR;
        }

        base = 10;

        if (end - s >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            base = 16;
            s += 2;

        } else if (end - s >= 2 && s[0] == '0' && s[1] != '.') {
            base = 8;
            s++;
        }

        for (n = 0; s < end && *s != '.'; s++) {
            if (base == 16 && isxdigit(*s)) {
                i = isdigit(*s) ? *s - '0' : (ngx_tolower(*s) - 'a' + 10);

            } else if (isdigit(*s) && (ngx_uint_t) (*s - '0') < base) {
                i = *s - '0';

            } else {
                return NGX_ERROR;
            }

            n = n * base + i;

            if (n > 0xffffffffULL) {
                n = 0x100000000ULL;
            }
        }

        parts[count++] = n;
    }

    for (i = 0; i + 1 < count; i++) {
        if (parts[i] > 255) {
            return NGX_ERROR;
        }
    }

    if (parts[count - 1] >= (1ULL << (8 * (5 - count)))) {
        return NGX_ERROR;
    }

    n = parts[count - 1];

    for (i = 0; i + 1 < count; i++) {
        n += parts[i] << (8 * (3 - i));
    }

    *addr = (uint32_t) n;

    return NGX_OK;
}


/* "[...]": parsed by inet_pton, serialized with the longest zero run "::" */

static ngx_int_t
ngx_faas_url_ipv6(u_char *p, u_char *end, u_char **buf, ngx_str_t *host)
{
    u_char      *d, text[64], a[16];
    ngx_uint_t   i, run, best, len, start;

    if (end - p >= (ssize_t) sizeof(text) || end == p) {
        return NGX_ERROR;
    }

    ngx_memcpy(text, p, end - p);
    text[end - p] = '\0';

    if (inet_pton(AF_INET6, (char *) text, a) != 1) {
        return NGX_ERROR;
    }

    best = 8;
    len = 1;

    for (i = 0; i < 8; i = start + run) {
        start = i;

        for (run = 0; start + run < 8 && a[2 * (start + run)] == 0
                      && a[2 * (start + run) + 1] == 0; run++)
        {
            /* void */
        }

        if (run > len) {
            best = start;
            len = run;
        }

        if (run == 0) {
            run = 1;
        }
    }

    d = *buf;
    host->data = d;
    *d++ = '[';

    for (i = 0; i < 8; i++) {
        if (i == best) {
            *d++ = ':';
            if (i == 0) {
                *d++ = ':';
            }
            i += len - 1;
            continue;
        }

        d = ngx_sprintf(d, "%xi", (ngx_uint_t) (a[2 * i] << 8 | a[2 * i + 1]));

        if (i < 7) {
            *d++ = ':';
        }
    }

    *d++ = ']';
    host->len = d - host->data;
    *buf = d;

    return NGX_OK;
}


/*
 * The path from p (starting at "/", or relative to base), then "?query"
 * and "#fragment"; a special URL's path is never empty
 */

static void
ngx_faas_url_path(u_char *p, u_char *end, ngx_faas_url_t *url,
    ngx_str_t *base, u_char **buf)
{
    u_char     *q, *s;
    ngx_str_t  *path;
    ngx_uint_t  set;

    path = &url->part[NGX_FAAS_URL_PATHNAME];

    for (q = p; q < end && *q != '?' && *q != '#'; q++) {
        /* void */
    }

    if (!url->opaque && (p < q || base)) {
        path->data = *buf;
        path->len = 0;

        if (base) {
            /* the base's directory, without its "/": segments add one */
            path->len = ngx_cpymem(path->data, base->data, base->len)
                        - path->data;
            if (path->len) {
                path->len--;
            }
            s = p;

        } else {
            s = p + 1;
        }

        /* segments separated by "/" (and "\" in special URLs) */

        for ( ;; ) {
            for (p = s; p < q && *p != '/' && !(url->special && *p == '\\');
                 p++)
            {
                /* void */
            }

            ngx_faas_url_segment(s, p, url, path, p == q);

            if (p == q) {
                break;
            }

            s = p + 1;
        }

        *buf = path->data + path->len;

    } else if (!url->opaque && path->data == NULL) {
        path->data = *buf;
        path->len = 0;
    }

    if (url->special && !url->opaque && path->len == 0) {
        path->data = (u_char *) "/";
        path->len = 1;
    }

    p = q;

    if (p < end && *p == '?') {
        for (q = p + 1; q < end && *q != '#'; q++) {
            /* void */
        }

        set = url->special ? NGX_FAAS_URL_SQUERY : NGX_FAAS_URL_QUERY;
        url->part[NGX_FAAS_URL_SEARCH].data = *buf;
        *buf = ngx_faas_url_escape(*buf, p + 1, q, set);
        url->part[NGX_FAAS_URL_SEARCH].len =
                                *buf - url->part[NGX_FAAS_URL_SEARCH].data;
        p = q;
    }

    if (p < end && *p == '#') {
        url->part[NGX_FAAS_URL_HASH].data = *buf;
        *buf = ngx_faas_url_escape(*buf, p + 1, end, NGX_FAAS_URL_FRAGMENT);
        url->part[NGX_FAAS_URL_HASH].len =
                                *buf - url->part[NGX_FAAS_URL_HASH].data;
    }
}


/* appends "/segment" to path, resolving "." and ".." (also %2e forms) */

static void
ngx_faas_url_segment(u_char *p, u_char *end, ngx_faas_url_t *url,
    ngx_str_t *path, ngx_uint_t last)
{
    u_char      *d;
    ngx_uint_t   dots;
    size_t       n;

    dots = 0;
    n = end - p;

    if ((n == 1 && p[0] == '.')
        || (n == 3 && p[0] == '%' && p[1] == '2' && (p[2] | 0x20) == 'e'))
    {
        dots = 1;

    } else if ((n == 2 && p[0] == '.' && p[1] == '.')
               || (n == 4 && ((p[0] == '.' && p[1] == '%' && p[2] == '2'
                               && (p[3] | 0x20) == 'e')
                              || (p[0] == '%' && p[1] == '2'
                                  && (p[2] | 0x20) == 'e' && p[3] == '.')))
               || (n == 6 && p[0] == '%' && p[1] == '2'
                   && (p[2] | 0x20) == 'e' && p[3] == '%' && p[4] == '2'
                   && (p[5] | 0x20) == 'e'))
    {
        dots = 2;
    }

    if (dots == 2) {
        /* shorten: drop the last segment */
        if (path->len) {
            path->len--;

            while (path->len && path->data[path->len - 1] != '/') {
                path->len--;
            }

            if (path->len) {
                path->len--;
            }
        }
    }

    if (dots) {
        if (last) {
            path->data[path->len++] = '/';
        }

        return;
    }

    d = path->data + path->len;
    *d++ = '/';
    d = ngx_faas_url_escape(d, p, end, NGX_FAAS_URL_PATH);
    path->len = d - path->data;
}


static u_char *
ngx_faas_url_escape(u_char *dst, u_char *p, u_char *end, ngx_uint_t set)
{
    static u_char  hex[] = "0123456789ABCDEF";

    for ( /* void */ ; p < end; p++) {
        if (*p >= 0x80 || (ngx_faas_url_sets[*p] & set)) {
            if (set == NGX_FAAS_URL_FORM && *p == ' ') {
                *dst++ = '+';
                continue;
            }

            *dst++ = '%';
            *dst++ = hex[*p >> 4];
            *dst++ = hex[*p & 0xf];
            continue;
        }

        *dst++ = *p;
    }

    return dst;
}


static ngx_uint_t
ngx_faas_url_special(ngx_str_t *scheme)
{
    return ngx_faas_url_default_port(scheme) != NULL;
}


/* the scheme's default port ("" for file), NULL if it is not special */

static ngx_str_t *
ngx_faas_url_default_port(ngx_str_t *scheme)
{
    ngx_str_t  *s;

    for (s = ngx_faas_url_schemes; s->len; s += 2) {
        if (s->len == scheme->len
            && ngx_strncmp(s->data, scheme->data, s->len) == 0)
        {
            return &s[1];
        }
    }

    return NULL;
}


/*
 * Duktape's string bytes as well-formed UTF-8 (a USVString): surrogate
 * pairs joined, a lone surrogate becomes U+FFFD; never longer than len
 */

static size_t
ngx_faas_url_utf8(u_char *dst, u_char *p, size_t len)
{
    u_char    *d, *end;
    uint32_t   c, lo;

    d = dst;
    end = p + len;

    while (p < end) {
        if (end - p >= 3 && p[0] == 0xed && p[1] >= 0xa0) {
            c = ((p[1] & 0x3f) << 6) | (p[2] & 0x3f);
            c |= 0xd000;

            if (c < 0xdc00 && end - p >= 6 && p[3] == 0xed && p[4] >= 0xb0) {
                lo = 0xd000 | ((p[4] & 0x3f) << 6) | (p[5] & 0x3f);
                c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
                *d++ = (u_char) (0xf0 | (c >> 18));
                *d++ = (u_char) (0x80 | ((c >> 12) & 0x3f));
                *d++ = (u_char) (0x80 | ((c >> 6) & 0x3f));
                *d++ = (u_char) (0x80 | (c & 0x3f));
                p += 6;
                continue;
            }

            *d++ = 0xef; *d++ = 0xbf; *d++ = 0xbd;
            p += 3;
            continue;
        }

        *d++ = *p++;
    }

    return d - dst;
}


/* the parts into hidden properties of the object at idx */

static void
ngx_faas_url_store(duk_context *duk, duk_idx_t idx, ngx_faas_url_t *url)
{
    ngx_uint_t  i;

    idx = duk_normalize_index(duk, idx);

    duk_push_array(duk);

    for (i = 0; i < NGX_FAAS_URL_NPARTS; i++) {
        if (url->part[i].data == NULL
            && (i == NGX_FAAS_URL_HOST || i == NGX_FAAS_URL_SEARCH
                || i == NGX_FAAS_URL_HASH))
        {
            duk_push_null(duk);

        } else {
            duk_push_lstring(duk, (char *) url->part[i].data,
                             url->part[i].len);
        }

        duk_put_prop_index(duk, -2, i);
    }

    duk_push_int(duk, url->special | url->opaque << 1);
    duk_put_prop_index(duk, -2, NGX_FAAS_URL_NPARTS);

    duk_put_prop_literal(duk, idx, NGX_FAAS_URL_PARTS);
}


/* the parts of the URL at idx, pointing into strings kept by the URL */

static void
ngx_faas_url_load(duk_context *duk, duk_idx_t idx, ngx_faas_url_t *url)
{
    duk_int_t   flags;
    ngx_uint_t  i;

    if (!duk_is_object(duk, idx)
        || !duk_get_prop_literal(duk, idx, NGX_FAAS_URL_PARTS))
    {
        (void) duk_type_error(duk, "Illegal invocation: not a URL");
    }

    for (i = 0; i < NGX_FAAS_URL_NPARTS; i++) {
        duk_get_prop_index(duk, -1, i);

        if (duk_is_null(duk, -1)) {
            url->part[i].data = NULL;
            url->part[i].len = 0;

        } else {
            url->part[i].data = (u_char *) duk_get_lstring(duk, -1,
                                                           &url->part[i].len);
        }

        duk_pop(duk);
    }

    duk_get_prop_index(duk, -1, NGX_FAAS_URL_NPARTS);
    flags = duk_get_int(duk, -1);
    url->special = flags & 1;
    url->opaque = (flags >> 1) & 1;
    duk_pop_2(duk);
}


/* the URL serializer */

static void
ngx_faas_url_push_href(duk_context *duk, ngx_faas_url_t *url)
{
    duk_idx_t   top;
    ngx_str_t  *part;

    part = url->part;
    top = duk_get_top(duk);

    duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_SCHEME].data,
                     part[NGX_FAAS_URL_SCHEME].len);
    duk_push_literal(duk, ":");

    if (part[NGX_FAAS_URL_HOST].data) {
        duk_push_literal(duk, "//");

        if (part[NGX_FAAS_URL_USERNAME].len
            || part[NGX_FAAS_URL_PASSWORD].len)
        {
            duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_USERNAME].data,
                             part[NGX_FAAS_URL_USERNAME].len);

            if (part[NGX_FAAS_URL_PASSWORD].len) {
                duk_push_literal(duk, ":");
                duk_push_lstring(duk,
                                 (char *) part[NGX_FAAS_URL_PASSWORD].data,
                                 part[NGX_FAAS_URL_PASSWORD].len);
            }

            duk_push_literal(duk, "@");
        }

        duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_HOST].data,
                         part[NGX_FAAS_URL_HOST].len);

        if (part[NGX_FAAS_URL_PORT].len) {
            duk_push_literal(duk, ":");
            duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_PORT].data,
                             part[NGX_FAAS_URL_PORT].len);
        }

    } else if (!url->opaque && part[NGX_FAAS_URL_PATHNAME].len > 1
               && part[NGX_FAAS_URL_PATHNAME].data[1] == '/')
    {
        duk_push_literal(duk, "/.");
    }

    duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_PATHNAME].data,
                     part[NGX_FAAS_URL_PATHNAME].len);

    if (part[NGX_FAAS_URL_SEARCH].data) {
        duk_push_literal(duk, "?");
        duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_SEARCH].data,
                         part[NGX_FAAS_URL_SEARCH].len);
    }

    if (part[NGX_FAAS_URL_HASH].data) {
        duk_push_literal(duk, "#");
        duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_HASH].data,
                         part[NGX_FAAS_URL_HASH].len);
    }

    duk_concat(duk, duk_get_top(duk) - top);
}


/* the getters of URL.prototype, by magic */

static duk_ret_t
ngx_faas_url_get(duk_context *duk)
{
    duk_int_t        magic;
    ngx_str_t       *part;
    ngx_faas_url_t   url;

    magic = duk_get_current_magic(duk);

    duk_push_this(duk);
    ngx_faas_url_load(duk, 0, &url);
    part = url.part;

    switch (magic) {

    case NGX_FAAS_URL_HREF:
        ngx_faas_url_push_href(duk, &url);
        return 1;

    case NGX_FAAS_URL_PROTOCOL:
        duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_SCHEME].data,
                         part[NGX_FAAS_URL_SCHEME].len);
        duk_push_literal(duk, ":");
        duk_concat(duk, 2);
        return 1;

    case NGX_FAAS_URL_HOSTPORT:
        duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_HOST].data,
                         part[NGX_FAAS_URL_HOST].len);

        if (part[NGX_FAAS_URL_PORT].len) {
            duk_push_literal(duk, ":");
            duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_PORT].data,
                             part[NGX_FAAS_URL_PORT].len);
            duk_concat(duk, 3);
        }

        return 1;

    case NGX_FAAS_URL_ORIGIN:
        if (!url.special || ngx_faas_url_file(&url)) {
            duk_push_literal(duk, "null");
            return 1;
        }

        duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_SCHEME].data,
                         part[NGX_FAAS_URL_SCHEME].len);
        duk_push_literal(duk, "://");
        duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_HOST].data,
                         part[NGX_FAAS_URL_HOST].len);

        if (part[NGX_FAAS_URL_PORT].len) {
            duk_push_literal(duk, ":");
            duk_push_lstring(duk, (char *) part[NGX_FAAS_URL_PORT].data,
                             part[NGX_FAAS_URL_PORT].len);
            duk_concat(duk, 5);
            return 1;
        }

        duk_concat(duk, 3);
        return 1;

    case NGX_FAAS_URL_SEARCH_PARAMS:
        if (!duk_get_prop_literal(duk, 0, NGX_FAAS_URL_PARAMS)) {
            duk_pop(duk);
            ngx_faas_params_push(duk, 0);
            duk_dup_top(duk);
            duk_put_prop_literal(duk, 0, NGX_FAAS_URL_PARAMS);
        }

        return 1;

    case NGX_FAAS_URL_SEARCH:
    case NGX_FAAS_URL_HASH:
        if (part[magic].len == 0) {
            duk_push_literal(duk, "");
            return 1;
        }

        duk_push_string(duk, magic == NGX_FAAS_URL_SEARCH ? "?" : "#");
        duk_push_lstring(duk, (char *) part[magic].data, part[magic].len);
        duk_concat(duk, 2);
        return 1;

    default:
        duk_push_lstring(duk, (char *) part[magic].data, part[magic].len);
        return 1;
    }
}


/*
 * The setters of href, pathname, search and hash: the href rebuilt with
 * the new part is parsed again (href itself throws if it does not parse)
 */

static duk_ret_t
ngx_faas_url_set(duk_context *duk)
{
    u_char          *p, *q, *end;
    size_t           len;
    duk_int_t        magic;
    ngx_str_t       *part;
    ngx_faas_url_t   url;

    magic = duk_get_current_magic(duk);

    duk_to_string(duk, 0);
    duk_push_this(duk);

    /* stack: [ value URL ] */

    if (magic != NGX_FAAS_URL_HREF) {
        ngx_faas_url_load(duk, 1, &url);
        part = url.part;

        p = (u_char *) duk_get_lstring(duk, 0, &len);
        end = p + len;

        if (magic == NGX_FAAS_URL_PATHNAME) {
            if (url.opaque) {
                return 0;
            }

            /* "?" and "#" belong to the path here */

            q = duk_push_fixed_buffer(duk, 3 * len + 1);
            part[magic].data = q;

            if (len == 0 || (*p != '/' && !(url.special && *p == '\\'))) {
                *q++ = '/';
            }

            for ( /* void */ ; p < end; p++) {
                if (*p == '?' || *p == '#') {
                    q = ngx_sprintf(q, "%%%02XD", (uint32_t) *p);

                } else {
                    *q++ = *p;
                }
            }

            part[magic].len = q - part[magic].data;

        } else {
            if (len && *p == (magic == NGX_FAAS_URL_SEARCH ? '?' : '#')) {
                p++;
                len--;
            }

            part[magic].data = len ? p : NULL;
            part[magic].len = len;
        }

        ngx_faas_url_push_href(duk, &url);
        duk_replace(duk, 0);
        duk_set_top(duk, 2);
    }

    ngx_faas_url_parse_value(duk, 0, NULL, &url);
    ngx_faas_url_store(duk, 1, &url);
    ngx_faas_url_update(duk, 1);

    return 0;
}


/* toString() and toJSON(): the href */

static duk_ret_t
ngx_faas_url_href(duk_context *duk)
{
    ngx_faas_url_t  url;

    duk_push_this(duk);
    ngx_faas_url_load(duk, 0, &url);
    ngx_faas_url_push_href(duk, &url);

    return 1;
}


/* after the URL changed: its searchParams list follows its query */

static void
ngx_faas_url_update(duk_context *duk, duk_idx_t url_idx)
{
    u_char          *p;
    size_t           len;
    ngx_faas_url_t   url;

    if (!duk_get_prop_literal(duk, url_idx, NGX_FAAS_URL_PARAMS)) {
        duk_pop(duk);
        return;
    }

    ngx_faas_url_load(duk, url_idx, &url);

    duk_push_array(duk);
    p = url.part[NGX_FAAS_URL_SEARCH].data;
    len = url.part[NGX_FAAS_URL_SEARCH].len;

    if (p) {
        ngx_faas_params_parse(duk, -1, p, p + len);
    }

    duk_put_prop_literal(duk, -2, NGX_FAAS_URL_LIST);
    duk_pop(duk);
}


/* new URLSearchParams(init): a string, a sequence of pairs or a record */

static duk_ret_t
ngx_faas_params_construct(duk_context *duk)
{
    u_char         *p;
    size_t          len;
    duk_uarridx_t   n;

    if (!duk_is_constructor_call(duk)) {
        return duk_type_error(duk, "Failed to construct 'URLSearchParams': "
                                   "Please use the 'new' operator");
    }

    duk_push_this(duk);
    duk_push_array(duk);

    /* stack: [ init this list ] */

    if (duk_is_object(duk, 0) && !duk_is_function(duk, 0)) {
        if (ngx_faas_builtins_iterable(duk, 0) || duk_is_array(duk, 0)) {
            ngx_faas_builtins_iterate(duk, 0, ngx_faas_params_pair, NULL);

        } else {
            duk_enum(duk, 0, DUK_ENUM_OWN_PROPERTIES_ONLY);

            for (n = 0; duk_next(duk, -1, 1); n += 2) {
                duk_to_string(duk, -1);
                duk_put_prop_index(duk, 2, n + 1);
                duk_put_prop_index(duk, 2, n);
            }

            duk_pop(duk);
        }

    } else if (!duk_is_undefined(duk, 0)) {
        p = (u_char *) duk_to_lstring(duk, 0, &len);

        if (len && *p == '?') {
            p++;
            len--;
        }

        ngx_faas_params_parse(duk, 2, p, p + len);
    }

    duk_put_prop_literal(duk, 1, NGX_FAAS_URL_LIST);

    return 0;
}


/* one [name, value] of a sequence, on top of the stack, into the list */

static duk_ret_t
ngx_faas_params_pair(duk_context *duk, void *data)
{
    duk_uarridx_t  n;

    if (!duk_is_object(duk, -1) || duk_get_length(duk, -1) != 2) {
        return duk_type_error(duk, "Failed to construct 'URLSearchParams': "
                                   "each pair must have exactly two items");
    }

    n = (duk_uarridx_t) duk_get_length(duk, 2);

    duk_get_prop_index(duk, -1, 0);
    duk_to_string(duk, -1);
    duk_put_prop_index(duk, 2, n);
    duk_get_prop_index(duk, -1, 1);
    duk_to_string(duk, -1);
    duk_put_prop_index(duk, 2, n + 1);
    duk_pop(duk);

    return 0;
}


/* the searchParams of the URL at owner */

static void
ngx_faas_params_push(duk_context *duk, duk_idx_t owner)
{
    owner = duk_normalize_index(duk, owner);

    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_URL_PARAMS);
    duk_new(duk, 0);
    duk_remove(duk, -2);

    duk_dup(duk, owner);
    duk_put_prop_literal(duk, -2, NGX_FAAS_URL_OWNER);

    duk_get_prop_literal(duk, owner, NGX_FAAS_URL_PARTS);
    duk_get_prop_index(duk, -1, NGX_FAAS_URL_SEARCH);
    duk_remove(duk, -2);

    /* stack: [ ... params query ] */

    if (duk_is_string(duk, -1)) {
        duk_get_prop_literal(duk, -2, NGX_FAAS_URL_LIST);
        ngx_faas_params_parse(duk, -1,
                              (u_char *) duk_get_string(duk, -2),
                              (u_char *) duk_get_string(duk, -2)
                              + duk_get_length(duk, -2));
        duk_pop(duk);
    }

    duk_pop(duk);
}


/* application/x-www-form-urlencoded parsing into the list at idx */

static void
ngx_faas_params_parse(duk_context *duk, duk_idx_t list, u_char *p,
    u_char *end)
{
    u_char         *s, *eq;
    duk_uarridx_t   n;

    list = duk_normalize_index(duk, list);
    n = (duk_uarridx_t) duk_get_length(duk, list);

    while (p < end) {
        for (s = p; s < end && *s != '&'; s++) {
            /* void */
        }

        if (s > p) {
            for (eq = p; eq < s && *eq != '='; eq++) {
                /* void */
            }

            ngx_faas_params_decode(duk, p, eq);
            duk_put_prop_index(duk, list, n++);
            ngx_faas_params_decode(duk, eq < s ? eq + 1 : s, s);
            duk_put_prop_index(duk, list, n++);
        }

        p = s + 1;
    }
}


/* "+" is a space, %XX a byte; bytes that are not UTF-8 become U+FFFD */

static void
ngx_faas_params_decode(duk_context *duk, u_char *p, u_char *end)
{
    u_char  *d, *start;

    start = duk_push_fixed_buffer(duk, end - p);
    d = start;

    for ( /* void */ ; p < end; p++) {
        if (*p == '+') {
            *d++ = ' ';

        } else if (*p == '%' && end - p >= 3 && isxdigit(p[1])
                   && isxdigit(p[2]))
        {
            *d++ = (u_char) ngx_hextoi(p + 1, 2);
            p += 2;

        } else {
            *d++ = *p;
        }
    }

    ngx_faas_string_push(duk, start, d - start);
    duk_remove(duk, -2);
}


/* this as a URLSearchParams: pushes its list */

static duk_idx_t
ngx_faas_params_this(duk_context *duk)
{
    duk_push_this(duk);

    if (!duk_is_object(duk, -1)
        || !duk_get_prop_literal(duk, -1, NGX_FAAS_URL_LIST))
    {
        return duk_type_error(duk, "Illegal invocation: "
                                   "not a URLSearchParams");
    }

    return duk_get_top_index(duk);
}


/* the update steps: the owning URL's query is the serialized list */

static void
ngx_faas_params_changed(duk_context *duk, duk_idx_t list)
{
    u_char          *p;
    size_t           len;
    ngx_faas_url_t   url;

    if (!duk_get_prop_literal(duk, list - 1, NGX_FAAS_URL_OWNER)) {
        duk_pop(duk);
        return;
    }

    ngx_faas_url_load(duk, -1, &url);
    ngx_faas_params_serialize(duk, list);
    p = (u_char *) duk_get_lstring(duk, -1, &len);
    url.part[NGX_FAAS_URL_SEARCH].data = len ? p : NULL;
    url.part[NGX_FAAS_URL_SEARCH].len = len;
    ngx_faas_url_store(duk, -2, &url);
    duk_pop_2(duk);
}


static void
ngx_faas_params_serialize(duk_context *duk, duk_idx_t list)
{
    u_char         *p, *buf;
    size_t          len, size;
    duk_uarridx_t   i, n;

    list = duk_normalize_index(duk, list);
    n = (duk_uarridx_t) duk_get_length(duk, list);
    size = n;

    /*
     * in bytes: a character counts one in duk_get_length() but may be
     * three bytes (U+FFFD) escaped to nine; made UTF-8 a string is never
     * longer, and escaped each byte is three at most
     */

    for (i = 0; i < n; i++) {
        duk_get_prop_index(duk, list, i);
        (void) duk_get_lstring(duk, -1, &len);
        size += 3 * len;
        duk_pop(duk);
    }

    buf = duk_push_fixed_buffer(duk, size + 1);
    p = buf;

    for (i = 0; i < n; i++) {
        if (i) {
            *p++ = (i & 1) ? '=' : '&';
        }

        duk_get_prop_index(duk, list, i);
        duk_get_lstring(duk, -1, &len);
        len = ngx_faas_url_utf8(p, (u_char *) duk_get_string(duk, -1), len);

        /* escaped in place from a copy at the end of the room left */

        ngx_memmove(buf + size - len, p, len);
        p = ngx_faas_url_escape(p, buf + size - len, buf + size,
                                NGX_FAAS_URL_FORM);
        duk_pop(duk);
    }

    duk_push_lstring(duk, (char *) buf, p - buf);
    duk_remove(duk, -2);
}


/* append(name, value) */

static duk_ret_t
ngx_faas_params_append(duk_context *duk)
{
    duk_idx_t      list;
    duk_uarridx_t  n;

    duk_to_string(duk, 0);
    duk_to_string(duk, 1);
    list = ngx_faas_params_this(duk);
    n = (duk_uarridx_t) duk_get_length(duk, list);

    duk_dup(duk, 0);
    duk_put_prop_index(duk, list, n);
    duk_dup(duk, 1);
    duk_put_prop_index(duk, list, n + 1);

    ngx_faas_params_changed(duk, list);

    return 0;
}


/* delete(name, value) (magic 0) and has(name, value) (magic 3) */

static duk_ret_t
ngx_faas_params_delete(duk_context *duk)
{
    duk_idx_t      list;
    duk_bool_t     any, found;
    duk_uarridx_t  i, j, n;

    duk_to_string(duk, 0);
    any = duk_is_undefined(duk, 1);

    if (!any) {
        duk_to_string(duk, 1);
    }

    list = ngx_faas_params_this(duk);
    n = (duk_uarridx_t) duk_get_length(duk, list);
    found = 0;

    for (i = 0, j = 0; i < n; i += 2) {
        duk_get_prop_index(duk, list, i);
        duk_get_prop_index(duk, list, i + 1);

        if (duk_strict_equals(duk, 0, -2)
            && (any || duk_strict_equals(duk, 1, -1)))
        {
            found = 1;
            duk_pop_2(duk);

            if (duk_get_current_magic(duk)) {
                break;
            }

            continue;
        }

        duk_put_prop_index(duk, list, j + 1);
        duk_put_prop_index(duk, list, j);
        j += 2;
    }

    if (duk_get_current_magic(duk)) {
        duk_push_boolean(duk, found);
        return 1;
    }

    ngx_faas_params_keep(duk, list, j);

    return 0;
}


/* get(name) (magic 1) and getAll(name) (magic 2) */

static duk_ret_t
ngx_faas_params_get(duk_context *duk)
{
    duk_idx_t      list;
    duk_uarridx_t  i, n, k;

    duk_to_string(duk, 0);
    list = ngx_faas_params_this(duk);
    n = (duk_uarridx_t) duk_get_length(duk, list);

    if (duk_get_current_magic(duk) == 2) {
        duk_push_array(duk);
    }

    for (i = 0, k = 0; i < n; i += 2) {
        duk_get_prop_index(duk, list, i);

        if (!duk_strict_equals(duk, 0, -1)) {
            duk_pop(duk);
            continue;
        }

        duk_pop(duk);
        duk_get_prop_index(duk, list, i + 1);

        if (duk_get_current_magic(duk) == 1) {
            return 1;
        }

        duk_put_prop_index(duk, -2, k++);
    }

    if (duk_get_current_magic(duk) == 1) {
        duk_push_null(duk);
    }

    return 1;
}


/* set(name, value): the first pair gets the value, the others go */

static duk_ret_t
ngx_faas_params_set(duk_context *duk)
{
    duk_idx_t      list;
    duk_bool_t     found;
    duk_uarridx_t  i, j, n;

    duk_to_string(duk, 0);
    duk_to_string(duk, 1);
    list = ngx_faas_params_this(duk);
    n = (duk_uarridx_t) duk_get_length(duk, list);
    found = 0;

    for (i = 0, j = 0; i < n; i += 2) {
        duk_get_prop_index(duk, list, i);

        if (duk_strict_equals(duk, 0, -1)) {
            if (found) {
                duk_pop(duk);
                continue;
            }

            found = 1;
            duk_dup(duk, 1);

        } else {
            duk_get_prop_index(duk, list, i + 1);
        }

        duk_put_prop_index(duk, list, j + 1);
        duk_put_prop_index(duk, list, j);
        j += 2;
    }

    if (!found) {
        duk_dup(duk, 0);
        duk_put_prop_index(duk, list, j);
        duk_dup(duk, 1);
        duk_put_prop_index(duk, list, j + 1);
        j += 2;
    }

    ngx_faas_params_keep(duk, list, j);

    return 0;
}


/* delete() and set() rewrote the list in place: its first n entries stay */

static void
ngx_faas_params_keep(duk_context *duk, duk_idx_t list, duk_uarridx_t n)
{
    duk_push_uint(duk, n);
    duk_put_prop_literal(duk, list, "length");

    ngx_faas_params_changed(duk, list);
}


/* sort(): stable (ngx_sort() is an insertion sort), by the names' bytes */

static duk_ret_t
ngx_faas_params_sort(duk_context *duk)
{
    duk_idx_t                list;
    duk_uarridx_t            i, n;
    ngx_faas_params_name_t  *names;

    list = ngx_faas_params_this(duk);
    n = (duk_uarridx_t) duk_get_length(duk, list) / 2;

    names = duk_push_fixed_buffer(duk, n * sizeof(ngx_faas_params_name_t) + 1);

    for (i = 0; i < n; i++) {
        duk_get_prop_index(duk, list, 2 * i);
        names[i].data = (u_char *) duk_get_lstring(duk, -1, &names[i].len);
        names[i].index = i;
        duk_pop(duk);
    }

    ngx_sort(names, n, sizeof(ngx_faas_params_name_t),
             ngx_faas_params_cmp);

    duk_push_array(duk);

    /* stack: [ this list names sorted ] */

    for (i = 0; i < n; i++) {
        duk_get_prop_index(duk, list, 2 * names[i].index);
        duk_put_prop_index(duk, -2, 2 * i);
        duk_get_prop_index(duk, list, 2 * names[i].index + 1);
        duk_put_prop_index(duk, -2, 2 * i + 1);
    }

    duk_put_prop_literal(duk, list - 1, NGX_FAAS_URL_LIST);
    duk_pop(duk);
    ngx_faas_params_changed(duk, list);

    return 0;
}


static ngx_int_t
ngx_faas_params_cmp(const void *one, const void *two)
{
    ngx_int_t                rc;
    const ngx_faas_params_name_t  *a = one, *b = two;

    rc = ngx_memcmp(a->data, b->data, ngx_min(a->len, b->len));

    if (rc == 0) {
        rc = (ngx_int_t) a->len - (ngx_int_t) b->len;
    }

    return rc;
}


/* toString(): application/x-www-form-urlencoded */

static duk_ret_t
ngx_faas_params_to_string(duk_context *duk)
{
    ngx_faas_params_serialize(duk, ngx_faas_params_this(duk));

    return 1;
}


/* forEach(callback, thisArg): callback(value, name, params) */

static duk_ret_t
ngx_faas_params_for_each(duk_context *duk)
{
    duk_idx_t      list;
    duk_uarridx_t  i;

    list = ngx_faas_params_this(duk);

    if (!duk_is_callable(duk, 0)) {
        return duk_type_error(duk, "%s is not a function",
                              duk_safe_to_string(duk, 0));
    }

    /* the list is read again each round: changes show, as in browsers */

    for (i = 0; i < duk_get_length(duk, list); i += 2) {
        duk_dup(duk, 0);
        duk_dup(duk, 1);
        duk_get_prop_index(duk, list, i + 1);
        duk_get_prop_index(duk, list, i);
        duk_dup(duk, list - 1);
        duk_call_method(duk, 3);
        duk_pop(duk);
    }

    return 0;
}


static duk_ret_t
ngx_faas_params_size(duk_context *duk)
{
    duk_idx_t  list;

    list = ngx_faas_params_this(duk);
    duk_push_uint(duk, (duk_uint_t) duk_get_length(duk, list) / 2);

    return 1;
}


/* keys() (magic 0), values() (1) and entries() (2): live iterators */

static duk_ret_t
ngx_faas_params_iterator(duk_context *duk)
{
    (void) ngx_faas_params_this(duk);

    duk_push_object(duk);
    duk_push_heap_stash(duk);
    duk_get_prop_literal(duk, -1, NGX_FAAS_URL_ITER_PROTO);
    duk_set_prototype(duk, -3);
    duk_pop(duk);

    /* stack: [ this list iterator ] */

    duk_dup(duk, 1);
    duk_put_prop_literal(duk, -2, NGX_FAAS_URL_LIST);
    duk_push_int(duk, duk_get_current_magic(duk));
    duk_put_prop_literal(duk, -2, NGX_FAAS_URL_OWNER);
    duk_push_uint(duk, 0);
    duk_put_prop_literal(duk, -2, NGX_FAAS_URL_INDEX);

    return 1;
}


static duk_ret_t
ngx_faas_params_next(duk_context *duk)
{
    duk_int_t      kind;
    duk_uarridx_t  i;

    duk_push_this(duk);

    if (!duk_get_prop_literal(duk, 0, NGX_FAAS_URL_LIST)) {
        return duk_type_error(duk, "Illegal invocation: not an iterator");
    }

    duk_get_prop_literal(duk, 0, NGX_FAAS_URL_OWNER);
    kind = duk_get_int(duk, -1);
    duk_get_prop_literal(duk, 0, NGX_FAAS_URL_INDEX);
    i = (duk_uarridx_t) duk_get_uint(duk, -1);
    duk_pop_2(duk);

    /* stack: [ iterator list ] */

    duk_push_object(duk);

    if (i >= duk_get_length(duk, 1)) {
        duk_push_undefined(duk);
        duk_put_prop_literal(duk, -2, "value");
        duk_push_true(duk);
        duk_put_prop_literal(duk, -2, "done");
        return 1;
    }

    duk_push_uint(duk, i + 2);
    duk_put_prop_literal(duk, 0, NGX_FAAS_URL_INDEX);

    if (kind == 2) {
        duk_push_array(duk);
        duk_get_prop_index(duk, 1, i);
        duk_put_prop_index(duk, -2, 0);
        duk_get_prop_index(duk, 1, i + 1);
        duk_put_prop_index(duk, -2, 1);

    } else {
        duk_get_prop_index(duk, 1, i + (duk_uarridx_t) kind);
    }

    duk_put_prop_literal(duk, -2, "value");
    duk_push_false(duk);
    duk_put_prop_literal(duk, -2, "done");

    return 1;
}


static duk_ret_t
ngx_faas_params_self(duk_context *duk)
{
    duk_push_this(duk);

    return 1;
}
