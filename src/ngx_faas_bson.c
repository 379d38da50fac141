
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
    ngx_uint_t array, ngx_uint_t depth);
static void ngx_faas_bson_push_value(duk_context *duk, bson_iter_t *it,
    ngx_uint_t depth);
static void ngx_faas_bson_push_string(duk_context *duk, const char *s,
    size_t len);


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

    ngx_faas_bson_push_document(duk, &it, 0, 0);
}


static void
ngx_faas_bson_push_document(duk_context *duk, bson_iter_t *it,
    ngx_uint_t array, ngx_uint_t depth)
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
            ngx_faas_bson_push_value(duk, it, depth);
            duk_put_prop_index(duk, -2, i++);
            continue;
        }

        key = bson_iter_key(it);
        ngx_faas_bson_push_string(duk, key, ngx_strlen(key));
        ngx_faas_bson_push_value(duk, it, depth);

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
ngx_faas_bson_push_value(duk_context *duk, bson_iter_t *it, ngx_uint_t depth)
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
        ngx_faas_bson_push_string(duk, s, len);
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
                                    depth + 1);
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
ngx_faas_bson_push_string(duk_context *duk, const char *s, size_t len)
{
    if (!bson_utf8_validate(s, len, false)) {
        (void) duk_error(duk, DUK_ERR_TYPE_ERROR,
                         "invalid UTF-8 in a BSON string");
    }

    duk_push_lstring(duk, s, len);
}
