
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <sys/random.h>

#include "ngx_faas.h"
#include "ngx_faas_builtins.h"
#include "ngx_faas_web.h"


/*
 * The web platform's small globals: atob() and btoa() (HTML's forgiving
 * base64), crypto.getRandomValues() and crypto.randomUUID() (Web Crypto)
 * from the kernel's random source.  Their DOMExceptions are Error objects
 * with the DOMException's name and code, as Node's are instances of Error.
 */


#define NGX_FAAS_WEB_INTEGER_ARRAYS  DUK_HIDDEN_SYMBOL("faasIntegerArrays")

/* Web Crypto's limit on one getRandomValues() call */
#define NGX_FAAS_WEB_RANDOM_MAX      65536


static duk_ret_t ngx_faas_web_atob(duk_context *duk);
static duk_ret_t ngx_faas_web_btoa(duk_context *duk);
static duk_ret_t ngx_faas_web_get_random_values(duk_context *duk);
static duk_ret_t ngx_faas_web_random_uuid(duk_context *duk);
static void ngx_faas_web_random(duk_context *duk, u_char *p, size_t size);


static ngx_faas_builtins_fn_t  ngx_faas_web_global[] = {
    { "atob", ngx_faas_web_atob, 1, 1, 0 },
    { "btoa", ngx_faas_web_btoa, 1, 1, 0 },
    { NULL, NULL, 0, 0, 0 }
};


static ngx_faas_builtins_fn_t  ngx_faas_web_crypto[] = {
    { "getRandomValues", ngx_faas_web_get_random_values, 1, 1, 0 },
    { "randomUUID", ngx_faas_web_random_uuid, 0, 0, 0 },
    { NULL, NULL, 0, 0, 0 }
};


/* the typed arrays getRandomValues() fills; the others are refused */
static const char  *ngx_faas_web_integer_arrays[] = {
    "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array",
    "Uint16Array", "Int32Array", "Uint32Array", NULL
};


void
ngx_faas_web_init(duk_context *duk)
{
    duk_uarridx_t            i;
    ngx_faas_builtins_fn_t  *fn;

    duk_push_global_object(duk);

    for (fn = ngx_faas_web_global; fn->name; fn++) {
        ngx_faas_builtins_define(duk, -1, fn);
    }

    duk_push_literal(duk, "crypto");
    duk_push_object(duk);

    for (fn = ngx_faas_web_crypto; fn->name; fn++) {
        ngx_faas_builtins_define(duk, -1, fn);
    }

    duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE | DUK_DEFPROP_SET_WC
                          | DUK_DEFPROP_CLEAR_E);

    /* the original constructors, whatever the program does to globals */

    duk_push_heap_stash(duk);
    duk_push_array(duk);

    for (i = 0; ngx_faas_web_integer_arrays[i]; i++) {
        duk_get_prop_string(duk, -3, ngx_faas_web_integer_arrays[i]);
        duk_put_prop_index(duk, -2, i);
    }

    duk_put_prop_literal(duk, -2, NGX_FAAS_WEB_INTEGER_ARRAYS);
    duk_pop_2(duk);
}


/* throws an Error named as the DOMException, with its legacy code */

duk_ret_t
ngx_faas_web_throw(duk_context *duk, const char *name, duk_int_t code,
    const char *message)
{
    (void) duk_push_error_object(duk, DUK_ERR_ERROR, "%s", message);
    duk_push_string(duk, name);
    duk_put_prop_literal(duk, -2, "name");
    duk_push_int(duk, code);
    duk_put_prop_literal(duk, -2, "code");

    return duk_throw(duk);
}


/*
 * atob(data): ASCII white space is dropped, then one or two "=" at the
 * end of a multiple of four; anything outside the alphabet, or a length
 * of 4n + 1, is an InvalidCharacterError; the bytes become characters
 * U+0000 to U+00FF
 */

static duk_ret_t
ngx_faas_web_atob(duk_context *duk)
{
    u_char     *p, *end, *out, c;
    size_t      len, n, i;
    ngx_str_t   src, dst;

    p = (u_char *) duk_to_lstring(duk, 0, &len);
    end = p + len;

    src.data = duk_push_fixed_buffer(duk, len);
    n = 0;

    for ( /* void */ ; p < end; p++) {
        c = *p;

        if (c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r') {
            continue;
        }

        src.data[n++] = c;
    }

    if (n % 4 == 0 && n && src.data[n - 1] == '=') {
        n -= (src.data[n - 2] == '=') ? 2 : 1;
    }

    for (i = 0; i < n; i++) {
        c = src.data[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9') || c == '+' || c == '/'))
        {
            break;
        }
    }

    if (i < n || n % 4 == 1) {
        return ngx_faas_web_throw(duk, "InvalidCharacterError", 5,
                                  "The string to be decoded is not "
                                  "correctly encoded.");
    }

    src.len = n;
    dst.data = duk_push_fixed_buffer(duk, n);

    if (ngx_decode_base64(&dst, &src) != NGX_OK) {
        return ngx_faas_web_throw(duk, "InvalidCharacterError", 5,
                                  "The string to be decoded is not "
                                  "correctly encoded.");
    }

    /* stack: [ data source bytes latin1 ] */

    out = duk_push_fixed_buffer(duk, 2 * dst.len);
    p = out;

    for (i = 0; i < dst.len; i++) {
        c = dst.data[i];

        if (c < 0x80) {
            *p++ = c;

        } else {
            *p++ = (u_char) (0xc0 | (c >> 6));
            *p++ = (u_char) (0x80 | (c & 0x3f));
        }
    }

    duk_push_lstring(duk, (char *) out, p - out);

    return 1;
}


/* btoa(data): a character above U+00FF is an InvalidCharacterError */

static duk_ret_t
ngx_faas_web_btoa(duk_context *duk)
{
    u_char     *p, *end;
    size_t      len;
    ngx_str_t   src, dst;

    p = (u_char *) duk_to_lstring(duk, 0, &len);
    end = p + len;

    src.data = duk_push_fixed_buffer(duk, len);
    src.len = 0;

    while (p < end) {
        if (*p < 0x80) {
            src.data[src.len++] = *p++;
            continue;
        }

        if ((*p & 0xfe) != 0xc2 || p + 1 == end) {
            return ngx_faas_web_throw(duk, "InvalidCharacterError", 5,
                                      "Invalid character");
        }

        src.data[src.len++] = (u_char) (((p[0] & 0x1f) << 6) | (p[1] & 0x3f));
        p += 2;
    }

    dst.data = duk_push_fixed_buffer(duk, ngx_base64_encoded_length(src.len));
    ngx_encode_base64(&dst, &src);

    duk_push_lstring(duk, (char *) dst.data, dst.len);

    return 1;
}


/* crypto.getRandomValues(integerTypedArray): the same array, filled */

static duk_ret_t
ngx_faas_web_get_random_values(duk_context *duk)
{
    void           *p;
    duk_size_t      size;
    duk_bool_t      integer;
    duk_uarridx_t   i;

    integer = 0;

    if (duk_is_buffer_data(duk, 0) && duk_is_object(duk, 0)) {
        duk_push_heap_stash(duk);
        duk_get_prop_literal(duk, -1, NGX_FAAS_WEB_INTEGER_ARRAYS);

        /* stack: [ array stash constructors ] */

        for (i = 0; ngx_faas_web_integer_arrays[i] && !integer; i++) {
            duk_get_prop_index(duk, 2, i);
            integer = duk_instanceof(duk, 0, 3);
            duk_pop(duk);
        }

        duk_pop_2(duk);
    }

    if (!integer) {
        return ngx_faas_web_throw(duk, "TypeMismatchError", 17,
                                  "The data argument must be an integer-type "
                                  "TypedArray");
    }

    p = duk_get_buffer_data(duk, 0, &size);

    if (size > NGX_FAAS_WEB_RANDOM_MAX) {
        return ngx_faas_web_throw(duk, "QuotaExceededError", 22,
                                  "The ArrayBufferView's byte length "
                                  "exceeds 65536");
    }

    ngx_faas_web_random(duk, p, size);

    duk_set_top(duk, 1);

    return 1;
}


/* crypto.randomUUID(): a version 4 UUID in lower case */

static duk_ret_t
ngx_faas_web_random_uuid(duk_context *duk)
{
    u_char      b[16], uuid[36], *p;
    ngx_uint_t  i;

    ngx_faas_web_random(duk, b, sizeof(b));

    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;

    p = uuid;

    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            *p++ = '-';
        }

        p = ngx_hex_dump(p, &b[i], 1);
    }

    duk_push_lstring(duk, (char *) uuid, sizeof(uuid));

    return 1;
}


static void
ngx_faas_web_random(duk_context *duk, u_char *p, size_t size)
{
    ssize_t  n;

    while (size) {
        n = getrandom(p, size, 0);

        if (n == -1) {
            if (ngx_errno == NGX_EINTR) {
                continue;
            }

            (void) duk_error(duk, DUK_ERR_ERROR,
                             "no random bytes from the system: %s",
                             strerror(ngx_errno));
        }

        p += n;
        size -= n;
    }
}
