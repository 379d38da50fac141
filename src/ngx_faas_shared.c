
/*
 * Copyright (C) ngx_faas authors
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_faas.h"
#include "ngx_faas_bson.h"
#include "ngx_faas_shared.h"
#include "ngx_faas_zone.h"


#define NGX_FAAS_SHARED_ZONE      DUK_HIDDEN_SYMBOL("faasZone")
#define NGX_FAAS_SHARED_MAX_KEY   65535


static duk_ret_t ngx_faas_shared_get(duk_context *duk);
static duk_ret_t ngx_faas_shared_set(duk_context *duk);
static duk_ret_t ngx_faas_shared_incr(duk_context *duk);
static duk_ret_t ngx_faas_shared_delete(duk_context *duk);
static duk_ret_t ngx_faas_shared_keys(duk_context *duk);
static duk_ret_t ngx_faas_shared_clear(duk_context *duk);
static ngx_faas_zone_t *ngx_faas_shared_this(duk_context *duk,
    ngx_str_t *key);
static ngx_msec_t ngx_faas_shared_ttl(duk_context *duk, duk_idx_t idx);
static duk_ret_t ngx_faas_shared_encode(duk_context *duk, void *data);
static u_char *ngx_faas_shared_buffer(duk_context *duk, size_t size);


/* set() and add() are one function: the magic value is the mode */
static const duk_function_list_entry  ngx_faas_shared_methods[] = {
    { "get", ngx_faas_shared_get, 1 },
    { "set", ngx_faas_shared_set, 3 },
    { "add", ngx_faas_shared_set, 3 },
    { "incr", ngx_faas_shared_incr, 3 },
    { "delete", ngx_faas_shared_delete, 1 },
    { "keys", ngx_faas_shared_keys, 1 },
    { "clear", ngx_faas_shared_clear, 0 },
    { NULL, NULL, 0 }
};


/*
 * values on their way out of a zone: one buffer per worker, grown as
 * needed and kept, so a value is copied under the lock without any
 * allocation there, and nothing leaks when decoding it throws
 */
static u_char  *ngx_faas_shared_buf;
static size_t   ngx_faas_shared_buf_size;


/*
 * the global "shared": one object per faas_shared zone, by name; a name
 * that is not a zone is undefined, as any missing property
 */

void
ngx_faas_shared_init(duk_context *duk)
{
    ngx_uint_t         i;
    ngx_array_t       *zones;
    ngx_faas_zone_t  **zone;

    duk_push_object(duk);
    duk_push_object(duk);
    duk_put_function_list(duk, -1, ngx_faas_shared_methods);

    /* "add" answers false when the key is there: magic 1 */

    duk_get_prop_literal(duk, -1, "add");
    duk_set_magic(duk, -1, NGX_FAAS_ZONE_ADD);
    duk_pop(duk);

    /* stack: [ shared proto ] */

    zones = ngx_faas_zone_all();
    zone = zones ? zones->elts : NULL;

    for (i = 0; zones && i < zones->nelts; i++) {
        duk_push_object(duk);
        duk_dup(duk, -2);
        duk_set_prototype(duk, -2);

        duk_push_pointer(duk, zone[i]);
        duk_put_prop_literal(duk, -2, NGX_FAAS_SHARED_ZONE);

        duk_push_lstring(duk, (char *) ngx_faas_zone_name(zone[i])->data,
                         ngx_faas_zone_name(zone[i])->len);
        duk_put_prop_literal(duk, -2, "name");

        duk_push_lstring(duk, (char *) ngx_faas_zone_name(zone[i])->data,
                         ngx_faas_zone_name(zone[i])->len);
        duk_dup(duk, -2);

        /* stack: [ shared proto zoneobj name zoneobj ] */

        duk_def_prop(duk, -5, DUK_DEFPROP_HAVE_VALUE
                              | DUK_DEFPROP_SET_ENUMERABLE
                              | DUK_DEFPROP_CLEAR_WRITABLE
                              | DUK_DEFPROP_CLEAR_CONFIGURABLE);
        duk_pop(duk);
    }

    duk_pop(duk);
    duk_put_global_literal(duk, "shared");
}


/* get(key): the value, or undefined if there is none or it expired */

static duk_ret_t
ngx_faas_shared_get(duk_context *duk)
{
    size_t                  size;
    ngx_int_t               rc;
    ngx_str_t               key;
    ngx_faas_zone_t        *zone;
    ngx_faas_zone_value_t   value;

    zone = ngx_faas_shared_this(duk, &key);
    size = 256;

    for ( ;; ) {
        value.data = ngx_faas_shared_buffer(duk, size);

        rc = ngx_faas_zone_get(zone, &key, &value, ngx_faas_shared_buf_size);

        if (rc != NGX_AGAIN) {
            break;
        }

        /* a larger value than the buffer: grow it, then ask again */

        size = value.len;
    }

    if (rc == NGX_DECLINED) {
        return 0;
    }

    if (value.type == NGX_FAAS_ZONE_NUMBER) {
        duk_push_number(duk, value.number);
        return 1;
    }

    ngx_faas_bson_push_stored(duk, value.data, value.len);

    return 1;
}


/*
 * set(key, value, {ttl}) and add(key, value, {ttl}): the value is
 * encoded before the zone is locked; a number is stored as a number, so
 * incr() can count it
 */

static duk_ret_t
ngx_faas_shared_set(duk_context *duk)
{
    bson_t                  doc;
    ngx_int_t               rc;
    ngx_str_t               key;
    ngx_msec_t              ttl;
    ngx_uint_t              mode;
    ngx_faas_zone_t        *zone;
    ngx_faas_zone_value_t   value;

    mode = (ngx_uint_t) duk_get_current_magic(duk);
    zone = ngx_faas_shared_this(duk, &key);
    ttl = ngx_faas_shared_ttl(duk, 2);

    ngx_memzero(&value, sizeof(ngx_faas_zone_value_t));

    if (duk_is_number(duk, 1)) {
        value.type = NGX_FAAS_ZONE_NUMBER;
        value.number = duk_get_number(duk, 1);
        rc = ngx_faas_zone_set(zone, &key, &value, ttl, mode);

    } else {
        bson_init(&doc);

        /* stack: [ key value options ] */

        duk_dup(duk, 1);

        if (duk_safe_call(duk, ngx_faas_shared_encode, &doc, 1, 1)
            != DUK_EXEC_SUCCESS)
        {
            bson_destroy(&doc);
            (void) duk_throw(duk);
        }

        duk_pop(duk);

        value.type = NGX_FAAS_ZONE_BSON;
        value.data = (u_char *) bson_get_data(&doc);
        value.len = doc.len;

        rc = ngx_faas_zone_set(zone, &key, &value, ttl, mode);

        bson_destroy(&doc);
    }

    switch (rc) {

    case NGX_OK:
        duk_push_true(duk);
        return 1;

    case NGX_DECLINED:
        duk_push_false(duk);
        return 1;

    case NGX_ABORT:
        return duk_range_error(duk, "shared.%s: a value of %d bytes is "
                               "larger than half the zone",
                               (char *) ngx_faas_zone_name(zone)->data,
                               (int) value.len);

    default:
        return duk_range_error(duk, "shared.%s: no room for the value "
                               "even with every other item evicted",
                               (char *) ngx_faas_zone_name(zone)->data);
    }
}


/* incr(key, n = 1, {ttl}): the new number; a missing key counts from 0 */

static duk_ret_t
ngx_faas_shared_incr(duk_context *duk)
{
    double            delta, result;
    ngx_int_t         rc;
    ngx_str_t         key;
    ngx_msec_t        ttl;
    ngx_faas_zone_t  *zone;

    zone = ngx_faas_shared_this(duk, &key);

    if (duk_is_undefined(duk, 1)) {
        delta = 1;

    } else if (duk_is_number(duk, 1)) {
        delta = duk_get_number(duk, 1);

    } else {
        return duk_type_error(duk, "shared.%s.incr(): the increment must be "
                              "a number",
                              (char *) ngx_faas_zone_name(zone)->data);
    }

    ttl = ngx_faas_shared_ttl(duk, 2);

    rc = ngx_faas_zone_incr(zone, &key, delta, ttl, &result);

    if (rc == NGX_DECLINED) {
        return duk_type_error(duk, "shared.%s.incr(): the value of \"%s\" "
                              "is not a number",
                              (char *) ngx_faas_zone_name(zone)->data,
                              duk_get_string(duk, 0));
    }

    if (rc != NGX_OK) {
        return duk_range_error(duk, "shared.%s: no room for a new item",
                               (char *) ngx_faas_zone_name(zone)->data);
    }

    duk_push_number(duk, result);

    return 1;
}


/* delete(key): whether there was one */

static duk_ret_t
ngx_faas_shared_delete(duk_context *duk)
{
    ngx_str_t         key;
    ngx_faas_zone_t  *zone;

    zone = ngx_faas_shared_this(duk, &key);

    duk_push_boolean(duk, ngx_faas_zone_delete(zone, &key) == NGX_OK);

    return 1;
}


/* keys(max = 0): the live keys, most recently used first; 0 is all */

static duk_ret_t
ngx_faas_shared_keys(duk_context *duk)
{
    size_t            size, len;
    u_char           *p, *end;
    uint32_t          n;
    ngx_int_t         rc;
    ngx_uint_t        max;
    duk_uarridx_t     i;
    ngx_faas_zone_t  *zone;

    duk_push_undefined(duk);
    duk_insert(duk, 0);

    /* stack: [ undefined max ]: this() reads no key */

    zone = ngx_faas_shared_this(duk, NULL);

    max = 0;

    if (!duk_is_undefined(duk, 1)) {
        if (!duk_is_number(duk, 1) || duk_get_number(duk, 1) < 0) {
            return duk_type_error(duk, "shared.%s.keys(): the count must be "
                                  "a number, 0 or more",
                                  (char *) ngx_faas_zone_name(zone)->data);
        }

        max = (ngx_uint_t) duk_get_number(duk, 1);
    }

    size = 4096;

    for ( ;; ) {
        p = ngx_faas_shared_buffer(duk, size);
        len = ngx_faas_shared_buf_size;

        rc = ngx_faas_zone_keys(zone, p, &len, max);

        if (rc != NGX_AGAIN) {
            break;
        }

        size = len;
    }

    duk_push_array(duk);

    end = p + len;
    i = 0;

    while (p < end) {
        ngx_memcpy(&n, p, 4);
        duk_push_lstring(duk, (char *) p + 4, n);
        duk_put_prop_index(duk, -2, i++);
        p += 4 + n;
    }

    return 1;
}


static duk_ret_t
ngx_faas_shared_clear(duk_context *duk)
{
    duk_push_undefined(duk);
    duk_insert(duk, 0);

    ngx_faas_zone_clear(ngx_faas_shared_this(duk, NULL));

    return 0;
}


/* the zone of "this", and the key of argument 0 if key is not NULL */

static ngx_faas_zone_t *
ngx_faas_shared_this(duk_context *duk, ngx_str_t *key)
{
    duk_size_t        len;
    const char       *s;
    ngx_faas_zone_t  *zone;

    duk_push_this(duk);

    zone = NULL;

    if (duk_is_object(duk, -1)) {
        duk_get_prop_literal(duk, -1, NGX_FAAS_SHARED_ZONE);
        zone = duk_get_pointer(duk, -1);
        duk_pop(duk);
    }

    duk_pop(duk);

    if (zone == NULL) {
        (void) duk_type_error(duk, "not a shared zone: call it as "
                              "shared.NAME.method()");
    }

    if (key == NULL) {
        return zone;
    }

    if (!duk_is_string(duk, 0) && !duk_is_number(duk, 0)) {
        (void) duk_type_error(duk, "shared.%s: a key must be a string",
                              (char *) ngx_faas_zone_name(zone)->data);
    }

    s = duk_to_lstring(duk, 0, &len);

    if (len == 0 || len > NGX_FAAS_SHARED_MAX_KEY) {
        (void) duk_type_error(duk, "shared.%s: a key must have 1 to %d "
                              "bytes",
                              (char *) ngx_faas_zone_name(zone)->data,
                              NGX_FAAS_SHARED_MAX_KEY);
    }

    key->data = (u_char *) s;
    key->len = len;

    return zone;
}


/* {ttl: seconds} at idx, fractions allowed; 0 or none: never expires */

static ngx_msec_t
ngx_faas_shared_ttl(duk_context *duk, duk_idx_t idx)
{
    double  ttl;

    if (duk_is_undefined(duk, idx) || duk_is_null(duk, idx)) {
        return 0;
    }

    if (!duk_is_object(duk, idx)) {
        (void) duk_type_error(duk, "the options must be an object, "
                              "such as {ttl: 60}");
    }

    duk_get_prop_literal(duk, idx, "ttl");

    if (duk_is_undefined(duk, -1)) {
        duk_pop(duk);
        return 0;
    }

    ttl = duk_is_number(duk, -1) ? duk_get_number(duk, -1) : -1;
    duk_pop(duk);

    /* up to a year; NaN fails every comparison */

    if (!(ttl >= 0 && ttl <= 365 * 86400)) {
        (void) duk_range_error(duk, "ttl must be a number of seconds, "
                               "0 to 31536000");
    }

    if (ttl > 0 && ttl < 0.001) {
        return 1;
    }

    return (ngx_msec_t) (ttl * 1000 + 0.5);
}


static duk_ret_t
ngx_faas_shared_encode(duk_context *duk, void *data)
{
    bson_t  *doc = data;

    ngx_faas_bson_encode(duk, -1, doc);

    return 0;
}


/* at least size bytes; throws if there is no memory */

static u_char *
ngx_faas_shared_buffer(duk_context *duk, size_t size)
{
    u_char  *p;

    if (size <= ngx_faas_shared_buf_size) {
        return ngx_faas_shared_buf;
    }

    p = ngx_alloc(size, ngx_cycle->log);
    if (p == NULL) {
        (void) duk_error(duk, DUK_ERR_ERROR, "alloc failed");
    }

    if (ngx_faas_shared_buf) {
        ngx_free(ngx_faas_shared_buf);
    }

    ngx_faas_shared_buf = p;
    ngx_faas_shared_buf_size = size;

    return p;
}
