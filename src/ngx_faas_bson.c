
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>

#include <bson.h>

#include "ngx_faas.h"
#include "ngx_faas_bson.h"


/* as deep as Duktape's JSON.parse() goes; every level is a C frame */
#define NGX_FAAS_BSON_MAX_DEPTH  1000


static void ngx_faas_bson_push_document(duk_context *duk, bson_iter_t *it,
    ngx_uint_t array, ngx_uint_t depth, ngx_uint_t raw);
static void ngx_faas_bson_push_value(duk_context *duk, bson_iter_t *it,
    ngx_uint_t depth, ngx_uint_t raw);
static void ngx_faas_bson_push_string(duk_context *duk, const char *s,
    size_t len, ngx_uint_t raw);
static void ngx_faas_bson_append(duk_context *duk, bson_t *doc,
    const char *key, size_t key_len, ngx_uint_t depth);
static void ngx_faas_bson_append_object(duk_context *duk, bson_t *doc,
    ngx_uint_t depth);
static ngx_uint_t ngx_faas_bson_skipped(duk_context *duk);


/*
 * pushes a BSON document as an object; throws on anything malformed:
 * libbson's iterator checks every length against the buffer as it goes
 */

void
ngx_faas_bson_push(duk_context *duk, u_char *data, size_t len)
{
    bson_t       doc;
    bson_iter_t  it;

    if (!bson_init_static(&doc, data, len) || !bson_iter_init(&it, &doc)) {
        (void) duk_error(duk, DUK_ERR_TYPE_ERROR, "invalid BSON document");
    }

    ngx_faas_bson_push_document(duk, &it, 0, 0, 0);
}


/*
 * a value of a shared zone: a document { v: value } that
 * ngx_faas_bson_encode() made, so its strings are Duktape's own bytes
 * (lone surrogates and all) and go back into the heap as they are
 */

void
ngx_faas_bson_push_stored(duk_context *duk, u_char *data, size_t len)
{
    bson_t       doc;
    bson_iter_t  it;

    if (!bson_init_static(&doc, data, len) || !bson_iter_init(&it, &doc)
        || !bson_iter_next(&it))
    {
        (void) duk_error(duk, DUK_ERR_TYPE_ERROR, "invalid BSON document");
    }

    ngx_faas_bson_push_value(duk, &it, 0, 1);
}


/*
 * the value at idx as the document { v: value } in doc (initialised by
 * the caller, who destroys it even when this throws). Values go as
 * JSON.stringify() would take them (own enumerable properties; undefined
 * and functions left out of objects, null in arrays), but a Date stays a
 * date, a number keeps NaN, the infinities and -0, and bytes (buffers,
 * typed arrays) are binary. Runs in a protected call: anything may throw
 */

void
ngx_faas_bson_encode(duk_context *duk, duk_idx_t idx, bson_t *doc)
{
    duk_dup(duk, idx);

    if (ngx_faas_bson_skipped(duk)) {
        (void) duk_error(duk, DUK_ERR_TYPE_ERROR,
                         "a shared value cannot be %s",
                         duk_is_undefined(duk, -1) ? "undefined"
                         : duk_is_function(duk, -1) ? "a function"
                         : "a symbol");
    }

    ngx_faas_bson_append(duk, doc, "v", 1, 0);
    duk_pop(duk);
}


static void
ngx_faas_bson_push_document(duk_context *duk, bson_iter_t *it,
    ngx_uint_t array, ngx_uint_t depth, ngx_uint_t raw)
{
    const char     *key;
    duk_uarridx_t   i;

    if (depth >= NGX_FAAS_BSON_MAX_DEPTH) {
        (void) duk_range_error(duk, "BSON document nested too deeply");
    }

    duk_require_stack(duk, 4);

    if (array) {
        duk_push_array(duk);

    } else {
        duk_push_object(duk);
    }

    i = 0;

    while (bson_iter_next(it)) {

        if (array) {
            ngx_faas_bson_push_value(duk, it, depth, raw);
            duk_put_prop_index(duk, -2, i++);
            continue;
        }

        key = bson_iter_key(it);
        ngx_faas_bson_push_string(duk, key, ngx_strlen(key), raw);
        ngx_faas_bson_push_value(duk, it, depth, raw);

        /* stack: [ ... obj key value ]; an own property, even __proto__ */

        duk_def_prop(duk, -3, DUK_DEFPROP_HAVE_VALUE|DUK_DEFPROP_SET_WEC);
    }

    if (it->err_off) {
        (void) duk_error(duk, DUK_ERR_TYPE_ERROR,
                         "invalid BSON document at offset %u",
                         (unsigned) it->err_off);
    }
}


static void
ngx_faas_bson_push_value(duk_context *duk, bson_iter_t *it, ngx_uint_t depth,
    ngx_uint_t raw)
{
    char           oid[25], *dec;
    void          *buf;
    uint32_t       len, t, inc;
    const char    *s, *opts;
    bson_iter_t    child;
    const uint8_t *bin;
    bson_subtype_t subtype;
    bson_decimal128_t  d128;
    char           decbuf[BSON_DECIMAL128_STRING];

    switch (bson_iter_type(it)) {

    case BSON_TYPE_DOUBLE:
        duk_push_number(duk, bson_iter_double(it));
        break;

    case BSON_TYPE_UTF8:
    case BSON_TYPE_CODE:
    case BSON_TYPE_SYMBOL:
        s = (bson_iter_type(it) == BSON_TYPE_UTF8) ? bson_iter_utf8(it, &len)
            : (bson_iter_type(it) == BSON_TYPE_CODE) ? bson_iter_code(it, &len)
            : bson_iter_symbol(it, &len);
        ngx_faas_bson_push_string(duk, s, len, raw);
        break;

    case BSON_TYPE_DOCUMENT:
    case BSON_TYPE_ARRAY:
        if (!bson_iter_recurse(it, &child)) {
            (void) duk_error(duk, DUK_ERR_TYPE_ERROR,
                             "invalid BSON document in \"%s\"",
                             bson_iter_key(it));
        }

        ngx_faas_bson_push_document(duk, &child,
                                    bson_iter_type(it) == BSON_TYPE_ARRAY,
                                    depth + 1, raw);
        break;

    case BSON_TYPE_BINARY:
        bson_iter_binary(it, &subtype, &len, &bin);
        buf = duk_push_fixed_buffer(duk, len);
        if (len) {
            ngx_memcpy(buf, bin, len);
        }
        duk_push_buffer_object(duk, -1, 0, len, DUK_BUFOBJ_UINT8ARRAY);
        duk_remove(duk, -2);
        break;

    case BSON_TYPE_OID:
        bson_oid_to_string(bson_iter_oid(it), oid);
        duk_push_string(duk, oid);
        break;

    case BSON_TYPE_BOOL:
        duk_push_boolean(duk, bson_iter_bool(it));
        break;

    case BSON_TYPE_DATE_TIME:
        duk_get_global_literal(duk, "Date");
        duk_push_number(duk, (duk_double_t) bson_iter_date_time(it));
        duk_new(duk, 1);
        break;

    case BSON_TYPE_NULL:
        duk_push_null(duk);
        break;

    case BSON_TYPE_UNDEFINED:
        duk_push_undefined(duk);
        break;

    case BSON_TYPE_INT32:
        duk_push_int(duk, bson_iter_int32(it));
        break;

    case BSON_TYPE_INT64:
        /* exact up to 2^53, as JSON numbers are */
        duk_push_number(duk, (duk_double_t) bson_iter_int64(it));
        break;

    case BSON_TYPE_DECIMAL128:
        if (!bson_iter_decimal128(it, &d128)) {
            (void) duk_error(duk, DUK_ERR_TYPE_ERROR, "invalid decimal128");
        }
        dec = decbuf;
        bson_decimal128_to_string(&d128, dec);
        duk_push_string(duk, dec);
        break;

    case BSON_TYPE_TIMESTAMP:
        bson_iter_timestamp(it, &t, &inc);
        duk_push_object(duk);
        duk_push_uint(duk, t);
        duk_put_prop_literal(duk, -2, "t");
        duk_push_uint(duk, inc);
        duk_put_prop_literal(duk, -2, "i");
        break;

    case BSON_TYPE_REGEX:
        s = bson_iter_regex(it, &opts);

        /* libbson checks that both end, not what is in them */

        if (!bson_utf8_validate(s, ngx_strlen(s), false)
            || !bson_utf8_validate(opts, ngx_strlen(opts), false))
        {
            (void) duk_error(duk, DUK_ERR_TYPE_ERROR,
                             "invalid UTF-8 in a BSON regular expression");
        }

        duk_push_sprintf(duk, "/%s/%s", s, opts);
        break;

    default:
        (void) duk_error(duk, DUK_ERR_TYPE_ERROR,
                         "unsupported BSON type 0x%02x in \"%s\"",
                         (unsigned) bson_iter_type(it), bson_iter_key(it));
    }
}


static void
ngx_faas_bson_push_string(duk_context *duk, const char *s, size_t len,
    ngx_uint_t raw)
{
    if (!raw && !bson_utf8_validate(s, len, false)) {
        (void) duk_error(duk, DUK_ERR_TYPE_ERROR,
                         "invalid UTF-8 in a BSON string");
    }

    duk_push_lstring(duk, s, len);
}


/* appends the value on the stack top as key of doc; leaves the stack */

static void
ngx_faas_bson_append(duk_context *duk, bson_t *doc, const char *key,
    size_t key_len, ngx_uint_t depth)
{
    bool          ok;
    void         *data;
    double        d;
    bson_t        child;
    duk_size_t    len;
    const char   *s;

    if (depth >= NGX_FAAS_BSON_MAX_DEPTH) {
        (void) duk_range_error(duk, "a shared value nested too deeply "
                               "(or a cycle)");
    }

    duk_require_stack(duk, 4);

    /* a function or a symbol: as JSON, null in an array */

    if (ngx_faas_bson_skipped(duk)) {
        ok = bson_append_null(doc, key, key_len);
        goto done;
    }

    switch (duk_get_type(duk, -1)) {

    case DUK_TYPE_NULL:
    case DUK_TYPE_UNDEFINED:
        ok = bson_append_null(doc, key, key_len);
        break;

    case DUK_TYPE_BOOLEAN:
        ok = bson_append_bool(doc, key, key_len, duk_get_boolean(duk, -1));
        break;

    case DUK_TYPE_NUMBER:
        d = duk_get_number(duk, -1);

        /* -0 is an integer that only a double keeps */

        if (d >= -2147483648.0 && d <= 2147483647.0 && d == (int32_t) d
            && !(d == 0 && signbit(d)))
        {
            ok = bson_append_int32(doc, key, key_len, (int32_t) d);

        } else {
            ok = bson_append_double(doc, key, key_len, d);
        }

        break;

    case DUK_TYPE_STRING:
        s = duk_get_lstring(duk, -1, &len);

        if (len > INT32_MAX - 64) {
            (void) duk_range_error(duk, "a shared string is too long");
        }

        ok = bson_append_utf8(doc, key, key_len, s, (int) len);
        break;

    case DUK_TYPE_BUFFER:
        data = duk_get_buffer_data(duk, -1, &len);
        ok = (len <= INT32_MAX - 64)
             && bson_append_binary(doc, key, key_len, BSON_SUBTYPE_BINARY,
                                   data, (uint32_t) len);
        break;

    case DUK_TYPE_OBJECT:

        if (duk_is_buffer_data(duk, -1)) {
            data = duk_get_buffer_data(duk, -1, &len);
            ok = (len <= INT32_MAX - 64)
                 && bson_append_binary(doc, key, key_len,
                                       BSON_SUBTYPE_BINARY,
                                       data, (uint32_t) len);
            break;
        }

        duk_get_global_literal(duk, "Date");

        if (duk_instanceof(duk, -2, -1)) {
            duk_pop(duk);

            /* stack: [ ... date ] */

            duk_push_literal(duk, "getTime");
            duk_call_prop(duk, -2, 0);
            d = duk_get_number(duk, -1);
            duk_pop(duk);

            if (d != d) {
                (void) duk_range_error(duk, "an invalid Date cannot be "
                                       "shared");
            }

            ok = bson_append_date_time(doc, key, key_len, (int64_t) d);
            break;
        }

        duk_pop(duk);

        if (duk_is_array(duk, -1)) {
            ok = bson_append_array_begin(doc, key, key_len, &child);

        } else {
            ok = bson_append_document_begin(doc, key, key_len, &child);
        }

        if (!ok) {
            break;
        }

        ngx_faas_bson_append_object(duk, &child, depth + 1);

        ok = duk_is_array(duk, -1) ? bson_append_array_end(doc, &child)
                                   : bson_append_document_end(doc, &child);
        break;

    default:
        ok = bson_append_null(doc, key, key_len);
        break;
    }

done:

    if (!ok) {
        (void) duk_error(duk, DUK_ERR_TYPE_ERROR,
                         "a shared value cannot hold \"%s\" (a key with a "
                         "NUL character, or too large)", key);
    }
}


/* the own enumerable properties of the object on the stack top */

static void
ngx_faas_bson_append_object(duk_context *duk, bson_t *doc, ngx_uint_t depth)
{
    char         index[16];
    duk_size_t   len;
    ngx_uint_t   array;
    const char  *key;
    duk_uarridx_t  i, n;

    array = duk_is_array(duk, -1);

    if (array) {
        n = (duk_uarridx_t) duk_get_length(duk, -1);

        for (i = 0; i < n; i++) {
            duk_get_prop_index(duk, -1, i);
            len = ngx_sprintf((u_char *) index, "%uD", (uint32_t) i)
                  - (u_char *) index;
            ngx_faas_bson_append(duk, doc, index, len, depth);
            duk_pop(duk);
        }

        return;
    }

    duk_enum(duk, -1, DUK_ENUM_OWN_PROPERTIES_ONLY);

    /* stack: [ ... obj enum ] */

    while (duk_next(duk, -1, 1)) {

        /* stack: [ ... obj enum key value ] */

        if (ngx_faas_bson_skipped(duk)) {
            duk_pop_2(duk);
            continue;
        }

        key = duk_get_lstring(duk, -2, &len);
        ngx_faas_bson_append(duk, doc, key, len, depth);
        duk_pop_2(duk);
    }

    duk_pop(duk);
}


/* what JSON.stringify() leaves out of an object */

static ngx_uint_t
ngx_faas_bson_skipped(duk_context *duk)
{
    return duk_is_undefined(duk, -1) || duk_is_function(duk, -1)
           || duk_is_symbol(duk, -1);
}
